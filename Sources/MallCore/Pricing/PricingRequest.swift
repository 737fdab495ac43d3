import Foundation

/// Everything the engine needs to price one checkout. It reads nothing else, so the same
/// request always prices the same way: a quote shown to the shopper and the order written at
/// submit agree as long as their requests do.
public struct PricingRequest: Codable, Hashable, Sendable {
    /// Every amount in the request must be in this currency.
    public var currency: Currency
    /// The instant coupons' validity is judged at; passed in, never read from a clock.
    public var at: Date
    public var member: PricingMember
    /// The checkout's orders, in the order the shopper sees them; at least one.
    public var groups: [OrderGroup]
    /// Running promotions, applied in this order (the marketing rules decide priority).
    public var promotions: [Promotion]
    /// Coupons the shopper chose; each gets a `CouponEvaluation` in this order.
    public var coupons: [Coupon]
    public var points: PointsRedemption
    /// nil when points cannot pay (the redemption is then ignored).
    public var pointsPolicy: PointsPolicy?
    /// The shipping rule of every merchant with a delivery order.
    public var shippingRules: [MerchantID: ShippingRule]

    public init(
        currency: Currency = .cny, at: Date, member: PricingMember = .guest, groups: [OrderGroup],
        promotions: [Promotion] = [], coupons: [Coupon] = [], points: PointsRedemption = .off,
        pointsPolicy: PointsPolicy? = nil, shippingRules: [MerchantID: ShippingRule] = [:]
    ) {
        self.currency = currency
        self.at = at
        self.member = member
        self.groups = groups
        self.promotions = promotions
        self.coupons = coupons
        self.points = points
        self.pointsPolicy = pointsPolicy
        self.shippingRules = shippingRules
    }
}
