import Foundation

/// 会员统计 over a period: who bought, who bought again, who bought for the first time.
public struct MemberFigures: Hashable, Codable, Sendable {
    /// Members with at least one paid order in the period.
    public var buyers: Int64
    /// Of them, members with two or more.
    public var repeatBuyers: Int64
    /// Repeat buyers per buyer (复购率), in basis points; nil without buyers.
    public var repurchaseRateBasisPoints: Int?
    /// Buyers whose first paid order ever fell in the period, and those who had bought before.
    public var newCustomers: Int64
    public var returningCustomers: Int64

    public init(buyers: Int64, repeatBuyers: Int64, repurchaseRateBasisPoints: Int?, newCustomers: Int64, returningCustomers: Int64) {
        self.buyers = buyers
        self.repeatBuyers = repeatBuyers
        self.repurchaseRateBasisPoints = repurchaseRateBasisPoints
        self.newCustomers = newCustomers
        self.returningCustomers = returningCustomers
    }
}

public enum MemberStatistics {
    /// `orders` holds each buyer's paid orders in the period and how many of them were their
    /// first anywhere (0 or 1; more is read as 1, as a first order happens once).
    public static func figures<ID: Hashable>(_ orders: [ID: MemberDayOrders]) -> MemberFigures {
        let buying = orders.values.filter { $0.orders > 0 }
        let buyers = Int64(buying.count)
        let repeatBuyers = Int64(buying.filter { $0.orders >= 2 }.count)
        let newCustomers = Int64(buying.filter { $0.firstOrders > 0 }.count)
        return MemberFigures(buyers: buyers, repeatBuyers: repeatBuyers, repurchaseRateBasisPoints: Ratio.basisPoints(repeatBuyers, of: buyers),
                             newCustomers: newCustomers, returningCustomers: buyers - newCustomers)
    }
}
