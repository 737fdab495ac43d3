/// A retail barcode printed on a product: EAN-13 (the 69x codes on Chinese goods), EAN-8 for
/// small packs, or UPC-A on North American imports, with its GS1 check digit verified.
///
/// Scanners and hand typing both produce the odd wrong digit; checking the mod-10 digit at
/// entry catches every single-digit slip and most swapped neighbours before they reach a till.
public struct Barcode: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The digits as printed, check digit included.
    public let digits: String
    public let kind: Kind

    public enum Kind: String, Codable, Sendable {
        case ean13, ean8, upcA

        /// The number of digits, check digit included.
        public var length: Int {
            switch self {
            case .ean13: 13
            case .ean8: 8
            case .upcA: 12
            }
        }
    }

    /// Accepts 8, 12 or 13 digits with surrounding whitespace; full-width digits (０–９) typed
    /// with a Chinese input method are read as ASCII digits. Throws `ValidationFailure` naming
    /// `field` when the text is not such a code or its check digit is wrong.
    public init(parsing raw: String, field: String = "barcode") throws {
        let text = raw.trimmingWhitespace()
        guard !text.isEmpty else {
            throw ValidationFailure(field: field, message: "must not be empty")
        }
        var digits = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19: digits.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            default: throw ValidationFailure(field: field, message: "must contain digits only")
            }
        }
        let kind: Kind
        switch digits.count {
        case 13: kind = .ean13
        case 12: kind = .upcA
        case 8: kind = .ean8
        default:
            throw ValidationFailure(field: field, message: "must be 8, 12 or 13 digits (EAN-8, UPC-A or EAN-13), not \(digits.count)")
        }
        let expected = Self.checkDigit(for: String(digits.dropLast()))!
        guard Int(String(digits.last!)) == expected else {
            throw ValidationFailure(field: field, message: "has a wrong check digit; expected \(expected)")
        }
        self.digits = digits
        self.kind = kind
    }

    /// The GS1 mod-10 check digit for `payload` (the code without its check digit): weights 3
    /// and 1 alternate from the rightmost digit. The same rule serves every GS1 length, so any
    /// non-empty run of ASCII digits gets an answer; anything else gets nil.
    public static func checkDigit(for payload: String) -> Int? {
        guard !payload.isEmpty else { return nil }
        var sum = 0
        for (position, scalar) in payload.unicodeScalars.reversed().enumerated() {
            guard (0x30...0x39).contains(scalar.value) else { return nil }
            let digit = Int(scalar.value - 0x30)
            sum += position.isMultiple(of: 2) ? digit * 3 : digit
        }
        return (10 - sum % 10) % 10
    }

    /// The code as a 14-digit GTIN. A UPC-A code and the EAN-13 made by prefixing it with 0 are
    /// the same product, so uniqueness checks should compare this, not `digits`.
    public var gtin14: String {
        String(repeating: "0", count: 14 - digits.count) + digits
    }

    public var description: String { digits }

    /// Encoded as the bare digit string; decoding checks it again, so a stored bad code fails loudly.
    public init(from decoder: Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(digits)
    }
}
