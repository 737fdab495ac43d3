import Foundation

/// Published figures and helpers shared by the QR Code suites.
enum QRTestSupport {
    /// Byte-mode capacities (characters of 8-bit data) for versions 1–10 from ISO/IEC 18004
    /// Table 7, indexed [version - 1] and ordered L, M, Q, H.
    static let publishedByteCapacities: [[Int]] = [
        [17, 14, 11, 7], [32, 26, 20, 14], [53, 42, 32, 24], [78, 62, 46, 34], [106, 84, 60, 44],
        [134, 106, 74, 58], [154, 122, 86, 64], [192, 152, 108, 84], [230, 180, 130, 98], [271, 213, 151, 119],
    ]

    /// Lower-case ASCII of an exact length, which forces byte mode without an ECI header;
    /// varied by `seed` so symbols of the same size do not all look alike.
    static func byteModeText(length: Int, seed: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789:-")
        var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        var text = "c"
        while text.count < length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text.append(alphabet[Int(state >> 33) % alphabet.count])
        }
        return String(text.prefix(length))
    }

    static let zbarPath = "/usr/bin/zbarimg"

    /// Runs `zbarimg --raw -q` on the PNG written to a temporary file: the decoded text, or
    /// `nil` when zbar finds no symbol.
    static func scanWithZBar(_ png: [UInt8]) throws -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).png")
        try Data(png).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarPath)
        process.arguments = ["--raw", "-q", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else { return nil }
        var text = String(decoding: data, as: UTF8.self)
        // --raw still ends each symbol with a newline.
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
