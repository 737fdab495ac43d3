/// A QR Code symbol (ISO/IEC 18004:2015, Model 2), built from scratch because no QR package is
/// available to the project: self-pickup codes are rendered with it as SVG on pages and as PNG
/// for counter scanners.
///
/// `encode` picks the narrowest mode that holds the whole text (numeric, alphanumeric, or
/// UTF-8 bytes), the smallest version (1–40) with room for it at the requested error
/// correction level, and the data mask (0–7) with the lowest penalty score.
public struct QRCode: Hashable, Sendable {
    /// Symbol version, 1–40; the symbol is `4 × version + 17` modules wide.
    public let version: Int
    /// The level the symbol was encoded at, as requested.
    public let errorCorrection: QRErrorCorrection
    /// The data mask pattern that was chosen, 0–7.
    public let mask: Int
    /// Modules per side, without the quiet zone.
    public let size: Int
    private let modules: [Bool]

    /// Encodes text into the smallest QR Code that holds it.
    ///
    /// Text that is not pure ASCII is preceded by an ECI header declaring UTF-8, so readers do
    /// not have to guess the character set.
    ///
    /// - Throws: `ValidationFailure` on field `text` when the text is empty or longer than a
    ///   version 40 symbol holds at this level (2,953 bytes of ASCII at `.low`, 2,331 at
    ///   `.medium`; 7,089 digits at `.low`).
    public static func encode(_ text: String, errorCorrection: QRErrorCorrection = .medium) throws -> QRCode {
        try encode(text, errorCorrection: errorCorrection, forcingMask: nil)
    }

    /// `encode` with the mask fixed instead of chosen by penalty, so tests can check that each
    /// of the eight masks yields a readable symbol.
    static func encode(_ text: String, errorCorrection: QRErrorCorrection, forcingMask forcedMask: Int?) throws -> QRCode {
        precondition(forcedMask.map { (0..<8).contains($0) } ?? true, "QR masks are numbered 0–7")
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else {
            throw ValidationFailure(field: "text", message: "must not be empty")
        }
        guard let plan = QRDataEncoder.plan(for: bytes, errorCorrection: errorCorrection) else {
            let limit = QRDataEncoder.maximumLength(like: bytes, errorCorrection: errorCorrection)
            throw ValidationFailure(field: "text", message: "is too long for a QR code: \(bytes.count) bytes where at most \(limit) fit at \(errorCorrection.rawValue) error correction")
        }
        let data = QRDataEncoder.dataCodewords(for: bytes, plan: plan, errorCorrection: errorCorrection)
        let codewords = QRDataEncoder.interleave(data, version: plan.version, errorCorrection: errorCorrection)

        var matrix = QRMatrix(version: plan.version)
        matrix.placeCodewords(codewords)

        // Score every mask with its real format information in place, since the format modules
        // count towards the penalty too; `min` keeps the first of equal scores.
        func penalty(withMask mask: Int) -> Int {
            var trial = matrix
            trial.applyMask(mask)
            trial.drawFormatBits(QRMatrix.formatBits(errorCorrection: errorCorrection, mask: mask))
            return trial.penalty
        }
        let mask = forcedMask ?? (0..<8).map { ($0, penalty(withMask: $0)) }.min { $0.1 < $1.1 }!.0
        matrix.applyMask(mask)
        matrix.drawFormatBits(QRMatrix.formatBits(errorCorrection: errorCorrection, mask: mask))

        return QRCode(version: plan.version.number, errorCorrection: errorCorrection, mask: mask, size: matrix.size, modules: matrix.modules)
    }

    private init(version: Int, errorCorrection: QRErrorCorrection, mask: Int, size: Int, modules: [Bool]) {
        self.version = version
        self.errorCorrection = errorCorrection
        self.mask = mask
        self.size = size
        self.modules = modules
    }

    /// Whether the module at column `x`, row `y` is dark; (0, 0) is the top-left corner.
    /// Coordinates outside the symbol are light, as the quiet zone around it is.
    public func isDark(x: Int, y: Int) -> Bool {
        guard x >= 0, x < size, y >= 0, y < size else { return false }
        return modules[y * size + x]
    }
}
