import Fluent
import Foundation
import MallAPI
import MallCore

/// The orders behind a marketing campaign's effect summary (promotions, coupons, flash sales,
/// group buys): its influenced paid orders and the seller's paid orders of the same length of
/// time before it, each with its refunds that went through, summed up by `CampaignEffect`.
enum CampaignOrders {
    /// The paid ones of `discounts`' orders, each with what the campaign gave on it (an order
    /// listed more than once gets the sum).
    static func paid(_ discounts: [(orderId: UUID, discountFen: Int64)], on db: any Database) async throws -> [(order: OrderModel, discountFen: Int64)] {
        guard !discounts.isEmpty else { return [] }
        let byOrder = try Dictionary(discounts.map { ($0.orderId, $0.discountFen) }, uniquingKeysWith: { try Checked.add($0, $1, "campaign discount") })
        return try await OrderModel.query(on: db).filter(\.$id ~~ Array(byOrder.keys)).filter(\.$paidAt != nil).sort(\.$paidAt).all()
            .map { ($0, $0.id.flatMap { byOrder[$0] } ?? 0) }
    }

    /// `influenced` pairs each paid order with what the campaign gave on it. The baseline is the
    /// orders paid in `[from, to)` of `merchantId` (every merchant when nil), of `storeIds` when
    /// given, less the influenced ones (a member's head start in a flash sale pays before it starts).
    static func summarize(influenced: [(order: OrderModel, discountFen: Int64)], merchantId: UUID?, storeIds: [UUID]?, from: Date, to: Date,
                          claims: Int? = nil, uses: Int? = nil, on db: any Database) async throws -> CampaignSummary {
        var query = OrderModel.query(on: db).filter(\.$paidAt >= from).filter(\.$paidAt < to)
        if let merchantId { query = query.filter(\.$merchantId == merchantId) }
        if let storeIds { query = query.filter(\.$storeId ~~ storeIds) }
        let influencedIds = Set(influenced.compactMap(\.order.id))
        let baseline = try await query.all().filter { $0.id.map { !influencedIds.contains($0) } ?? true }
        let refunds = try await refundedFen(orders: (influenced.map(\.order) + baseline).compactMap(\.id), on: db)
        func figures(_ order: OrderModel, discount: Int64) -> SummaryOrder {
            SummaryOrder(payableFen: order.payableFen, refundedFen: order.id.flatMap { refunds[$0] } ?? 0, discountFen: discount)
        }
        return try CampaignEffect.summarize(influenced: influenced.map { figures($0.order, discount: $0.discountFen) },
                                            baseline: baseline.map { figures($0, discount: 0) }, claims: claims, uses: uses)
    }

    /// Each order's refunds that went through.
    private static func refundedFen(orders: [UUID], on db: any Database) async throws -> [UUID: Int64] {
        guard !orders.isEmpty else { return [:] }
        var refunded: [UUID: Int64] = [:]
        for refund in try await RefundModel.query(on: db).filter(\.$orderId ~~ orders).filter(\.$status == RefundStatus.succeeded.rawValue).all() {
            guard let orderId = refund.orderId else { continue }
            refunded[orderId] = try Checked.add(refunded[orderId] ?? 0, refund.amountFen, "refunds")
        }
        return refunded
    }
}
