/// Turns text into the final, interleaved codeword sequence for the smallest version that
/// holds it (ISO/IEC 18004 §7.4–7.6).
enum QRDataEncoder {
    struct Plan: Hashable, Sendable {
        var mode: QRMode
        var version: QRVersion
        /// Whether the byte segment is preceded by an ECI header naming UTF-8.
        var announcesUTF8: Bool
    }

    /// ECI assignment number 26 is UTF-8 (AIM ECI specification). Without it a reader falls back
    /// to ISO 8859-1 or guesses: zbar reads short Chinese UTF-8 text as Shift JIS mojibake.
    /// Pure ASCII is the same in every guess, so it goes without the header and keeps the
    /// widest reader support.
    static let utf8AssignmentNumber = 26

    /// Mode indicator 0111 plus an 8-bit designator, the form for assignment numbers below 128.
    static let eciHeaderBits = 12

    /// Only byte-mode text with a non-ASCII byte gets the UTF-8 ECI header.
    static func needsUTF8Announcement(_ bytes: [UInt8], mode: QRMode) -> Bool {
        mode == .byte && bytes.contains { $0 >= 0x80 }
    }

    /// The narrowest mode and the smallest version whose data capacity at this level holds the
    /// text; `nil` when even version 40 is too small.
    static func plan(for bytes: [UInt8], errorCorrection: QRErrorCorrection) -> Plan? {
        let mode = QRMode.narrowest(for: bytes)
        let announcesUTF8 = needsUTF8Announcement(bytes, mode: mode)
        for number in QRVersion.range {
            let version = QRVersion(number)
            let countBits = mode.characterCountBits(version: number)
            guard bytes.count < 1 << countBits else { continue }
            let needed = (announcesUTF8 ? eciHeaderBits : 0) + 4 + countBits + mode.payloadBits(characterCount: bytes.count)
            if needed <= version.dataCodewords(errorCorrection) * 8 {
                return Plan(mode: mode, version: version, announcesUTF8: announcesUTF8)
            }
        }
        return nil
    }

    /// The longest text, in bytes, that version 40 holds at this level in the mode (and with
    /// the ECI header, if any) these bytes would use: the limit quoted when a text is refused.
    static func maximumLength(like bytes: [UInt8], errorCorrection: QRErrorCorrection) -> Int {
        let mode = QRMode.narrowest(for: bytes)
        let announcesUTF8 = needsUTF8Announcement(bytes, mode: mode)
        let version = QRVersion(40)
        let bits = version.dataCodewords(errorCorrection) * 8 - (announcesUTF8 ? eciHeaderBits : 0)
            - 4 - mode.characterCountBits(version: 40)
        switch mode {
        case .numeric: return bits / 10 * 3 + (bits % 10 >= 7 ? 2 : bits % 10 >= 4 ? 1 : 0)
        case .alphanumeric: return bits / 11 * 2 + (bits % 11 >= 6 ? 1 : 0)
        case .byte: return bits / 8
        }
    }

    /// ECI header if any, mode indicator, count, payload, terminator and padding: exactly the
    /// data codewords of the version, before error correction is added.
    static func dataCodewords(for bytes: [UInt8], plan: Plan, errorCorrection: QRErrorCorrection) -> [UInt8] {
        var buffer = QRBitBuffer()
        if plan.announcesUTF8 {
            buffer.append(0b0111, bitCount: 4)
            buffer.append(utf8AssignmentNumber, bitCount: 8)
        }
        buffer.append(plan.mode.indicator, bitCount: 4)
        buffer.append(bytes.count, bitCount: plan.mode.characterCountBits(version: plan.version.number))
        switch plan.mode {
        case .numeric:
            // Groups of three digits in 10 bits; a trailing pair takes 7, a single digit 4.
            let digits = bytes.map { Int($0 - 0x30) }
            for start in stride(from: 0, to: digits.count, by: 3) {
                let group = digits[start..<min(start + 3, digits.count)]
                buffer.append(group.reduce(0) { $0 * 10 + $1 }, bitCount: [0, 4, 7, 10][group.count])
            }
        case .alphanumeric:
            // Pairs as 45·first + second in 11 bits; an odd last character takes 6.
            let values = bytes.map { byte in QRMode.alphanumericCharset.firstIndex(of: byte)! }
            for start in stride(from: 0, to: values.count, by: 2) {
                if start + 1 < values.count {
                    buffer.append(values[start] * 45 + values[start + 1], bitCount: 11)
                } else {
                    buffer.append(values[start], bitCount: 6)
                }
            }
        case .byte:
            for byte in bytes { buffer.append(Int(byte), bitCount: 8) }
        }

        let capacityBits = plan.version.dataCodewords(errorCorrection) * 8
        // Terminator of up to four zero bits, then zeros to the byte boundary, then the
        // alternating pad codewords 11101100 00010001 (§7.4.10).
        buffer.append(0, bitCount: min(4, capacityBits - buffer.count))
        buffer.append(0, bitCount: (8 - buffer.count % 8) % 8)
        var codewords = buffer.bytes
        var pad: UInt8 = 0xEC
        while codewords.count * 8 < capacityBits {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Splits data codewords into blocks, adds each block's Reed–Solomon codewords and
    /// interleaves them: first data codeword of every block, then the second, …, then the EC
    /// codewords the same way (§7.6). Shorter blocks come first and simply drop out of the last
    /// data column.
    static func interleave(_ data: [UInt8], version: QRVersion, errorCorrection: QRErrorCorrection) -> [UInt8] {
        let blockCount = version.blockCount(errorCorrection)
        let ecCount = version.errorCorrectionCodewordsPerBlock(errorCorrection)
        let shortDataLength = data.count / blockCount
        let longBlockCount = data.count % blockCount

        var dataBlocks: [[UInt8]] = []
        var ecBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blockCount {
            let length = shortDataLength + (index >= blockCount - longBlockCount ? 1 : 0)
            let block = Array(data[offset..<(offset + length)])
            offset += length
            dataBlocks.append(block)
            ecBlocks.append(QRReedSolomon.errorCorrectionCodewords(for: block, count: ecCount))
        }

        var result: [UInt8] = []
        result.reserveCapacity(version.totalCodewords)
        for column in 0..<(shortDataLength + (longBlockCount > 0 ? 1 : 0)) {
            for block in dataBlocks where column < block.count {
                result.append(block[column])
            }
        }
        for column in 0..<ecCount {
            for block in ecBlocks { result.append(block[column]) }
        }
        assert(result.count == version.totalCodewords)
        return result
    }
}
