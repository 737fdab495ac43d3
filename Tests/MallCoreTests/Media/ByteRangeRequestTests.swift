import MallCore
import Testing

@Suite("Byte range requests")
struct ByteRangeRequestTests {
    @Test("the three forms a player sends, on a 1,000-byte file", arguments: [
        ("bytes=0-499", ByteRangeRequest.partial(0...499)),
        ("bytes=500-", .partial(500...999)),
        ("bytes=-200", .partial(800...999)),
        ("bytes=990-5000", .partial(990...999)),
        ("bytes=-5000", .partial(0...999)),
        ("bytes=999-999", .partial(999...999)),
        ("Bytes=0-0 ", .partial(0...0)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=1000-2000", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=99999999999999999999999-", .unsatisfiable),
        ("bytes=0-99999999999999999999999", .partial(0...999)),
    ])
    func forms(header: String, expected: ByteRangeRequest) {
        #expect(ByteRangeRequest.parse(header, length: 1000) == expected)
    }

    @Test("headers this server does not honour fall back to the whole file", arguments: [
        nil, "", "bytes=", "bytes=-", "items=0-1", "bytes=0-1,5-6", "bytes=5-1", "bytes=a-b", "bytes=+1-2", "bytes=1--2",
        "bytes=0x10-", String(repeating: "bytes=0-1", count: 40),
    ])
    func ignored(header: String?) {
        #expect(ByteRangeRequest.parse(header, length: 1000) == .whole)
    }

    @Test("an empty file satisfies no range")
    func emptyFile() {
        #expect(ByteRangeRequest.parse("bytes=0-", length: 0) == .unsatisfiable)
        #expect(ByteRangeRequest.parse("bytes=-10", length: 0) == .unsatisfiable)
    }

    @Test("property: every partial answer lies inside the file and is what the header asked for", arguments: 0..<20)
    func property(seed: Int) {
        var random = PricingTestRandom(seed: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        for _ in 0..<500 {
            let length = Int.random(in: 0...5000, using: &random)
            let a = Int.random(in: 0...6000, using: &random)
            let b = Int.random(in: 0...6000, using: &random)
            let header: String
            switch Int.random(in: 0..<3, using: &random) {
            case 0: header = "bytes=\(a)-\(b)"
            case 1: header = "bytes=\(a)-"
            default: header = "bytes=-\(b)"
            }
            switch ByteRangeRequest.parse(header, length: length) {
            case .partial(let range):
                #expect(range.lowerBound >= 0 && range.upperBound < length, "\(header) on \(length)")
                if header.hasPrefix("bytes=-") {
                    #expect(range.count == min(b, length))
                } else {
                    #expect(range.lowerBound == a)
                }
            case .unsatisfiable:
                #expect(length == 0 || a >= length || header == "bytes=-0", "\(header) on \(length)")
            case .whole:
                #expect(header.hasPrefix("bytes=\(a)-\(b)") && b < a, "\(header) on \(length)")
            }
        }
    }
}
