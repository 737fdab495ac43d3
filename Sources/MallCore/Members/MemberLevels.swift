import Foundation

/// What a member did inside the level window: the goods they paid for in completed orders (after
/// refunds), how many of those orders kept any paid goods, and the points they earned (less
/// points clawed back).
public struct LevelStats: Codable, Hashable, Sendable {
    public var spendFen: Int64
    public var completedOrders: Int
    public var pointsEarned: Int64

    public init(spendFen: Int64, completedOrders: Int, pointsEarned: Int64) {
        self.spendFen = spendFen
        self.completedOrders = completedOrders
        self.pointsEarned = pointsEarned
    }

    public static let zero = LevelStats(spendFen: 0, completedOrders: 0, pointsEarned: 0)
}

/// One kind of upgrade condition.
public enum LevelCondition: String, Codable, Sendable, CaseIterable {
    /// Goods paid for in completed orders, in fen.
    case spend
    /// Completed orders.
    case orders
    /// Points earned.
    case points
}

/// How far a member is on one condition of a level.
public struct LevelProgress: Codable, Hashable, Sendable {
    public var condition: LevelCondition
    public var current: Int64
    public var required: Int64
    /// What is still missing; 0 once met.
    public var remaining: Int64
    public var met: Bool

    public init(condition: LevelCondition, current: Int64, required: Int64) {
        self.condition = condition
        self.current = current
        self.required = required
        remaining = current >= required ? 0 : required - current
        met = current >= required
    }
}

/// What reaching a level takes, judged on the stats of the rolling window. A condition left nil
/// is not one; a level with no conditions at all is every member's (the entry level).
public struct LevelConditions: Codable, Hashable, Sendable {
    public var minimumSpendFen: Int64?
    public var minimumOrders: Int?
    public var minimumPointsEarned: Int64?
    /// true: every condition given must be met; false: any one of them is enough.
    public var matchAll: Bool

    public init(minimumSpendFen: Int64? = nil, minimumOrders: Int? = nil, minimumPointsEarned: Int64? = nil, matchAll: Bool = false) {
        self.minimumSpendFen = minimumSpendFen
        self.minimumOrders = minimumOrders
        self.minimumPointsEarned = minimumPointsEarned
        self.matchAll = matchAll
    }

    public static let none = LevelConditions()

    private enum CodingKeys: String, CodingKey {
        case minimumSpendFen, minimumOrders, minimumPointsEarned, matchAll
    }

    /// `matchAll` may be left out (any one condition is enough).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        minimumSpendFen = try container.decodeIfPresent(Int64.self, forKey: .minimumSpendFen)
        minimumOrders = try container.decodeIfPresent(Int.self, forKey: .minimumOrders)
        minimumPointsEarned = try container.decodeIfPresent(Int64.self, forKey: .minimumPointsEarned)
        matchAll = try container.decodeIfPresent(Bool.self, forKey: .matchAll) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(minimumSpendFen, forKey: .minimumSpendFen)
        try container.encode(minimumOrders, forKey: .minimumOrders)
        try container.encode(minimumPointsEarned, forKey: .minimumPointsEarned)
        try container.encode(matchAll, forKey: .matchAll)
    }

    /// No condition: every member qualifies.
    public var isEmpty: Bool { minimumSpendFen == nil && minimumOrders == nil && minimumPointsEarned == nil }

    /// Each condition given, with where `stats` stand against it, in the order spend, orders, points.
    public func progress(_ stats: LevelStats) -> [LevelProgress] {
        var items: [LevelProgress] = []
        if let spend = minimumSpendFen { items.append(LevelProgress(condition: .spend, current: stats.spendFen, required: spend)) }
        if let orders = minimumOrders {
            items.append(LevelProgress(condition: .orders, current: Int64(stats.completedOrders), required: Int64(orders)))
        }
        if let points = minimumPointsEarned { items.append(LevelProgress(condition: .points, current: stats.pointsEarned, required: points)) }
        return items
    }

    public func isMet(by stats: LevelStats) -> Bool {
        let items = progress(stats)
        guard !items.isEmpty else { return true }
        return matchAll ? items.allSatisfy(\.met) : items.contains(where: \.met)
    }
}

/// What a level gives, as data: staff change it without a release.
public struct LevelRights: Codable, Hashable, Sendable {
    /// Taken off the goods at checkout on top of level prices, in basis points (500 = 5% off,
    /// i.e. 95折). At most `LevelRules.maximumDiscountBasisPoints`.
    public var discountBasisPoints: Int
    /// Points earned by completed orders are multiplied by this (10000 = ×1, 15000 = ×1.5).
    public var pointsMultiplierBasisPoints: Int
    /// Delivery is free when a shop's goods reach this (when it is lower than the shop's own
    /// threshold, or the shop has none); nil: the shop's rule alone.
    public var freeShippingThresholdFen: Int64?
    /// A head start on flash sales, in minutes (used by the marketing features).
    public var priorityMinutes: Int
    /// Points given once a year on the member's birthday.
    public var birthdayPoints: Int64
    /// A coupon given on the birthday once coupons exist (the marketing features); kept as data now.
    public var birthdayCouponId: UUID?
    /// A dedicated customer-service line.
    public var exclusiveService: Bool

    public init(discountBasisPoints: Int = 0, pointsMultiplierBasisPoints: Int = 10_000, freeShippingThresholdFen: Int64? = nil,
                priorityMinutes: Int = 0, birthdayPoints: Int64 = 0, birthdayCouponId: UUID? = nil, exclusiveService: Bool = false) {
        self.discountBasisPoints = discountBasisPoints
        self.pointsMultiplierBasisPoints = pointsMultiplierBasisPoints
        self.freeShippingThresholdFen = freeShippingThresholdFen
        self.priorityMinutes = priorityMinutes
        self.birthdayPoints = birthdayPoints
        self.birthdayCouponId = birthdayCouponId
        self.exclusiveService = exclusiveService
    }

    /// A member without a level: no discount, points ×1.
    public static let none = LevelRights()

    private enum CodingKeys: String, CodingKey {
        case discountBasisPoints, pointsMultiplierBasisPoints, freeShippingThresholdFen, priorityMinutes, birthdayPoints, birthdayCouponId,
             exclusiveService
    }

    /// Rights left out take the defaults of `none`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        discountBasisPoints = try container.decodeIfPresent(Int.self, forKey: .discountBasisPoints) ?? 0
        pointsMultiplierBasisPoints = try container.decodeIfPresent(Int.self, forKey: .pointsMultiplierBasisPoints) ?? 10_000
        freeShippingThresholdFen = try container.decodeIfPresent(Int64.self, forKey: .freeShippingThresholdFen)
        priorityMinutes = try container.decodeIfPresent(Int.self, forKey: .priorityMinutes) ?? 0
        birthdayPoints = try container.decodeIfPresent(Int64.self, forKey: .birthdayPoints) ?? 0
        birthdayCouponId = try container.decodeIfPresent(UUID.self, forKey: .birthdayCouponId)
        exclusiveService = try container.decodeIfPresent(Bool.self, forKey: .exclusiveService) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(discountBasisPoints, forKey: .discountBasisPoints)
        try container.encode(pointsMultiplierBasisPoints, forKey: .pointsMultiplierBasisPoints)
        try container.encode(freeShippingThresholdFen, forKey: .freeShippingThresholdFen)
        try container.encode(priorityMinutes, forKey: .priorityMinutes)
        try container.encode(birthdayPoints, forKey: .birthdayPoints)
        try container.encode(birthdayCouponId, forKey: .birthdayCouponId)
        try container.encode(exclusiveService, forKey: .exclusiveService)
    }
}

/// The ranges staff may set levels within, checked where levels are written and stated in
/// `openapi.yaml`.
public enum LevelRules {
    public static let rank = 1...99
    public static let orders = 0...1_000_000
    public static let pointsEarned: ClosedRange<Int64> = 0...1_000_000_000
    /// At most half off: a level is a loyalty reward, not a price list.
    public static let discountBasisPoints = 0...5_000
    /// ×0 (no points) to ×10.
    public static let pointsMultiplierBasisPoints = 0...100_000
    public static let freeShippingThresholdFen: ClosedRange<Int64> = 0...100_000_000
    public static let priorityMinutes = 0...1_440
    public static let birthdayPoints: ClosedRange<Int64> = 0...1_000_000

    /// Checks everything a level definition holds, collecting every problem. `code` must be
    /// 1–20 lower-case letters, digits, '-' or '_' (the code SKU level prices use).
    public static func check(code: String, name: String, rank: Int, conditions: LevelConditions, rights: LevelRights,
                             into errors: inout FieldErrorCollector) {
        if !isWellFormedCode(code) { errors.add("code", "must be 1–20 letters, digits, '-' or '_' (the code used in level prices)") }
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.count > 20 { errors.add("name", "must be 1–20 characters") }
        errors.range(rank, Self.rank, "rank")
        if let spend = conditions.minimumSpendFen { errors.range(spend, InputLimits.priceFen, "conditions.minimumSpendFen") }
        if let orders = conditions.minimumOrders { errors.range(orders, Self.orders, "conditions.minimumOrders") }
        if let points = conditions.minimumPointsEarned { errors.range(points, Self.pointsEarned, "conditions.minimumPointsEarned") }
        errors.range(rights.discountBasisPoints, Self.discountBasisPoints, "rights.discountBasisPoints")
        errors.range(rights.pointsMultiplierBasisPoints, Self.pointsMultiplierBasisPoints, "rights.pointsMultiplierBasisPoints")
        if let threshold = rights.freeShippingThresholdFen {
            errors.range(threshold, Self.freeShippingThresholdFen, "rights.freeShippingThresholdFen")
        }
        errors.range(rights.priorityMinutes, Self.priorityMinutes, "rights.priorityMinutes")
        errors.range(rights.birthdayPoints, Self.birthdayPoints, "rights.birthdayPoints")
    }

    public static func isWellFormedCode(_ code: String) -> Bool {
        (1...20).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// A discount as shoppers in China read it: 500 basis points off → "95折", 1000 → "9折",
    /// 1200 → "88折", 450 → "95.5折".
    public static func fold(discountBasisPoints: Int) -> String {
        let paid = 10_000 - min(max(discountBasisPoints, 0), 10_000)
        if paid % 1_000 == 0 { return "\(paid / 1_000)折" }
        if paid % 100 == 0 { return "\(paid / 100)折" }
        let tenths = paid % 100 / 10, hundredths = paid % 10
        return hundredths == 0 ? "\(paid / 100).\(tenths)折" : "\(paid / 100).\(tenths)\(hundredths)折"
    }
}

/// A level as the evaluator sees it: its code, its place in the ladder and what it takes.
public struct LevelRule: Hashable, Sendable {
    public var code: String
    /// Higher is better; unique among levels.
    public var rank: Int
    public var conditions: LevelConditions

    public init(code: String, rank: Int, conditions: LevelConditions) {
        self.code = code
        self.rank = rank
        self.conditions = conditions
    }
}

/// The shop's settings for levels.
public struct LevelPolicy: Hashable, Sendable {
    /// Days of activity levels are judged on.
    public var windowDays: Int
    /// Whether members who no longer meet their level move down at all.
    public var downgrades: Bool
    /// Days a member keeps a level after falling below it.
    public var graceDays: Int

    public init(windowDays: Int, downgrades: Bool, graceDays: Int) {
        self.windowDays = windowDays
        self.downgrades = downgrades
        self.graceDays = graceDays
    }
}

/// Where a member stands: the level held and since when they no longer meet it (if so).
public struct LevelStanding: Hashable, Sendable {
    /// The level code held; nil for none. A code no level has (a level price code set by hand
    /// before levels were defined) counts as no level.
    public var code: String?
    public var belowSince: Date?

    public init(code: String?, belowSince: Date? = nil) {
        self.code = code
        self.belowSince = belowSince
    }
}

/// The evaluator's verdict.
public struct LevelEvaluation: Hashable, Sendable {
    public enum Change: String, Hashable, Sendable {
        case upgrade, downgrade
    }

    /// The level to hold from now on.
    public var code: String?
    /// How `code` differs from the level held; nil when it is the same.
    public var change: Change?
    /// The highest level the stats qualify for.
    public var qualified: String?
    /// Since when the member has been below the level they hold (nil: they meet it, or
    /// downgrades are off).
    public var belowSince: Date?
    /// When they move down unless they qualify again first (nil: nothing pending).
    public var downgradeAt: Date?
}

/// Decides a member's level from the stats of the rolling window. Pure: the same rules,
/// standing, stats, policy and moment always give the same verdict.
///
/// - **Upgrade** at once to the highest level whose conditions the stats meet.
/// - **Downgrade** only when the policy allows it, and only after the member has stayed below
///   the level they hold for the grace period; they then move to the highest level they do meet
///   (which may be several steps down). Meeting the level again in between clears the clock.
/// - A level code no rule has is treated as no level: the member gets what they qualify for.
public enum LevelEvaluator {
    /// Rules from the lowest rank up; equal ranks (which level validation forbids) by code, so
    /// the order is total.
    public static func ladder(_ rules: [LevelRule]) -> [LevelRule] {
        rules.sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.code < $1.code }
    }

    /// The highest level `stats` meet, or nil when they meet none.
    public static func qualified(_ rules: [LevelRule], stats: LevelStats) -> LevelRule? {
        ladder(rules).last { $0.conditions.isMet(by: stats) }
    }

    /// The first level above `code` (above nothing: the lowest level).
    public static func next(above code: String?, in rules: [LevelRule]) -> LevelRule? {
        let ladder = ladder(rules)
        guard let code, let current = ladder.firstIndex(where: { $0.code == code }) else { return ladder.first }
        return current + 1 < ladder.count ? ladder[current + 1] : nil
    }

    public static func evaluate(_ rules: [LevelRule], standing: LevelStanding, stats: LevelStats, policy: LevelPolicy,
                                now: Date) -> LevelEvaluation {
        let target = qualified(rules, stats: stats)
        let held = standing.code.flatMap { code in rules.first { $0.code == code } }
        var verdict = LevelEvaluation(code: standing.code, change: nil, qualified: target?.code, belowSince: nil, downgradeAt: nil)

        guard let held else {
            // No level, or one nobody defines: take what the stats earn, nothing to protect.
            verdict.code = target?.code
            if target?.code != standing.code {
                verdict.change = target == nil ? .downgrade : .upgrade
            }
            return verdict
        }
        if let target, target.rank >= held.rank {
            // Meets (or beats) the level held: upgrade now, or stay with the clock cleared.
            verdict.code = target.code
            verdict.change = target.rank > held.rank ? .upgrade : nil
            return verdict
        }
        // Below the level held.
        guard policy.downgrades else { return verdict }
        let since = standing.belowSince.map { min($0, now) } ?? now
        let due = since.addingTimeInterval(TimeInterval(max(0, policy.graceDays)) * 86_400)
        guard now >= due else {
            verdict.belowSince = since
            verdict.downgradeAt = due
            return verdict
        }
        verdict.code = target?.code
        verdict.change = .downgrade
        return verdict
    }
}

/// One thing that counts towards a level.
public enum LevelActivity: Hashable, Sendable {
    /// An order completed at this moment whose paid goods came to `spendFen` after refunds; one
    /// with nothing left paid for does not count as an order.
    case order(completedAt: Date, spendFen: Int64)
    /// Points earned (positive) or clawed back (negative) at this moment.
    case points(at: Date, points: Int64)
}

/// The rolling window: the `days` days up to and including `now` (`now - days` excluded), so an
/// activity counts for exactly `days × 24` hours after it happened.
public enum LevelWindow {
    public static func start(endingAt now: Date, days: Int) -> Date {
        now.addingTimeInterval(-TimeInterval(max(0, days)) * 86_400)
    }

    public static func contains(_ date: Date, endingAt now: Date, days: Int) -> Bool {
        date > start(endingAt: now, days: days) && date <= now
    }

    /// Sums the activities inside the window. Sums saturate instead of overflowing, and points
    /// clawed back for earnings from before the window never take the total below zero.
    public static func stats(_ activities: [LevelActivity], endingAt now: Date, days: Int) -> LevelStats {
        var stats = LevelStats.zero
        for activity in activities {
            switch activity {
            case .order(let at, let spend):
                guard contains(at, endingAt: now, days: days) else { continue }
                stats.spendFen = saturatingAdd(stats.spendFen, max(0, spend))
                if spend > 0 { stats.completedOrders = stats.completedOrders == .max ? .max : stats.completedOrders + 1 }
            case .points(let at, let points):
                guard contains(at, endingAt: now, days: days) else { continue }
                stats.pointsEarned = saturatingAdd(stats.pointsEarned, points)
            }
        }
        stats.pointsEarned = max(0, stats.pointsEarned)
        return stats
    }

    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }
}

/// The yearly birthday gift: due on the member's birthday in the shop's calendar (28 February
/// in years without a 29th for those born on the 29th). A job that did not run on the day
/// catches up for `catchUpDays` days; the year of the birthday keys the gift, so it is given
/// once per year however often the job runs.
public enum BirthdayGift {
    /// The birthdays ("MM-dd") due on each of the days from `today - catchUpDays` to `today`,
    /// with the year of that day.
    public static func dueDays(today: CalendarDate, catchUpDays: Int) -> [(monthDay: String, year: Int)] {
        var result: [(String, Int)] = []
        var day = today
        for _ in 0...max(0, catchUpDays) {
            result.append((monthDay(day.month, day.day), day.year))
            if day.month == 2, day.day == 28, CalendarDate.daysIn(month: 2, year: day.year) == 28 {
                result.append((monthDay(2, 29), day.year))
            }
            day = day.previousDay
        }
        return result
    }

    /// The year whose gift is due at `today` for someone born on `birthday`, or nil.
    public static func dueYear(birthday: CalendarDate, today: CalendarDate, catchUpDays: Int) -> Int? {
        let key = monthDay(birthday.month, birthday.day)
        return dueDays(today: today, catchUpDays: catchUpDays).first { $0.monthDay == key }?.year
    }

    static func monthDay(_ month: Int, _ day: Int) -> String {
        (month < 10 ? "0\(month)" : "\(month)") + "-" + (day < 10 ? "0\(day)" : "\(day)")
    }
}

/// Points that paid for goods at checkout, per line, and what goes back when goods do.
public enum CheckoutPoints {
    /// Splits the points a checkout used over its lines in proportion to each line's share of
    /// the points deduction (the engine's fen-exact allocation), so the parts sum to `points`
    /// exactly and a line with no deduction gets none.
    public static func split(_ points: Int64, overDeductionFen deductions: [Int64]) -> [Int64] {
        guard points > 0, !deductions.isEmpty, deductions.allSatisfy({ $0 >= 0 }) else { return deductions.map { _ in 0 } }
        // Nothing to be proportional to (a deduction of zero cannot use points): nothing to split.
        guard deductions.contains(where: { $0 > 0 }) else { return deductions.map { _ in 0 } }
        return ProportionalAllocation.allocate(total: points, weights: deductions)
    }

    /// The points that `units` more returned units of a line give back, when `earlierUnits`
    /// already came back: the difference of cumulative shares rounded down, so however the
    /// line comes back the returns add up to exactly the points it used, never a point more.
    public static func returned(pointsSpent: Int64, lineQuantity: Int, earlierUnits: Int, units: Int) -> Int64 {
        guard pointsSpent > 0, lineQuantity > 0, units > 0, earlierUnits >= 0 else { return 0 }
        let before = min(earlierUnits, lineQuantity), after = min(earlierUnits + units, lineQuantity)
        func share(_ count: Int) -> Int64 {
            guard count < lineQuantity else { return pointsSpent }
            let product = pointsSpent.multipliedFullWidth(by: Int64(count))
            return Int64(lineQuantity).dividingFullWidth(product).quotient
        }
        return share(after) - share(before)
    }

    /// `points × part / whole` rounded down (a partial refund gives back that share of the
    /// points); all of them when `part >= whole`, none for nothing.
    public static func proportion(_ points: Int64, part: Int64, whole: Int64) -> Int64 {
        guard points > 0, part > 0, whole > 0 else { return 0 }
        guard part < whole else { return points }
        let product = points.multipliedFullWidth(by: part)
        return whole.dividingFullWidth(product).quotient
    }
}
