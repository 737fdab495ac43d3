import Fluent
import Foundation
import MallCore

/// How each refund of an order was worked out, line by line: the returned units' price less
/// their shares of the promotions, coupons, level discount and points the order was priced
/// with — the same amounts `AfterSalesService` refunded, split the way the shopper can check.
enum AfterSalesRefundExplanation {
    struct Line: Sendable {
        let title: String
        let quantity: Int
        let breakdown: RefundBreakdown
    }

    /// Per case that gives money back (exchanges and void cases give none), its lines.
    static func forOrder(_ order: OrderModel, on db: any Database) async throws -> [UUID: [Line]] {
        let priced = try JSONDecoder().decode(PricedGroup.self, from: Data(order.pricingJSON.utf8))
        let orderLines = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all().map { ($0.id!, $0) })
        let cases = try await AfterSalesCaseModel.query(on: db).filter(\.$orderId == order.id!)
            .filter(\.$status !~ AfterSalesService.voidStatuses.map(\.rawValue)).filter(\.$kind != AfterSalesKind.exchange.rawValue)
            .sort(\.$createdAt).sort(\.$number).all()
        guard !cases.isEmpty else { return [:] }
        let caseLines = Dictionary(grouping: try await AfterSalesLineModel.query(on: db).filter(\.$caseId ~~ cases.map { $0.id! }).all(), by: \.caseId)
        // Units refunded by earlier cases, in the order the refunds were computed.
        var earlier: [UUID: Int] = [:]
        var explained: [UUID: [Line]] = [:]
        for model in cases {
            for line in caseLines[model.id!] ?? [] {
                defer { earlier[line.orderLineId, default: 0] += line.quantity }
                guard let orderLine = orderLines[line.orderLineId],
                      // A free gift line may share its SKU with a bought line; only the bought one was priced.
                      let pricedLine = priced.lines.first(where: { $0.line.skuId == orderLine.skuId && $0.line.quantity == orderLine.quantity
                          && $0.payable.minorUnits == orderLine.payableFen }) else { continue }
                let breakdown = try AfterSalesRefund.breakdown(lineSubtotal: pricedLine.subtotal, allocations: pricedLine.allocations,
                                                               lineQuantity: orderLine.quantity, earlierUnits: earlier[line.orderLineId] ?? 0,
                                                               units: line.quantity)
                explained[model.id!, default: []].append(Line(title: orderLine.title, quantity: line.quantity, breakdown: breakdown))
            }
        }
        return explained
    }
}
