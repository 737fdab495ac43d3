import Foundation

/// Where a sale was made: delivered, picked up at the store, or rung up at the store's till
/// (POS sales pushed through the stock sync API).
public enum SalesChannel: String, Codable, Sendable, CaseIterable {
    case delivery
    case pickup
    case inStore = "in_store"
}

/// What a store sold over some days, as the daily aggregates add up: gross amounts as paid,
/// refunds apart, so every measure is net of refunds while both stay visible. Amounts in fen.
/// Cost figures cover only the lines whose SKU had a cost price when sold, so the margin is of
/// the goods it can be worked out for, never a guess for the others.
public struct SalesFigures: Hashable, Codable, Sendable {
    public var orders: Int64 = 0
    public var units: Int64 = 0
    public var grossFen: Int64 = 0
    public var refundedFen: Int64 = 0
    public var refundedUnits: Int64 = 0
    /// Of the orders, those that received any refund.
    public var refundedOrders: Int64 = 0
    /// Gross and refunds of the lines with a cost price, and that cost (sold and given back).
    public var costedGrossFen: Int64 = 0
    public var costedRefundedFen: Int64 = 0
    public var costFen: Int64 = 0
    public var refundedCostFen: Int64 = 0
    /// Orders of members buying for the first time, and of members who had bought before.
    public var newCustomerOrders: Int64 = 0
    public var returningCustomerOrders: Int64 = 0

    public init() {}

    public static let zero = SalesFigures()

    public func adding(_ other: SalesFigures) throws -> SalesFigures {
        var sum = SalesFigures()
        for path in Self.counterPaths {
            sum[keyPath: path] = try Checked.add(self[keyPath: path], other[keyPath: path], "report total")
        }
        return sum
    }

    public static func total<Figures: Sequence>(_ figures: Figures) throws -> SalesFigures where Figures.Element == SalesFigures {
        try figures.reduce(SalesFigures()) { try $0.adding($1) }
    }

    /// Every counter, in the order the aggregate tables' columns list them.
    public static var counterPaths: [WritableKeyPath<SalesFigures, Int64>] {
        [\.orders, \.units, \.grossFen, \.refundedFen, \.refundedUnits, \.refundedOrders, \.costedGrossFen, \.costedRefundedFen,
         \.costFen, \.refundedCostFen, \.newCustomerOrders, \.returningCustomerOrders]
    }

    // MARK: Measures

    /// Sales net of refunds (销售额).
    public var netSalesFen: Int64 { grossFen &- refundedFen }
    public var netUnits: Int64 { units &- refundedUnits }
    /// 客单价: net sales per order.
    public var averageOrderFen: Int64? { Ratio.average(netSalesFen, per: orders) }
    /// Items per order in hundredths (2.35 items is 235).
    public var unitsPerOrderHundredths: Int64? { Ratio.divideRounding(max(0, netUnits), by: orders, scale: 100) }
    public var refundRateBasisPoints: Int? { Ratio.basisPoints(refundedFen, of: grossFen) }
    /// Net sales minus net cost of the goods that have a cost price; nil when none has.
    public var grossMarginFen: Int64? {
        guard costedGrossFen > 0 else { return nil }
        return (costedGrossFen &- costedRefundedFen) &- (costFen &- refundedCostFen)
    }
    public var grossMarginBasisPoints: Int? {
        guard let margin = grossMarginFen else { return nil }
        let base = costedGrossFen &- costedRefundedFen
        guard base > 0 else { return nil }
        let rate = Ratio.basisPoints(Int64(clamping: margin.magnitude), of: base)
        return margin < 0 ? rate.map { -$0 } : rate
    }
    /// Share of orders from members who had bought before (回头客).
    public var returningShareBasisPoints: Int? {
        Ratio.basisPoints(returningCustomerOrders, of: newCustomerOrders &+ returningCustomerOrders)
    }
}

/// One measure of `SalesFigures`, as the store comparison ranks and the period comparison
/// compares them.
public enum SalesMeasure: String, Codable, Sendable, CaseIterable {
    case netSales, orders, averageOrder, unitsPerOrder, netUnits, refunded, refundRate, grossMargin, returningShare

    public func value(of figures: SalesFigures) -> Int64? {
        switch self {
        case .netSales: figures.netSalesFen
        case .orders: figures.orders
        case .averageOrder: figures.averageOrderFen
        case .unitsPerOrder: figures.unitsPerOrderHundredths
        case .netUnits: figures.netUnits
        case .refunded: figures.refundedFen
        case .refundRate: figures.refundRateBasisPoints.map(Int64.init)
        case .grossMargin: figures.grossMarginFen
        case .returningShare: figures.returningShareBasisPoints.map(Int64.init)
        }
    }

    /// Refunds rank the other way: the store with the fewest is first.
    public var higherIsBetter: Bool { self != .refunded && self != .refundRate }
}

/// 横向对比: stores side by side, each measure ranked (1 is best; equal values share a rank,
/// the next rank skips as in competition ranking; stores without a value rank last, unranked).
public enum StoreComparison {
    public static func ranks<ID: Hashable>(_ figures: [ID: SalesFigures], by measure: SalesMeasure) -> [ID: Int] {
        let valued = figures.compactMap { id, figures in measure.value(of: figures).map { (id, $0) } }
        let ordered = valued.sorted { measure.higherIsBetter ? $0.1 > $1.1 : $0.1 < $1.1 }
        var ranks: [ID: Int] = [:]
        for (position, entry) in ordered.enumerated() {
            if position > 0, ordered[position - 1].1 == entry.1, let shared = ranks[ordered[position - 1].0] {
                ranks[entry.0] = shared
            } else {
                ranks[entry.0] = position + 1
            }
        }
        return ranks
    }
}
