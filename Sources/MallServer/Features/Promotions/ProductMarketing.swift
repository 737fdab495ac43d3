import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// The offers product lists and pages show: badges for the running promotions that cover a
/// product and its live flash price. Lists pay two statements per page whatever its size: the
/// running promotions (a handful of rows) and the flash items of the page's products.
enum ProductMarketing {
    /// What a card needs to judge a promotion's goods scope.
    struct Facts {
        var merchantId: UUID
        var categoryId: UUID?
        var brandId: UUID?
    }

    /// Sets `badges` and `flash` on every item; `facts` are keyed by product id.
    static func annotate(_ items: inout [ProductSummary], facts: [UUID: Facts], now: Date, on db: any Database) async throws {
        guard !items.isEmpty else { return }
        let reaches = try await reaches(at: now, on: db)
        let flash = try await flashPrices(products: items.map(\.id), now: now, on: db)
        for index in items.indices {
            let item = items[index]
            let fact = facts[item.id]
            items[index].flash = flash[item.id]
            items[index].badges = ProductBadges.badges(productId: item.id, merchantId: MerchantID(item.merchantId), categoryId: fact?.categoryId,
                                                       brandId: fact?.brandId, promotions: reaches, inFlashSale: flash[item.id] != nil)
        }
    }

    /// The goods scope of every running promotion, read from its stored input (no gift look-up:
    /// a card needs only the kind).
    static func reaches(at now: Date, on db: any Database) async throws -> [PromotionReach] {
        try await PromotionService.running(at: now, on: db).map { model in
            let input = try PromotionService.input(of: model)
            let scope = input.scope ?? PromotionScopeInput()
            return PromotionReach(merchantId: model.merchantId.map(MerchantID.init), products: scope.productIds.map { .products(Set($0)) } ?? .allProducts,
                                  categories: scope.categoryIds.map(Set.init), brands: scope.brandIds.map(Set.init), badge: input.rule.kind.badge)
        }
    }

    /// Each product's cheapest SKU with units left in a session running now (started and not
    /// ended or ended early), in one statement.
    static func flashPrices(products: [UUID], now: Date, on db: any Database) async throws -> [UUID: ProductFlash] {
        guard !products.isEmpty else { return [:] }
        let ids = products.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
        let rows = try await db.sql.raw("""
            SELECT s.product_id, fi.session_id, fi.sku_id, fi.flash_price_fen, fs.ends_at
            FROM flash_items fi JOIN flash_sessions fs ON fs.id = fi.session_id JOIN skus s ON s.id = fi.sku_id
            WHERE s.product_id IN (\(ids)) AND fs.starts_at <= \(bind: now) AND fs.ends_at > \(bind: now)
              AND (fs.ended_at IS NULL OR fs.ended_at > \(bind: now)) AND fi.sold < fi.quota
            """).all()
        var cheapest: [UUID: ProductFlash] = [:]
        for row in rows {
            let productId = try row.decode(column: "product_id", as: UUID.self)
            let flash = ProductFlash(sessionId: try row.decode(column: "session_id", as: UUID.self), skuId: try row.decode(column: "sku_id", as: UUID.self),
                                     priceFen: try row.decode(column: "flash_price_fen", as: Int64.self), endsAt: try row.decode(column: "ends_at", as: Date.self))
            if let known = cheapest[productId], (known.priceFen, known.sessionId.uuidString) <= (flash.priceFen, flash.sessionId.uuidString) { continue }
            cheapest[productId] = flash
        }
        return cheapest
    }
}
