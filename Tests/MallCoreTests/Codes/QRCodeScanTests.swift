import Foundation
@testable import MallCore
import Testing

/// Decodes our PNGs with zbar, an independent QR decoder, so the whole chain — modes, Reed–
/// Solomon, interleaving, placement, masking, format and version information — is checked
/// against a real reader rather than against our own understanding of the specification.
/// CI installs `zbar-tools`; without it these tests are skipped.
@Suite("QR codes: scanned back with zbarimg",
       .enabled(if: FileManager.default.fileExists(atPath: QRTestSupport.zbarPath), "needs zbarimg (apt-get install zbar-tools)"))
struct QRCodeScanTests {
    @Test("texts of every kind scan back exactly, at every error correction level", arguments: [
        "0",
        "123456",
        "01234567",
        "0123456789012345678901234567890123456789",
        "HELLO WORLD",
        "SO2026112700042:123456",
        "chainmall:pickup:SO2026112700042:123456",
        "chainmall:pickup:SO2026112700042:000001",
        "https://mall.example.com/pickup/SO2026112700042?code=123456",
        "自提码 123456",
        "上海徐汇店 · 自提订单 SO2026112700042 · 取货码 654321 · 请于营业时间内到店",
        "Café crème — 1 × ¥12.50",
        "emoji 📦✅",
    ], QRErrorCorrection.allCases)
    func roundTrip(text: String, level: QRErrorCorrection) throws {
        let code = try QRCode.encode(text, errorCorrection: level)

        let scanned = try QRTestSupport.scanWithZBar(code.png(moduleSize: 4, quietZone: 4))

        #expect(scanned == text, "version \(code.version)-\(level) mask \(code.mask)")
    }

    @Test("byte-mode texts filling versions 1 to 10 scan back, at every level",
          arguments: 1...10, QRErrorCorrection.allCases)
    func versionsOneToTen(version: Int, level: QRErrorCorrection) throws {
        let text = QRTestSupport.byteModeText(length: QRTestSupport.publishedByteCapacities[version - 1][level.tableIndex], seed: version * 4 + level.tableIndex)
        let code = try QRCode.encode(text, errorCorrection: level)
        #expect(code.version == version)

        let scanned = try QRTestSupport.scanWithZBar(code.png(moduleSize: 4, quietZone: 4))

        #expect(scanned == text, "version \(code.version)-\(level) mask \(code.mask)")
    }

    @Test("numeric and alphanumeric texts across many versions scan back", arguments: [
        (String(repeating: "1234567890", count: 30), QRErrorCorrection.medium),
        (String(repeating: "1234567890", count: 100), .high),
        (String(repeating: "PICKUP-2026 $%*+./:", count: 20), .quartile),
        (String(repeating: "PICKUP-2026 $%*+./:", count: 60), .low),
    ])
    func denseModes(text: String, level: QRErrorCorrection) throws {
        let code = try QRCode.encode(text, errorCorrection: level)

        let scanned = try QRTestSupport.scanWithZBar(code.png(moduleSize: 3, quietZone: 4))

        #expect(scanned == text, "version \(code.version)-\(level) mask \(code.mask)")
    }

    @Test("large versions, up to 40, scan back", arguments: [
        (600, QRErrorCorrection.medium), (1_000, .low), (1_200, .quartile), (2_953, .low), (1_273, .high),
    ])
    func largeVersions(length: Int, level: QRErrorCorrection) throws {
        let text = QRTestSupport.byteModeText(length: length, seed: length)
        let code = try QRCode.encode(text, errorCorrection: level)

        let scanned = try QRTestSupport.scanWithZBar(code.png(moduleSize: 3, quietZone: 4))

        #expect(scanned == text, "version \(code.version)-\(level) mask \(code.mask)")
    }

    @Test("every mask pattern gives a readable symbol", arguments: 0..<8, [QRErrorCorrection.low, .high])
    func everyMask(mask: Int, level: QRErrorCorrection) throws {
        let text = "chainmall:pickup:SO2026112700042:123456"
        let code = try QRCode.encode(text, errorCorrection: level, forcingMask: mask)
        #expect(code.mask == mask)

        let scanned = try QRTestSupport.scanWithZBar(code.png(moduleSize: 4, quietZone: 4))

        #expect(scanned == text, "version \(code.version)-\(level) mask \(mask)")
    }

    @Test("generated texts of mixed scripts and lengths scan back", arguments: 0..<40)
    func generatedTexts(seed: Int) throws {
        let pieces = ["自提", "码", "上海", "店", "pickup", "SO2026", ":", " ", "-", "123456", "ÄÖÜ", "é", "¥", "0", "Z", "a"]
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let targetLength = 1 + next(seed < 20 ? 40 : 250)
        var text = ""
        while text.utf8.count < targetLength { text += pieces[next(pieces.count)] }
        let level = QRErrorCorrection.allCases[next(4)]
        let code = try QRCode.encode(text, errorCorrection: level)

        let scanned = try QRTestSupport.scanWithZBar(code.png(moduleSize: 4, quietZone: 4))

        #expect(scanned == text, "version \(code.version)-\(level) mask \(code.mask)")
    }
}
