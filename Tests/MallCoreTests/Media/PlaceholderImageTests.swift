@testable import MallCore
import Testing

@Suite("Placeholder images")
struct PlaceholderImageTests {
    @Test("generated PNGs are read back with their dimensions and pass the upload policy")
    func roundTrip() throws {
        let bytes = PlaceholderImage.png(width: 240, height: 180, color: .from(seed: "乳品"))
        let info = try ImageProbe.inspect(bytes)
        #expect(info.format == .png)
        #expect(info.width == 240)
        #expect(info.height == 180)
        try ImageUploadPolicy.check(info)
        #expect(bytes.count < 60_000)
    }

    @Test("checksums match the published check values")
    func checksums() {
        // Check values from the PNG and zlib specifications for the ASCII string "123456789".
        #expect(PlaceholderImage.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PlaceholderImage.adler32(Array("123456789".utf8)) == 0x091E_01DE)
    }
}
