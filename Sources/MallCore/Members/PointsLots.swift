import Foundation

/// What a member's points are made of: every earning is a lot that keeps what is left of it
/// and when it expires. Spending takes from the lots that expire first (oldest first among
/// equals), so points never lapse while newer ones are spent; expiry takes what is left of a lot
/// when its day comes. The balance is always the sum of what the lots have left.
public struct PointsLot: Hashable, Sendable {
    public var id: UUID
    public var remaining: Int64
    public var earnedAt: Date
    /// nil: never expires.
    public var expiresAt: Date?

    public init(id: UUID, remaining: Int64, earnedAt: Date, expiresAt: Date?) {
        self.id = id
        self.remaining = remaining
        self.earnedAt = earnedAt
        self.expiresAt = expiresAt
    }
}

/// One lot's share of a spend, clawback or expiry.
public struct PointsTake: Hashable, Sendable {
    public var lotId: UUID
    public var points: Int64

    public init(lotId: UUID, points: Int64) {
        self.lotId = lotId
        self.points = points
    }
}

public enum PointsLots {
    /// The order spending and expiry follow: the soonest expiry first, lots that never expire
    /// last, then the oldest, then by id so the order is total.
    public static func spendingOrder(_ lots: [PointsLot]) -> [PointsLot] {
        lots.sorted { a, b in
            switch (a.expiresAt, b.expiresAt) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: break
            }
            if a.earnedAt != b.earnedAt { return a.earnedAt < b.earnedAt }
            return a.id.uuidString < b.id.uuidString
        }
    }

    /// Takes `points` from the lots still valid at `now`, soonest-expiring first; nil when they
    /// hold fewer. `points` must be positive.
    public static func spend(_ points: Int64, from lots: [PointsLot], at now: Date) -> [PointsTake]? {
        guard points > 0 else { return nil }
        var left = points
        var takes: [PointsTake] = []
        for lot in spendingOrder(lots) where lot.remaining > 0 && (lot.expiresAt.map { $0 > now } ?? true) {
            let take = min(lot.remaining, left)
            takes.append(PointsTake(lotId: lot.id, points: take))
            left -= take
            if left == 0 { return takes }
        }
        return nil
    }

    /// Takes back up to `points` earned by one lot (the goods it was earned on were refunded):
    /// from that lot first, then, when the member already spent some of it, from the others in
    /// spending order. Returns what can be taken; what the member no longer has is not taken
    /// (a balance never goes below zero), and the caller records the shortfall.
    public static func clawBack(_ points: Int64, earnedBy lotId: UUID, from lots: [PointsLot], at now: Date) -> [PointsTake] {
        guard points > 0 else { return [] }
        var left = points
        var takes: [PointsTake] = []
        if let own = lots.first(where: { $0.id == lotId }), own.remaining > 0 {
            let take = min(own.remaining, left)
            takes.append(PointsTake(lotId: own.id, points: take))
            left -= take
        }
        for lot in spendingOrder(lots) where left > 0 && lot.id != lotId && lot.remaining > 0 && (lot.expiresAt.map { $0 > now } ?? true) {
            let take = min(lot.remaining, left)
            takes.append(PointsTake(lotId: lot.id, points: take))
            left -= take
        }
        return takes
    }

    /// What expires at `now`: the remainder of every lot whose day has come.
    public static func expiring(_ lots: [PointsLot], at now: Date) -> [PointsTake] {
        spendingOrder(lots).compactMap { lot in
            guard lot.remaining > 0, let expiry = lot.expiresAt, expiry <= now else { return nil }
            return PointsTake(lotId: lot.id, points: lot.remaining)
        }
    }
}

/// When points earned at a moment expire: at the end of the `years`-th calendar year after the
/// one they were earned in, in the shop's time zone (1: points earned any day of 2026 expire as
/// 2027 ends, i.e. at 2028-01-01 00:00). 0 years: they never expire.
public enum PointsExpiry {
    public static let maximumYears = 10

    public static func expiry(earnedAt: Date, years: Int, timeZone: TimeZone) -> Date? {
        guard years > 0 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let earnedYear = calendar.component(.year, from: earnedAt)
        let years = min(years, maximumYears)
        return calendar.date(from: DateComponents(year: earnedYear + years + 1, month: 1, day: 1))
    }
}

/// Points earned by what members do.
public enum PointsEarning {
    /// For a completed order: whole points for the goods the shopper paid (after discounts and
    /// points, without shipping), `pointsPerYuan` for each full yuan, times the level's
    /// multiplier in basis points (10000 = ×1). Checked: an amount beyond what fits earns nothing
    /// more than the largest representable number would.
    public static func forOrder(paidGoodsFen: Int64, pointsPerYuan: Int, multiplierBasisPoints: Int) -> Int64 {
        guard paidGoodsFen > 0, pointsPerYuan > 0, multiplierBasisPoints > 0 else { return 0 }
        let yuan = paidGoodsFen / 100
        let (base, overflow) = yuan.multipliedReportingOverflow(by: Int64(pointsPerYuan))
        guard !overflow else { return .max }
        let product = base.multipliedFullWidth(by: Int64(multiplierBasisPoints))
        let (quotient, _) = Int64(10_000).dividingFullWidth(product)
        return quotient
    }

    /// The part of an order's earned points that refunded goods take back: in proportion to the
    /// goods refunded, rounded up, so what stays earned is never more than the goods kept would
    /// have earned; never more than was earned.
    public static func clawback(earned: Int64, paidGoodsFen: Int64, refundedGoodsFen: Int64) -> Int64 {
        guard earned > 0, paidGoodsFen > 0, refundedGoodsFen > 0 else { return 0 }
        guard refundedGoodsFen < paidGoodsFen else { return earned }
        let product = earned.multipliedFullWidth(by: refundedGoodsFen)
        let (quotient, remainder) = paidGoodsFen.dividingFullWidth(product)
        return min(earned, remainder > 0 ? quotient + 1 : quotient)
    }
}

/// The daily sign-in: a streak of consecutive days earns `daily` points a day, and the last day
/// of each `cycleDays`-day cycle (the 7th, 14th … day of a streak with the default 7) earns
/// `bonus` on top. Missing a day starts the streak again at 1.
public enum SignInReward {
    public static func streak(previousStreak: Int?, signedInYesterday: Bool) -> Int {
        guard signedInYesterday, let previousStreak, previousStreak > 0 else { return 1 }
        return previousStreak == .max ? previousStreak : previousStreak + 1
    }

    public static func points(streak: Int, daily: Int, bonus: Int, cycleDays: Int) -> Int {
        let cycle = max(1, cycleDays)
        let base = max(0, daily)
        return streak > 0 && streak % cycle == 0 ? base + max(0, bonus) : base
    }

    /// The day of the cycle a streak is on, 1…cycleDays, for the calendar on the member's page.
    public static func dayOfCycle(streak: Int, cycleDays: Int) -> Int {
        let cycle = max(1, cycleDays)
        return streak <= 0 ? 0 : (streak - 1) % cycle + 1
    }
}

extension CalendarDate {
    /// The day before (31 December of the year before for 1 January); a date in year 1900's first
    /// day has no day before it that the type accepts and is its own answer.
    public var previousDay: CalendarDate {
        if day > 1 { return (try? CalendarDate(year: year, month: month, day: day - 1)) ?? self }
        if month > 1 { return (try? CalendarDate(year: year, month: month - 1, day: CalendarDate.daysIn(month: month - 1, year: year))) ?? self }
        return (try? CalendarDate(year: year - 1, month: 12, day: 31)) ?? self
    }
}
