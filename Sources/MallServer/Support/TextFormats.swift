import Foundation
import Vapor

/// JSON stored in text columns (audit before/after, order snapshots, results kept for
/// idempotent retries) is written one way everywhere: the API's encoder, UTF-8.
enum JSONText {
    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder.api.encode(value), as: UTF8.self)
    }

    /// Reads JSON the server stored itself; what this version cannot read (a row edited by
    /// hand, a backup from another version) fails the requests and jobs that touch that one row
    /// with `StoredDataError`, instead of trapping the process for everyone.
    static func decode<Value: Decodable>(_ type: Value.Type, from text: String, describing row: @autoclosure () -> String) throws -> Value {
        do {
            return try JSONDecoder.api.decode(type, from: Data(text.utf8))
        } catch {
            throw StoredDataError(row: row(), underlying: String(describing: error))
        }
    }
}

/// A stored row this version cannot read. The client gets a 500 with the request id; the log
/// names the row and what was wrong with it.
struct StoredDataError: ProblemConvertible, CustomStringConvertible {
    let row: String
    let underlying: String

    var status: HTTPResponseStatus { .internalServerError }
    var title: String { status.reasonPhrase }
    var detail: String? { "Stored data needed for this request cannot be read; the request id helps us find it." }
    var description: String { "unreadable stored data in \(row): \(underlying)" }
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
