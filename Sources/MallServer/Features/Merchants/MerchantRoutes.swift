import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

struct MerchantRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let merchants = routes.grouped("merchants")
        merchants.get(use: list)
        merchants.post(use: create)
        merchants.get(":merchantId", use: show)
        merchants.patch(":merchantId", use: update)
        merchants.post(":merchantId", "status", use: changeStatus)
        merchants.put(":merchantId", "deposit", use: setDeposit)
        merchants.put(":merchantId", "shop", use: setShop)
    }

    func list(req: Request) async throws -> ListPage<Merchant> {
        let (_, reach) = try req.reach(.merchantView)
        let page = try PageRequest(from: req)
        var query = MerchantModel.query(on: req.db).sort(\.$code)
        if case .limited(let merchants, _) = reach {
            query = query.filter(\.$id ~~ merchants.map(\.rawValue))
        }
        if let status = req.query[String.self, at: "status"] {
            guard let parsed = MerchantStatus(rawValue: status) else {
                throw ValidationFailure(field: "status", message: "must be one of \(MerchantStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = query.filter(\.$status == parsed)
        }
        if let kind = req.query[String.self, at: "kind"] {
            guard let parsed = MerchantKind(rawValue: kind) else {
                throw ValidationFailure(field: "kind", message: "must be one of \(MerchantKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = query.filter(\.$kind == parsed)
        }
        if let q = req.query[String.self, at: "q"]?.trimmingWhitespace(), !q.isEmpty {
            guard q.count <= 60 else { throw ValidationFailure(field: "q", message: "must be at most 60 characters") }
            query = query.group(.or) { $0.filter(\.$name ~~ q).filter(\.$code ~~ q.uppercased()) }
        }
        return try await query.page(page) { $0.dto }
    }

    func show(req: Request) async throws -> Merchant {
        let merchant = try await find(req)
        try req.authorize(.merchantView, on: .merchant(merchant.merchantID))
        return merchant.dto
    }

    /// Onboarding a third-party merchant; it starts active because platform staff create it
    /// after their own review (self-service applications come with the merchant portal).
    func create(req: Request) async throws -> Response {
        try req.authorize(.merchantManage, on: .platform)
        let input = try req.content.decode(MerchantInput.self)
        var errors = FieldErrorCollector()
        let code = errors.collect { try StoreRules.checkCode(input.code) }
        let name = errors.collect { try TextRule.check(input.name, field: "name", max: 60) }
        let contact = errors.collect { try TextRule.check(input.contactName, field: "contactName", max: 30) }
        let phone = errors.collect { try StoreRules.checkPhone(input.contactPhone, field: "contactPhone") }
        let email = input.contactEmail.flatMap { raw in errors.collect { try EmailAddress(parsing: raw, field: "contactEmail").value } }
        let commission = input.commissionRateBasisPoints ?? 500
        errors.collect { try MerchantRules.checkCommission(commission) }
        try errors.throwIfAny()
        let merchant = MerchantModel(code: code!, name: name!, kind: .thirdParty, status: .active, contactName: contact!,
                                     contactPhone: phone!, contactEmail: email, commissionRateBasisPoints: commission)
        try await req.db.writeTransaction { db in
            if try await MerchantModel.find(code: code!, on: db) != nil {
                throw ValidationFailure(field: "code", message: "is already used by another merchant")
            }
            try await merchant.create(on: db)
            try await req.audit.record(on: db, action: "merchant.create", owner: .merchant(merchant.merchantID),
                                       targetType: "merchant", targetId: merchant.id!.uuidString, after: merchant.dto)
        }
        return try Response.json(merchant.dto, status: .created)
    }

    func update(req: Request) async throws -> Merchant {
        let merchant = try await find(req)
        try req.authorize(.merchantManage, on: .merchant(merchant.merchantID))
        let input = try req.content.decode(MerchantUpdate.self)
        let before = merchant.dto
        var errors = FieldErrorCollector()
        if let v = input.name, let ok = errors.collect({ try TextRule.check(v, field: "name", max: 60) }) { merchant.name = ok }
        if let v = input.contactName, let ok = errors.collect({ try TextRule.check(v, field: "contactName", max: 30) }) { merchant.contactName = ok }
        if let v = input.contactPhone, let ok = errors.collect({ try StoreRules.checkPhone(v, field: "contactPhone") }) { merchant.contactPhone = ok }
        if let v = input.contactEmail {
            merchant.contactEmail = v.isEmpty ? nil : errors.collect { try EmailAddress(parsing: v, field: "contactEmail").value }
        }
        if let v = input.commissionRateBasisPoints {
            if merchant.kind == .selfOperated && v != 0 {
                errors.add("commissionRateBasisPoints", "the self-operated merchant pays no commission")
            } else if errors.collect({ try MerchantRules.checkCommission(v) }) != nil {
                merchant.commissionRateBasisPoints = v
            }
        }
        try errors.throwIfAny()
        try await req.db.writeTransaction { db in
            try await merchant.update(on: db)
            try await req.audit.record(on: db, action: "merchant.update", owner: .merchant(merchant.merchantID),
                                       targetType: "merchant", targetId: merchant.id!.uuidString, before: before, after: merchant.dto)
        }
        return merchant.dto
    }

    func changeStatus(req: Request) async throws -> Merchant {
        let merchant = try await find(req)
        try req.authorize(.merchantManage, on: .merchant(merchant.merchantID))
        let input = try req.content.decode(StatusChange<MerchantStatus>.self)
        return try await MerchantService(db: req.db).changeStatus(try merchant.requireID(), to: input.status, reason: input.reason, audit: req.audit).dto
    }

    /// The deposit (保证金) is the platform's record of money it holds.
    func setDeposit(req: Request) async throws -> Merchant {
        let merchant = try await find(req)
        try req.authorize(.merchantManage, on: .platform)
        let input = try req.content.decode(MerchantDepositInput.self)
        return try await MerchantService(db: req.db).setDeposit(try merchant.requireID(), input, audit: req.audit).dto
    }

    /// The shop page's face is the merchant's own to keep, like its catalogue.
    func setShop(req: Request) async throws -> Merchant {
        let merchant = try await find(req)
        try req.authorize(.catalogEdit, on: .merchant(merchant.merchantID))
        let input = try req.content.decode(MerchantShopInput.self)
        return try await MerchantShopService(db: req.db).setFace(try merchant.requireID(), input, audit: req.audit).dto
    }

    private func find(_ req: Request) async throws -> MerchantModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("merchantId", as: UUID.self), let merchant = try await MerchantModel.find(id, on: req.db) else {
            throw MallError.notFound("No such merchant.")
        }
        return merchant
    }
}

struct StatusAudit: Encodable {
    let status: String
    let reason: String?
}

extension MerchantModel {
    var dto: Merchant {
        Merchant(id: id!, code: code, name: name, kind: kind, status: status, contactName: contactName, contactPhone: contactPhone,
                 contactEmail: contactEmail, commissionRateBasisPoints: commissionRateBasisPoints,
                 createdAt: createdAt ?? Date(timeIntervalSince1970: 0), creditCode: creditCode, depositFen: depositFen,
                 description: shopDescription, logoUrl: logoURL)
    }
}
