/// The 6-digit code a shopper shows at the counter. Generating it needs a random number
/// generator, so the server does that; checking it is pure and lives here.
public enum PickupCode {
    public static let length = 6

    /// Exactly six ASCII digits (not other scripts' digits, which `Character.isNumber` accepts).
    public static func isWellFormed(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        return bytes.count == length && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// Compares what the clerk typed (surrounding spaces ignored) with the stored code. The
    /// comparison touches every byte whatever the first mismatch, so response timing does not
    /// reveal how many leading digits were right.
    public static func verify(entered: String, expected: String) -> Bool {
        let typed = entered.trimmingWhitespace()
        guard isWellFormed(typed), isWellFormed(expected) else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(typed.utf8, expected.utf8) { difference |= a ^ b }
        return difference == 0
    }
}
