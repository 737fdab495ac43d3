import Foundation

/// An HTTP entity tag (RFC 9110 §8.8.3): the opaque text between the quotes of an `ETag`.
public struct EntityTag: Hashable, Sendable {
    public let opaque: String

    public init(_ opaque: String) {
        self.opaque = opaque
    }

    /// The header value: the opaque text in quotes, a strong tag.
    public var headerValue: String { "\"\(opaque)\"" }

    /// Whether `If-None-Match` (every value the request sent) names this tag, so the client's
    /// copy is current. It holds `*` or a comma-separated list of tags, weak (`W/"…"`) or strong;
    /// the comparison is weak, as RFC 9110 §13.1.2 prescribes for this header.
    public func isMatched(byIfNoneMatch values: [String]) -> Bool {
        values.lazy.flatMap { $0.split(separator: ",") }.contains { raw in
            var tag = raw.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == headerValue
        }
    }
}
