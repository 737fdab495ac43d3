import Fluent
import Foundation
import MallAPI
import MallCore

/// How each refund of an order was worked out, line by line: the returned units' price less
/// their shares of the promotions, coupons, level discount and points the order was priced
/// with — the same amounts `AfterSalesService` refunded, split the way the shopper can check.
enum AfterSalesRefundExplanation {
    struct Line: Sendable {
        /// The after-sales line it explains.
        let id: UUID
        let title: String
        let quantity: Int
        let breakdown: RefundBreakdown
    }

    /// Per case that gives money back (exchanges and void cases give none), its lines.
    static func forOrder(_ order: OrderModel, on db: any Database) async throws -> [UUID: [Line]] {
        try await forOrders([order], on: db)
    }

    /// The same for several orders in three statements however many there are (the API's case lists).
    static func forOrders(_ orders: [OrderModel], on db: any Database) async throws -> [UUID: [Line]] {
        let orderIds = orders.compactMap(\.id)
        guard !orderIds.isEmpty else { return [:] }
        let cases = try await AfterSalesCaseModel.query(on: db).filter(\.$orderId ~~ orderIds)
            .filter(\.$status !~ AfterSalesService.voidStatuses.map(\.rawValue)).filter(\.$kind != AfterSalesKind.exchange.rawValue)
            .sort(\.$createdAt).sort(\.$number).all()
        guard !cases.isEmpty else { return [:] }
        let orderLines = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db).filter(\.$orderId ~~ orderIds).all().map { ($0.id!, $0) })
        let caseLines = Dictionary(grouping: try await AfterSalesLineModel.query(on: db).filter(\.$caseId ~~ cases.map { $0.id! }).all(), by: \.caseId)
        var priced: [UUID: PricedGroup] = [:]
        for order in orders {
            priced[order.id!] = try JSONText.decode(PricedGroup.self, from: order.pricingJSON, describing: "order \(order.number)")
        }
        // Units refunded by earlier cases, in the order the refunds were computed.
        var earlier: [UUID: Int] = [:]
        var explained: [UUID: [Line]] = [:]
        for model in cases {
            for line in caseLines[model.id!] ?? [] {
                defer { earlier[line.orderLineId, default: 0] += line.quantity }
                guard let orderLine = orderLines[line.orderLineId],
                      // A free gift line may share its SKU with a bought line; only the bought one was priced.
                      let pricedLine = priced[model.orderId]?.lines.first(where: { $0.line.skuId == orderLine.skuId && $0.line.quantity == orderLine.quantity
                          && $0.payable.minorUnits == orderLine.payableFen }) else { continue }
                let breakdown = try AfterSalesRefund.breakdown(lineSubtotal: pricedLine.subtotal, allocations: pricedLine.allocations,
                                                               lineQuantity: orderLine.quantity, earlierUnits: earlier[line.orderLineId] ?? 0,
                                                               units: line.quantity)
                explained[model.id!, default: []].append(Line(id: line.id!, title: orderLine.title, quantity: line.quantity, breakdown: breakdown))
            }
        }
        return explained
    }
}

extension RefundBreakdownInfo {
    init(_ breakdown: RefundBreakdown) {
        self.init(goodsFen: breakdown.goods.minorUnits, levelDiscountFen: breakdown.levelDiscount.minorUnits,
                  promotionDiscountFen: breakdown.promotionDiscount.minorUnits, couponDiscountFen: breakdown.couponDiscount.minorUnits,
                  pointsDeductionFen: breakdown.pointsDeduction.minorUnits, refundFen: breakdown.refund.minorUnits)
    }
}
