import Foundation

/// Where a discount came from; also the key that ties a line's allocation to its discount.
public enum DiscountSource: Codable, Hashable, Sendable {
    /// The member level's own discount (`LevelBenefits`).
    case memberLevel
    case promotion(UUID)
    case coupon(UUID)
    case points
}

/// One discount, with what it is called and why it applies. At checkout level `amount` is the
/// whole discount; on a group it is that group's share.
public struct AppliedDiscount: Codable, Hashable, Sendable {
    public var source: DiscountSource
    /// The promotion's name, the coupon's title, "Points", or for the level's discount
    /// "Member level 金卡 95折".
    public var title: String
    /// Why it applies, e.g. "¥150.00 of covered goods reaches ¥100.00, ¥20.00 off".
    public var description: String
    public var amount: Money

    public init(source: DiscountSource, title: String, description: String, amount: Money) {
        self.source = source
        self.title = title
        self.description = description
        self.amount = amount
    }
}

/// A line's share of one discount. Refunding the line gives these back.
public struct LineAllocation: Codable, Hashable, Sendable {
    public var source: DiscountSource
    public var amount: Money

    public init(source: DiscountSource, amount: Money) {
        self.source = source
        self.amount = amount
    }
}

/// One cart line after pricing.
public struct PricedLine: Codable, Hashable, Sendable {
    public var line: CartLine
    /// Unit price × quantity.
    public var subtotal: Money
    /// Its share of each discount, in the order the discounts were applied; shares of zero are
    /// left out.
    public var allocations: [LineAllocation]
    /// The sum of `allocations`.
    public var discount: Money
    /// `subtotal - discount`; never negative.
    public var payable: Money
}

/// What delivering one order costs and why.
public struct ShippingQuote: Codable, Hashable, Sendable {
    public var fee: Money
    /// E.g. "Delivery over 3.2 km (band up to 5 km): ¥8.00".
    public var description: String
}

/// Amounts of one order or of the whole checkout; the checkout's are the sums of its orders'.
public struct PricingTotals: Codable, Hashable, Sendable {
    public var subtotal: Money
    /// The member level's discount.
    public var levelDiscount: Money
    public var promotionDiscount: Money
    public var couponDiscount: Money
    public var pointsDeduction: Money
    public var shippingFee: Money
    /// `subtotal - discount + shippingFee`; never negative.
    public var payable: Money

    /// Everything taken off the goods: the level's discount, promotions, coupons and points.
    public var discount: Money { levelDiscount + promotionDiscount + couponDiscount + pointsDeduction }
    /// What the goods cost after every discount, before shipping.
    public var goodsPayable: Money { subtotal - discount }

    public static func zero(_ currency: Currency) -> PricingTotals {
        let zero = Money.zero(currency)
        return PricingTotals(
            subtotal: zero, levelDiscount: zero, promotionDiscount: zero, couponDiscount: zero,
            pointsDeduction: zero, shippingFee: zero, payable: zero
        )
    }

    public init(subtotal: Money, levelDiscount: Money, promotionDiscount: Money, couponDiscount: Money, pointsDeduction: Money,
                shippingFee: Money, payable: Money) {
        self.subtotal = subtotal
        self.levelDiscount = levelDiscount
        self.promotionDiscount = promotionDiscount
        self.couponDiscount = couponDiscount
        self.pointsDeduction = pointsDeduction
        self.shippingFee = shippingFee
        self.payable = payable
    }

    private enum CodingKeys: String, CodingKey {
        case subtotal, levelDiscount, promotionDiscount, couponDiscount, pointsDeduction, shippingFee, payable
    }

    /// Orders priced before levels had a discount of their own stored no `levelDiscount`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subtotal = try container.decode(Money.self, forKey: .subtotal)
        levelDiscount = try container.decodeIfPresent(Money.self, forKey: .levelDiscount) ?? .zero(subtotal.currency)
        promotionDiscount = try container.decode(Money.self, forKey: .promotionDiscount)
        couponDiscount = try container.decode(Money.self, forKey: .couponDiscount)
        pointsDeduction = try container.decode(Money.self, forKey: .pointsDeduction)
        shippingFee = try container.decode(Money.self, forKey: .shippingFee)
        payable = try container.decode(Money.self, forKey: .payable)
    }

    public static func + (lhs: PricingTotals, rhs: PricingTotals) -> PricingTotals {
        PricingTotals(
            subtotal: lhs.subtotal + rhs.subtotal,
            levelDiscount: lhs.levelDiscount + rhs.levelDiscount,
            promotionDiscount: lhs.promotionDiscount + rhs.promotionDiscount,
            couponDiscount: lhs.couponDiscount + rhs.couponDiscount,
            pointsDeduction: lhs.pointsDeduction + rhs.pointsDeduction,
            shippingFee: lhs.shippingFee + rhs.shippingFee,
            payable: lhs.payable + rhs.payable
        )
    }
}

/// One order of the checkout, priced: what it costs, every discount's share and the shipping.
public struct PricedGroup: Codable, Hashable, Sendable {
    public var merchantId: MerchantID
    public var storeId: StoreID
    public var fulfilment: Fulfilment
    public var lines: [PricedLine]
    /// This order's share of each discount, in the order they were applied.
    public var discounts: [AppliedDiscount]
    public var shipping: ShippingQuote
    public var totals: PricingTotals
}

/// How many points pay and how much they are worth.
public struct PointsOutcome: Codable, Hashable, Sendable {
    public var pointsUsed: Int64
    public var deduction: Money
    /// Why this many, e.g. "500 points pay ¥5.00 (points may pay at most 50% of ¥30.00)".
    public var description: String
    /// The most points may pay on this checkout under the policy (whatever the balance); zero
    /// without a policy.
    public var maximumDeduction: Money
    /// The fewest points that pay `maximumDeduction`; what "use as many as allowed" would take
    /// from a large enough balance.
    public var pointsForMaximum: Int64
}

/// The result of pricing a checkout: one priced order per group plus the checkout's totals and
/// a shopper-readable explanation of every step.
public struct PricedCheckout: Codable, Hashable, Sendable {
    /// In the same order as the request's groups.
    public var groups: [PricedGroup]
    /// Every discount applied, in pipeline order (promotions, coupons, level, points), at full amount.
    public var discounts: [AppliedDiscount]
    /// One per coupon in the request, in the request's order.
    public var coupons: [CouponEvaluation]
    public var points: PointsOutcome
    /// The sums of the groups' totals.
    public var totals: PricingTotals
    /// The pricing step by step in plain English, ready to show to the shopper.
    public var explanation: [String]
    /// Every promotion that covered something, in the order applied, with its hint for more.
    public var promotions: [PromotionProgress] = []
    /// Free lines gift promotions add; not part of any group's lines or totals.
    public var gifts: [PromotionGift] = []
}
