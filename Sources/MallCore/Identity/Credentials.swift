/// A mainland China mobile number, stored as its 11 digits.
public struct MobileNumber: Hashable, Sendable, CustomStringConvertible {
    public let digits: String

    /// Accepts `13812345678`, `+86 138 1234 5678`, `0086-138-1234-5678`; rejects anything that is
    /// not 11 digits starting with 1 and a second digit 3–9 (the ranges carriers have issued).
    public init(parsing raw: String, field: String = "mobile") throws {
        var text = raw.filter { !$0.isWhitespace && $0 != "-" }
        if text.hasPrefix("+86") { text.removeFirst(3) } else if text.hasPrefix("0086") { text.removeFirst(4) }
        let ascii = text.unicodeScalars.allSatisfy { $0.value >= 48 && $0.value <= 57 }
        guard ascii, text.count == 11, text.first == "1",
              let second = text.dropFirst().first, ("3"..."9").contains(second)
        else {
            throw ValidationFailure(field: field, message: "must be a mainland China mobile number (11 digits starting 13–19)")
        }
        digits = text
    }

    public var description: String { digits }

    /// `138****5678`, for places where staff or logs need to recognise a number without reading it.
    public var masked: String { String(digits.prefix(3)) + "****" + String(digits.suffix(4)) }
}

/// An email address checked for the shape mail systems actually accept, lower-cased for lookups.
public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(parsing raw: String, field: String = "email") throws {
        let text = raw.trimmingWhitespace().lowercased()
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let failure = ValidationFailure(field: field, message: "must be an email address like name@example.com")
        guard text.count <= 254, parts.count == 2 else { throw failure }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.!#$%&'*+/=?^_`{|}~-")
        guard !local.isEmpty, local.count <= 64, local.allSatisfy({ localAllowed.contains($0) }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { throw failure }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }), let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter)
        else { throw failure }
        value = text
    }

    public var description: String { value }
}

/// The login identifier a member typed: we decide which kind it is so one field serves both.
public enum MemberLogin: Hashable, Sendable {
    case mobile(MobileNumber)
    case email(EmailAddress)

    public init(parsing raw: String, field: String = "login") throws {
        if raw.contains("@") {
            self = .email(try EmailAddress(parsing: raw, field: field))
        } else {
            do {
                self = .mobile(try MobileNumber(parsing: raw, field: field))
            } catch {
                throw ValidationFailure(field: field, message: "must be a mainland mobile number or an email address")
            }
        }
    }
}

public enum PasswordPolicy {
    public static let minimumLength = 8
    public static let maximumLength = 72 // bcrypt ignores bytes past 72

    /// At least 8 characters with a letter and a digit; at most 72 bytes because bcrypt would
    /// silently ignore the rest and a user would think the tail mattered.
    public static func check(_ password: String, field: String = "password") throws {
        if password.count < minimumLength {
            throw ValidationFailure(field: field, message: "must be at least \(minimumLength) characters")
        }
        if password.utf8.count > maximumLength {
            throw ValidationFailure(field: field, message: "must be at most \(maximumLength) bytes")
        }
        if !password.contains(where: \.isLetter) || !password.contains(where: \.isNumber) {
            throw ValidationFailure(field: field, message: "must contain at least one letter and one digit")
        }
    }
}

public enum Gender: String, Codable, Sendable, CaseIterable {
    case unspecified, female, male
}

/// A calendar date without a time zone (a birthday), written `YYYY-MM-DD`.
public struct CalendarDate: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) throws {
        guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(month: month, year: year), (1900...9999).contains(year) else {
            throw ValidationFailure(field: "date", message: "is not a real calendar date")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    public init(parsing text: String, field: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { throw ValidationFailure(field: field, message: "must be a date written YYYY-MM-DD") }
        do {
            try self.init(year: y, month: m, day: d)
        } catch {
            throw ValidationFailure(field: field, message: "is not a real calendar date")
        }
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text, field: decoder.codingPath.last?.stringValue ?? "date")
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
