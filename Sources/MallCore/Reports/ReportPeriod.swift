import Foundation

/// The grain of a period comparison (纵向分析): a day, an ISO week (Monday to Sunday) or a month.
public enum PeriodGrain: String, Codable, Sendable, CaseIterable {
    case day, week, month
}

/// A period of whole shop days and the two it is compared with.
public struct ComparedPeriods: Hashable, Codable, Sendable {
    public let current: DayRange
    /// The period just before, of the same grain (yesterday, last week, last month).
    public let previous: DayRange
    /// The same days a year earlier (29 February falls back to the 28th).
    public let lastYear: DayRange
}

public enum ReportPeriods {
    /// The period of `grain` that holds `day`. A week or month that has not ended yet runs
    /// through `day` only when `toDate` is set, and the periods it is compared with are cut
    /// to as many days, so a half month is compared with the first half of the last one.
    public static func periods(containing day: CalendarDate, grain: PeriodGrain, toDate: Bool = false) -> ComparedPeriods? {
        let current: DayRange
        switch grain {
        case .day:
            current = DayRange(start: day, end: day)
        case .week:
            guard let monday = day.adding(days: 1 - day.weekday.rawValue), let sunday = monday.adding(days: 6) else { return nil }
            current = DayRange(start: monday, end: toDate ? day : sunday)
        case .month:
            let first = day.firstOfMonth
            guard let last = first.adding(days: first.daysInMonth - 1) else { return nil }
            current = DayRange(start: first, end: toDate ? day : last)
        }
        let length = current.dayCount
        let previousStart: CalendarDate?
        switch grain {
        case .day: previousStart = current.start.adding(days: -1)
        case .week: previousStart = current.start.adding(days: -7)
        case .month: previousStart = current.start.adding(months: -1)
        }
        guard let previousStart, let lastYearStart = current.start.adding(months: -12) else { return nil }
        return ComparedPeriods(current: current, previous: Self.range(from: previousStart, days: length, grain: grain),
                               lastYear: Self.range(from: lastYearStart, days: length, grain: grain))
    }

    /// The periods of `grain` from the one holding `from` through the one holding `to`, each with
    /// the two it is compared with (纵向分析 as a series). Whole weeks and months, so the first
    /// may begin before `from`; the last ends at `to` and is compared with as many days.
    public static func series(from: CalendarDate, to: CalendarDate, grain: PeriodGrain) -> [ComparedPeriods] {
        var series: [ComparedPeriods] = []
        var day = from
        while day <= to, let whole = periods(containing: day, grain: grain) {
            guard let periods = whole.current.end > to ? periods(containing: to, grain: grain, toDate: true) : whole else { break }
            series.append(periods)
            guard let next = whole.current.end.adding(days: 1) else { break }
            day = next
        }
        return series
    }

    /// `days` days from `start`, kept within `start`'s month for a month grain (February has
    /// fewer days than the March it is compared with).
    private static func range(from start: CalendarDate, days: Int, grain: PeriodGrain) -> DayRange {
        var end = start.adding(days: max(0, days - 1)) ?? start
        if grain == .month, let monthEnd = start.adding(days: start.daysInMonth - start.day), end > monthEnd { end = monthEnd }
        return DayRange(start: start, end: end)
    }
}

/// How a figure moved against a base: the difference and the change in basis points of the
/// base (nil when the base is zero: "new" rather than infinitely up).
public struct Change: Hashable, Codable, Sendable {
    public let difference: Int64
    public let basisPoints: Int?

    public init(current: Int64, base: Int64) {
        let (exact, overflow) = current.subtractingReportingOverflow(base)
        let difference = overflow ? (current > base ? Int64.max : Int64.min) : exact
        let rate = base == 0 ? nil : Ratio.basisPoints(Int64(clamping: difference.magnitude), of: Int64(clamping: base.magnitude))
        self.difference = difference
        basisPoints = rate.map { difference < 0 ? -$0 : $0 }
    }
}

extension SalesMeasure {
    /// How every measure both figures have moved, keyed by the measure's name.
    public static func changes(_ current: SalesFigures, against base: SalesFigures) -> [String: Change] {
        allCases.reduce(into: [String: Change]()) { changes, measure in
            guard let now = measure.value(of: current), let then = measure.value(of: base) else { return }
            changes[measure.rawValue] = Change(current: now, base: then)
        }
    }
}

/// Ratios as reports show them, in integers, rounded half up.
public enum Ratio {
    /// `part / whole` in basis points (1 = 0.01%); nil when `whole` is not positive.
    public static func basisPoints(_ part: Int64, of whole: Int64) -> Int? {
        guard whole > 0, part >= 0 else { return nil }
        return divideRounding(part, by: whole, scale: 10_000).map { Int(clamping: $0) }
    }

    /// `amount / count` rounded half up to whole fen; nil for no count.
    public static func average(_ amount: Int64, per count: Int64) -> Int64? {
        guard count > 0, let average = divideRounding(Int64(clamping: amount.magnitude), by: count, scale: 1) else { return nil }
        return amount < 0 ? -average : average
    }

    /// `value × scale / divisor`, rounded half up; `Int64.max` when it does not fit (a ratio
    /// of absurd figures is shown as absurd, never a trap).
    static func divideRounding(_ value: Int64, by divisor: Int64, scale: Int64) -> Int64? {
        guard divisor > 0, value >= 0, scale > 0 else { return nil }
        let (whole, rest) = value.quotientAndRemainder(dividingBy: divisor)
        let (wholeScaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return .max }
        // rest < divisor, so this quotient is below `scale` and cannot overflow.
        let wide = rest.multipliedFullWidth(by: scale)
        let (fraction, remainder) = divisor.dividingFullWidth((wide.high, wide.low))
        let roundUp: Int64 = remainder >= divisor - remainder ? 1 : 0
        let (sum, sumOverflow) = wholeScaled.addingReportingOverflow(fraction + roundUp)
        return sumOverflow ? .max : sum
    }
}
