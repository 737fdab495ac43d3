/// How member points pay for goods: `points` points are worth `worth`, and they may pay at most
/// `maximumShareBasisPoints` of the goods left to pay after promotions and coupons. Points never
/// pay for shipping.
public struct PointsPolicy: Codable, Hashable, Sendable {
    /// Points in one exchange unit, e.g. 100 in "100 points = ¥1".
    public var points: Int64
    /// What one exchange unit is worth, e.g. ¥1.00 in "100 points = ¥1".
    public var worth: Money
    /// The largest share of the goods payable that points may cover; 5000 = half.
    public var maximumShareBasisPoints: Int

    public init(points: Int64, worth: Money, maximumShareBasisPoints: Int) {
        self.points = points
        self.worth = worth
        self.maximumShareBasisPoints = maximumShareBasisPoints
    }
}

/// How many points the shopper asks to spend.
public enum PointsRedemption: Codable, Hashable, Sendable {
    case off
    /// At most this many points; fewer are used when fewer are needed or allowed.
    case upTo(Int64)
    /// As many as the balance and the policy allow.
    case asMuchAsAllowed
}

/// The member's side of pricing. Level prices are already in each line's unit price; the level
/// here decides which member-only promotions apply, and its benefits add a discount of their own
/// and a lower free-delivery threshold.
public struct PricingMember: Codable, Hashable, Sendable {
    /// nil for a guest or a member without a level.
    public var level: String?
    public var pointsBalance: Int64
    /// What the member's level gives at checkout; nil for none.
    public var benefits: LevelBenefits?
    /// Whether the member has never paid for an order, for new-member promotions.
    public var isNewMember: Bool

    public init(level: String? = nil, pointsBalance: Int64 = 0, benefits: LevelBenefits? = nil, isNewMember: Bool = false) {
        self.level = level
        self.pointsBalance = pointsBalance
        self.benefits = benefits
        self.isNewMember = isNewMember
    }

    public static let guest = PricingMember()
}

/// A member level's rights that pricing applies.
public struct LevelBenefits: Codable, Hashable, Sendable {
    /// The level's name as shoppers know it, e.g. "金卡".
    public var name: String
    /// Taken off the goods left after promotions and coupons (so on top of level prices), in
    /// basis points: 500 = 5% off (95折). 0 for none; at most 10 000.
    public var discountBasisPoints: Int
    /// Delivery from a shop is free once its delivered goods (after promotions and coupons,
    /// before the level's discount and points) reach this, when it is lower than the shop's own
    /// threshold or the shop has none.
    public var freeShippingThreshold: Money?

    public init(name: String, discountBasisPoints: Int = 0, freeShippingThreshold: Money? = nil) {
        self.name = name
        self.discountBasisPoints = discountBasisPoints
        self.freeShippingThreshold = freeShippingThreshold
    }
}
