import Foundation

/// Where a flash-sale session stands for everyone (a member's own head start aside).
public enum FlashSessionPhase: String, Codable, Sendable, CaseIterable {
    /// Not started: shown with a countdown to its start.
    case upcoming
    /// On sale: shown with a countdown to its end.
    case live
    /// Past its end, or ended early by staff.
    case ended
}

/// Whether one member may buy in a session at a given moment.
public enum FlashPurchaseWindow: Sendable, Equatable {
    case open
    /// Opens for this member at the date (their level's head start already counted).
    case notYet(opensAt: Date)
    case ended
}

extension InputLimits {
    /// SKUs one session offers.
    public static let flashItems = 1...50
    /// Units of one SKU a session offers.
    public static let flashQuota = 1...100_000
    /// Units one member may buy of one SKU in one session.
    public static let flashPerMemberLimit = 1...99
    /// A flash price per unit: at least a fen, at most ¥100,000.
    public static let flashPriceFen: ClosedRange<Int64> = 1...10_000_000
    /// Units in one quick purchase.
    public static let flashQuantity = 1...99
    /// A session lasts at most a week, in minutes.
    public static let flashSessionMinutes = 1...10_080
    /// Minutes a level's head start can give; longer values in a level are treated as this.
    public static let flashHeadStartMinutes = 0...1_440
}

/// One SKU as staff offer it in a session, for validation.
public struct FlashItemDraft: Sendable, Equatable {
    public var skuId: UUID
    public var flashPriceFen: Int64
    public var quota: Int

    public init(skuId: UUID, flashPriceFen: Int64, quota: Int) {
        self.skuId = skuId
        self.flashPriceFen = flashPriceFen
        self.quota = quota
    }
}

/// The rules of flash-sale sessions (限时秒杀), independent of storage and of the quota gate.
public enum FlashSaleRules {
    /// The session's phase at `now`: an early end counts from the moment staff ended it.
    public static func phase(startsAt: Date, endsAt: Date, endedAt: Date?, now: Date) -> FlashSessionPhase {
        if let endedAt, now >= endedAt { return .ended }
        if now >= endsAt { return .ended }
        return now < startsAt ? .upcoming : .live
    }

    /// When a member whose level grants `priorityMinutes` may start buying: that many minutes
    /// before everyone else (negative values count as none, very long ones as a day).
    public static func opensAt(startsAt: Date, priorityMinutes: Int) -> Date {
        let minutes = min(max(priorityMinutes, InputLimits.flashHeadStartMinutes.lowerBound), InputLimits.flashHeadStartMinutes.upperBound)
        return startsAt.addingTimeInterval(-TimeInterval(minutes) * 60)
    }

    /// Whether a member with the head start `priorityMinutes` may buy at `now`.
    public static func window(startsAt: Date, endsAt: Date, endedAt: Date?, priorityMinutes: Int, now: Date) -> FlashPurchaseWindow {
        if phase(startsAt: startsAt, endsAt: endsAt, endedAt: endedAt, now: now) == .ended { return .ended }
        let opens = opensAt(startsAt: startsAt, priorityMinutes: priorityMinutes)
        return now < opens ? .notYet(opensAt: opens) : .open
    }

    /// What a countdown counts to: the start while upcoming, the end (an early end included)
    /// while live, nothing once ended.
    public static func countdownTarget(startsAt: Date, endsAt: Date, endedAt: Date?, now: Date) -> Date? {
        switch phase(startsAt: startsAt, endsAt: endsAt, endedAt: endedAt, now: now) {
        case .upcoming: startsAt
        case .live: endedAt.map { min($0, endsAt) } ?? endsAt
        case .ended: nil
        }
    }

    /// Sold share for the "sold x%" bar, rounded down so 100% means truly sold out.
    public static func soldPercent(quota: Int, sold: Int) -> Int {
        guard quota > 0 else { return 100 }
        let clamped = min(max(sold, 0), quota)
        return Int((Int64(clamped) * 100) / Int64(quota))
    }

    /// Staff may change a session only before it starts (and before an early end).
    public static func editable(startsAt: Date, endedAt: Date?, now: Date) -> Bool {
        endedAt == nil && now < startsAt
    }

    /// Checks a session as staff entered it, reporting every problem at once. `listPrices` are
    /// the SKUs' regular prices where known: a flash price must be below them.
    public static func validate(title: String, startsAt: Date, endsAt: Date, perMemberLimit: Int, items: [FlashItemDraft],
                                listPrices: [UUID: Int64]) -> FieldErrorCollector {
        var errors = FieldErrorCollector()
        _ = errors.collect { try TextRule.check(title, field: "title", min: 1, max: 60) }
        errors.range(perMemberLimit, InputLimits.flashPerMemberLimit, "perMemberLimit")
        let minutes = endsAt.timeIntervalSince(startsAt) / 60
        if minutes < Double(InputLimits.flashSessionMinutes.lowerBound) {
            errors.add("endsAt", "must be at least a minute after startsAt")
        } else if minutes > Double(InputLimits.flashSessionMinutes.upperBound) {
            errors.add("endsAt", "must be at most \(InputLimits.flashSessionMinutes.upperBound) minutes after startsAt")
        }
        guard errors.range(items.count, InputLimits.flashItems, "items") else { return errors }
        var seen = Set<UUID>()
        for (index, item) in items.enumerated() {
            let field = "items[\(index)]"
            if !seen.insert(item.skuId).inserted { errors.add("\(field).skuId", "is offered twice in this session") }
            if errors.range(item.flashPriceFen, InputLimits.flashPriceFen, "\(field).flashPriceFen"),
               let list = listPrices[item.skuId], item.flashPriceFen >= list {
                errors.add("\(field).flashPriceFen", "must be below the regular price of \(list) fen")
            }
            errors.range(item.quota, InputLimits.flashQuota, "\(field).quota")
        }
        return errors
    }
}
