/// The image formats of product media: the three every browser shows, which people may upload,
/// and SVG, which only the server writes (`ProductIllustration`).
public enum ImageFormat: String, Codable, Sendable, CaseIterable {
    case jpeg, png, webp, svg

    /// What people may upload. `ImageProbe` recognises only these: an SVG document can carry
    /// scripts and external references, so one from outside is never stored.
    public static let uploadable: [ImageFormat] = [.jpeg, .png, .webp]

    /// The `Content-Type` the bytes are served with.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .svg: "image/svg+xml"
        }
    }

    /// The extension used in storage keys and URLs.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .svg: "svg"
        }
    }

    /// How the format is named in messages to people.
    public var displayName: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .webp: "WebP"
        case .svg: "SVG"
        }
    }
}

/// What `ImageProbe` learned from an image's header.
public struct ImageInfo: Hashable, Sendable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var byteCount: Int

    public init(format: ImageFormat, width: Int, height: Int, byteCount: Int) {
        self.format = format
        self.width = width
        self.height = height
        self.byteCount = byteCount
    }
}

/// Recognises an image by its leading bytes and reads its pixel size from the header, without
/// decoding pixels. The file name and the declared `Content-Type` are never consulted: both are
/// chosen by the uploader, the bytes are what a browser will actually interpret.
///
/// Every failure is a `ValidationFailure` on the field `file`, phrased for the person uploading.
public enum ImageProbe {
    public static func inspect(_ bytes: [UInt8]) throws -> ImageInfo {
        if bytes.isEmpty { throw ValidationFailure(field: "file", message: "is empty") }
        let (format, width, height): (ImageFormat, Int, Int)
        if bytes.starts(with: pngSignature) {
            (width, height) = try pngSize(bytes)
            format = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            (width, height) = try jpegSize(bytes)
            format = .jpeg
        } else if bytes.count >= 12, bytes.starts(with: riff), bytes[8..<12].elementsEqual("WEBP".utf8) {
            (width, height) = try webpSize(bytes)
            format = .webp
        } else if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) {
            throw ValidationFailure(field: "file", message: "is a GIF image; upload a JPEG, PNG or WebP image instead")
        } else if pngSignature.starts(with: bytes) || [0xFF, 0xD8, 0xFF].starts(with: bytes) || riff.starts(with: bytes)
                    || (bytes.starts(with: riff) && bytes.count < 12) {
            // Too short to hold a whole signature but consistent with one: a cut-off upload.
            throw ValidationFailure(field: "file", message: "is cut off before its image header ends")
        } else {
            throw ValidationFailure(field: "file", message: "is not a JPEG, PNG or WebP image")
        }
        return ImageInfo(format: format, width: width, height: height, byteCount: bytes.count)
    }

    // MARK: - PNG

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let riff: [UInt8] = Array("RIFF".utf8)

    /// The first chunk must be IHDR (PNG spec §11.2.2): length 13, then width and height as 31-bit
    /// big-endian integers, bit depth, colour type, compression, filter, interlace, and a CRC.
    /// The chunks after it are walked by their lengths up to the first IDAT, so a file that stops
    /// after its header is not taken for an image.
    static func pngSize(_ b: [UInt8]) throws -> (Int, Int) {
        let reader = ByteReader(b, format: .png)
        guard try reader.be32(8) == 13, try reader.bytes(12, 4).elementsEqual("IHDR".utf8) else {
            throw reader.corrupt("its first chunk is not the IHDR header")
        }
        let width = try reader.be32(16), height = try reader.be32(20)
        let depth = try reader.byte(24), colourType = try reader.byte(25)
        let storedCRC = try reader.be32(29)
        guard CRC32.checksum(b[12..<29]) == storedCRC else {
            throw reader.corrupt("its header checksum does not match")
        }
        let allowedDepths: [UInt8: Set<UInt8>] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard allowedDepths[colourType]?.contains(depth) == true, try reader.byte(26) == 0, try reader.byte(27) == 0,
              try reader.byte(28) <= 1 else {
            throw reader.corrupt("its header names an impossible colour type, bit depth or method")
        }
        guard (1...0x7FFF_FFFF).contains(width), (1...0x7FFF_FFFF).contains(height) else {
            throw reader.corrupt("its width or height is zero or out of range")
        }
        var offset = 33
        while true {
            let length = try reader.be32(offset)
            let type = String(decoding: try reader.bytes(offset + 4, 4), as: UTF8.self)
            guard length <= 0x7FFF_FFFF else { throw reader.corrupt("chunk \(type) has an impossible length") }
            _ = try reader.bytes(offset + 8, length + 4) // data and CRC
            if type == "IDAT" { return (width, height) }
            if type == "IEND" { throw reader.corrupt("it ends without image data") }
            offset += 12 + length
        }
    }

    // MARK: - JPEG

    /// Walks the marker segments (ITU T.81 §B.1) from SOI to the first SOS. The frame header
    /// (SOFn) holds the size; every other segment is skipped by its declared length, so bytes that
    /// merely look like a marker inside EXIF or a comment are never mistaken for one. Any number of
    /// 0xFF fill bytes may precede a marker (§B.1.1.2).
    static func jpegSize(_ b: [UInt8]) throws -> (Int, Int) {
        let reader = ByteReader(b, format: .jpeg)
        var index = 2
        var frame: (width: Int, height: Int)?
        while true {
            guard try reader.byte(index) == 0xFF else {
                throw reader.corrupt("expected a marker at byte \(index)")
            }
            while try reader.byte(index) == 0xFF { index += 1 }
            let marker = try reader.byte(index)
            index += 1
            switch marker {
            case 0x01, 0xD0...0xD7:
                continue // TEM and RSTn stand alone, without a length.
            case 0x00:
                throw reader.corrupt("found a stuffed byte outside image data at byte \(index - 1)")
            case 0xD8:
                throw reader.corrupt("it starts a second image at byte \(index - 2)")
            case 0xD9:
                throw reader.corrupt(frame == nil ? "it ends without a frame header" : "it ends before its image data")
            default:
                break
            }
            let length = try reader.be16(index)
            guard length >= 2 else { throw reader.corrupt("segment length \(length) at byte \(index) is too small") }
            _ = try reader.bytes(index, length) // the whole segment must be present
            if isStartOfFrame(marker), frame == nil {
                let components = try reader.byte(index + 7)
                guard length == 8 + 3 * Int(components), components > 0 else {
                    throw reader.corrupt("its frame header has the wrong length")
                }
                guard [0xC0, 0xC1, 0xC2].contains(marker) else {
                    throw ValidationFailure(field: "file", message: "is a lossless, hierarchical or arithmetic-coded JPEG, which browsers cannot show; save it as a baseline or progressive JPEG")
                }
                let height = try reader.be16(index + 3), width = try reader.be16(index + 5)
                guard height > 0 else {
                    // A zero height is legal (a DNL marker after the first scan supplies it) but
                    // practically unused and unsupported by browsers.
                    throw reader.corrupt("its height is not given in the frame header")
                }
                guard width > 0 else { throw reader.corrupt("its width is zero") }
                frame = (width, height)
            }
            if marker == 0xDA {
                guard let frame else { throw reader.corrupt("its image data comes before the frame header") }
                return (frame.width, frame.height)
            }
            index += length
        }
    }

    /// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
    static func isStartOfFrame(_ marker: UInt8) -> Bool {
        (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)
    }

    // MARK: - WebP

    /// A RIFF container whose first chunk is the bitstream (`VP8 ` lossy, `VP8L` lossless) or the
    /// extended header `VP8X` carrying the canvas size. See Google's "WebP Container
    /// Specification" and RFC 6386 §9.1 for the VP8 key-frame header.
    static func webpSize(_ b: [UInt8]) throws -> (Int, Int) {
        let reader = ByteReader(b, format: .webp)
        let riffSize = try reader.le32(4)
        guard riffSize >= 4 + 8 else { throw reader.corrupt("its RIFF size is too small") }
        guard 8 + riffSize <= b.count else { throw reader.truncated() }
        let chunk = try reader.bytes(12, 4)
        let chunkSize = try reader.le32(16)
        guard 20 + chunkSize <= 8 + riffSize else { throw reader.truncated() }
        let payload = 20
        switch String(decoding: chunk, as: UTF8.self) {
        case "VP8 ":
            guard chunkSize >= 10 else { throw reader.truncated() }
            // Frame tag: bit 0 is 0 for a key frame, the only kind a still image has.
            guard try reader.byte(payload) & 0x01 == 0 else { throw reader.corrupt("its VP8 frame is not a key frame") }
            guard try reader.bytes(payload + 3, 3).elementsEqual([0x9D, 0x01, 0x2A]) else {
                throw reader.corrupt("its VP8 start code is missing")
            }
            // 14 bits of size; the top two bits are an upscaling hint that does not change it.
            let width = try reader.le16(payload + 6) & 0x3FFF, height = try reader.le16(payload + 8) & 0x3FFF
            guard width > 0, height > 0 else { throw reader.corrupt("its width or height is zero") }
            return (width, height)
        case "VP8L":
            guard chunkSize >= 5 else { throw reader.truncated() }
            guard try reader.byte(payload) == 0x2F else { throw reader.corrupt("its VP8L signature is missing") }
            // 14 bits width − 1, 14 bits height − 1, 1 bit alpha hint, 3 bits version (must be 0).
            let bits = try reader.le32(payload + 1)
            guard bits >> 29 == 0 else { throw reader.corrupt("its VP8L version is unknown") }
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            guard chunkSize >= 10 else { throw reader.truncated() }
            // Flags (1 byte), reserved (3), canvas width − 1 (24 bits), canvas height − 1 (24 bits).
            let width = try reader.le24(payload + 4) + 1, height = try reader.le24(payload + 7) + 1
            guard width * height <= 0xFFFF_FFFF else { throw reader.corrupt("its canvas is larger than WebP allows") }
            return (width, height)
        default:
            throw reader.corrupt("its first chunk is neither VP8, VP8L nor VP8X")
        }
    }
}

/// Bounds-checked reads; running off the end is reported as truncation, which it is.
private struct ByteReader {
    let bytes: [UInt8]
    let format: ImageFormat

    init(_ bytes: [UInt8], format: ImageFormat) {
        self.bytes = bytes
        self.format = format
    }

    func truncated() -> ValidationFailure {
        ValidationFailure(field: "file", message: "is a \(format.displayName) image that is cut off (truncated)")
    }

    func corrupt(_ reason: String) -> ValidationFailure {
        ValidationFailure(field: "file", message: "is not a valid \(format.displayName) image: \(reason)")
    }

    func bytes(_ offset: Int, _ count: Int) throws -> ArraySlice<UInt8> {
        guard offset >= 0, count >= 0, offset <= bytes.count - count else { throw truncated() }
        return bytes[offset..<(offset + count)]
    }

    func byte(_ offset: Int) throws -> UInt8 { try bytes(offset, 1).first! }

    func be16(_ offset: Int) throws -> Int { try bytes(offset, 2).reduce(0) { $0 << 8 | Int($1) } }

    func be32(_ offset: Int) throws -> Int { try bytes(offset, 4).reduce(0) { $0 << 8 | Int($1) } }

    func le16(_ offset: Int) throws -> Int { try bytes(offset, 2).reversed().reduce(0) { $0 << 8 | Int($1) } }

    func le24(_ offset: Int) throws -> Int { try bytes(offset, 3).reversed().reduce(0) { $0 << 8 | Int($1) } }

    func le32(_ offset: Int) throws -> Int { try bytes(offset, 4).reversed().reduce(0) { $0 << 8 | Int($1) } }
}

/// CRC-32 as PNG uses it (ISO 3309, polynomial 0xEDB88320, reflected).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return Int(crc ^ 0xFFFF_FFFF)
    }
}
