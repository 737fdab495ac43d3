import Foundation

/// How long a claimed coupon can be used.
public enum CouponValidity: Codable, Hashable, Sendable {
    /// The same window for every holder.
    case fixed(from: Date, until: Date)
    /// From the claim for this many days.
    case daysAfterClaim(Int)

    public static let maximumDays = 3_650

    /// The holder's window for a coupon claimed at `claimedAt`.
    public func window(claimedAt: Date) -> (from: Date, until: Date) {
        switch self {
        case .fixed(let from, let until): (from, until)
        case .daysAfterClaim(let days): (claimedAt, claimedAt.addingTimeInterval(TimeInterval(days) * 86_400))
        }
    }
}

/// Who may claim a template's coupons.
public struct CouponAudience: Codable, Hashable, Sendable {
    /// Member level codes; nil for every level.
    public var memberLevels: Set<String>?
    /// Only members who have never placed an order (新人券).
    public var newMembersOnly: Bool

    public init(memberLevels: Set<String>? = nil, newMembersOnly: Bool = false) {
        self.memberLevels = memberLevels
        self.newMembersOnly = newMembersOnly
    }
}

/// Why a claim is refused, before any counter moves.
public enum CouponClaimRefusal: Hashable, Sendable {
    case notStarted(Date)
    case ended
    case levelNotEligible
    case newMembersOnly

    public var message: String {
        switch self {
        case .notStarted(let at): "This coupon can be claimed from \(at.formatted(.iso8601))."
        case .ended: "This coupon can no longer be claimed."
        case .levelNotEligible: "This coupon is for other member levels."
        case .newMembersOnly: "This coupon is for new members who have not ordered yet."
        }
    }
}

/// Why staff may not make an edit to a template.
public enum CouponEditRefusal: Hashable, Sendable {
    case ended
    /// Its validity has started: only a larger quantity (or ending it) is possible.
    case started
    /// Only raising the quantity is possible once it has started.
    case quantityLowered(current: Int)
    /// Members already hold coupons with the current dates.
    case validityOfHeldCoupons
    /// More coupons were claimed than the new quantity.
    case belowClaimed(claimed: Int)

    public var message: String {
        switch self {
        case .ended: "This coupon has ended and can no longer be changed."
        case .started: "This coupon's validity has started: only raising its quantity or ending it early is possible."
        case .quantityLowered(let current): "Once a coupon has started its quantity can only be raised (it is \(current))."
        case .validityOfHeldCoupons: "Members already hold this coupon, so its validity dates can no longer change."
        case .belowClaimed(let claimed): "\(claimed) of this coupon have been claimed; the quantity cannot be lower."
        }
    }
}

/// The rules of a coupon template that need no storage.
public enum CouponTemplateRules {
    /// When a template's validity starts: its fixed start, or for days-after-claim coupons the
    /// first claim (each holder's days run from their own claim). Before then every term may
    /// change.
    public static func validityStarted(validity: CouponValidity, claimedCount: Int, now: Date) -> Bool {
        switch validity {
        case .fixed(let from, _): from <= now
        case .daysAfterClaim: claimedCount > 0
        }
    }

    /// Whether staff may replace a template's terms with new ones. `termsChanged` compares
    /// everything but the quantity; `validityChanged` the validity itself.
    public static func editRefusal(
        ended: Bool, started: Bool, claimedCount: Int, termsChanged: Bool, validityChanged: Bool,
        currentQuantity: Int, newQuantity: Int
    ) -> CouponEditRefusal? {
        if ended { return .ended }
        if newQuantity < claimedCount { return .belowClaimed(claimed: claimedCount) }
        if started {
            if termsChanged { return .started }
            if newQuantity < currentQuantity { return .quantityLowered(current: currentQuantity) }
            return nil
        }
        // Held coupons copied their window at the claim; moving the template's would split them.
        if claimedCount > 0 && validityChanged { return .validityOfHeldCoupons }
        return nil
    }

    /// Whether a member may claim now. Quantity and per-member limit are counters the server
    /// moves atomically; these are the rules that do not change under a stampede.
    public static func claimRefusal(
        claimStartsAt: Date?, claimEndsAt: Date?, endedAt: Date?, audience: CouponAudience,
        memberLevel: String?, memberHasOrdered: Bool, now: Date
    ) -> CouponClaimRefusal? {
        if let endedAt, endedAt <= now { return .ended }
        if let claimEndsAt, claimEndsAt <= now { return .ended }
        if let claimStartsAt, now < claimStartsAt { return .notStarted(claimStartsAt) }
        if let levels = audience.memberLevels, !(memberLevel.map(levels.contains) ?? false) { return .levelNotEligible }
        if audience.newMembersOnly && memberHasOrdered { return .newMembersOnly }
        return nil
    }

    /// Checks a template's numbers and texts as staff entered them, every problem at once.
    public static func validate(
        title: String, kind: CouponKind, minimumSpend: Money, totalQuantity: Int, perMemberLimit: Int,
        validity: CouponValidity, claimStartsAt: Date?, claimEndsAt: Date?
    ) -> [FieldError] {
        var errors: [FieldError] = []
        func require(_ ok: Bool, _ field: String, _ message: String) { if !ok { errors.append(FieldError(field: field, message: message)) } }
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        require((1...40).contains(trimmed.count), "title", "must be 1 to 40 characters")
        require((0...PricingEngine.maximumAmount).contains(minimumSpend.minorUnits), "minimumSpendFen", "must be between 0 and \(PricingEngine.maximumAmount)")
        require((1...10_000_000).contains(totalQuantity), "totalQuantity", "must be between 1 and 10000000")
        require((1...100).contains(perMemberLimit), "perMemberLimit", "must be between 1 and 100")
        switch kind {
        case .amountOff(let off):
            require((1...PricingEngine.maximumAmount).contains(off.minorUnits), "amountOffFen", "must be between 1 and \(PricingEngine.maximumAmount)")
        case .percentOff(let basisPoints, let cap):
            require((1...9_999).contains(basisPoints), "percentOffBasisPoints", "must be between 1 and 9999")
            if let cap { require((1...PricingEngine.maximumAmount).contains(cap.minorUnits), "capFen", "must be between 1 and \(PricingEngine.maximumAmount)") }
        case .freeShipping, .freeItem:
            break
        }
        switch validity {
        case .fixed(let from, let until): require(from < until, "validUntil", "must be after validFrom")
        case .daysAfterClaim(let days): require((1...CouponValidity.maximumDays).contains(days), "validDays", "must be between 1 and \(CouponValidity.maximumDays)")
        }
        if let claimStartsAt, let claimEndsAt { require(claimStartsAt < claimEndsAt, "claimEndsAt", "must be after claimStartsAt") }
        return errors
    }
}
