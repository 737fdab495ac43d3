import Foundation

/// Whole-day arithmetic on calendar dates, in integers (no calendar object, no time zone): reports
/// are keyed by the shop's day, and comparing periods only ever moves by days, weeks and months.
extension CalendarDate {
    /// Days since 1970-01-01 (negative before), by Howard Hinnant's days-from-civil algorithm.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01; nil outside the years a `CalendarDate` allows.
    public init?(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard let date = try? CalendarDate(year: year, month: month, day: day) else { return nil }
        self = date
    }

    public func adding(days: Int) -> CalendarDate? {
        CalendarDate(dayNumber: dayNumber + days)
    }

    /// ISO weekday: Monday 1 … Sunday 7 (1970-01-01 was a Thursday).
    public var weekday: Weekday {
        let iso = ((dayNumber % 7 + 7) % 7 + 3) % 7 + 1
        return Weekday(rawValue: iso) ?? .monday
    }

    /// The same day `months` months later, or the month's last day when it is shorter
    /// (31 March − 1 month is 28 or 29 February).
    public func adding(months: Int) -> CalendarDate? {
        let index = year * 12 + (month - 1) + months
        let newYear = index >= 0 ? index / 12 : (index - 11) / 12
        let newMonth = index - newYear * 12 + 1
        guard (1_900...9_999).contains(newYear) else { return nil }
        return try? CalendarDate(year: newYear, month: newMonth, day: min(day, CalendarDate.daysIn(month: newMonth, year: newYear)))
    }

    public var firstOfMonth: CalendarDate {
        (try? CalendarDate(year: year, month: month, day: 1)) ?? self
    }

    public var daysInMonth: Int { CalendarDate.daysIn(month: month, year: year) }
}

/// Days from `start` through `end`, both included; empty when `end` is before `start`.
public struct DayRange: Hashable, Codable, Sendable {
    public let start: CalendarDate
    public let end: CalendarDate

    public init(start: CalendarDate, end: CalendarDate) {
        self.start = start
        self.end = end
    }

    public var dayCount: Int { max(0, end.dayNumber - start.dayNumber + 1) }

    public func contains(_ day: CalendarDate) -> Bool { start <= day && day <= end }

    public var days: [CalendarDate] {
        (0..<dayCount).compactMap { start.adding(days: $0) }
    }
}

extension LocalTime {
    /// The instant the shop day `day` begins in `timeZone` (reports select timestamped rows by
    /// shop days: from the start of the first day to the start of the day after the last).
    public static func start(of day: CalendarDate, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: day.year, month: day.month, day: day.day)
        // A zone whose midnight is skipped (a DST change at 00:00) has no such instant: the day
        // then begins at the first instant it has, which Foundation's start of day gives.
        return calendar.date(from: components).map { calendar.startOfDay(for: $0) }
            ?? Date(timeIntervalSince1970: TimeInterval(day.dayNumber) * 86_400 - TimeInterval(timeZone.secondsFromGMT()))
    }
}
