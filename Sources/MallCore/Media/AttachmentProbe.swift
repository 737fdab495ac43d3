import Foundation

/// The kinds of file a product carries besides its images.
public enum AttachmentFormat: String, Codable, Sendable, CaseIterable {
    case mp4, webm, pdf

    public var mimeType: String {
        switch self {
        case .mp4: "video/mp4"
        case .webm: "video/webm"
        case .pdf: "application/pdf"
        }
    }

    public var fileExtension: String { rawValue }

    public var isVideo: Bool { self != .pdf }
}

/// What `AttachmentProbe` learned from a file.
public struct AttachmentInfo: Hashable, Sendable {
    public var format: AttachmentFormat
    /// Whole milliseconds; nil for documents.
    public var durationMilliseconds: Int?
    public var byteCount: Int

    public init(format: AttachmentFormat, durationMilliseconds: Int?, byteCount: Int) {
        self.format = format
        self.durationMilliseconds = durationMilliseconds
        self.byteCount = byteCount
    }
}

/// Recognises product videos and documents by their bytes, never by name or declared type:
/// MP4 by its leading `ftyp` box, with the duration from `moov/mvhd`; WebM by its EBML header
/// with DocType `webm`, with the duration from `Segment/Info/Duration`; PDF by `%PDF-`.
///
/// Every length inside the file is checked against what is there, so a hostile file is a
/// `ValidationFailure` on `file`, never a trap or a huge allocation.
public enum AttachmentProbe {
    public static func inspect(_ bytes: [UInt8]) throws -> AttachmentInfo {
        guard !bytes.isEmpty else { throw failure("is empty") }
        if bytes.starts(with: Array("%PDF-".utf8)) {
            return AttachmentInfo(format: .pdf, durationMilliseconds: nil, byteCount: bytes.count)
        }
        if bytes.count >= 8, Array(bytes[4..<8]) == Array("ftyp".utf8) {
            return AttachmentInfo(format: .mp4, durationMilliseconds: try mp4Duration(bytes), byteCount: bytes.count)
        }
        if bytes.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) {
            return AttachmentInfo(format: .webm, durationMilliseconds: try webmDuration(bytes), byteCount: bytes.count)
        }
        throw failure("is not an MP4 or WebM video or a PDF document")
    }

    static func failure(_ message: String) -> ValidationFailure { ValidationFailure(field: "file", message: message) }

    // MARK: MP4 (ISO/IEC 14496-12)

    /// Boxes are `size(4) type(4) body`; size 1 means a 64-bit size follows the type, 0 means
    /// "to the end". The movie header `mvhd` sits in `moov`, which may come after the media data.
    static func mp4Duration(_ bytes: [UInt8]) throws -> Int {
        guard let moov = box("moov", in: bytes, range: 0..<bytes.count) else { throw failure("is an MP4 file without a movie header (moov box)") }
        guard let mvhd = box("mvhd", in: bytes, range: moov) else { throw failure("is an MP4 file without a movie header (mvhd box)") }
        let body = Array(bytes[mvhd])
        guard let version = body.first else { throw failure("has a damaged MP4 movie header") }
        let timescale: UInt64
        let duration: UInt64
        switch version {
        case 0:
            guard body.count >= 20 else { throw failure("has a damaged MP4 movie header") }
            timescale = read(body, at: 12, count: 4)
            duration = read(body, at: 16, count: 4)
        case 1:
            guard body.count >= 32 else { throw failure("has a damaged MP4 movie header") }
            timescale = read(body, at: 20, count: 4)
            duration = read(body, at: 24, count: 8)
        default:
            throw failure("has an MP4 movie header of an unknown version")
        }
        // All ones means "unknown" (a fragmented or live file): its length cannot be checked.
        guard timescale > 0, duration != UInt64.max, duration != UInt64(UInt32.max) || version == 1 else {
            throw failure("is an MP4 file whose duration is not recorded")
        }
        let (millis, overflow) = duration.multipliedReportingOverflow(by: 1000)
        let value = overflow ? UInt64.max : millis / timescale
        return value > UInt64(Int.max) ? Int.max : Int(value)
    }

    /// The body range of the first box of `type` directly inside `range`.
    static func box(_ type: String, in bytes: [UInt8], range: Range<Int>) -> Range<Int>? {
        let wanted = Array(type.utf8)
        var position = range.lowerBound
        while range.upperBound - position >= 8 {
            var size = Int(clamping: read(bytes, at: position, count: 4))
            var header = 8
            if size == 1 {
                guard range.upperBound - position >= 16 else { return nil }
                size = Int(clamping: read(bytes, at: position + 8, count: 8))
                header = 16
            } else if size == 0 {
                size = range.upperBound - position
            }
            guard size >= header, size <= range.upperBound - position else { return nil }
            if Array(bytes[(position + 4)..<(position + 8)]) == wanted { return (position + header)..<(position + size) }
            position += size
        }
        return nil
    }

    static func read(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        bytes[offset..<(offset + count)].reduce(0) { ($0 << 8) | UInt64($1) }
    }

    // MARK: WebM (Matroska / EBML, RFC 8794)

    static let segmentID: UInt64 = 0x1853_8067
    static let infoID: UInt64 = 0x1549_A966
    static let timecodeScaleID: UInt64 = 0x2A_D7B1
    static let durationID: UInt64 = 0x4489
    static let docTypeID: UInt64 = 0x4282

    static func webmDuration(_ bytes: [UInt8]) throws -> Int {
        guard let header = element(at: 0, in: bytes, end: bytes.count), header.id == 0x1A45_DFA3 else {
            throw failure("has a damaged WebM header")
        }
        guard let docType = child(docTypeID, in: bytes, range: header.body),
              String(decoding: bytes[docType].prefix { $0 != 0 }, as: UTF8.self) == "webm" else {
            throw failure("is a Matroska file but not WebM")
        }
        guard let segment = element(at: header.body.upperBound, in: bytes, end: bytes.count), segment.id == segmentID,
              let info = child(infoID, in: bytes, range: segment.body) else {
            throw failure("is a WebM file without segment information")
        }
        var scale: UInt64 = 1_000_000 // nanoseconds per tick, the default
        if let scaleRange = child(timecodeScaleID, in: bytes, range: info) {
            guard (1...8).contains(scaleRange.count) else { throw failure("has a damaged WebM timecode scale") }
            scale = read(bytes, at: scaleRange.lowerBound, count: scaleRange.count)
        }
        guard let durationRange = child(durationID, in: bytes, range: info) else { throw failure("is a WebM file whose duration is not recorded") }
        let ticks: Double
        switch durationRange.count {
        case 4: ticks = Double(Float(bitPattern: UInt32(read(bytes, at: durationRange.lowerBound, count: 4))))
        case 8: ticks = Double(bitPattern: read(bytes, at: durationRange.lowerBound, count: 8))
        default: throw failure("has a damaged WebM duration")
        }
        let millis = ticks * Double(scale) / 1_000_000
        guard millis.isFinite, millis >= 0, scale > 0 else { throw failure("has a damaged WebM duration") }
        return millis >= Double(Int.max / 2) ? Int.max : Int(millis.rounded())
    }

    struct Element {
        var id: UInt64
        var body: Range<Int>
    }

    /// An element's id and body. An unknown size (all ones), as a live stream's segment has,
    /// runs to `end`.
    static func element(at position: Int, in bytes: [UInt8], end: Int) -> Element? {
        guard let id = vint(at: position, in: bytes, end: end, keepMarker: true),
              let size = vint(at: position + id.length, in: bytes, end: end, keepMarker: false) else { return nil }
        let start = position + id.length + size.length
        let unknown = size.value == (UInt64(1) << (7 * UInt64(size.length))) - 1
        let length = unknown ? end - start : Int(clamping: size.value)
        guard length <= end - start else { return nil }
        return Element(id: id.value, body: start..<(start + length))
    }

    static func child(_ id: UInt64, in bytes: [UInt8], range: Range<Int>) -> Range<Int>? {
        var position = range.lowerBound
        while position < range.upperBound, let found = element(at: position, in: bytes, end: range.upperBound) {
            if found.id == id { return found.body }
            guard found.body.upperBound > position else { return nil }
            position = found.body.upperBound
        }
        return nil
    }

    /// EBML's variable-length integer: the count of leading zero bits in the first byte says how
    /// many bytes follow (at most 8 in all).
    static func vint(at position: Int, in bytes: [UInt8], end: Int, keepMarker: Bool) -> (value: UInt64, length: Int)? {
        guard position >= 0, position < end, position < bytes.count, bytes[position] != 0 else { return nil }
        let length = bytes[position].leadingZeroBitCount + 1
        guard position + length <= min(end, bytes.count) else { return nil }
        var value = UInt64(keepMarker ? bytes[position] : bytes[position] & (0xFF >> length))
        for byte in bytes[(position + 1)..<(position + length)] { value = (value << 8) | UInt64(byte) }
        return (value, length)
    }
}
