import Fluent
import SQLKit
import Foundation
import MallAPI
import MallCore
import Vapor

/// Loads everything `PriceResolver` needs for a set of SKUs in one statement.
enum PriceBook {
    /// A set of SKUs' price rows beside their base price, however they were read: here, or as
    /// parts of the cart's facts statement (`CartContents`), so both price a SKU alike.
    struct Rows: Sendable {
        /// SKU → store → that store's own price.
        var storePrices: [UUID: [UUID: Int64]] = [:]
        var levels: [UUID: [MemberLevelPrice]] = [:]
        var scheduled: [UUID: [ScheduledPrice]] = [:]

        func input(sku: UUID, basePriceFen: Int64, storeId: UUID?) -> PriceInput {
            PriceInput(basePrice: Money(minorUnits: basePriceFen), storeOverride: storeId.flatMap { storePrices[sku]?[$0] }.map { Money(minorUnits: $0) },
                       scheduled: scheduled[sku] ?? [], memberLevelPrices: levels[sku] ?? [])
        }

        /// Keeps a row of the parts `addParts` added; false for a row of another part.
        mutating func take(_ row: any SQLRow) throws -> Bool {
            let part = try row.decode(column: "part", as: String.self)
            guard PriceBook.parts.contains(part), let sku = try row.decode(column: "a", as: UUID?.self) else { return false }
            switch part {
            case "l":
                levels[sku, default: []].append(MemberLevelPrice(
                    level: try row.decode(column: "t", as: String.self), discountBasisPoints: try row.decode(column: "n1", as: Int.self),
                    fixedPrice: try row.decode(column: "n2", as: Int64?.self).map { Money(minorUnits: $0) }))
            case "p":
                scheduled[sku, default: []].append(ScheduledPrice(
                    price: Money(minorUnits: try row.decode(column: "n1", as: Int64.self)), effectiveFrom: try row.decode(column: "ts", as: Date.self),
                    storeId: try row.decode(column: "b", as: UUID?.self).map(StoreID.init)))
            default:
                guard let store = try row.decode(column: "b", as: UUID?.self) else { return false }
                storePrices[sku, default: [:]][store] = try row.decode(column: "n1", as: Int64.self)
            }
            return true
        }
    }

    /// The slots the price parts fill; a statement that adds them has at least these.
    static let slots: [(name: String, type: String)] = [("a", "UUID"), ("b", "UUID"), ("n1", "BIGINT"), ("n2", "BIGINT"), ("t", "TEXT"), ("ts", "TIMESTAMPTZ")]
    private static let parts: Set<String> = ["l", "p", "o"]

    /// Adds the reads of `skuIds`' level and scheduled prices and of their own prices at
    /// `stores` (none when empty) to a statement (`Rows.take` keeps their rows).
    static func addParts(to parts: inout SQLUnionParts, skuIds: [UUID], stores: [UUID]) {
        parts.add("l", ["a": "sku_id", "n1": "discount_bp", "n2": "fixed_price_fen", "t": "level"], from: "sku_level_prices WHERE sku_id IN (\(binds: skuIds))")
        parts.add("p", ["a": "sku_id", "b": "store_id", "n1": "price_fen", "ts": "effective_from"], from: "scheduled_prices WHERE sku_id IN (\(binds: skuIds))")
        if !stores.isEmpty {
            parts.add("o", ["a": "sku_id", "b": "store_id", "n1": "price_fen"],
                      from: "sku_store_prices WHERE sku_id IN (\(binds: skuIds)) AND store_id IN (\(binds: stores))")
        }
    }

    static func inputs(for skus: [SKUModel], storeId: UUID?, on db: any Database) async throws -> [UUID: PriceInput] {
        let ids = skus.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        // Plain rows in one statement: every product page, cart view and checkout prices its SKUs
        // here, and the three reads usually find nothing, so each round trip was all cost.
        var parts = SQLUnionParts(slots: slots)
        addParts(to: &parts, skuIds: ids, stores: storeId.map { [$0] } ?? [])
        var rows = Rows()
        for row in try await parts.rows(on: db) { _ = try rows.take(row) }
        return Dictionary(uniqueKeysWithValues: skus.map { sku in (sku.id!, rows.input(sku: sku.id!, basePriceFen: sku.priceFen, storeId: storeId)) })
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
        skus.get("prices", use: book)
        skus.delete("level-prices", ":level", use: removeLevelPrice)
        skus.delete("scheduled-prices", ":scheduledPriceId", use: removeScheduledPrice)
    }

    func book(req: Request) async throws -> SKUPriceBook {
        let sku = try await find(req, permission: .catalogView)
        return try await SKUPriceService(db: req.db).book(of: sku)
    }

    func removeLevelPrice(req: Request) async throws -> HTTPStatus {
        let sku = try await find(req, permission: .catalogEdit)
        let level = try TextRule.check(req.parameters.get("level") ?? "", field: "level", max: 20)
        try await SKUPriceService(db: req.db).removeLevelPrice(of: sku, level: level, audit: req.audit)
        return .noContent
    }

    func removeScheduledPrice(req: Request) async throws -> HTTPStatus {
        let sku = try await find(req, permission: .catalogEdit)
        guard let id = req.parameters.get("scheduledPriceId", as: UUID.self) else { throw MallError.notFound("No such planned price for this SKU.") }
        try await SKUPriceService(db: req.db).removeScheduledPrice(of: sku, id: id, audit: req.audit)
        return .noContent
    }

    func setStorePrice(req: Request) async throws -> PriceQuote {
        let sku = try await find(req, permission: .catalogEdit)
        guard let storeId = req.parameters.get("storeId", as: UUID.self), let store = try await StoreModel.find(storeId, on: req.db),
              store.merchantId == sku.merchantId else { throw MallError.notFound("No such store of this merchant.") }
        let input = try req.content.decode(StorePriceInput.self)
        // Every kind of price has the catalogue's cap: one beyond it once overflowed a cart's
        // price × quantity and stopped the server for every shopper.
        if let price = input.priceFen, !InputLimits.priceFen.contains(price) { throw ValidationFailure.outOfRange("priceFen", InputLimits.priceFen, unit: "fen") }
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
        if let fixed = input.fixedPriceFen { errors.range(fixed, InputLimits.priceFen, "fixedPriceFen", unit: "fen") }
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
        errors.range(input.priceFen, InputLimits.priceFen, "priceFen", unit: "fen")
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
