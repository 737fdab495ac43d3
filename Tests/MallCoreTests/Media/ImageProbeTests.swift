import MallCore
import Testing

@Suite("Image probing")
struct ImageProbeTests {
    func message(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ImageProbe.inspect(bytes)
            return nil
        } catch let failure as ValidationFailure {
            #expect(failure.errors.map(\.field) == ["file"])
            return failure.errors.first?.message
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("real encoder output: format from the magic bytes, size from the header", arguments: ImageSamples.all)
    func samples(sample: ImageSamples.Sample) throws {
        let info = try ImageProbe.inspect(sample.bytes)
        #expect(info.width == sample.width)
        #expect(info.height == sample.height)
        #expect(info.byteCount == sample.bytes.count)
        let expected: ImageFormat = sample.name.hasSuffix(".png") ? .png : sample.name.hasSuffix(".jpg") ? .jpeg : .webp
        #expect(info.format == expected)
    }

    @Test("anything that is not a JPEG, PNG or WebP is refused with a message a person understands")
    func strangers() {
        #expect(message([]) == "is empty")
        #expect(message(Array("just some notes, saved as photo.png".utf8)) == "is not a JPEG, PNG or WebP image")
        #expect(message(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8)) == "is not a JPEG, PNG or WebP image")
        #expect(message(Array("GIF89a".utf8) + [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]) == "is a GIF image; upload a JPEG, PNG or WebP image instead")
        #expect(message(Array("RIFF\u{24}\0\0\0WAVEfmt ".utf8)) == "is not a JPEG, PNG or WebP image", "a RIFF that is not WebP")
        // The magic bytes decide, wherever they sit in a name: PNG bytes are a PNG.
        #expect((try? ImageProbe.inspect(ImageSamples.pngRGB.bytes))?.format == .png)
    }

    @Test("every truncation of every sample either still holds the whole header or says it is cut off", arguments: ImageSamples.all)
    func truncations(sample: ImageSamples.Sample) throws {
        for length in 1..<sample.bytes.count {
            let prefix = Array(sample.bytes.prefix(length))
            do {
                let info = try ImageProbe.inspect(prefix)
                // Only possible when the cut falls inside pixel data, after the header was read.
                #expect(info.width == sample.width && info.height == sample.height, "length \(length)")
                #expect(info.format != .webp, "a WebP's RIFF size tells when it is short")
            } catch let failure as ValidationFailure {
                #expect(failure.errors.first?.message.contains("cut off") == true, "length \(length): \(failure.errors)")
            }
        }
    }

    @Test("random damage to the header never crashes the probe and only ever yields field errors")
    func damage() {
        var random = SplitMix64(seed: 0xC0FFEE)
        for round in 0..<3000 {
            let sample = ImageSamples.all[round % ImageSamples.all.count]
            var bytes = sample.bytes
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let position = Int(random.next() % UInt64(min(bytes.count, 64)))
                bytes[position] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                let info = try ImageProbe.inspect(bytes)
                #expect(info.width > 0 && info.height > 0)
            } catch let failure as ValidationFailure {
                #expect(failure.errors.map(\.field) == ["file"])
            } catch {
                Issue.record("round \(round): \(error)")
            }
        }
    }

    // MARK: PNG

    @Test("PNG: a damaged header checksum, impossible fields or no image data are refused")
    func pngDamage() {
        var widened = ImageSamples.pngRGB.bytes
        widened[19] = 0x50 // width 5 → 80 without fixing the CRC
        #expect(message(widened) == "is not a valid PNG image: its header checksum does not match")
        #expect(message(PNGBuilder.file(width: 0, height: 3)) == "is not a valid PNG image: its width or height is zero or out of range")
        #expect(message(PNGBuilder.file(width: 4, height: 4, depth: 16, colourType: 3)) ==
                "is not a valid PNG image: its header names an impossible colour type, bit depth or method")
        #expect(message(PNGBuilder.file(width: 4, height: 4, withData: false)) == "is not a valid PNG image: it ends without image data")
        #expect(message(PNGBuilder.signature + PNGBuilder.chunk("tEXt", Array("Title\0x".utf8))) ==
                "is not a valid PNG image: its first chunk is not the IHDR header")
    }

    @Test("PNG: sizes up to 2³¹−1 are read exactly, so the upload policy can refuse giant canvases")
    func pngHugeCanvas() throws {
        let info = try ImageProbe.inspect(PNGBuilder.file(width: 100_000, height: 3))
        #expect(info.width == 100_000 && info.height == 3)
        #expect(throws: ValidationFailure.self) { try ImageUploadPolicy.check(info) }
    }

    // MARK: JPEG

    @Test("JPEG: segments are skipped by length, so marker-like bytes inside EXIF or a comment are not read as the frame")
    func jpegSkipsSegments() throws {
        let decoyFrame: [UInt8] = [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x07, 0xD0, 0x0F, 0xA0, 0x03]
        let bytes = JPEGBuilder.soi
            + JPEGBuilder.segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
            + JPEGBuilder.segment(0xE1, Array("Exif\0\0".utf8) + decoyFrame + [0xFF, 0xD9])
            + JPEGBuilder.segment(0xFE, decoyFrame)
            + [0xFF, 0xFF, 0xFF] // fill bytes before a marker are allowed
            + JPEGBuilder.frame(width: 640, height: 480)
            + JPEGBuilder.segment(0xC4, [0x00] + Array(repeating: 0, count: 16))
            + JPEGBuilder.scan
        let info = try ImageProbe.inspect(bytes)
        #expect(info.format == .jpeg)
        #expect(info.width == 640 && info.height == 480)
    }

    @Test("JPEG: progressive frames are read; codings browsers cannot show are refused")
    func jpegCodings() throws {
        let progressive = JPEGBuilder.soi + JPEGBuilder.frame(width: 300, height: 200, marker: 0xC2) + JPEGBuilder.scan
        #expect(try ImageProbe.inspect(progressive).width == 300)
        for marker: UInt8 in [0xC3, 0xC5, 0xC9, 0xCF] {
            let file = JPEGBuilder.soi + JPEGBuilder.frame(width: 300, height: 200, marker: marker) + JPEGBuilder.scan
            #expect(message(file)?.contains("browsers cannot show") == true, "SOF marker \(marker)")
        }
    }

    @Test("JPEG: broken structure is named")
    func jpegBroken() {
        let app0 = JPEGBuilder.segment(0xE0, Array("JFIF\0".utf8))
        #expect(message(JPEGBuilder.soi + app0 + [0xFF, 0xD9]) == "is not a valid JPEG image: it ends without a frame header")
        #expect(message(JPEGBuilder.soi + app0 + JPEGBuilder.scan) == "is not a valid JPEG image: its image data comes before the frame header")
        #expect(message(JPEGBuilder.soi + app0 + [0x12, 0x34]) == "is not a valid JPEG image: expected a marker at byte \(2 + app0.count)")
        #expect(message(JPEGBuilder.soi + JPEGBuilder.frame(width: 300, height: 0) + JPEGBuilder.scan) ==
                "is not a valid JPEG image: its height is not given in the frame header")
        #expect(message(JPEGBuilder.soi + [0xFF, 0xE1, 0x00, 0x01]) == "is not a valid JPEG image: segment length 1 at byte 4 is too small")
        #expect(message(JPEGBuilder.soi + [0xFF, 0xE1, 0x40, 0x00, 0x00]) == "is a JPEG image that is cut off (truncated)")
    }

    // MARK: WebP

    @Test("WebP: the three first-chunk kinds, checked for their signatures")
    func webpChunks() throws {
        let extended = WebPBuilder.file("VP8X", [0x10, 0, 0, 0] + WebPBuilder.le24(16_383) + WebPBuilder.le24(99))
        let info = try ImageProbe.inspect(extended)
        #expect(info.width == 16_384 && info.height == 100)
        #expect(throws: ValidationFailure.self) { try ImageUploadPolicy.check(info) }

        let interFrame = WebPBuilder.file("VP8 ", [0x01, 0x00, 0x00, 0x9D, 0x01, 0x2A, 10, 0, 6, 0])
        #expect(message(interFrame) == "is not a valid WebP image: its VP8 frame is not a key frame")
        let noStartCode = WebPBuilder.file("VP8 ", [0x00, 0x00, 0x00, 0x9D, 0x01, 0x2B, 10, 0, 6, 0])
        #expect(message(noStartCode) == "is not a valid WebP image: its VP8 start code is missing")
        let futureLossless = WebPBuilder.file("VP8L", [0x2F, 0x00, 0x00, 0x00, 0x20])
        #expect(message(futureLossless) == "is not a valid WebP image: its VP8L version is unknown")
        #expect(message(WebPBuilder.file("ALPH", [0, 0])) == "is not a valid WebP image: its first chunk is neither VP8, VP8L nor VP8X")

        var overstated = ImageSamples.webpLossy.bytes
        overstated[4] &+= 8 // the RIFF size now claims more than was sent
        #expect(message(overstated) == "is a WebP image that is cut off (truncated)")
    }

    // MARK: Policy

    @Test("the upload policy: at most 5 MB, 10 000 px a side, 40 million pixels")
    func policy() throws {
        try ImageUploadPolicy.check(ImageInfo(format: .jpeg, width: 10_000, height: 4_000, byteCount: 5 * 1024 * 1024))
        let cases = [
            ImageInfo(format: .jpeg, width: 800, height: 800, byteCount: 5 * 1024 * 1024 + 1),
            ImageInfo(format: .png, width: 10_001, height: 1, byteCount: 100),
            ImageInfo(format: .webp, width: 7_000, height: 7_000, byteCount: 100),
        ]
        for info in cases {
            #expect(throws: ValidationFailure.self, "\(info)") { try ImageUploadPolicy.check(info) }
        }
        #expect(ImageFormat.jpeg.mimeType == "image/jpeg" && ImageFormat.jpeg.fileExtension == "jpg")
        #expect(ImageFormat.webp.mimeType == "image/webp" && ImageFormat.png.fileExtension == "png")
    }
}

/// Deterministic pseudo-random numbers, so a failing damage round can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hand-built PNGs with a correct CRC, computed here bit by bit (independently of the probe's table).
enum PNGBuilder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func be32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func crc(_ bytes: [UInt8]) -> Int {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
        }
        return Int(~crc)
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(data.count) + body + be32(crc(body))
    }

    static func file(width: Int, height: Int, depth: UInt8 = 8, colourType: UInt8 = 2, withData: Bool = true) -> [UInt8] {
        let header = be32(width) + be32(height) + [depth, colourType, 0, 0, 0]
        // The IDAT content is never decoded by the probe; a stored zlib stream keeps it honest anyway.
        let data = withData ? chunk("IDAT", [0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]) : []
        return signature + chunk("IHDR", header) + data + chunk("IEND", [])
    }
}

enum JPEGBuilder {
    static let soi: [UInt8] = [0xFF, 0xD8]
    /// SOS for one component, followed by a byte of entropy-coded data and EOI.
    static let scan: [UInt8] = segment(0xDA, [0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]) + [0x12, 0xFF, 0xD9]

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    static func frame(width: Int, height: Int, marker: UInt8 = 0xC0) -> [UInt8] {
        segment(marker, [8, UInt8(height >> 8), UInt8(height & 0xFF), UInt8(width >> 8), UInt8(width & 0xFF), 1, 1, 0x11, 0])
    }
}

enum WebPBuilder {
    static func le32(_ value: Int) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: value >> $0) } }
    static func le24(_ value: Int) -> [UInt8] { [0, 8, 16].map { UInt8(truncatingIfNeeded: value >> $0) } }

    static func file(_ fourCC: String, _ payload: [UInt8]) -> [UInt8] {
        let padded = payload.count % 2 == 1 ? payload + [0] : payload
        let chunk = Array(fourCC.utf8) + le32(payload.count) + padded
        return Array("RIFF".utf8) + le32(4 + chunk.count) + Array("WEBP".utf8) + chunk
    }
}
