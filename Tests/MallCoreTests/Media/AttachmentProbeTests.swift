import Foundation
import MallCore
import Testing

/// Minimal files built by hand, box by box and element by element.
enum AttachmentSamples {
    static func be(_ value: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) } }

    static func box(_ type: String, _ body: [UInt8]) -> [UInt8] { be(UInt64(body.count + 8), 4) + Array(type.utf8) + body }

    /// `ftyp`, then media data, then `moov` holding `mvhd` (version 0 or 1), as a camera that
    /// writes the index last does.
    static func mp4(timescale: UInt64, duration: UInt64, version: UInt8 = 0) -> [UInt8] {
        let mvhd: [UInt8] = version == 0
            ? [0, 0, 0, 0] + be(0, 4) + be(0, 4) + be(timescale, 4) + be(duration, 4) + [UInt8](repeating: 0, count: 80)
            : [1, 0, 0, 0] + be(0, 8) + be(0, 8) + be(timescale, 4) + be(duration, 8) + [UInt8](repeating: 0, count: 80)
        return box("ftyp", Array("isom".utf8) + be(512, 4) + Array("isomavc1".utf8)) + box("mdat", [UInt8](repeating: 0xAB, count: 64))
            + box("moov", box("mvhd", mvhd))
    }

    static func ebml(_ id: [UInt8], _ body: [UInt8]) -> [UInt8] {
        // Sizes as 8-byte vints (0x01 marker) to keep the builder simple.
        id + [0x01] + be(UInt64(body.count), 7) + body
    }

    static func webm(durationTicks: Double, timecodeScale: UInt64? = nil, docType: String = "webm", floatDuration: Bool = false) -> [UInt8] {
        let header = ebml([0x1A, 0x45, 0xDF, 0xA3], ebml([0x42, 0x86], [1]) + ebml([0x42, 0x82], Array(docType.utf8)))
        var info: [UInt8] = []
        if let timecodeScale { info += ebml([0x2A, 0xD7, 0xB1], be(timecodeScale, 4)) }
        info += ebml([0x44, 0x89], floatDuration ? be(UInt64(Float(durationTicks).bitPattern), 4) : be(durationTicks.bitPattern, 8))
        let segment = ebml([0x18, 0x53, 0x80, 0x67], ebml([0x15, 0x49, 0xA9, 0x66], info) + ebml([0x1F, 0x43, 0xB6, 0x75], [0, 0, 0]))
        return header + segment
    }

    static let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
}

@Suite("Video and document probing")
struct AttachmentProbeTests {
    func message(_ bytes: [UInt8]) -> String? {
        do {
            _ = try AttachmentProbe.inspect(bytes)
            return nil
        } catch let failure as ValidationFailure {
            #expect(failure.errors.map(\.field) == ["file"])
            return failure.errors.first?.message
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("MP4: the ftyp box names it, mvhd gives the duration (versions 0 and 1)")
    func mp4() throws {
        let v0 = try AttachmentProbe.inspect(AttachmentSamples.mp4(timescale: 1000, duration: 12_345))
        #expect(v0 == AttachmentInfo(format: .mp4, durationMilliseconds: 12_345, byteCount: AttachmentSamples.mp4(timescale: 1000, duration: 12_345).count))
        #expect(try AttachmentProbe.inspect(AttachmentSamples.mp4(timescale: 90_000, duration: 90_000 * 61, version: 1)).durationMilliseconds == 61_000)
        #expect(message(AttachmentSamples.mp4(timescale: 0, duration: 10)) == "is an MP4 file whose duration is not recorded")
        #expect(message(AttachmentSamples.mp4(timescale: 1000, duration: 0xFFFF_FFFF)) == "is an MP4 file whose duration is not recorded")
        #expect(try AttachmentProbe.inspect(AttachmentSamples.mp4(timescale: 1, duration: .max - 1, version: 1)).durationMilliseconds == Int.max)
    }

    @Test("WebM: the EBML header with DocType webm names it, Segment/Info/Duration gives the duration")
    func webm() throws {
        #expect(try AttachmentProbe.inspect(AttachmentSamples.webm(durationTicks: 15_500)).durationMilliseconds == 15_500)
        #expect(try AttachmentProbe.inspect(AttachmentSamples.webm(durationTicks: 2_000, floatDuration: true)).format == .webm)
        // A timecode scale of 1 µs: 2,000,000 ticks are two seconds.
        #expect(try AttachmentProbe.inspect(AttachmentSamples.webm(durationTicks: 2_000_000, timecodeScale: 1_000)).durationMilliseconds == 2_000)
        #expect(message(AttachmentSamples.webm(durationTicks: 1, docType: "matroska")) == "is a Matroska file but not WebM")
        #expect(message(AttachmentSamples.webm(durationTicks: .nan)) == "has a damaged WebM duration")
        #expect(message(AttachmentSamples.webm(durationTicks: -5)) == "has a damaged WebM duration")
    }

    @Test("PDF by %PDF-, anything else refused")
    func documentsAndStrangers() throws {
        #expect(try AttachmentProbe.inspect(AttachmentSamples.pdf) == AttachmentInfo(format: .pdf, durationMilliseconds: nil, byteCount: AttachmentSamples.pdf.count))
        #expect(message([]) == "is empty")
        #expect(message(Array("GIF89a....".utf8)) == "is not an MP4 or WebM video or a PDF document")
        #expect(message(Array("%PDX-1.4".utf8)) == "is not an MP4 or WebM video or a PDF document")
    }

    @Test("every truncation of every sample is an answer or a message, never a trap", arguments: 0..<3)
    func truncations(sample: Int) {
        let bytes = [AttachmentSamples.mp4(timescale: 600, duration: 6000, version: 1), AttachmentSamples.webm(durationTicks: 900),
                     AttachmentSamples.mp4(timescale: 600, duration: 6000)][sample]
        for end in 0..<bytes.count {
            _ = try? AttachmentProbe.inspect(Array(bytes[0..<end]))
        }
    }

    @Test("property: random corruption of valid videos never traps", arguments: 0..<10)
    func corruption(seed: Int) {
        var random = PricingTestRandom(seed: UInt64(seed) &+ 7)
        let samples = [AttachmentSamples.mp4(timescale: 600, duration: 6000, version: 1), AttachmentSamples.webm(durationTicks: 900),
                       AttachmentSamples.mp4(timescale: 1000, duration: 5000)]
        for _ in 0..<300 {
            var bytes = samples[Int.random(in: 0..<samples.count, using: &random)]
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if let info = try? AttachmentProbe.inspect(bytes) {
                #expect(info.byteCount == bytes.count)
                #expect((info.durationMilliseconds ?? 0) >= 0)
            }
        }
    }
}

@Suite("Video and document limits")
struct AttachmentUploadPolicyTests {
    @Test("videos obey the size and duration settings; documents a fixed 20 MB")
    func limits() throws {
        let video = AttachmentInfo(format: .mp4, durationMilliseconds: 30_000, byteCount: 10 * 1024 * 1024)
        try AttachmentUploadPolicy.check(video, maxVideoMegabytes: 10, maxVideoSeconds: 30)
        #expect(throws: ValidationFailure(field: "file", message: "is larger than 9 MB")) {
            try AttachmentUploadPolicy.check(video, maxVideoMegabytes: 9, maxVideoSeconds: 30)
        }
        #expect(throws: ValidationFailure(field: "file", message: "is longer than 29 seconds")) {
            try AttachmentUploadPolicy.check(video, maxVideoMegabytes: 10, maxVideoSeconds: 29)
        }
        try AttachmentUploadPolicy.check(AttachmentInfo(format: .pdf, durationMilliseconds: nil, byteCount: 20 * 1024 * 1024),
                                         maxVideoMegabytes: 1, maxVideoSeconds: 1)
        #expect(throws: ValidationFailure.self) {
            try AttachmentUploadPolicy.check(AttachmentInfo(format: .pdf, durationMilliseconds: nil, byteCount: 20 * 1024 * 1024 + 1),
                                             maxVideoMegabytes: 1, maxVideoSeconds: 1)
        }
    }
}
