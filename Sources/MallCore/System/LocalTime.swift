import Foundation

/// Converts an instant to the weekday and minute a store's opening hours are written in.
public enum LocalTime {
    public static func weekdayAndMinute(of instant: Date, in timeZone: TimeZone) -> (Weekday, ClockTime) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
        // Foundation numbers Sunday 1 ... Saturday 7; ISO numbers Monday 1 ... Sunday 7.
        let foundationWeekday = parts.weekday ?? 1
        let iso = foundationWeekday == 1 ? 7 : foundationWeekday - 1
        return (Weekday(rawValue: iso)!, ClockTime(minutes: (parts.hour ?? 0) * 60 + (parts.minute ?? 0)))
    }
}

extension LocalTime {
    public static func calendarDate(of instant: Date, in timeZone: TimeZone) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return (try? CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1))
            ?? (try! CalendarDate(year: 1970, month: 1, day: 1))
    }
}
