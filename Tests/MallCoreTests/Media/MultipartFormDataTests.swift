import Foundation
import MallCore
import Testing

@Suite("multipart/form-data reading")
struct MultipartFormDataTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

    @Test("a browser's form: fields and a file with a Chinese name, preamble and epilogue ignored, bytes kept exactly")
    func browserForm() throws {
        let image: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x2D, 0x2D, 0xFF]
        var body = Array("ignored preamble\r\n--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"merchantId\"\r\n\r\n00000000-0000-0000-0000-000000000001\r\n".utf8)
        body += Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"牛奶 \\\"大\\\".png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += image
        body += Array("\r\n--\(Self.boundary)--\r\nepilogue".utf8)
        let form = try MultipartFormData(parsing: body, boundary: Self.boundary)
        #expect(form.parts.map(\.name) == ["merchantId", "file"])
        #expect(String(decoding: try #require(form.part(named: "merchantId")).body, as: UTF8.self) == "00000000-0000-0000-0000-000000000001")
        let file = try #require(form.part(named: "file"))
        #expect(file.filename == "牛奶 \"大\".png")
        #expect(file.contentType == "image/png")
        #expect(file.body == image)
    }

    @Test("the boundary comes from the Content-Type, quoted or not, and only from a well-formed one")
    func boundaries() throws {
        #expect(try MultipartFormData.boundary(contentType: "multipart/form-data; boundary=\(Self.boundary)") == Self.boundary)
        #expect(try MultipartFormData.boundary(contentType: "Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b'c\"") == "a b'c")
        for bad in ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                    "multipart/form-data; boundary=\(String(repeating: "x", count: 71))", "multipart/form-data; boundary=a\u{82}b",
                    "multipart/form-data; boundary=ends-in-space \"", "application/json; boundary=x", "multipart/mixed; boundary=x"] {
            #expect(throws: MultipartFormData.Failure.badBoundary, "\(bad)") { try MultipartFormData.boundary(contentType: bad) }
        }
        #expect(throws: MultipartFormData.Failure.badBoundary) { try MultipartFormData(parsing: [], boundary: "") }
    }

    @Test("bodies that break the framing are refused: the byte that once trapped the server, missing ends, nameless parts")
    func malformed() {
        let b = "B"
        let cases: [[UInt8]] = [
            [0x2D, 0x2D, 0x42, 0x0D, 0x0A, 0xC2, 0x82, 0x2D, 0x2D, 0x42, 0x2D, 0x2D, 0x0D, 0x0A],  // --B\r\n\xc2\x82--B--
            Array("--B\r\n{: x\r\n\r\nx\r\n--B--\r\n".utf8),
            Array("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing delimiter".utf8),
            Array("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--".utf8),
            Array("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--B--".utf8),
            Array("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--".utf8),
            Array("--Bx\r\n".utf8),
            Array("no delimiter at all".utf8),
            Array("--B\r\nContent-Disposition: form-data; name=\"a\"\nbare line feed\r\n\r\nx\r\n--B--".utf8),
        ]
        for body in cases {
            #expect(throws: MultipartFormData.Failure.self, "\(String(decoding: body, as: UTF8.self))") { try MultipartFormData(parsing: body, boundary: b) }
        }
        let many = Array(String(repeating: "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n", count: 17).utf8) + Array("--B--".utf8)
        #expect(throws: MultipartFormData.Failure.self) { try MultipartFormData(parsing: many, boundary: b) }
    }

    @Test("any bytes at all, random or a real form mutated, are read or refused, never trapped on")
    func anyBytes() {
        var random = SystemRandomNumberGenerator()
        let valid = Array("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\u{89}PNG\r\n--B--\r\n".utf8)
        var parsed = 0
        for round in 0..<20_000 {
            var body: [UInt8]
            if round % 2 == 0 {
                body = (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                body = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<body.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: body[index] = UInt8.random(in: 0...255, using: &random)
                    case 1: body.remove(at: index)
                    default: body.insert(UInt8.random(in: 0...255, using: &random), at: index)
                    }
                }
            }
            if (try? MultipartFormData(parsing: body, boundary: "B")) != nil { parsed += 1 }
        }
        #expect(parsed > 0, "some mutations leave a readable form")
    }
}
