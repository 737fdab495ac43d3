/// A list of words that shoppers' text may not contain (the `reviews.sensitiveWords` setting),
/// matched the way a reader would see them: regardless of letter case, of full-width versus
/// half-width forms (`ＶＸ` is `vx`, `１２３` is `123`, an ideographic space is a space), and
/// of invisible zero-width characters slipped between letters.
public struct SensitiveWords: Hashable, Sendable {
    /// The words as configured: trimmed, without empties or repeats, in their first order.
    public let words: [String]
    private let folded: [[Unicode.Scalar]]

    public init(_ words: [String]) {
        var kept: [String] = []
        var seen: Set<[Unicode.Scalar]> = []
        var folded: [[Unicode.Scalar]] = []
        for word in words {
            let trimmed = word.trimmingWhitespace()
            let key = Self.fold(trimmed)
            guard !key.isEmpty, seen.insert(key).inserted else { continue }
            kept.append(trimmed)
            folded.append(key)
        }
        self.words = kept
        self.folded = folded
    }

    /// The setting's text: words separated by commas — ASCII `,`, full-width `，`, or the
    /// enumeration comma `、` — or by line breaks.
    public init(setting: String) {
        self.init(setting.split(whereSeparator: { ",，、\n\r".contains($0) }).map(String.init))
    }

    public var isEmpty: Bool { words.isEmpty }

    /// The first configured word (in list order) that occurs in `text`, as it was configured.
    public func firstMatch(in text: String) -> String? {
        guard !folded.isEmpty else { return nil }
        let haystack = Self.fold(text)
        for (index, needle) in folded.enumerated() where Self.contains(haystack, needle) {
            return words[index]
        }
        return nil
    }

    /// Lower case, half-width, without zero-width characters, as Unicode scalars so a combining
    /// mark after a letter cannot hide it from the comparison.
    public static func fold(_ text: String) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E:
                // Full-width ASCII (Ｆ, ｆ, ０, ！…) sits exactly 0xFEE0 above the ASCII it copies.
                result.append(contentsOf: Unicode.Scalar(scalar.value - 0xFEE0).map { lower($0) } ?? [scalar])
            case 0x3000:
                result.append(" ")
            case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD:
                continue
            default:
                result.append(contentsOf: lower(scalar))
            }
        }
        return result
    }

    private static func lower(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        Array(scalar.properties.lowercaseMapping.unicodeScalars)
    }

    private static func contains(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        outer: for start in 0...(haystack.count - needle.count) {
            for offset in 0..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
            return true
        }
        return false
    }
}
