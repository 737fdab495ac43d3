/// How much of a QR Code may be damaged or covered and still be read (ISO/IEC 18004 §5.3.8).
/// Higher levels spend more of the symbol on Reed–Solomon codewords, so the same text needs a
/// larger version.
public enum QRErrorCorrection: String, CaseIterable, Codable, Hashable, Sendable {
    /// Recovers about 7 % of codewords.
    case low
    /// Recovers about 15 % of codewords; the usual choice for screens and receipts.
    case medium
    /// Recovers about 25 % of codewords.
    case quartile
    /// Recovers about 30 % of codewords; for labels that get scuffed or carry a logo.
    case high

    /// The two-bit indicator in the format information (Table 12): note the order is L=01,
    /// M=00, Q=11, H=10, not the order of strength.
    var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }

    /// Row index into the block tables in `QRVersion`.
    var tableIndex: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }
}
