import Foundation

/// A `multipart/form-data` body (RFC 7578, framed as in RFC 2046) read strictly from its bytes.
/// Whatever the bytes, reading ends in parts or in `MultipartFormData.Failure`, never in a trap:
/// the library parser it replaces indexed a 128-entry table with any byte of a part's header name
/// and stopped the whole server on the first one above 0x7F.
public struct MultipartFormData: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var body: [UInt8]
    }

    public enum Failure: Error, Sendable, Equatable {
        /// The Content-Type is not multipart/form-data, or its boundary is missing or malformed.
        case badBoundary
        /// The body does not follow the framing; says where, for the log.
        case malformed(String)
    }

    /// The most parts a form may have and the longest header block of one part: an upload form
    /// has two parts and a few short headers.
    public static let maximumParts = 16
    public static let maximumHeaderBytes = 8 * 1024

    public var parts: [Part]

    /// The first part with this name.
    public func part(named name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary parameter of a `multipart/form-data` Content-Type: 1–70 characters of RFC
    /// 2046's set, quoted or not, not ending in a space.
    public static func boundary(contentType: String) throws -> String {
        let pieces = contentType.split(separator: ";", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        guard let kind = pieces.first, kind.lowercased() == "multipart/form-data" else { throw Failure.badBoundary }
        for parameter in pieces.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, String(pair[0]).trimmingWhitespace().lowercased() == "boundary" else { continue }
            var value = String(pair[1]).trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            let allowed = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? ".utf8)
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy(allowed.contains), value.last != " " else {
                throw Failure.badBoundary
            }
            return value
        }
        throw Failure.badBoundary
    }

    public init(parsing body: [UInt8], boundary: String) throws {
        guard !boundary.isEmpty else { throw Failure.badBoundary }
        var reader = Reader(bytes: body, delimiter: Array(("--" + boundary).utf8))
        parts = try reader.parts()
    }

    private struct Reader {
        let bytes: [UInt8]
        let delimiter: [UInt8]
        var position = 0

        static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), hyphen = UInt8(ascii: "-"), colon = UInt8(ascii: ":")

        mutating func parts() throws -> [Part] {
            // The preamble: anything before the first delimiter that starts the body or a line.
            guard let first = find(delimiter, from: 0, atLineStart: true) else { throw Failure.malformed("no boundary delimiter") }
            position = first + delimiter.count
            var parts: [Part] = []
            while true {
                if starts(with: [Self.hyphen, Self.hyphen]) { return parts }  // the close delimiter; the epilogue is ignored
                while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
                guard starts(with: [Self.cr, Self.lf]) else { throw Failure.malformed("no line break after a delimiter") }
                position += 2
                guard parts.count < MultipartFormData.maximumParts else { throw Failure.malformed("more than \(MultipartFormData.maximumParts) parts") }
                let headers = try headerBlock()
                let next = [Self.cr, Self.lf] + delimiter
                guard let end = find(next, from: position, atLineStart: false) else { throw Failure.malformed("a part without its closing delimiter") }
                parts.append(try part(headers: headers, body: Array(bytes[position..<end])))
                position = end + next.count
            }
        }

        /// Header lines up to the blank line, as (lower-cased name, value).
        mutating func headerBlock() throws -> [(String, String)] {
            let start = position
            var headers: [(String, String)] = []
            while true {
                guard position - start <= MultipartFormData.maximumHeaderBytes else { throw Failure.malformed("part headers too long") }
                if starts(with: [Self.cr, Self.lf]) {
                    position += 2
                    return headers
                }
                var nameEnd = position
                while nameEnd < bytes.count, Self.isTokenByte(bytes[nameEnd]) { nameEnd += 1 }
                guard nameEnd > position, nameEnd < bytes.count, bytes[nameEnd] == Self.colon else { throw Failure.malformed("a part header without a name") }
                var valueEnd = nameEnd + 1
                while valueEnd < bytes.count, bytes[valueEnd] != Self.cr, bytes[valueEnd] != Self.lf { valueEnd += 1 }
                guard valueEnd + 1 < bytes.count, bytes[valueEnd] == Self.cr, bytes[valueEnd + 1] == Self.lf else {
                    throw Failure.malformed("a part header line not ended by CRLF")
                }
                guard let name = String(bytes: bytes[position..<nameEnd], encoding: .ascii),
                      let value = String(bytes: bytes[(nameEnd + 1)..<valueEnd], encoding: .utf8) else {
                    throw Failure.malformed("a part header that is not text")
                }
                headers.append((name.lowercased(), value.trimmingWhitespace()))
                position = valueEnd + 2
            }
        }

        func part(headers: [(String, String)], body: [UInt8]) throws -> Part {
            guard let disposition = headers.first(where: { $0.0 == "content-disposition" })?.1 else {
                throw Failure.malformed("a part without Content-Disposition")
            }
            let (kind, parameters) = Self.parameters(of: disposition)
            guard kind == "form-data", let name = parameters["name"], !name.isEmpty else { throw Failure.malformed("a part that is not a named form field") }
            return Part(name: name, filename: parameters["filename"], contentType: headers.first { $0.0 == "content-type" }?.1, body: body)
        }

        /// `form-data; name="file"; filename="牛奶.png"` → ("form-data", [name: file, filename: 牛奶.png]).
        static func parameters(of header: String) -> (String, [String: String]) {
            var scalars = Substring(header)
            func skipSpaces() { while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() } }
            func token() -> String {
                let value = scalars.prefix { $0 != ";" && $0 != "=" && $0 != " " && $0 != "\t" }
                scalars.removeFirst(value.count)
                return value.lowercased()
            }
            skipSpaces()
            let kind = token()
            var parameters: [String: String] = [:]
            while true {
                skipSpaces()
                guard scalars.first == ";" else { break }
                scalars.removeFirst()
                skipSpaces()
                let key = token()
                skipSpaces()
                guard scalars.first == "=" else { continue }
                scalars.removeFirst()
                skipSpaces()
                var value = ""
                if scalars.first == "\"" {
                    scalars.removeFirst()
                    while let character = scalars.first, character != "\"" {
                        scalars.removeFirst()
                        if character == "\\", let escaped = scalars.first {
                            scalars.removeFirst()
                            value.append(escaped)
                        } else {
                            value.append(character)
                        }
                    }
                    if scalars.first == "\"" { scalars.removeFirst() }
                } else {
                    let raw = scalars.prefix { $0 != ";" }
                    scalars.removeFirst(raw.count)
                    value = String(raw).trimmingWhitespace()
                }
                if !key.isEmpty, parameters[key] == nil { parameters[key] = value }
            }
            return (kind, parameters)
        }

        /// RFC 7230's token characters: what a header name may be made of.
        static func isTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }

        func starts(with prefix: [UInt8]) -> Bool {
            position + prefix.count <= bytes.count && bytes[position..<(position + prefix.count)].elementsEqual(prefix)
        }

        /// The first occurrence of `needle` at or after `start`; with `atLineStart`, only one that
        /// begins the bytes or follows a CRLF.
        func find(_ needle: [UInt8], from start: Int, atLineStart: Bool) -> Int? {
            guard let head = needle.first, needle.count <= bytes.count else { return nil }
            var index = start
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == head, bytes[index..<(index + needle.count)].elementsEqual(needle),
                   !atLineStart || index == 0 || (index >= 2 && bytes[index - 2] == Self.cr && bytes[index - 1] == Self.lf) {
                    return index
                }
                index += 1
            }
            return nil
        }
    }
}
