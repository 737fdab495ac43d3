/// The encoding modes this encoder chooses between for a whole text (ISO/IEC 18004 §7.4).
/// Mixed-mode segmentation is not attempted: the texts we encode are short, and one mode
/// for the whole text keeps every scanner happy.
enum QRMode: Hashable, Sendable {
    /// Digits 0–9, packed three to 10 bits.
    case numeric
    /// Digits, upper-case A–Z and space $ % * + - . / :, packed two to 11 bits.
    case alphanumeric
    /// Any bytes; we always send UTF-8, announced with an ECI header when it is not ASCII.
    case byte

    static let alphanumericCharset = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// The narrowest mode that holds every character of the text.
    static func narrowest(for bytes: [UInt8]) -> QRMode {
        if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return .numeric }
        if bytes.allSatisfy({ alphanumericCharset.contains($0) }) { return .alphanumeric }
        return .byte
    }

    /// The four-bit mode indicator (Table 2).
    var indicator: Int {
        switch self {
        case .numeric: 0b0001
        case .alphanumeric: 0b0010
        case .byte: 0b0100
        }
    }

    /// Width of the character count indicator, which grows at versions 10 and 27 (Table 3).
    func characterCountBits(version: Int) -> Int {
        let column = version <= 9 ? 0 : version <= 26 ? 1 : 2
        switch self {
        case .numeric: return [10, 12, 14][column]
        case .alphanumeric: return [9, 11, 13][column]
        case .byte: return [8, 16, 16][column]
        }
    }

    /// Bits taken by the characters themselves, without mode and count indicators.
    func payloadBits(characterCount count: Int) -> Int {
        switch self {
        case .numeric: count / 3 * 10 + [0, 4, 7][count % 3]
        case .alphanumeric: count / 2 * 11 + (count % 2) * 6
        case .byte: count * 8
        }
    }
}
