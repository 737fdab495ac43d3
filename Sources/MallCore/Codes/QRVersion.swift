/// The geometry and codeword budget of one symbol version (1–40), from ISO/IEC 18004 Tables 1,
/// 9 and E.1. Only the error correction block layout is tabulated; the rest follows from the
/// version number by the formulas the tables were built from.
struct QRVersion: Hashable, Sendable {
    static let range = 1...40

    let number: Int

    init(_ number: Int) {
        precondition(QRVersion.range.contains(number), "QR versions run from 1 to 40")
        self.number = number
    }

    /// Modules per side: 21 for version 1, four more per version.
    var size: Int { number * 4 + 17 }

    /// Centre coordinates of the alignment patterns along each axis (Annex E). The first is
    /// always 6 and the last `size - 7`; the ones between are evenly spaced by an even step,
    /// with version 32 the single exception to the rounding rule.
    var alignmentPositions: [Int] {
        guard number >= 2 else { return [] }
        let count = number / 7 + 2
        let step = number == 32 ? 26 : (number * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var positions = [6]
        for index in 0..<(count - 1) {
            positions.insert(size - 7 - index * step, at: 1)
        }
        return positions
    }

    /// Modules left for codewords (and remainder bits) once every function pattern, the format
    /// information and, from version 7, the version information are placed.
    var dataModuleCount: Int {
        var modules = (16 * number + 128) * number + 64
        if number >= 2 {
            let count = number / 7 + 2
            modules -= (25 * count - 10) * count - 55
            if number >= 7 { modules -= 36 }
        }
        return modules
    }

    /// Data plus error correction codewords; remainder bits (0–7) are what is left over.
    var totalCodewords: Int { dataModuleCount / 8 }

    func errorCorrectionCodewordsPerBlock(_ level: QRErrorCorrection) -> Int {
        QRVersion.errorCorrectionCodewordsPerBlock[level.tableIndex][number]
    }

    func blockCount(_ level: QRErrorCorrection) -> Int {
        QRVersion.blockCounts[level.tableIndex][number]
    }

    /// Codewords available for the message itself at the given level.
    func dataCodewords(_ level: QRErrorCorrection) -> Int {
        totalCodewords - errorCorrectionCodewordsPerBlock(level) * blockCount(level)
    }

    /// Table 9, error correction codewords per block, indexed [level][version]; index 0 unused.
    /// Every block of a version has the same number of EC codewords.
    private static let errorCorrectionCodewordsPerBlock: [[Int]] = [
        [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Table 9, number of error correction blocks, indexed [level][version]; index 0 unused.
    /// When the codewords do not divide evenly the later blocks carry one more data codeword.
    private static let blockCounts: [[Int]] = [
        [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]
}
