/// What a `Range` header asks of a file of known length (RFC 9110 §14): the whole file, one
/// part of it, or nothing it can have. A phone seeking in a video sends `bytes=a-b`, `bytes=a-`
/// or `bytes=-n`.
public enum ByteRangeRequest: Equatable, Sendable {
    /// No header, or one this server does not honour (another unit, several ranges, a syntax
    /// error): RFC 9110 lets a server ignore such a header and send the whole file with 200.
    case whole
    /// Send `range` with 206 and `Content-Range: bytes lower-upper/length`.
    case partial(ClosedRange<Int>)
    /// Every range starts past the end (or the file is empty): 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    /// Headers longer than this are ignored rather than parsed.
    public static let maxHeaderLength = 200

    public static func parse(_ header: String?, length: Int) -> ByteRangeRequest {
        guard let header, header.utf8.count <= maxHeaderLength, length >= 0 else { return .whole }
        let trimmed = header.trimmingASCIIWhitespace()
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst("bytes=".count).trimmingASCIIWhitespace()
        // Several ranges would need a multipart/byteranges reply; players ask for one.
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingASCIIWhitespace()
        let last = spec[spec.index(after: dash)...].trimmingASCIIWhitespace()
        switch (first.isEmpty, last.isEmpty) {
        case (true, true):
            return .whole
        case (true, false):
            // A suffix: the last n bytes. Digits beyond Int's range mean "more than the file".
            guard let count = digits(last) else { return .whole }
            guard count > 0, length > 0 else { return .unsatisfiable }
            return .partial(max(0, length - count)...(length - 1))
        case (false, _):
            guard let lower = digits(first) else { return .whole }
            var upper = Int.max
            if !last.isEmpty {
                guard let value = digits(last) else { return .whole }
                upper = value
            }
            guard upper >= lower else { return .whole }
            guard lower < length else { return .unsatisfiable }
            return .partial(lower...min(upper, length - 1))
        }
    }

    /// ASCII digits as a number, saturating at `Int.max` (a too-large position is only "past the
    /// end", never an overflow); nil for anything else.
    static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        var value = 0
        for byte in text.utf8 {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return Int.max }
            value = sum
        }
        return value
    }
}

private extension StringProtocol {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let text = self[...]
        guard let start = text.firstIndex(where: { !isSpace($0) }), let end = text.lastIndex(where: { !isSpace($0) }) else {
            return Substring()
        }
        return Substring(text[start...end])
    }
}
