/// The module grid of a symbol while it is being built: function patterns first, then the
/// codewords in the zig-zag order of §7.7.3, then a mask and the format and version
/// information (§7.8–7.10). Coordinates are x = column, y = row, (0, 0) top-left.
struct QRMatrix: Sendable {
    let size: Int
    private(set) var modules: [Bool]
    /// Modules that belong to function patterns or format/version areas; masks and data
    /// placement skip them.
    private(set) var isFunction: [Bool]

    init(version: QRVersion) {
        size = version.size
        modules = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        drawFunctionPatterns(version: version)
    }

    subscript(x: Int, y: Int) -> Bool {
        modules[y * size + x]
    }

    private mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    // MARK: Function patterns

    private mutating func drawFunctionPatterns(version: QRVersion) {
        // Timing patterns: alternating modules on row 6 and column 6, dark on even indices.
        for index in 0..<size {
            setFunction(6, index, index % 2 == 0)
            setFunction(index, 6, index % 2 == 0)
        }
        // Finder patterns with their one-module light separators, in three corners.
        drawFinder(centerX: 3, centerY: 3)
        drawFinder(centerX: size - 4, centerY: 3)
        drawFinder(centerX: 3, centerY: size - 4)
        // Alignment patterns at every pair of listed centres except the three finder corners.
        let positions = version.alignmentPositions
        let last = positions.count - 1
        for (i, x) in positions.enumerated() {
            for (j, y) in positions.enumerated() {
                let overlapsFinder = (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)
                if !overlapsFinder { drawAlignment(centerX: x, centerY: y) }
            }
        }
        // Reserve the format areas (written after masking) and draw the always-dark module.
        drawFormatBits(0)
        drawVersionBits(version.number)
    }

    /// A 7×7 finder (dark ring, light ring, dark 3×3 core) plus the separator ring around it;
    /// parts of the separator that fall outside the symbol are clipped.
    private mutating func drawFinder(centerX: Int, centerY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centerX + dx, y = centerY + dy
                guard x >= 0, x < size, y >= 0, y < size else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x, y, ring != 2 && ring != 4)
            }
        }
    }

    /// A 5×5 alignment pattern: dark ring, light ring, dark centre.
    private mutating func drawAlignment(centerX: Int, centerY: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(centerX + dx, centerY + dy, max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// The 15-bit format information for a level and mask: 5 data bits, a BCH(15,5) remainder
    /// with generator 0x537, XOR-ed with 0x5412 so that no format is all light (§7.9.1).
    static func formatBits(errorCorrection: QRErrorCorrection, mask: Int) -> Int {
        let data = errorCorrection.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18-bit version information: 6 data bits and a BCH(18,6) remainder with generator
    /// 0x1F25 (§7.10, Annex D).
    static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    /// Writes both copies of the format information. Bit 14 is the most significant; the first
    /// copy runs around the top-left finder, the second is split between the other two finders.
    mutating func drawFormatBits(_ bits: Int) {
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        // Copy 1: bits 0–7 down column 8 (skipping the timing row), 8–14 along row 8 leftwards.
        for index in 0...5 { setFunction(8, index, bit(index)) }
        setFunction(8, 7, bit(6))
        setFunction(8, 8, bit(7))
        setFunction(7, 8, bit(8))
        for index in 9..<15 { setFunction(14 - index, 8, bit(index)) }
        // Copy 2: bits 0–7 along row 8 from the right edge, 8–14 up column 8 from the bottom.
        for index in 0..<8 { setFunction(size - 1 - index, 8, bit(index)) }
        for index in 8..<15 { setFunction(8, size - 15 + index, bit(index)) }
        // The dark module beside the bottom-left finder is always dark (§7.9.1).
        setFunction(8, size - 8, true)
    }

    /// Two 6×3 blocks of version information, above the bottom-left finder and left of the
    /// top-right one, for versions 7 and up.
    private mutating func drawVersionBits(_ version: Int) {
        guard version >= 7 else { return }
        let bits = QRMatrix.versionBits(version)
        for index in 0..<18 {
            let dark = (bits >> index) & 1 == 1
            let a = size - 11 + index % 3, b = index / 3
            setFunction(a, b, dark)
            setFunction(b, a, dark)
        }
    }

    // MARK: Data

    /// Places codewords, most significant bit first, in two-module-wide columns from the
    /// bottom-right, alternating upwards and downwards and skipping the vertical timing column.
    /// Modules left over after the last codeword are the remainder bits and stay light.
    mutating func placeCodewords(_ codewords: [UInt8]) {
        let totalBits = codewords.count * 8
        var bitIndex = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] && bitIndex < totalBits {
                    modules[y * size + x] = (codewords[bitIndex >> 3] >> (7 - (bitIndex & 7))) & 1 == 1
                    bitIndex += 1
                }
            }
            right -= 2
        }
        assert(bitIndex == totalBits)
    }

    // MARK: Masking

    /// The eight data mask conditions of Table 10, with i = row and j = column.
    static func maskCondition(_ mask: Int, x j: Int, y i: Int) -> Bool {
        switch mask {
        case 0: (i + j) % 2 == 0
        case 1: i % 2 == 0
        case 2: j % 3 == 0
        case 3: (i + j) % 3 == 0
        case 4: (i / 2 + j / 3) % 2 == 0
        case 5: (i * j) % 2 + (i * j) % 3 == 0
        case 6: ((i * j) % 2 + (i * j) % 3) % 2 == 0
        case 7: ((i + j) % 2 + (i * j) % 3) % 2 == 0
        default: preconditionFailure("QR masks are numbered 0–7")
        }
    }

    /// Inverts every non-function module where the mask condition holds. Applying the same
    /// mask twice restores the original, which is how candidates are tried.
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && QRMatrix.maskCondition(mask, x: x, y: y) {
                modules[y * size + x].toggle()
            }
        }
    }

    /// The sum of the four penalty rules of §7.8.3 over the whole symbol, format bits included.
    var penalty: Int {
        var score = 0
        // N1: each run of five or more same-coloured modules in a row or column scores 3, plus
        // 1 for each module beyond five.
        // N3: each 1:1:3:1:1 finder-like run with four light modules on either side scores 40.
        // Only runs wholly inside the symbol are counted (the quiet zone is not imagined
        // around it); this only ever changes which mask wins, never whether the symbol reads.
        for line in 0..<size {
            score += QRMatrix.linePenalty((0..<size).map { self[$0, line] })
            score += QRMatrix.linePenalty((0..<size).map { self[line, $0] })
        }
        // N2: each 2×2 block of one colour scores 3 (overlapping blocks all count).
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = self[x, y]
                if colour == self[x + 1, y], colour == self[x, y + 1], colour == self[x + 1, y + 1] {
                    score += 3
                }
            }
        }
        score += QRMatrix.balancePenalty(dark: modules.lazy.filter { $0 }.count, total: size * size)
        return score
    }

    /// N4: 10 for each full 5 % step by which the dark proportion strays from 50 % (so 45–55 %
    /// scores 0, 40–45 % scores 10).
    static func balancePenalty(dark: Int, total: Int) -> Int {
        let deviationSteps = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        return max(0, deviationSteps) * 10
    }

    private static let finderLikeBefore: [Bool] = [false, false, false, false, true, false, true, true, true, false, true]
    private static let finderLikeAfter: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]

    /// N1 and N3 for one row or column.
    static func linePenalty(_ line: [Bool]) -> Int {
        var score = 0
        var runColour = line[0]
        var runLength = 0
        for module in line {
            if module == runColour {
                runLength += 1
            } else {
                if runLength >= 5 { score += runLength - 2 }
                runColour = module
                runLength = 1
            }
        }
        if runLength >= 5 { score += runLength - 2 }

        if line.count >= 11 {
            for start in 0...(line.count - 11) {
                let window = line[start..<(start + 11)]
                if window.elementsEqual(finderLikeBefore) || window.elementsEqual(finderLikeAfter) {
                    score += 40
                }
            }
        }
        return score
    }
}
