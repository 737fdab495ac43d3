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
/// here decides which member-only promotions apply.
public struct PricingMember: Codable, Hashable, Sendable {
    /// nil for a guest or a member without a level.
    public var level: String?
    public var pointsBalance: Int64

    public init(level: String? = nil, pointsBalance: Int64 = 0) {
        self.level = level
        self.pointsBalance = pointsBalance
    }

    public static let guest = PricingMember()
}
