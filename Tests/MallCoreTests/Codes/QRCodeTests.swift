@testable import MallCore
import Testing

@Suite("QR codes: structure")
struct QRCodeTests {
    @Test("the smallest version that holds the text is chosen, matching the published capacities",
          arguments: 1...10, QRErrorCorrection.allCases)
    func versionSelection(version: Int, level: QRErrorCorrection) throws {
        let capacity = QRTestSupport.publishedByteCapacities[version - 1][level.tableIndex]

        let full = try QRCode.encode(QRTestSupport.byteModeText(length: capacity, seed: version), errorCorrection: level)
        let overflowing = try QRCode.encode(QRTestSupport.byteModeText(length: capacity + 1, seed: version), errorCorrection: level)

        #expect(full.version == version)
        #expect(full.size == 4 * version + 17)
        #expect(overflowing.version == version + 1)
        #expect(overflowing.size == 4 * version + 21)
    }

    @Test("numeric and alphanumeric texts use their denser modes, up to the version 40 limits")
    func modeCapacities() throws {
        #expect(QRMode.narrowest(for: Array("01234567".utf8)) == .numeric)
        #expect(QRMode.narrowest(for: Array("HELLO WORLD".utf8)) == .alphanumeric)
        #expect(QRMode.narrowest(for: Array("Hello".utf8)) == .byte)
        #expect(QRMode.narrowest(for: Array("１２３".utf8)) == .byte)

        #expect(try QRCode.encode(String(repeating: "7", count: 41), errorCorrection: .low).version == 1)
        #expect(try QRCode.encode(String(repeating: "7", count: 42), errorCorrection: .low).version == 2)
        #expect(try QRCode.encode(String(repeating: "A", count: 25), errorCorrection: .low).version == 1)
        #expect(try QRCode.encode(String(repeating: "A", count: 26), errorCorrection: .low).version == 2)
        #expect(try QRCode.encode(String(repeating: "7", count: 17), errorCorrection: .high).version == 1)
        #expect(try QRCode.encode(String(repeating: "9", count: 7_089), errorCorrection: .low).version == 40)
        #expect(try QRCode.encode(String(repeating: "Z", count: 4_296), errorCorrection: .low).version == 40)
        #expect(try QRCode.encode(String(repeating: "z", count: 2_953), errorCorrection: .low).version == 40)
        #expect(try QRCode.encode(String(repeating: "z", count: 1_273), errorCorrection: .high).version == 40)
    }

    @Test("texts beyond version 40, and empty texts, are refused as validation failures")
    func refusals() {
        #expect(throws: ValidationFailure(field: "text", message: "is too long for a QR code: 2954 bytes where at most 2953 fit at low error correction")) {
            try QRCode.encode(String(repeating: "z", count: 2_954), errorCorrection: .low)
        }
        #expect(throws: ValidationFailure(field: "text", message: "is too long for a QR code: 7090 bytes where at most 7089 fit at low error correction")) {
            try QRCode.encode(String(repeating: "9", count: 7_090), errorCorrection: .low)
        }
        #expect(throws: ValidationFailure(field: "text", message: "is too long for a QR code: 1853 bytes where at most 1852 fit at high error correction")) {
            try QRCode.encode(String(repeating: "Z", count: 1_853), errorCorrection: .high)
        }
        #expect(throws: ValidationFailure(field: "text", message: "is too long for a QR code: 2334 bytes where at most 2330 fit at medium error correction")) {
            try QRCode.encode(String(repeating: "码", count: 778), errorCorrection: .medium)
        }
        #expect(throws: ValidationFailure(field: "text", message: "must not be empty")) {
            try QRCode.encode("")
        }
    }

    @Test("version geometry matches Tables 1 and E.1")
    func versionGeometry() {
        #expect(QRVersion(1).alignmentPositions == [])
        #expect(QRVersion(2).alignmentPositions == [6, 18])
        #expect(QRVersion(7).alignmentPositions == [6, 22, 38])
        #expect(QRVersion(10).alignmentPositions == [6, 28, 50])
        #expect(QRVersion(14).alignmentPositions == [6, 26, 46, 66])
        #expect(QRVersion(32).alignmentPositions == [6, 34, 60, 86, 112, 138])
        #expect(QRVersion(40).alignmentPositions == [6, 30, 58, 86, 114, 142, 170])

        // The drawn function patterns leave exactly the module count the formula predicts.
        for number in QRVersion.range {
            let matrix = QRMatrix(version: QRVersion(number))
            #expect(matrix.isFunction.filter { !$0 }.count == QRVersion(number).dataModuleCount, "version \(number)")
        }

        #expect(QRVersion(1).totalCodewords == 26)
        #expect(QRVersion(7).totalCodewords == 196)
        #expect(QRVersion(10).totalCodewords == 346)
        #expect(QRVersion(40).totalCodewords == 3_706)
        #expect(QRVersion(1).dataCodewords(.medium) == 16)
        #expect(QRVersion(5).dataCodewords(.quartile) == 62)
        #expect(QRVersion(10).dataCodewords(.high) == 122)
    }

    @Test("finder patterns, separators, timing patterns and the dark module are in place",
          arguments: ["1", "chainmall:pickup:SO2026112700042:123456", String(repeating: "x", count: 200)])
    func functionPatterns(text: String) throws {
        let code = try QRCode.encode(text)
        let last = code.size - 1

        for (originX, originY) in [(0, 0), (last - 6, 0), (0, last - 6)] {
            for dy in -1...7 {
                for dx in -1...7 {
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    let expected = ring <= 1 || ring == 3
                    #expect(code.isDark(x: originX + dx, y: originY + dy) == expected, "finder at (\(originX), \(originY)) offset (\(dx), \(dy))")
                }
            }
        }
        for index in 8..<(code.size - 8) {
            #expect(code.isDark(x: index, y: 6) == (index % 2 == 0))
            #expect(code.isDark(x: 6, y: index) == (index % 2 == 0))
        }
        #expect(code.isDark(x: 8, y: code.size - 8))
        #expect(!code.isDark(x: -1, y: 0))
        #expect(!code.isDark(x: 0, y: code.size))
    }

    @Test("format information matches the published BCH codes (Table C.1)")
    func formatInformation() {
        let published: [QRErrorCorrection: [Int]] = [
            .low: [0b111011111000100, 0b111001011110011, 0b111110110101010, 0b111100010011101,
                   0b110011000101111, 0b110001100011000, 0b110110001000001, 0b110100101110110],
            .medium: [0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
                      0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000],
            .quartile: [0b011010101011111, 0b011000001101000, 0b011111100110001, 0b011101000000110,
                        0b010010010110100, 0b010000110000011, 0b010111011011010, 0b010101111101101],
            .high: [0b001011010001001, 0b001001110111110, 0b001110011100111, 0b001100111010000,
                    0b000011101100010, 0b000001001010101, 0b000110100001100, 0b000100000111011],
        ]
        for (level, codes) in published {
            for (mask, code) in codes.enumerated() {
                #expect(QRMatrix.formatBits(errorCorrection: level, mask: mask) == code, "\(level) mask \(mask)")
            }
        }
    }

    @Test("both copies of the format information in a symbol name its level and mask",
          arguments: QRErrorCorrection.allCases)
    func formatInformationPlacement(level: QRErrorCorrection) throws {
        let code = try QRCode.encode("chainmall:pickup:SO2026112700042:123456", errorCorrection: level)
        let expected = QRMatrix.formatBits(errorCorrection: level, mask: code.mask)
        let n = code.size

        // Copy 1 (Figure 25): bits 14…9 along row 8 from the left, then (7, 8), (8, 8), (8, 7),
        // then bits 5…0 up column 8.
        let firstPositions = [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8),
                              (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)]
        // Copy 2: bits 14…8 down column 8 from row n-7, then bits 7…0 along row 8 to the right edge.
        let secondPositions = (0..<7).map { (8, n - 1 - $0) } + (0..<8).map { (n - 8 + $0, 8) }
        for positions in [firstPositions, secondPositions] {
            let read = positions.reduce(0) { $0 << 1 | (code.isDark(x: $1.0, y: $1.1) ? 1 : 0) }
            #expect(read == expected)
        }
    }

    @Test("version information is the published BCH(18,6) code, placed in both corners")
    func versionInformation() throws {
        #expect(QRMatrix.versionBits(7) == 0x07C94)
        #expect(QRMatrix.versionBits(8) == 0x085BC)
        #expect(QRMatrix.versionBits(10) == 0x0A4D3)
        #expect(QRMatrix.versionBits(40) == 0x28C69)

        let code = try QRCode.encode(QRTestSupport.byteModeText(length: 154, seed: 7), errorCorrection: .low)
        #expect(code.version == 7)
        // Bit i sits at row i / 3, column n - 11 + i % 3 (top right) and transposed (bottom left).
        for bit in 0..<18 {
            let expected = (0x07C94 >> bit) & 1 == 1
            #expect(code.isDark(x: code.size - 11 + bit % 3, y: bit / 3) == expected)
            #expect(code.isDark(x: bit / 3, y: code.size - 11 + bit % 3) == expected)
        }
    }

    @Test("the generator polynomial for 10 EC codewords has the exponents listed in Annex A")
    func generatorPolynomial() {
        let exponents = QRReedSolomon.generator(degree: 10).map { QRReedSolomon.logarithms[Int($0)] }
        #expect(exponents == [251, 67, 46, 61, 118, 70, 64, 94, 32, 45])
    }

    @Test("\"01234567\" at 1-M gives the data and EC codewords of the ISO annex example")
    func isoNumericExample() throws {
        let bytes = Array("01234567".utf8)
        let plan = try #require(QRDataEncoder.plan(for: bytes, errorCorrection: .medium))
        #expect(plan.mode == .numeric)
        #expect(plan.version.number == 1)

        let data = QRDataEncoder.dataCodewords(for: bytes, plan: plan, errorCorrection: .medium)
        let ec = QRReedSolomon.errorCorrectionCodewords(for: data, count: 10)

        #expect(data == [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
        #expect(ec == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
        #expect(QRDataEncoder.interleave(data, version: plan.version, errorCorrection: .medium) == data + ec)
    }

    @Test("\"HELLO WORLD\" at 1-Q gives the data and EC codewords of the Thonky tutorial")
    func thonkyAlphanumericExample() throws {
        let bytes = Array("HELLO WORLD".utf8)
        let plan = try #require(QRDataEncoder.plan(for: bytes, errorCorrection: .quartile))
        #expect(plan.mode == .alphanumeric)
        #expect(plan.version.number == 1)

        let data = QRDataEncoder.dataCodewords(for: bytes, plan: plan, errorCorrection: .quartile)
        let ec = QRReedSolomon.errorCorrectionCodewords(for: data, count: 13)

        #expect(data == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236])
        #expect(ec == [168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16])
    }

    @Test("blocks of unequal length are interleaved short blocks first (5-Q)")
    func interleavingUnequalBlocks() {
        // 5-Q: 62 data codewords in 2 blocks of 15 and 2 of 16, 18 EC codewords each.
        let version = QRVersion(5)
        let data = (0..<62).map { UInt8($0) }
        let interleaved = QRDataEncoder.interleave(data, version: version, errorCorrection: .quartile)

        #expect(interleaved.count == 134)
        #expect(Array(interleaved.prefix(8)) == [0, 15, 30, 46, 1, 16, 31, 47])
        // After 15 full columns only the two long blocks have a 16th codeword left.
        #expect(Array(interleaved[60..<62]) == [45, 61])
        let firstEC = QRReedSolomon.errorCorrectionCodewords(for: Array(data[0..<15]), count: 18)
        #expect(interleaved[62] == firstEC[0])
        #expect(interleaved[62 + 4] == firstEC[1])
    }

    @Test("non-ASCII text is announced as UTF-8 with ECI 26; ASCII goes without a header")
    func utf8Announcement() throws {
        let bytes = Array("自提".utf8)
        let plan = try #require(QRDataEncoder.plan(for: bytes, errorCorrection: .low))
        #expect(plan.mode == .byte)
        #expect(plan.announcesUTF8)

        let data = QRDataEncoder.dataCodewords(for: bytes, plan: plan, errorCorrection: .low)

        // 0111 00011010 | 0100 00000110 | E8 87 AA E6 8F 90 | 0000 terminator
        #expect(Array(data.prefix(9)) == [0x71, 0xA4, 0x06, 0xE8, 0x87, 0xAA, 0xE6, 0x8F, 0x90])
        #expect(try #require(QRDataEncoder.plan(for: Array("pickup".utf8), errorCorrection: .low)).announcesUTF8 == false)
        // The header costs 12 bits, so a full version 1-L holds 15 bytes of UTF-8 instead of 17.
        #expect(try QRCode.encode(String(repeating: "码", count: 5), errorCorrection: .low).version == 1)
        #expect(try QRCode.encode(String(repeating: "码", count: 5) + "é", errorCorrection: .low).version == 2)
    }

    @Test("penalty rules N1, N3 and N4 score as §7.8.3 describes")
    func penaltyRules() {
        let light = false, dark = true
        // N1: a run of five scores 3, each further module 1; shorter runs nothing.
        #expect(QRMatrix.linePenalty([Bool](repeating: light, count: 4) + [dark]) == 0)
        #expect(QRMatrix.linePenalty([Bool](repeating: dark, count: 5) + [light]) == 3)
        #expect(QRMatrix.linePenalty([Bool](repeating: light, count: 7)) == 5)
        // N3: a finder-like 1:1:3:1:1 run next to four light modules scores 40, on either side.
        let finderLike = [dark, light, dark, dark, dark, light, dark]
        let quiet = [Bool](repeating: light, count: 4)
        #expect(QRMatrix.linePenalty(quiet + finderLike + [dark]) == 40)
        #expect(QRMatrix.linePenalty([dark] + finderLike + quiet) == 40)
        #expect(QRMatrix.linePenalty([dark, light, light, light] + finderLike + [dark]) == 0)
        // N4: 10 points per full 5 % step away from half dark.
        #expect(QRMatrix.balancePenalty(dark: 50, total: 100) == 0)
        #expect(QRMatrix.balancePenalty(dark: 45, total: 100) == 0)
        #expect(QRMatrix.balancePenalty(dark: 44, total: 100) == 10)
        #expect(QRMatrix.balancePenalty(dark: 70, total: 100) == 30)
        #expect(QRMatrix.balancePenalty(dark: 0, total: 441) == 90)
    }

    @Test("the mask with the lowest penalty is kept, and encoding is deterministic")
    func maskSelection() throws {
        let text = "chainmall:pickup:SO2026112700042:123456"
        let code = try QRCode.encode(text)
        #expect((0..<8).contains(code.mask))
        #expect(try QRCode.encode(text) == code)
    }
}
