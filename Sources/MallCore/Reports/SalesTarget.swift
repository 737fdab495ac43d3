import Foundation

/// A store's month against its sales target (门店销售目标): attainment so far and where the
/// month is heading.
public struct TargetProgress: Hashable, Codable, Sendable {
    public let targetFen: Int64
    public let actualFen: Int64
    public let attainmentBasisPoints: Int?
    /// Net sales expected by the month's end: what is in, plus the rest of the month at the
    /// pace of the days so far, each remaining day weighted by how its weekday sells.
    public let forecastFen: Int64
    public let forecastAttainmentBasisPoints: Int?
    public let daysElapsed: Int
    public let daysInMonth: Int
}

public enum SalesTargets {
    /// `daily` holds the month's net sales per day so far (missing days sold nothing);
    /// `today` is the shop's current day. Days up to yesterday count as elapsed; today is still
    /// selling, so its sales count in the actual but the pace is taken from whole days (on the
    /// first of the month, from today's sales so far as if the day were whole).
    /// `weekdayWeights` (from earlier weeks: how much a Saturday sells against the average day)
    /// shapes the remaining days; without it every day weighs the same.
    public static func progress(month: CalendarDate, targetFen: Int64, daily: [CalendarDate: Int64], today: CalendarDate,
                                weekdayWeights: [Weekday: Double] = [:]) -> TargetProgress {
        let first = month.firstOfMonth
        let length = first.daysInMonth
        let monthDays = (0..<length).compactMap { first.adding(days: $0) }
        let inMonth = monthDays.filter { daily[$0] != nil }
        let actual = inMonth.reduce(Int64(0)) { total, day in total.addingReportingOverflow(daily[day] ?? 0).partialValue }
        let elapsedDays: [CalendarDate]
        let remainingDays: [CalendarDate]
        if today < first {
            elapsedDays = []
            remainingDays = monthDays
        } else if today > monthDays.last ?? first {
            elapsedDays = monthDays
            remainingDays = []
        } else {
            elapsedDays = monthDays.filter { $0 < today }
            remainingDays = monthDays.filter { $0 > today }
        }
        func weight(_ day: CalendarDate) -> Double {
            let value = weekdayWeights[day.weekday] ?? 1
            return value.isFinite && value > 0 ? value : 1
        }
        // The pace: sales per unit of weight over the whole days so far.
        let paceDays = elapsedDays.isEmpty && first <= today && today <= (monthDays.last ?? first) ? [today] : elapsedDays
        let paceWeight = paceDays.reduce(0.0) { $0 + weight($1) }
        let paceSales = paceDays.reduce(0.0) { $0 + Double(daily[$1] ?? 0) }
        let pace = paceWeight > 0 ? paceSales / paceWeight : 0
        // Today's rest is expected too, less what today already sold (never below nothing).
        var expected = remainingDays.reduce(0.0) { $0 + pace * weight($1) }
        if !elapsedDays.isEmpty, first <= today, today <= (monthDays.last ?? first) {
            expected += max(0, pace * weight(today) - Double(daily[today] ?? 0))
        }
        let forecast = actual.addingReportingOverflow(Int64(clamping: Int64(exactly: expected.rounded()) ?? (expected > 0 ? .max : 0))).partialValue
        return TargetProgress(targetFen: targetFen, actualFen: actual,
                              attainmentBasisPoints: Ratio.basisPoints(max(0, actual), of: targetFen),
                              forecastFen: forecast, forecastAttainmentBasisPoints: Ratio.basisPoints(max(0, forecast), of: targetFen),
                              daysElapsed: elapsedDays.count, daysInMonth: length)
    }

    /// How each weekday sells against the average day, from daily net sales of earlier weeks
    /// (days without sales count as zero only when they are in `days`).
    public static func weekdayWeights(days: [CalendarDate], sales: [CalendarDate: Int64]) -> [Weekday: Double] {
        guard !days.isEmpty else { return [:] }
        var totals: [Weekday: Double] = [:]
        var counts: [Weekday: Int] = [:]
        for day in days {
            totals[day.weekday, default: 0] += Double(sales[day] ?? 0)
            counts[day.weekday, default: 0] += 1
        }
        let averages = totals.compactMapValues { $0 }.reduce(into: [Weekday: Double]()) { result, entry in
            result[entry.key] = entry.value / Double(max(1, counts[entry.key] ?? 1))
        }
        let overall = averages.values.reduce(0, +) / Double(max(1, averages.count))
        guard overall > 0 else { return [:] }
        return averages.mapValues { $0 / overall }
    }
}
