import Foundation

/// JSON stored in text columns (audit before/after, order snapshots, results kept for
/// idempotent retries) is written one way everywhere: the API's encoder, UTF-8.
enum JSONText {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder.api.encode(value), as: UTF8.self)
    }
}

/// Dates in document numbers (orders, transfers, backups) are UTC, so two instances in
/// different time zones never disagree about a number's date part.
enum UTCStamp {
    static func string(_ date: Date, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}
