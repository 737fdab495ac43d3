import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// A SKU's price book as staff manage it: what is set per store, per member level and planned,
/// and taking a level price or a planned price back out. Each removal is audited in the same
/// transaction; a removal of something already gone is a 404, so two staff clicking at once see
/// who was first.
struct SKUPriceService {
    let db: any Database

    func book(of sku: SKUModel) async throws -> SKUPriceBook {
        let skuId = try sku.requireID()
        let stores = try await SKUStorePriceModel.query(on: db).filter(\.$skuId == skuId).all()
        let levels = try await SKULevelPriceModel.query(on: db).filter(\.$skuId == skuId).sort(\.$level).all()
        let planned = try await ScheduledPriceModel.query(on: db).filter(\.$skuId == skuId).sort(\.$effectiveFrom).sort(\.$id).all()
        return SKUPriceBook(
            skuId: skuId, priceFen: sku.priceFen,
            storePrices: stores.map { .init(storeId: $0.storeId, priceFen: $0.priceFen) }.sorted { $0.storeId.uuidString < $1.storeId.uuidString },
            levelPrices: levels.map { .init(level: $0.level, discountBasisPoints: $0.discountBasisPoints, fixedPriceFen: $0.fixedPriceFen) },
            scheduledPrices: try planned.map { .init(id: try $0.requireID(), storeId: $0.storeId, priceFen: $0.priceFen, effectiveFrom: $0.effectiveFrom) })
    }

    func removeLevelPrice(of sku: SKUModel, level: String, audit: AuditRecorder) async throws {
        let skuId = try sku.requireID()
        try await db.writeTransaction { db in
            guard let row = try await SKULevelPriceModel.query(on: db).filter(\.$skuId == skuId).filter(\.$level == level).first() else {
                throw MallError.notFound("This SKU has no price for that member level.")
            }
            try await row.delete(on: db)
            try await audit.record(on: db, action: "price.level.remove", owner: .merchant(MerchantID(sku.merchantId)), targetType: "sku",
                                   targetId: skuId.uuidString, before: ["level": level, "discountBasisPoints": String(row.discountBasisPoints)])
        }
    }

    func removeScheduledPrice(of sku: SKUModel, id: UUID, audit: AuditRecorder) async throws {
        let skuId = try sku.requireID()
        try await db.writeTransaction { db in
            guard let row = try await ScheduledPriceModel.query(on: db).filter(\.$id == id).filter(\.$skuId == skuId).first() else {
                throw MallError.notFound("No such planned price for this SKU.")
            }
            try await row.delete(on: db)
            try await audit.record(on: db, action: "price.schedule.remove", owner: .merchant(MerchantID(sku.merchantId)), targetType: "sku",
                                   targetId: skuId.uuidString, before: ["priceFen": String(row.priceFen), "effectiveFrom": "\(row.effectiveFrom)"])
        }
    }
}
