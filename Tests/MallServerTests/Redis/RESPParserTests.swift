import Foundation
import NIOCore
import Testing
@testable import MallServer

@Suite("RESP parser and encoder: frames, partial input, limits, hostile bytes")
struct RESPParserTests {
    func parseAll(_ text: String, parser: RESPParser = RESPParser()) throws -> [RESPValue] {
        var buffer = ByteBuffer(string: text)
        var values: [RESPValue] = []
        while let value = try parser.parse(&buffer) { values.append(value) }
        #expect(buffer.readableBytes == 0, "left over: \(String(buffer: buffer))")
        return values
    }

    @Test("every RESP2 type, nulls, nested arrays and errors")
    func resp2() throws {
        let values = try parseAll("+OK\r\n-ERR wrong\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*2\r\n*1\r\n:1\r\n*0\r\n")
        #expect(values == [
            .simpleString("OK"), .error("ERR wrong"), .integer(-42), .bulkString(ByteBuffer(string: "hello")),
            .bulkString(ByteBuffer()), .null, .null, .array([.array([.integer(1)]), .array([])]),
        ])
    }

    @Test("RESP3 replies fold into RESP2 shapes: null, boolean, double, big number, verbatim, map, set, push, attribute")
    func resp3() throws {
        let values = try parseAll("_\r\n#t\r\n#f\r\n,3.5\r\n(123456789012345678901234567890\r\n=8\r\ntxt:hola\r\n%1\r\n+k\r\n:1\r\n~1\r\n+s\r\n>3\r\n+message\r\n+ch\r\n$1\r\nx\r\n|1\r\n+ttl\r\n:5\r\n+after\r\n!3\r\nBAD\r\n")
        #expect(values == [
            .null, .integer(1), .integer(0), .bulkString(ByteBuffer(string: "3.5")),
            .bulkString(ByteBuffer(string: "123456789012345678901234567890")), .bulkString(ByteBuffer(string: "hola")),
            .array([.simpleString("k"), .integer(1)]), .array([.simpleString("s")]),
            .push([.simpleString("message"), .simpleString("ch"), .bulkString(ByteBuffer(string: "x"))]),
            .simpleString("after"), .error("BAD"),
        ])
    }

    @Test("a frame cut at any byte waits for the rest, then parses whole; the buffer is not consumed meanwhile")
    func partialFrames() throws {
        let frame = "*3\r\n$3\r\nSET\r\n*2\r\n:7\r\n$-1\r\n+done\r\n"
        let whole = try parseAll(frame)
        let bytes = Array(frame.utf8)
        for cut in 0..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[0..<cut])
            #expect(try RESPParser().parse(&buffer) == nil, "cut at \(cut)")
            #expect(buffer.readableBytes == cut)
            buffer.writeBytes(bytes[cut...])
            #expect(try RESPParser().parse(&buffer) == whole[0])
        }
    }

    @Test("a 3 MB bulk string arriving in 64 KB pieces")
    func bigBulkString() throws {
        let payload = String(repeating: "0123456789abcdef", count: 196_608)
        let bytes = Array("$\(payload.utf8.count)\r\n\(payload)\r\n".utf8)
        var buffer = ByteBuffer()
        var parsed: RESPValue?
        for start in stride(from: 0, to: bytes.count, by: 65_536) {
            #expect(parsed == nil)
            buffer.writeBytes(bytes[start..<min(bytes.count, start + 65_536)])
            parsed = try RESPParser().parse(&buffer)
        }
        #expect(parsed?.string == payload)
    }

    @Test("lengths and numbers out of range, bad terminators, unknown types and deep nesting are errors, not traps or allocations")
    func hostile() throws {
        let cases: [(String, RESPProtocolError)] = [
            ("$-2\r\n", .badLength("-2")),
            ("$536870913\r\n", .badLength("536870913")),
            ("$99999999999999999999\r\n", .badInteger("99999999999999999999")),
            ("*-5\r\n", .badLength("-5")),
            ("*9223372036854775807\r\n", .badLength("9223372036854775807")),
            ("%9223372036854775807\r\n", .badLength("9223372036854775807")),
            (":12x\r\n", .badInteger("12x")),
            ("$3\r\nabcXY", .missingTerminator),
            ("+OK\rX", .missingTerminator),
            ("?\r\n", .unknownType(UInt8(ascii: "?"))),
            ("#x\r\n", .badInteger("x")),
            (String(repeating: "*1\r\n", count: 40) + ":1\r\n", .nestedTooDeep),
        ]
        for (input, expected) in cases {
            var buffer = ByteBuffer(string: input)
            #expect(throws: expected, "\(input.prefix(30))") { try RESPParser().parse(&buffer) }
        }
        var endless = ByteBuffer(string: "+" + String(repeating: "a", count: 70_000))
        #expect(throws: RESPProtocolError.lineTooLong) { try RESPParser().parse(&endless) }
        // A huge declared count with few bytes only waits: nothing is reserved up front.
        var waiting = ByteBuffer(string: "*16000000\r\n:1\r\n")
        #expect(try RESPParser().parse(&waiting) == nil)
    }

    @Test("property: 5,000 random byte strings (and mutated valid frames) never trap; any value parsed consumed bytes")
    func randomBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("+-:$*_#,(=!%~>|\r\n0123456789-abcOK".utf8)
        let valid = Array("*3\r\n$3\r\nSET\r\n:12\r\n%1\r\n+a\r\n$-1\r\n".utf8)
        for round in 0..<5_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            var buffer = ByteBuffer(bytes: bytes)
            let before = buffer.readableBytes
            if let value = try? RESPParser().parse(&buffer) {
                #expect(buffer.readableBytes < before, "\(value)")
            }
        }
    }

    @Test("property: encoded commands parse back as arrays of the same bulk strings")
    func encoderRoundTrip() throws {
        for _ in 0..<500 {
            let command = (0..<Int.random(in: 1...6)).map { _ in
                String((0..<Int.random(in: 0...20)).map { _ in "aZ9\r\n 中文$*".randomElement()! })
            }
            var buffer = ByteBuffer()
            RESPEncoder.encode(command, into: &buffer)
            let parsed = try RESPParser().parse(&buffer)
            #expect(parsed?.elements?.map(\.string) == command)
            #expect(buffer.readableBytes == 0)
        }
    }
}
