import Fluent
import Foundation
import SQLKit

/// Stock and store delistings as plain rows, for the reads every cart view and checkout makes:
/// decoding them into Fluent models (by reflection) cost more than the queries themselves.
enum StockSnapshot {
    struct Available: Sendable {
        let skuId: UUID
        let storeId: UUID
        /// On hand minus reserved, never below zero.
        let available: Int
    }

    struct Delisting: Sendable {
        let productId: UUID
        let storeId: UUID
    }

    static func available(skus: [UUID], stores: [UUID], on db: any Database) async throws -> [Available] {
        guard !skus.isEmpty, !stores.isEmpty else { return [] }
        return try await db.sql.select().column("sku_id").column("store_id").column("on_hand").column("reserved")
            .from(StockLevelModel.schema).where("sku_id", .in, skus).where("store_id", .in, stores).all()
            .map { row in
                Available(skuId: try row.decode(column: "sku_id", as: UUID.self), storeId: try row.decode(column: "store_id", as: UUID.self),
                          available: max(0, try row.decode(column: "on_hand", as: Int.self) - (try row.decode(column: "reserved", as: Int.self))))
            }
    }

    static func delistings(products: [UUID], on db: any Database) async throws -> [Delisting] {
        guard !products.isEmpty else { return [] }
        return try await db.sql.select().column("product_id").column("store_id").from(ProductStoreDelistingModel.schema)
            .where("product_id", .in, Array(Set(products))).all()
            .map { Delisting(productId: try $0.decode(column: "product_id", as: UUID.self), storeId: try $0.decode(column: "store_id", as: UUID.self)) }
    }
}
