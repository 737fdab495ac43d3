import Foundation

/// Why the shopper wants after-sales; HQ's statistics group cases by it.
public enum AfterSalesReason: String, Codable, Sendable, CaseIterable {
    case qualityIssue = "quality_issue"
    case damaged
    case wrongItem = "wrong_item"
    case missingItem = "missing_item"
    case notAsDescribed = "not_as_described"
    case changedMind = "changed_mind"
    case other

    /// Whether goods returned for this reason can go back on the shelf. Faulty or damaged goods
    /// come back as a loss (the ledger records nothing sellable); goods the shopper simply did
    /// not want, or that were the wrong item, are sellable again.
    public var returnsToSellableStock: Bool {
        switch self {
        case .changedMind, .wrongItem, .notAsDescribed, .other: true
        case .qualityIssue, .damaged, .missingItem: false
        }
    }

    public var label: String {
        switch self {
        case .qualityIssue: "质量问题"
        case .damaged: "商品破损"
        case .wrongItem: "发错商品"
        case .missingItem: "少件漏发"
        case .notAsDescribed: "与描述不符"
        case .changedMind: "不想要了"
        case .other: "其他"
        }
    }
}

/// What returning some units of an order line gives back.
public enum AfterSalesRefund {
    /// The refund for `units` more units of a line that was paid `linePayable` for `lineQuantity`
    /// units, of which `earlierUnits` were already refunded in earlier cases.
    ///
    /// The line's payable amount already carries its share of every order discount (the
    /// pricing engine's proportional allocation), so a returned unit gives back what it really
    /// cost. Each case refunds the difference of cumulative shares rounded down, so however a
    /// line is returned — all at once or one unit per case — the refunds add up to exactly what
    /// was paid for it, never a fen more.
    ///
    /// - Throws: `ValidationFailure` when the units do not fit the line (more than were bought,
    ///   negative counts) and `ArithmeticOverflow` for a stored amount beyond what fits.
    public static func amount(linePayable: Money, lineQuantity: Int, earlierUnits: Int, units: Int) throws -> Money {
        guard lineQuantity > 0, earlierUnits >= 0, units >= 0, earlierUnits <= lineQuantity, units <= lineQuantity - earlierUnits else {
            throw ValidationFailure(field: "quantity", message: "must be at most the units bought and not yet returned")
        }
        guard linePayable.minorUnits >= 0 else { throw ArithmeticOverflow("refund of a negative line amount") }
        // payable × count can exceed Int64 long before the share does (count ≤ quantity keeps
        // the quotient at most the payable), so the product is taken in full width.
        func share(_ count: Int) -> Int64 {
            guard count != lineQuantity else { return linePayable.minorUnits }
            let product = linePayable.minorUnits.multipliedFullWidth(by: Int64(count))
            return Int64(lineQuantity).dividingFullWidth(product).quotient
        }
        return Money(minorUnits: share(earlierUnits + units) - share(earlierUnits), currency: linePayable.currency)
    }
}

/// How a refund divides into the returned units' price and the discounts they carried, so the
/// shopper sees why a returned line gives back less than its price: goods − level discount −
/// promotions − coupons − points = refund, to the fen.
public struct RefundBreakdown: Hashable, Sendable {
    /// The returned units' share of the line's price before any discount.
    public var goods: Money
    public var levelDiscount: Money
    public var promotionDiscount: Money
    public var couponDiscount: Money
    public var pointsDeduction: Money
    /// What is given back: `AfterSalesRefund.amount` of the line's payable amount.
    public var refund: Money

    public init(goods: Money, levelDiscount: Money, promotionDiscount: Money, couponDiscount: Money, pointsDeduction: Money, refund: Money) {
        self.goods = goods
        self.levelDiscount = levelDiscount
        self.promotionDiscount = promotionDiscount
        self.couponDiscount = couponDiscount
        self.pointsDeduction = pointsDeduction
        self.refund = refund
    }
}

extension AfterSalesRefund {
    /// The refund of `units` more units of a line with `lineSubtotal` before discounts and the
    /// pricing engine's `allocations`, split by kind of discount.
    ///
    /// Each discount's share is taken the way the refund itself is (cumulative shares rounded
    /// down), so the shares of every return of a line add up to exactly what each discount gave
    /// it. The goods share is the refund plus the discount shares rather than a rounding of its
    /// own: the sentence the shopper reads always adds up, and over every return of the line
    /// it still sums to the line's subtotal.
    public static func breakdown(lineSubtotal: Money, allocations: [LineAllocation], lineQuantity: Int, earlierUnits: Int, units: Int) throws -> RefundBreakdown {
        var level: Int64 = 0, promotion: Int64 = 0, coupon: Int64 = 0, points: Int64 = 0
        for allocation in allocations {
            switch allocation.source {
            case .memberLevel: level = try Checked.add(level, allocation.amount.minorUnits, "level discount")
            case .promotion: promotion = try Checked.add(promotion, allocation.amount.minorUnits, "promotion discount")
            case .coupon: coupon = try Checked.add(coupon, allocation.amount.minorUnits, "coupon discount")
            case .points: points = try Checked.add(points, allocation.amount.minorUnits, "points deduction")
            }
        }
        let discounts = try [level, promotion, coupon, points].reduce(Int64(0)) { try Checked.add($0, $1, "line discount") }
        let payable = try Checked.subtract(lineSubtotal.minorUnits, discounts, "line payable")
        let currency = lineSubtotal.currency
        func share(_ total: Int64) throws -> Money {
            try amount(linePayable: Money(minorUnits: total, currency: currency), lineQuantity: lineQuantity, earlierUnits: earlierUnits, units: units)
        }
        let shares = try (level: share(level), promotion: share(promotion), coupon: share(coupon), points: share(points))
        let refund = try share(payable)
        let goods = try [shares.level, shares.promotion, shares.coupon, shares.points].reduce(refund.minorUnits) {
            try Checked.add($0, $1.minorUnits, "returned goods")
        }
        return RefundBreakdown(goods: Money(minorUnits: goods, currency: currency), levelDiscount: shares.level, promotionDiscount: shares.promotion,
                               couponDiscount: shares.coupon, pointsDeduction: shares.points, refund: refund)
    }
}
