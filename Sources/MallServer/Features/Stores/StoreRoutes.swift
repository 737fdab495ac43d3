import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Staff management of stores and warehouses.
struct StoreRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let stores = routes.grouped("stores")
        stores.get(use: list)
        stores.post(use: create)
        stores.get(":storeId", use: show)
        stores.patch(":storeId", use: update)
        stores.post(":storeId", "status", use: changeStatus)
    }

    func list(req: Request) async throws -> ListPage<Store> {
        let (_, reach) = try req.reach(.storeView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = StoreModel.query(on: req.db).scoped(to: reach, storeField: "id")
        if let merchantId = req.optionalQuery(UUID.self, "merchantId", into: &errors, message: "must be a merchant id") {
            query = query.filter(\.$merchantId == merchantId)
        }
        if let raw = req.query[String.self, at: "status"] {
            if let status = StoreStatus(rawValue: raw) { query = query.filter(\.$status == status) } else {
                errors.add("status", "must be one of open, closed, suspended")
            }
        }
        if let raw = req.query[String.self, at: "kind"] {
            if let kind = StoreKind(rawValue: raw) { query = query.filter(\.$kind == kind) } else {
                errors.add("kind", "must be store or warehouse")
            }
        }
        if let city = req.query[String.self, at: "city"]?.trimmingWhitespace(), !city.isEmpty {
            query = query.filter(\.$city == city)
        }
        if let q = req.query[String.self, at: "q"]?.trimmingWhitespace(), !q.isEmpty {
            query = query.group(.or) { $0.filter(\.$name ~~ q).filter(\.$code ~~ q.uppercased()) }
        }
        let order = ListSort.parse(req, fields: ["code", "name", "kind", "status", "city", "pickupEnabled", "dailyOrderCapacity", "createdAt"], into: &errors)
        try errors.throwIfAny()
        return try await query.sort(order).sort(\.$code).page(page) { $0.dto }
    }

    func show(req: Request) async throws -> Store {
        let store = try await find(req)
        try req.authorize(.storeView, on: store.owner)
        return store.dto
    }

    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(StoreInput.self)
        try req.authorize(.storeManage, on: .merchant(MerchantID(input.merchantId)))
        let store = StoreModel()
        store.merchantId = input.merchantId
        store.status = .open
        var errors = FieldErrorCollector()
        if let code = errors.collect({ try StoreRules.checkCode(input.code) }) { store.code = code }
        apply(StoreUpdate(name: input.name, kind: input.kind, province: input.province, city: input.city, district: input.district,
                          address: input.address, latitude: input.latitude, longitude: input.longitude, phone: input.phone,
                          managerStaffId: input.managerStaffId, openingHours: input.openingHours,
                          deliveryRadiusKm: input.deliveryRadiusKm, pickupEnabled: input.pickupEnabled,
                          dailyOrderCapacity: input.dailyOrderCapacity), to: store, errors: &errors)
        try errors.throwIfAny()
        try await req.db.writeTransaction { db in
            guard let merchant = try await MerchantModel.find(input.merchantId, on: db) else {
                throw ValidationFailure(field: "merchantId", message: "is not a merchant")
            }
            guard merchant.status == .active else {
                throw MallError.conflict("Merchant \(merchant.code) is \(merchant.status.rawValue); only active merchants open stores.")
            }
            if try await StoreModel.query(on: db).filter(\.$code == store.code).first() != nil {
                throw ValidationFailure(field: "code", message: "is already used by another store")
            }
            try await checkManager(store.managerStaffId, on: db)
            try await store.create(on: db)
            try await req.audit.record(on: db, action: "store.create", owner: store.owner, targetType: "store",
                                       targetId: store.id!.uuidString, after: store.dto)
        }
        await req.application.cacheInvalidationBus.publish(StoreDirectory.changed(store.id!))
        return try Response.json(store.dto, status: .created)
    }

    func update(req: Request) async throws -> Store {
        let store = try await find(req)
        try req.authorize(.storeManage, on: store.owner)
        let input = try req.content.decode(StoreUpdate.self)
        let before = store.dto
        var errors = FieldErrorCollector()
        apply(input, to: store, errors: &errors)
        try errors.throwIfAny()
        try await req.db.writeTransaction { db in
            try await checkManager(store.managerStaffId, on: db)
            try await store.update(on: db)
            try await req.audit.record(on: db, action: "store.update", owner: store.owner, targetType: "store",
                                       targetId: store.id!.uuidString, before: before, after: store.dto)
        }
        await req.application.cacheInvalidationBus.publish(StoreDirectory.changed(store.id!))
        return store.dto
    }

    /// Opening and closing is the store's call; suspending or lifting a suspension is the platform's.
    func changeStatus(req: Request) async throws -> Store {
        let store = try await find(req)
        try req.authorize(.storeManage, on: store.owner)
        let input = try req.content.decode(StatusChange<StoreStatus>.self)
        if input.status == .suspended || store.status == .suspended {
            try req.authorize(.storeManage, on: .platform)
        }
        let before = store.dto
        store.status = try store.status.changing(to: input.status)
        try await req.db.writeTransaction { db in
            try await store.update(on: db)
            try await req.audit.record(on: db, action: "store.status", owner: store.owner, targetType: "store",
                                       targetId: store.id!.uuidString, before: before,
                                       after: StatusAudit(status: store.status.rawValue, reason: input.reason))
        }
        await req.application.cacheInvalidationBus.publish(StoreDirectory.changed(store.id!))
        return store.dto
    }

    private func find(_ req: Request) async throws -> StoreModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("storeId", as: UUID.self), let store = try await StoreModel.find(id, on: req.db) else {
            throw MallError.notFound("No such store.")
        }
        return store
    }

    private func checkManager(_ staffId: UUID?, on db: any Database) async throws {
        guard let staffId else { return }
        guard try await StaffModel.find(staffId, on: db) != nil else {
            throw ValidationFailure(field: "managerStaffId", message: "is not a staff member")
        }
    }

    private func apply(_ input: StoreUpdate, to store: StoreModel, errors: inout FieldErrorCollector) {
        if let v = input.name, let ok = errors.collect({ try TextRule.check(v, field: "name", max: 60) }) { store.name = ok }
        if let v = input.kind { store.kind = v }
        if let v = input.province, let ok = errors.collect({ try TextRule.check(v, field: "province", max: 30) }) { store.province = ok }
        if let v = input.city, let ok = errors.collect({ try TextRule.check(v, field: "city", max: 30) }) { store.city = ok }
        if let v = input.district, let ok = errors.collect({ try TextRule.check(v, field: "district", max: 30) }) { store.district = ok }
        if let v = input.address, let ok = errors.collect({ try TextRule.check(v, field: "address", min: 2, max: 120) }) { store.address = ok }
        if input.latitude != nil || input.longitude != nil {
            let lat = input.latitude ?? store.$latitude.value ?? .nan
            let lng = input.longitude ?? store.$longitude.value ?? .nan
            if let point = errors.collect({ try GeoPoint(checkingLatitude: lat, longitude: lng) }) {
                store.latitude = point.latitude
                store.longitude = point.longitude
            }
        }
        if let v = input.phone, let ok = errors.collect({ try StoreRules.checkPhone(v) }) { store.phone = ok }
        if let v = input.managerStaffId { store.managerStaffId = v }
        if let v = input.openingHours, let hours = errors.collect({ try WeeklyHours(parsing: v) }) { store.setOpeningHours(hours) }
        if let v = input.deliveryRadiusKm, errors.collect({ try StoreRules.checkDeliveryRadius(v) }) != nil { store.deliveryRadiusKm = v }
        if let v = input.pickupEnabled { store.pickupEnabled = v }
        if let v = input.dailyOrderCapacity, errors.collect({ try StoreRules.checkDailyCapacity(v) }) != nil { store.dailyOrderCapacity = v }
    }
}

extension StoreModel {
    var dto: Store {
        Store(id: id!, code: code, name: name, merchantId: merchantId, kind: kind, status: status, province: province, city: city,
              district: district, address: address, latitude: latitude, longitude: longitude, phone: phone,
              managerStaffId: managerStaffId, openingHours: openingHoursText, deliveryRadiusKm: deliveryRadiusKm,
              pickupEnabled: pickupEnabled, dailyOrderCapacity: dailyOrderCapacity,
              createdAt: createdAt ?? Date(timeIntervalSince1970: 0), updatedAt: updatedAt ?? createdAt ?? Date(timeIntervalSince1970: 0))
    }
}
