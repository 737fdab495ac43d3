import Foundation

/// What a points-mall item gives the member.
public enum PointsMallItemKind: String, Codable, Sendable, CaseIterable {
    /// A catalogue SKU, reserved from a store's stock and fulfilled as an order.
    case sku
    /// A coupon from a template (the coupon feature is not built yet: such items are refused).
    case coupon
}

/// Whether an item (or a lottery) can be used at a given moment, in the order the checks run.
public enum PointsMallAvailability: String, Codable, Sendable, CaseIterable {
    case open
    /// Switched off by staff.
    case off
    case notStarted = "not_started"
    case ended
    /// Nothing left of the item's own stock.
    case soldOut = "sold_out"
}

extension InputLimits {
    /// The points price of one unit of a points-mall item, a lottery draw's cost, a points prize.
    public static let mallPoints: ClosedRange<Int64> = 1...10_000_000
    /// A lottery draw may be free.
    public static let lotteryCostPoints: ClosedRange<Int64> = 0...10_000_000
    /// Cash on top of the points, per unit: up to ¥100,000.
    public static let mallCashFen: ClosedRange<Int64> = 0...10_000_000
    /// An item's or prize's own stock (how many may be given out in all).
    public static let mallStock = 0...1_000_000
    /// Units one member may exchange of one item, in all.
    public static let mallPerMemberLimit = 1...10_000
    /// Units in one exchange.
    public static let mallQuantity = 1...99
    /// Draws one member may make on one lottery per day.
    public static let lotteryDailyLimit = 1...1_000
    /// One prize's weight on the wheel (its chance is weight ÷ the sum of all weights).
    public static let lotteryWeight = 0...1_000_000
    /// Prizes on one wheel.
    public static let lotterySlots = 2...12
    /// Items and lotteries are listed in this order.
    public static let mallSortOrder = 0...100_000
}

/// The rules of points-mall items, independent of storage.
public enum PointsMallRules {
    /// Where an item or lottery stands at `now`. Stock is checked last: a sold-out item that has
    /// also ended reads as ended.
    public static func availability(enabled: Bool, startsAt: Date?, endsAt: Date?, remaining: Int?, now: Date) -> PointsMallAvailability {
        guard enabled else { return .off }
        if let startsAt, now < startsAt { return .notStarted }
        if let endsAt, now >= endsAt { return .ended }
        if let remaining, remaining <= 0 { return .soldOut }
        return .open
    }

    /// How many more units a member may still exchange: nil when the item has no limit.
    public static func remainingLimit(perMember limit: Int?, redeemed: Int) -> Int? {
        limit.map { max(0, $0 - redeemed) }
    }

    /// Points and cash for `quantity` units, refusing overflow rather than trapping.
    public static func cost(pricePoints: Int64, cashFen: Int64, quantity: Int) throws -> (points: Int64, cashFen: Int64) {
        (try Checked.multiply(pricePoints, Int64(quantity), "points price"), try Checked.lineTotal(unitPrice: cashFen, quantity: quantity, "cash price"))
    }

    /// Checks what staff entered for an item, reporting every problem at once. `couponsExist`
    /// says whether coupon items can be made (not until the marketing issue adds coupons).
    public static func validate(kind: PointsMallItemKind, title: String, hasSKU: Bool, hasCouponTemplate: Bool, pricePoints: Int64, cashFen: Int64,
                                stock: Int, perMemberLimit: Int?, sortOrder: Int, startsAt: Date?, endsAt: Date?) -> FieldErrorCollector {
        var errors = FieldErrorCollector()
        _ = errors.collect { try TextRule.check(title, field: "title", min: 1, max: 60) }
        errors.range(pricePoints, InputLimits.mallPoints, "pricePoints")
        errors.range(cashFen, InputLimits.mallCashFen, "cashFen")
        errors.range(stock, InputLimits.mallStock, "stock")
        if let perMemberLimit { errors.range(perMemberLimit, InputLimits.mallPerMemberLimit, "perMemberLimit") }
        errors.range(sortOrder, InputLimits.mallSortOrder, "sortOrder")
        if let startsAt, let endsAt, startsAt >= endsAt { errors.add("endsAt", "must be after startsAt") }
        switch kind {
        case .sku:
            if !hasSKU { errors.add("skuId", "is required for an item of kind sku") }
            if hasCouponTemplate { errors.add("couponTemplateId", "belongs to coupon items only") }
        case .coupon:
            if hasSKU { errors.add("skuId", "belongs to sku items only") }
            if !hasCouponTemplate { errors.add("couponTemplateId", "is required for an item of kind coupon") }
            if cashFen > 0 { errors.add("cashFen", "must be 0 for a coupon item") }
        }
        return errors
    }
}
