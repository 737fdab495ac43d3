import Foundation

/// What one order line brings to settlement, as frozen when its order was paid.
public struct SettlementLine: Hashable, Codable, Sendable {
    /// What the shopper paid for the goods: the subtotal after every discount (level,
    /// promotions, coupons, points).
    public var goodsPaidFen: Int64
    /// The part of the line's discount the platform funded (its promotions and coupons, the
    /// member level's discount, points) on a merchant's goods: the platform pays it back.
    public var platformDiscountFen: Int64
    public var commissionRateBasisPoints: Int
    /// The line's share of the payment provider's fee.
    public var channelFeeFen: Int64

    public init(goodsPaidFen: Int64, platformDiscountFen: Int64, commissionRateBasisPoints: Int, channelFeeFen: Int64) {
        self.goodsPaidFen = goodsPaidFen
        self.platformDiscountFen = platformDiscountFen
        self.commissionRateBasisPoints = commissionRateBasisPoints
        self.channelFeeFen = channelFeeFen
    }
}

/// The order's own part: delivery and the fixed fee per order.
public struct SettlementOrderPart: Hashable, Codable, Sendable {
    public var shippingFen: Int64
    /// The delivery fee's share of the payment provider's fee.
    public var shippingChannelFeeFen: Int64
    public var fixedFeeFen: Int64

    public init(shippingFen: Int64, shippingChannelFeeFen: Int64, fixedFeeFen: Int64) {
        self.shippingFen = shippingFen
        self.shippingChannelFeeFen = shippingChannelFeeFen
        self.fixedFeeFen = fixedFeeFen
    }
}

/// One settlement entry's amounts, signed (an adjustment after a late refund is negative).
/// Every entry balances on its own:
/// `shopperPaid − refunded = merchantNet + commission + channelFee − platformDiscount`,
/// so every sum of entries (a statement, a merchant's month) balances too.
public struct SettlementAmounts: Hashable, Codable, Sendable {
    public var shopperPaidFen: Int64 = 0
    public var refundedFen: Int64 = 0
    /// Paid back by the platform to the merchant.
    public var platformDiscountFen: Int64 = 0
    /// The platform's service fee: the rate on the commission base plus the fixed fee per order.
    public var commissionFen: Int64 = 0
    /// The provider's fee deducted from the merchant (zero when the platform bears it).
    public var channelFeeFen: Int64 = 0
    /// The provider's fee the platform bears, for the platform's own reports; not in the balance.
    public var platformChannelFeeFen: Int64 = 0
    /// Of `shopperPaidFen`, the delivery fee.
    public var shippingFen: Int64 = 0
    /// What the platform owes the merchant.
    public var merchantNetFen: Int64 = 0

    public init() {}

    public static let zero = SettlementAmounts()

    /// `self − other`, field by field: what an adjustment books.
    public func minus(_ other: SettlementAmounts) throws -> SettlementAmounts {
        try combine(other) { try Checked.subtract($0, $1, "settlement adjustment") }
    }

    public func plus(_ other: SettlementAmounts) throws -> SettlementAmounts {
        try combine(other) { try Checked.add($0, $1, "settlement total") }
    }

    /// `shopperPaid − refunded − (merchantNet + commission + channelFee − platformDiscount)`:
    /// zero for every entry and every sum of entries.
    public func imbalance() throws -> Int64 {
        let received = try Checked.subtract(shopperPaidFen, refundedFen, "settlement balance")
        let split = try Checked.subtract(Checked.add(Checked.add(merchantNetFen, commissionFen, "settlement balance"), channelFeeFen, "settlement balance"),
                                         platformDiscountFen, "settlement balance")
        return try Checked.subtract(received, split, "settlement balance")
    }

    public var isZero: Bool { self == .zero }

    private func combine(_ other: SettlementAmounts, _ op: (Int64, Int64) throws -> Int64) throws -> SettlementAmounts {
        var result = SettlementAmounts()
        result.shopperPaidFen = try op(shopperPaidFen, other.shopperPaidFen)
        result.refundedFen = try op(refundedFen, other.refundedFen)
        result.platformDiscountFen = try op(platformDiscountFen, other.platformDiscountFen)
        result.commissionFen = try op(commissionFen, other.commissionFen)
        result.channelFeeFen = try op(channelFeeFen, other.channelFeeFen)
        result.platformChannelFeeFen = try op(platformChannelFeeFen, other.platformChannelFeeFen)
        result.shippingFen = try op(shippingFen, other.shippingFen)
        result.merchantNetFen = try op(merchantNetFen, other.merchantNetFen)
        return result
    }
}

/// Settlement entries of order lines.
///
/// The commission base is what the merchant's goods earned: what the shopper paid plus what
/// the platform funded, i.e. the price after the merchant's own discounts only. A platform
/// coupon therefore costs the merchant nothing, and a merchant's own promotion lowers its fee.
/// Delivery fees go to the merchant, which delivers, and carry no commission. The fixed fee is
/// booked on the order's own part and falls away when every line of the order was refunded.
///
/// An entry is a function of how much of the line was refunded; a refund after the line was
/// settled books the difference between the two (an adjustment), so however many partial
/// refunds come, their adjustments add up to exactly what a single refund would give, and a
/// line refunded in full nets to zero.
public enum SettlementMaths {
    /// The entry of `line` once `refundedFen` (0…goodsPaid) of it went back to the shopper.
    /// Every share of the refund (platform discount, channel fee) is taken in proportion to it.
    public static func line(_ line: SettlementLine, refundedFen: Int64, bearer: ChannelFeeBearer) throws -> SettlementAmounts {
        let paid = line.goodsPaidFen
        let refunded = min(max(refundedFen, 0), paid)
        let kept = paid - refunded
        let platformDiscount = line.platformDiscountFen - FenMath.share(of: line.platformDiscountFen, numerator: refunded, denominator: paid)
        let channelFee = line.channelFeeFen - FenMath.share(of: line.channelFeeFen, numerator: refunded, denominator: paid)
        let base = try Checked.add(kept, platformDiscount, "commission base")
        let commission = FenMath.basisPoints(line.commissionRateBasisPoints, of: base)
        var amounts = SettlementAmounts()
        amounts.shopperPaidFen = paid
        amounts.refundedFen = refunded
        amounts.platformDiscountFen = platformDiscount
        amounts.commissionFen = commission
        switch bearer {
        case .merchant: amounts.channelFeeFen = channelFee
        case .platform: amounts.platformChannelFeeFen = channelFee
        }
        amounts.merchantNetFen = try Checked.subtract(Checked.subtract(base, commission, "merchant net"), amounts.channelFeeFen, "merchant net")
        return amounts
    }

    /// The entry of the order's own part; `everyLineRefunded` drops the fixed fee.
    public static func order(_ part: SettlementOrderPart, everyLineRefunded: Bool, bearer: ChannelFeeBearer) throws -> SettlementAmounts {
        var amounts = SettlementAmounts()
        amounts.shopperPaidFen = part.shippingFen
        amounts.shippingFen = part.shippingFen
        amounts.commissionFen = everyLineRefunded ? 0 : part.fixedFeeFen
        switch bearer {
        case .merchant: amounts.channelFeeFen = part.shippingChannelFeeFen
        case .platform: amounts.platformChannelFeeFen = part.shippingChannelFeeFen
        }
        amounts.merchantNetFen = try Checked.subtract(Checked.subtract(part.shippingFen, amounts.commissionFen, "merchant net"), amounts.channelFeeFen, "merchant net")
        return amounts
    }

    /// A late refund of a settled line: what it changes, booked in the statement open now.
    public static func lineAdjustment(_ line: SettlementLine, refundedBefore: Int64, refundedAfter: Int64, bearer: ChannelFeeBearer) throws -> SettlementAmounts {
        try Self.line(line, refundedFen: refundedAfter, bearer: bearer).minus(Self.line(line, refundedFen: refundedBefore, bearer: bearer))
    }

    /// The provider's fee on one payment, split over the payment's orders by what each paid.
    public static func channelFee(paymentFen: Int64, basisPoints: Int) -> Int64 {
        FenMath.basisPoints(basisPoints, of: paymentFen)
    }

    /// An order's share of the provider's fee split over its lines (by what each paid) and its
    /// delivery fee (the last part), to the fen.
    public static func channelShares(orderChannelFeeFen: Int64, linePaidFen: [Int64], shippingFen: Int64) -> (lines: [Int64], shipping: Int64) {
        let parts = FenMath.split(orderChannelFeeFen, over: linePaidFen + [shippingFen])
        return (Array(parts.dropLast()), parts.last ?? 0)
    }
}

/// Who funds a discount on a line, from who owns the promotion or coupon.
public enum DiscountFunding {
    /// The part of `allocations` the platform funds on goods of `merchant`: the platform's own
    /// promotions and coupons (no owner, or owned by another merchant — the self-operated one),
    /// the member level's discount and points, all of which are the platform's programmes. On
    /// the self-operated merchant's goods the platform funds everything, which changes nothing:
    /// it pays itself.
    public static func platformFunded(_ allocations: [LineAllocation], merchant: MerchantID, owners: [DiscountSource: MerchantID]) -> Int64 {
        allocations.reduce(Int64(0)) { total, allocation in
            switch allocation.source {
            case .memberLevel, .points:
                return total + allocation.amount.minorUnits
            case .promotion, .coupon:
                return owners[allocation.source] == merchant ? total : total + allocation.amount.minorUnits
            }
        }
    }
}
