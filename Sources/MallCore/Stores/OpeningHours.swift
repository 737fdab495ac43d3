/// A minute of the day, 0 ..< 1440, written `HH:mm`. `24:00` is accepted as a closing time.
public struct ClockTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let minutes: Int

    public init(minutes: Int) { self.minutes = minutes }

    public init(parsing text: String, field: String, allowMidnightEnd: Bool = false) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...59).contains(m), (0...23).contains(h) || (allowMidnightEnd && h == 24 && m == 0)
        else { throw ValidationFailure(field: field, message: "must be a time written HH:mm (00:00–23:59)") }
        minutes = h * 60 + m
    }

    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minutes < b.minutes }

    public var description: String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + String(h) + ":" + (m < 10 ? "0" : "") + String(m)
    }
}

public enum Weekday: Int, Codable, Sendable, CaseIterable, Comparable {
    // ISO numbering: Monday is 1.
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    public var key: String {
        switch self {
        case .monday: "mon"
        case .tuesday: "tue"
        case .wednesday: "wed"
        case .thursday: "thu"
        case .friday: "fri"
        case .saturday: "sat"
        case .sunday: "sun"
        }
    }

    public init?(key: String) {
        guard let day = Weekday.allCases.first(where: { $0.key == key }) else { return nil }
        self = day
    }

    public var previous: Weekday { self == .monday ? .sunday : Weekday(rawValue: rawValue - 1)! }
    public var next: Weekday { self == .sunday ? .monday : Weekday(rawValue: rawValue + 1)! }

    public static func < (a: Weekday, b: Weekday) -> Bool { a.rawValue < b.rawValue }
}

/// One opening period that starts on a weekday. When `closes <= opens` the period runs past
/// midnight into the next day (a bar open 18:00–02:00 is open at 01:00 on the following day).
public struct OpeningPeriod: Hashable, Sendable, CustomStringConvertible {
    public let opens: ClockTime
    public let closes: ClockTime

    public init(opens: ClockTime, closes: ClockTime) {
        self.opens = opens
        self.closes = closes
    }

    /// Parses `09:00-21:30`; `00:00-24:00` means all day.
    public init(parsing text: String, field: String) throws {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 2 else {
            throw ValidationFailure(field: field, message: "must be a period written HH:mm-HH:mm")
        }
        let opens = try ClockTime(parsing: String(ends[0]).trimmingWhitespace(), field: field)
        let closes = try ClockTime(parsing: String(ends[1]).trimmingWhitespace(), field: field, allowMidnightEnd: true)
        guard opens != closes else {
            throw ValidationFailure(field: field, message: "must not open and close at the same time; use 00:00-24:00 for all day")
        }
        self.init(opens: opens, closes: closes)
    }

    public var isOvernight: Bool { closes <= opens }

    public var description: String { "\(opens)-\(closes)" }
}

/// A store's weekly opening hours in the shop's local time.
public struct WeeklyHours: Hashable, Sendable {
    public private(set) var periods: [Weekday: [OpeningPeriod]]

    public init(periods: [Weekday: [OpeningPeriod]]) throws {
        for (day, list) in periods {
            let field = "openingHours.\(day.key)"
            if list.count > 4 {
                throw ValidationFailure(field: field, message: "must have at most 4 periods")
            }
            let sorted = list.sorted { $0.opens < $1.opens }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.isOvernight || a.closes > b.opens {
                throw ValidationFailure(field: field, message: "periods \(a) and \(b) overlap")
            }
            if let overnight = sorted.last(where: \.isOvernight), sorted.last != overnight {
                throw ValidationFailure(field: field, message: "an overnight period must be the day's last")
            }
        }
        self.periods = periods.mapValues { $0.sorted { $0.opens < $1.opens } }
    }

    /// Parses `{"mon": ["09:00-21:00"], "fri": ["09:00-12:00", "13:00-02:00"]}`. A missing day is
    /// a closed day.
    public init(parsing text: [String: [String]], field: String = "openingHours") throws {
        var errors = FieldErrorCollector()
        var parsed: [Weekday: [OpeningPeriod]] = [:]
        for (key, list) in text {
            guard let day = Weekday(key: key) else {
                errors.add("\(field).\(key)", "is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
                continue
            }
            parsed[day] = list.compactMap { item in
                errors.collect { try OpeningPeriod(parsing: item, field: "\(field).\(key)") }
            }
        }
        try errors.throwIfAny()
        try self.init(periods: parsed)
    }

    public static let closed = try! WeeklyHours(periods: [:])

    public var textual: [String: [String]] {
        Dictionary(uniqueKeysWithValues: periods.compactMap { day, list in
            list.isEmpty ? nil : (day.key, list.map(\.description))
        })
    }

    /// Open at `minute` of `day` (local time)? Periods of the previous day that run past
    /// midnight count too.
    public func isOpen(on day: Weekday, at minute: ClockTime) -> Bool {
        for period in periods[day] ?? [] {
            if period.isOvernight {
                if minute >= period.opens { return true }
            } else if minute >= period.opens && minute < period.closes {
                return true
            }
        }
        for period in periods[day.previous] ?? [] where period.isOvernight && minute < period.closes {
            return true
        }
        return false
    }

    /// Minutes from the given local moment until the store next opens: 0 when open now, nil if
    /// it never opens within a week. Allocation uses this for "opens within the window".
    public func minutesUntilOpen(on day: Weekday, at minute: ClockTime) -> Int? {
        if isOpen(on: day, at: minute) { return 0 }
        var best: Int?
        var weekday = day
        for offsetDays in 0...7 {
            for period in periods[weekday] ?? [] {
                let delta = offsetDays * 1440 + period.opens.minutes - minute.minutes
                if delta > 0, best.map({ delta < $0 }) ?? true { best = delta }
            }
            if best != nil { return best }
            weekday = weekday.next
        }
        return best
    }
}
