import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The signed-in member's own profile, password and delivery addresses.
struct MemberAccountRoutes: RouteCollection {
    static let maxAddresses = 20

    func boot(routes: any RoutesBuilder) throws {
        let me = routes.grouped("me")
        me.get(use: show)
        me.patch(use: update)
        me.post("password", use: changePassword)
        let addresses = me.grouped("addresses")
        addresses.get(use: listAddresses)
        addresses.post(use: createAddress)
        addresses.put(":addressId", use: replaceAddress)
        addresses.delete(":addressId", use: deleteAddress)
        addresses.post(":addressId", "default", use: makeDefault)
    }

    func member(_ req: Request) async throws -> MemberModel {
        let principal = try req.requireMember()
        guard let member = try await MemberModel.find(principal.memberId, on: req.db) else {
            throw MallError.unauthorized("This member account no longer exists.")
        }
        return member
    }

    func show(req: Request) async throws -> MemberProfile {
        try await member(req).profile
    }

    func update(req: Request) async throws -> MemberProfile {
        let member = try await member(req)
        let input = try req.content.decode(MemberProfileUpdate.self)
        var errors = FieldErrorCollector()
        if let nickname = input.nickname, let checked = errors.collect({ try TextRule.check(nickname, field: "nickname", max: 30) }) {
            member.nickname = checked
        }
        if let avatar = input.avatarUrl {
            if avatar.isEmpty {
                member.avatarURL = nil
            } else if let url = URL(string: avatar), ["https", "http"].contains(url.scheme?.lowercased() ?? ""), url.host != nil, avatar.count <= 500 {
                member.avatarURL = avatar
            } else {
                errors.add("avatarUrl", "must be an http(s) URL of at most 500 characters")
            }
        }
        if let gender = input.gender { member.gender = gender }
        if let birthday = input.birthday {
            if birthday.isEmpty {
                member.birthday = nil
            } else if let date = errors.collect({ try CalendarDate(parsing: birthday, field: "birthday") }) {
                let today = LocalTime.calendarDate(of: req.now, in: try await SettingsService.resolved(on: req.db).timeZone)
                if date > today { errors.add("birthday", "must not be in the future") } else { member.birthday = date.description }
            }
        }
        try errors.throwIfAny()
        try await member.update(on: req.db)
        return member.profile
    }

    /// A password change signs the member out of every other device.
    func changePassword(req: Request) async throws -> HTTPStatus {
        let principal = try req.requireMember()
        let member = try await member(req)
        let input = try req.content.decode(PasswordChange.self)
        try PasswordPolicy.check(input.newPassword, field: "newPassword")
        guard try await req.password.async.verify(input.currentPassword, created: member.passwordHash) else {
            throw ValidationFailure(field: "currentPassword", message: "is not your current password")
        }
        member.passwordHash = try await req.password.async.hash(input.newPassword)
        try await req.db.writeTransaction { db in
            try await member.update(on: db)
            try await TokenService(app: req.application, db: db)
                .revokeAll(kind: .member, subjectId: member.id!, except: principal.sessionId, reason: "password changed")
        }
        await req.application.cacheInvalidationBus.publish(IdentityInvalidation.subject(.member, principal.memberId))
        return .noContent
    }

    func listAddresses(req: Request) async throws -> [Address] {
        let principal = try req.requireMember()
        return try await MemberAddressModel.owned(by: principal.memberId, on: req.db)
            .sort(\.$isDefault, .descending).sort(\.$createdAt, .ascending).all().map(\.dto)
    }

    func createAddress(req: Request) async throws -> Response {
        let principal = try req.requireMember()
        let input = try req.content.decode(AddressInput.self)
        let address = MemberAddressModel()
        address.memberId = principal.memberId
        try apply(input, to: address)
        try await req.db.writeTransaction { db in
            let existing = try await MemberAddressModel.owned(by: principal.memberId, on: db).count()
            guard existing < Self.maxAddresses else {
                throw MallError.conflict("You can keep at most \(Self.maxAddresses) addresses; delete one first.")
            }
            // The first address is the default whether or not the client asked.
            address.isDefault = existing == 0 || input.isDefault == true
            if address.isDefault { try await clearDefault(memberId: principal.memberId, on: db) }
            try await address.create(on: db)
        }
        return try Response.json(address.dto, status: .created)
    }

    func replaceAddress(req: Request) async throws -> Address {
        let principal = try req.requireMember()
        let address = try await owned(req, principal)
        let input = try req.content.decode(AddressInput.self)
        try apply(input, to: address)
        try await req.db.writeTransaction { db in
            if input.isDefault == true && !address.isDefault {
                try await clearDefault(memberId: principal.memberId, on: db)
                address.isDefault = true
            }
            try await address.update(on: db)
        }
        return address.dto
    }

    /// Deleting the default hands the default to the oldest remaining address.
    func deleteAddress(req: Request) async throws -> HTTPStatus {
        let principal = try req.requireMember()
        let address = try await owned(req, principal)
        try await req.db.writeTransaction { db in
            try await address.delete(on: db)
            if address.isDefault,
               let next = try await MemberAddressModel.owned(by: principal.memberId, on: db).sort(\.$createdAt).first() {
                next.isDefault = true
                try await next.update(on: db)
            }
        }
        return .noContent
    }

    func makeDefault(req: Request) async throws -> Address {
        let principal = try req.requireMember()
        let address = try await owned(req, principal)
        try await req.db.writeTransaction { db in
            try await clearDefault(memberId: principal.memberId, on: db)
            address.isDefault = true
            try await address.update(on: db)
        }
        return address.dto
    }

    private func owned(_ req: Request, _ principal: MemberPrincipal) async throws -> MemberAddressModel {
        guard let id = req.parameters.get("addressId", as: UUID.self),
              let address = try await MemberAddressModel.owned(by: principal.memberId, on: req.db).filter(\.$id == id).first()
        else { throw MallError.notFound("No such address.") }
        return address
    }

    private func clearDefault(memberId: UUID, on db: any Database) async throws {
        try await MemberAddressModel.query(on: db).set(\.$isDefault, to: false)
            .filter(\.$memberId == memberId).filter(\.$isDefault == true).update()
    }

    private func apply(_ input: AddressInput, to address: MemberAddressModel) throws {
        var errors = FieldErrorCollector()
        address.contactName = errors.collect { try TextRule.check(input.contactName, field: "contactName", max: 30) } ?? ""
        address.phone = errors.collect { try MobileNumber(parsing: input.phone, field: "phone").digits } ?? ""
        address.province = errors.collect { try TextRule.check(input.province, field: "province", max: 30) } ?? ""
        address.city = errors.collect { try TextRule.check(input.city, field: "city", max: 30) } ?? ""
        address.district = errors.collect { try TextRule.check(input.district, field: "district", max: 30) } ?? ""
        address.detail = errors.collect { try TextRule.check(input.detail, field: "detail", min: 2, max: 120) } ?? ""
        switch (input.latitude, input.longitude) {
        case (nil, nil):
            let centre = DistrictCentres.centre(city: address.city, district: address.district)
            address.latitude = centre?.latitude
            address.longitude = centre?.longitude
        case (let lat?, let lng?):
            if let point = errors.collect({ try GeoPoint(checkingLatitude: lat, longitude: lng) }) {
                address.latitude = point.latitude
                address.longitude = point.longitude
            }
        default:
            errors.add(input.latitude == nil ? "latitude" : "longitude", "give both latitude and longitude, or neither")
        }
        try errors.throwIfAny()
    }
}

extension MemberAddressModel {
    var dto: Address {
        Address(id: id!, contactName: contactName, phone: phone, province: province, city: city, district: district,
                detail: detail, latitude: latitude, longitude: longitude, isDefault: isDefault)
    }
}
