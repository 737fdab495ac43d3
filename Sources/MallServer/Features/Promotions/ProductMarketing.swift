import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// The offers product lists and pages show: badges for the running promotions that cover a
/// product and its live flash and group prices. Lists pay two statements per page whatever its
/// size: the running promotions (a handful of rows) and the flash items and group buys of the
/// page's products.
enum ProductMarketing {
    /// What a card needs to judge a promotion's goods scope.
    struct Facts {
        var merchantId: UUID
        var categoryId: UUID?
        var brandId: UUID?
    }

    /// Sets `badges`, `flash` and `groupBuy` on every item; `facts` are keyed by product id.
    static func annotate(_ items: inout [ProductSummary], facts: [UUID: Facts], now: Date, cache: PromotionReachCache?,
                         on db: any Database) async throws {
        guard !items.isEmpty else { return }
        let reaches = if let cache { try await cache.reaches(at: now, on: db) } else { try await reaches(at: now, on: db) }
        let prices = try await campaignPrices(products: items.map(\.id), now: now, on: db)
        for index in items.indices {
            let item = items[index]
            let fact = facts[item.id]
            items[index].flash = prices.flash[item.id]
            items[index].groupBuy = prices.groupBuy[item.id]
            items[index].badges = ProductBadges.badges(productId: item.id, merchantId: MerchantID(item.merchantId), categoryId: fact?.categoryId,
                                                       brandId: fact?.brandId, promotions: reaches, inFlashSale: prices.flash[item.id] != nil)
        }
    }

    /// The goods scope of every running promotion, read from its stored input (no gift look-up:
    /// a card needs only the kind).
    static func reaches(at now: Date, on db: any Database) async throws -> [PromotionReach] {
        try await PromotionService.running(at: now, on: db).map(reach(of:))
    }

    static func reach(of model: PromotionModel) throws -> PromotionReach {
        let input = try PromotionService.input(of: model)
        let scope = input.scope ?? PromotionScopeInput()
        return PromotionReach(merchantId: model.merchantId.map(MerchantID.init), products: scope.productIds.map { .products(Set($0)) } ?? .allProducts,
                              categories: scope.categoryIds.map(Set.init), brands: scope.brandIds.map(Set.init), badge: input.rule.kind.badge)
    }

    /// Each product's cheapest live campaign prices.
    struct CampaignPrices {
        var flash: [UUID: ProductFlash] = [:]
        var groupBuy: [UUID: ProductGroupBuy] = [:]
    }

    /// Each product's cheapest SKU with units left in a flash session running now (started and
    /// not ended or ended early) and its cheapest SKU in a group buy running now, in one
    /// statement: a list's statement count stays the same however many campaigns there are.
    static func campaignPrices(products: [UUID], now: Date, on db: any Database) async throws -> CampaignPrices {
        guard !products.isEmpty else { return CampaignPrices() }
        let ids = products.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
        let rows = try await db.sql.raw("""
            SELECT 'flash' AS kind, s.product_id, fi.session_id AS campaign_id, fi.sku_id, fi.flash_price_fen AS price_fen, fs.ends_at, 0 AS group_size
            FROM flash_items fi JOIN flash_sessions fs ON fs.id = fi.session_id JOIN skus s ON s.id = fi.sku_id
            WHERE s.product_id IN (\(ids)) AND fs.starts_at <= \(bind: now) AND fs.ends_at > \(bind: now)
              AND (fs.ended_at IS NULL OR fs.ended_at > \(bind: now)) AND fi.sold < fi.quota
            UNION ALL
            SELECT 'group', s.product_id, ga.id, ga.sku_id, ga.group_price_fen, ga.ends_at, ga.group_size
            FROM group_buy_activities ga JOIN skus s ON s.id = ga.sku_id
            WHERE s.product_id IN (\(ids)) AND ga.starts_at <= \(bind: now) AND ga.ends_at > \(bind: now) AND ga.ended_at IS NULL
            """).all()
        var prices = CampaignPrices()
        for row in rows {
            let productId = try row.decode(column: "product_id", as: UUID.self)
            let campaignId = try row.decode(column: "campaign_id", as: UUID.self)
            let skuId = try row.decode(column: "sku_id", as: UUID.self)
            let priceFen = try row.decode(column: "price_fen", as: Int64.self)
            // Ties go to the smaller id, so a page reads the same however the rows come back.
            if try row.decode(column: "kind", as: String.self) == "flash" {
                if let known = prices.flash[productId], (known.priceFen, known.sessionId.uuidString) <= (priceFen, campaignId.uuidString) { continue }
                prices.flash[productId] = ProductFlash(sessionId: campaignId, skuId: skuId, priceFen: priceFen,
                                                       endsAt: try row.decode(column: "ends_at", as: Date.self))
            } else {
                if let known = prices.groupBuy[productId], (known.priceFen, known.activityId.uuidString) <= (priceFen, campaignId.uuidString) { continue }
                prices.groupBuy[productId] = ProductGroupBuy(activityId: campaignId, skuId: skuId, priceFen: priceFen,
                                                             groupSize: try row.decode(column: "group_size", as: Int.self))
            }
        }
        return prices
    }
}
