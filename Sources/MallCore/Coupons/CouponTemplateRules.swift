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

/// The rules of a coupon template that need no storage.
public enum CouponTemplateRules {
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
