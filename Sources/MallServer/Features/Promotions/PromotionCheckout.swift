import Fluent
import Foundation
import MallCore

/// What checkout needs from promotions: the ones the member may use, the products' category
/// and brand for scopes, and the gift lines the fulfilling stores can give.
enum PromotionCheckout {
    static func load(memberId: UUID, member: PricingMember, now: Date, on db: any Database) async throws -> (member: PricingMember, promotions: [Promotion]) {
        let promotions = try await PromotionService.usable(memberId: memberId, at: now, on: db)
        var member = member
        // Only asked when it matters: a count over the member's orders.
        if promotions.contains(where: \.newMembersOnly) { member.isNewMember = try await PromotionService.isNewMember(memberId, on: db) }
        return (member, promotions)
    }

    /// The cart view's pricing: the running promotions over the cart's purchasable lines, by the
    /// checkout's engine with the checkout's promotions, so the cart and the preview agree on
    /// them. Coupons, the level's discount, points and shipping wait for the preview, which knows
    /// the stores. nil when no promotion runs or nothing can be priced.
    static func priceCart(_ groups: [OrderGroup], memberId: UUID?, level: String?, now: Date, on db: any Database) async throws -> PricedCheckout? {
        guard !groups.isEmpty else { return nil }
        let member: PricingMember
        let promotions: [Promotion]
        if let memberId {
            (member, promotions) = try await load(memberId: memberId, member: PricingMember(level: level), now: now, on: db)
        } else {
            // A guest is no new member yet: the new-member price waits for signing in.
            (member, promotions) = (.guest, try await PromotionService.usable(memberId: nil, at: now, on: db))
        }
        guard !promotions.isEmpty else { return nil }
        return try PricingEngine.price(PricingRequest(at: now, member: member, groups: groups, promotions: promotions))
    }

    /// The gifts whose SKU belongs to the receiving order's merchant and whose store has them
    /// beside the order's own lines; every other gift is left out with a note.
    static func stockedGifts(_ priced: PricedCheckout, groups: [OrderGroup], on db: any Database) async throws -> ([PromotionGift], [String]) {
        guard !priced.gifts.isEmpty else { return ([], []) }
        let skus = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ priced.gifts.map(\.skuId)).all().map { ($0.id!, $0) })
        let stock = try await StockSnapshot.available(skus: priced.gifts.map(\.skuId), stores: groups.map(\.storeId.rawValue), on: db)
        var kept: [PromotionGift] = []
        var notes: [String] = []
        for gift in priced.gifts {
            let group = groups[gift.group]
            let ordered = group.lines.filter { $0.skuId == gift.skuId }.reduce(0) { $0 + $1.quantity }
                + kept.filter { $0.group == gift.group && $0.skuId == gift.skuId }.reduce(0) { $0 + $1.quantity }
            let available = stock.first { $0.skuId == gift.skuId && $0.storeId == group.storeId.rawValue }?.available ?? 0
            guard let sku = skus[gift.skuId], sku.enabled, sku.merchantId == group.merchantId.rawValue, available - ordered >= gift.quantity else {
                notes.append("Gift \(gift.title) is out of stock at the fulfilling store and was left out")
                continue
            }
            kept.append(gift)
        }
        return (kept, notes)
    }

    static func giftLine(_ gift: PromotionGift, orderId: UUID, lineId: UUID) -> OrderLineModel {
        let line = OrderLineModel()
        line.id = lineId
        line.orderId = orderId
        line.skuId = gift.skuId
        line.productId = gift.productId
        line.title = gift.title
        line.specTitle = OrderLineModel.giftSpecTitle
        line.quantity = gift.quantity
        line.unitPriceFen = 0
        line.discountFen = 0
        line.payableFen = 0
        return line
    }

    /// The order's stock requests with the gift's units added to its SKU's request.
    static func adding(_ gift: PromotionGift, to requests: [StockRequest], storeId: UUID) -> [StockRequest] {
        guard let index = requests.firstIndex(where: { $0.skuId == gift.skuId }) else {
            return requests + [StockRequest(skuId: gift.skuId, storeId: storeId, quantity: gift.quantity)]
        }
        var merged = requests
        merged[index] = StockRequest(skuId: gift.skuId, storeId: storeId, quantity: requests[index].quantity + gift.quantity)
        return merged
    }
}
