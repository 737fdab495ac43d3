import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Loads everything `PriceResolver` needs for a set of SKUs in three queries.
enum PriceBook {
    static func inputs(for skus: [SKUModel], storeId: UUID?, on db: any Database) async throws -> [UUID: PriceInput] {
        let ids = skus.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        var storePrices: [UUID: Int64] = [:]
        if let storeId {
            for row in try await SKUStorePriceModel.query(on: db).filter(\.$skuId ~~ ids).filter(\.$storeId == storeId).all() {
                storePrices[row.skuId] = row.priceFen
            }
        }
        let levels = Dictionary(grouping: try await SKULevelPriceModel.query(on: db).filter(\.$skuId ~~ ids).all(), by: \.skuId)
        let scheduled = Dictionary(grouping: try await ScheduledPriceModel.query(on: db).filter(\.$skuId ~~ ids).all(), by: \.skuId)
        return Dictionary(uniqueKeysWithValues: skus.map { sku in
            (sku.id!, PriceInput(
                basePrice: Money(minorUnits: sku.priceFen),
                storeOverride: storePrices[sku.id!].map { Money(minorUnits: $0) },
                scheduled: (scheduled[sku.id!] ?? []).map {
                    ScheduledPrice(price: Money(minorUnits: $0.priceFen), effectiveFrom: $0.effectiveFrom, storeId: $0.storeId.map(StoreID.init))
                },
                memberLevelPrices: (levels[sku.id!] ?? []).map {
                    MemberLevelPrice(level: $0.level, discountBasisPoints: $0.discountBasisPoints, fixedPrice: $0.fixedPriceFen.map { Money(minorUnits: $0) })
                }))
        })
    }
}

/// Per-store, per-level and scheduled prices of a SKU, set by the merchant.
struct PriceRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let skus = routes.grouped("skus", ":skuId")
        skus.put("store-prices", ":storeId", use: setStorePrice)
        skus.put("level-prices", ":level", use: setLevelPrice)
        skus.post("scheduled-prices", use: schedulePrice)
        skus.get("price", use: explain)
    }

    func setStorePrice(req: Request) async throws -> PriceQuote {
        let sku = try await find(req, permission: .catalogEdit)
        guard let storeId = req.parameters.get("storeId", as: UUID.self), let store = try await StoreModel.find(storeId, on: req.db),
              store.merchantId == sku.merchantId else { throw MallError.notFound("No such store of this merchant.") }
        let input = try req.content.decode(StorePriceInput.self)
        if let price = input.priceFen, price < 0 { throw ValidationFailure(field: "priceFen", message: "must not be negative") }
        try await req.db.writeTransaction { db in
            let existing = try await SKUStorePriceModel.query(on: db).filter(\.$skuId == sku.id!).filter(\.$storeId == storeId).first()
            switch (input.priceFen, existing) {
            case (nil, let row?): try await row.delete(on: db)
            case (let price?, let row?):
                row.priceFen = price
                try await row.update(on: db)
            case (let price?, nil):
                let row = SKUStorePriceModel()
                row.skuId = sku.id!
                row.storeId = storeId
                row.priceFen = price
                try await row.create(on: db)
            case (nil, nil): break
            }
            try await req.audit.record(on: db, action: "price.store", owner: store.owner, targetType: "sku", targetId: sku.id!.uuidString,
                                       before: ["priceFen": existing?.priceFen], after: ["priceFen": input.priceFen])
        }
        return try await quote(sku, storeId: storeId, level: nil, at: req.now, on: req.db)
    }

    func setLevelPrice(req: Request) async throws -> PriceQuote {
        let sku = try await find(req, permission: .catalogEdit)
        let level = try TextRule.check(req.parameters.get("level") ?? "", field: "level", max: 20)
        let input = try req.content.decode(LevelPriceInput.self)
        var errors = FieldErrorCollector()
        if !(1...10_000).contains(input.discountBasisPoints) { errors.add("discountBasisPoints", "must be between 1 and 10000 (10000 = full price)") }
        if let fixed = input.fixedPriceFen, fixed < 0 { errors.add("fixedPriceFen", "must not be negative") }
        try errors.throwIfAny()
        try await req.db.writeTransaction { db in
            let row = try await SKULevelPriceModel.query(on: db).filter(\.$skuId == sku.id!).filter(\.$level == level).first() ?? SKULevelPriceModel()
            row.skuId = sku.id!
            row.level = level
            row.discountBasisPoints = input.discountBasisPoints
            row.fixedPriceFen = input.fixedPriceFen
            try await row.save(on: db)
            try await req.audit.record(on: db, action: "price.level", owner: .merchant(MerchantID(sku.merchantId)), targetType: "sku",
                                       targetId: sku.id!.uuidString, after: ["level": level, "discountBasisPoints": String(input.discountBasisPoints)])
        }
        return try await quote(sku, storeId: nil, level: level, at: req.now, on: req.db)
    }

    func schedulePrice(req: Request) async throws -> Response {
        let sku = try await find(req, permission: .catalogEdit)
        let input = try req.content.decode(ScheduledPriceInput.self)
        var errors = FieldErrorCollector()
        if input.priceFen < 0 { errors.add("priceFen", "must not be negative") }
        if input.effectiveFrom < req.now.addingTimeInterval(-60) { errors.add("effectiveFrom", "must not be in the past") }
        if let storeId = input.storeId {
            let store = try await StoreModel.find(storeId, on: req.db)
            if store?.merchantId != sku.merchantId { errors.add("storeId", "is not a store of this merchant") }
        }
        try errors.throwIfAny()
        let row = ScheduledPriceModel()
        row.skuId = sku.id!
        row.storeId = input.storeId
        row.priceFen = input.priceFen
        row.effectiveFrom = input.effectiveFrom
        try await req.db.writeTransaction { db in
            try await row.create(on: db)
            try await req.audit.record(on: db, action: "price.schedule", owner: .merchant(MerchantID(sku.merchantId)), targetType: "sku",
                                       targetId: sku.id!.uuidString, after: ["priceFen": String(input.priceFen), "effectiveFrom": "\(input.effectiveFrom)"])
        }
        return try Response.json(try await quote(sku, storeId: input.storeId, level: nil, at: input.effectiveFrom, on: req.db), status: .created)
    }

    /// The price at a store, for a member level, at a time — with the steps that led to it.
    func explain(req: Request) async throws -> PriceQuote {
        let sku = try await find(req, permission: .catalogView)
        var errors = FieldErrorCollector()
        let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id")
        let at = req.optionalInstant("at", into: &errors) ?? req.now
        try errors.throwIfAny()
        return try await quote(sku, storeId: storeId, level: req.query[String.self, at: "level"], at: at, on: req.db)
    }

    private func quote(_ sku: SKUModel, storeId: UUID?, level: String?, at: Date, on db: any Database) async throws -> PriceQuote {
        let input = try await PriceBook.inputs(for: [sku], storeId: storeId, on: db)[sku.id!]!
        return PriceResolver.resolve(input, storeId: storeId.map(StoreID.init), memberLevel: level, at: at)
    }

    private func find(_ req: Request, permission: Permission) async throws -> SKUModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("skuId", as: UUID.self), let sku = try await SKUModel.find(id, on: req.db) else {
            throw MallError.notFound("No such SKU.")
        }
        try req.authorize(permission, on: .merchant(MerchantID(sku.merchantId)))
        return sku
    }
}
