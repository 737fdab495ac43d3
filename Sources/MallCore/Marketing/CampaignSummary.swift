import Foundation

/// A paid order as an effect summary counts it.
public struct SummaryOrder: Hashable, Sendable {
    /// What the order cost the shopper.
    public var payableFen: Int64
    /// Refunds that went through; at most `payableFen`.
    public var refundedFen: Int64
    /// What the campaign took off this order (0 for the baseline's orders).
    public var discountFen: Int64

    public init(payableFen: Int64, refundedFen: Int64 = 0, discountFen: Int64 = 0) {
        self.payableFen = payableFen
        self.refundedFen = refundedFen
        self.discountFen = discountFen
    }
}

/// How a campaign did once it ended: the orders it influenced against the seller's orders of
/// the same length of time before it. Rates are basis points (10 000 = 100 %), rounded half up;
/// a rate over nothing is nil, never 0 or a division by zero.
public struct CampaignSummary: Codable, Hashable, Sendable {
    /// Paid orders the campaign gave something to.
    public var orders: Int
    /// What they brought in, net of refunds.
    public var revenueFen: Int64
    /// What the campaign gave on them.
    public var discountFen: Int64
    /// `revenueFen / orders`, rounded half up; nil without orders.
    public var averageOrderFen: Int64?
    public var baselineOrders: Int
    public var baselineRevenueFen: Int64
    public var baselineAverageOrderFen: Int64?
    /// How far `averageOrderFen` lies above (or below, negative) the baseline's average.
    public var averageOrderChangeBasisPoints: Int64?
    /// `discountFen / revenueFen`: what each yuan of influenced revenue cost.
    public var costRatioBasisPoints: Int64?
    /// Coupons only: claimed, used, and `used / claimed`.
    public var claims: Int?
    public var uses: Int?
    public var useRateBasisPoints: Int64?
}

public enum CampaignEffect {
    /// Sums `influenced` and `baseline` and derives the averages and rates.
    ///
    /// - Throws: `ArithmeticOverflow` when a sum leaves `Int64` (never with real orders).
    public static func summarize(influenced: [SummaryOrder], baseline: [SummaryOrder], claims: Int? = nil, uses: Int? = nil) throws -> CampaignSummary {
        let revenue = try netRevenue(influenced)
        let discount = try Checked.sum(influenced.map(\.discountFen), "campaign discount")
        let baselineRevenue = try netRevenue(baseline)
        let average = ratio(revenue, Int64(influenced.count), scale: 1)
        let baselineAverage = ratio(baselineRevenue, Int64(baseline.count), scale: 1)
        var change: Int64?
        if let average, let baselineAverage {
            change = try ratio(Checked.subtract(average, baselineAverage, "average order change"), baselineAverage, scale: 10_000)
        }
        var useRate: Int64?
        if let claims, let uses { useRate = ratio(Int64(uses), Int64(claims), scale: 10_000) }
        return CampaignSummary(orders: influenced.count, revenueFen: revenue, discountFen: discount, averageOrderFen: average,
                               baselineOrders: baseline.count, baselineRevenueFen: baselineRevenue, baselineAverageOrderFen: baselineAverage,
                               averageOrderChangeBasisPoints: change, costRatioBasisPoints: ratio(discount, revenue, scale: 10_000),
                               claims: claims, uses: uses, useRateBasisPoints: useRate)
    }

    /// What a campaign price saved on `units` against the regular price: flash and group-buy
    /// purchases record the regular price they were bought under, so the summary's discount is
    /// this per purchase. Never negative: a regular price cut below the campaign's saves nothing.
    ///
    /// - Throws: `ArithmeticOverflow` when the saving leaves `Int64`.
    public static func priceCutFen(regularFen: Int64, campaignPriceFen: Int64, units: Int) throws -> Int64 {
        let each = try Checked.subtract(regularFen, campaignPriceFen, "price cut")
        return try Checked.multiply(max(0, each), Int64(max(0, units)), "price cut")
    }

    /// Each order's payable less its refunds (never below zero), summed.
    static func netRevenue(_ orders: [SummaryOrder]) throws -> Int64 {
        try Checked.sum(orders.map { order in
            let payable = max(0, order.payableFen)
            return payable - min(max(0, order.refundedFen), payable)
        }, "campaign revenue")
    }

    /// `part × scale / whole`, rounded half away from zero; nil when `whole` is not positive,
    /// and clamped to `Int64` where the quotient would not fit (a rate no one reads literally).
    public static func ratio(_ part: Int64, _ whole: Int64, scale: Int64) -> Int64? {
        guard whole > 0 else { return nil }
        let magnitude = part.magnitude.multipliedFullWidth(by: UInt64(scale))
        guard magnitude.high < UInt64(whole) else { return part < 0 ? Int64.min : Int64.max }
        var (quotient, remainder) = UInt64(whole).dividingFullWidth(magnitude)
        if remainder >= UInt64(whole) - remainder {
            let (rounded, overflow) = quotient.addingReportingOverflow(1)
            guard !overflow else { return part < 0 ? Int64.min : Int64.max }
            quotient = rounded
        }
        guard quotient <= UInt64(Int64.max) else { return part < 0 ? Int64.min : Int64.max }
        return part < 0 ? -Int64(quotient) : Int64(quotient)
    }
}
