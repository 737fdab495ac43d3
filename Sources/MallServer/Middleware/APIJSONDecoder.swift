import Foundation
import MallCore
import Vapor

/// The API's JSON body decoder. Foundation reports a number that does not fit its field
/// (`18446744073709551616` or `1e308` for a whole number, `1.5` for a count) as "not valid JSON"
/// with no field named; this finds the fields those numbers sit in and answers with field errors,
/// so the client learns which value to fix and malformed JSON stays the only 400.
struct APIJSONDecoder: ContentDecoder {
    /// Bodies with more numbers, or more bytes, than this are not searched: each probe decodes
    /// the body once, and the search must not become a way to make the server work for nothing.
    static let probeLimit = 200
    static let probeBytes = 64 * 1024

    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders) throws -> D {
        let data = Data(buffer: body)
        do {
            return try JSONDecoder.api.decode(D.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw Self.numberFieldErrors(D.self, in: data) ?? DecodingError.dataCorrupted(context)
        }
    }

    /// The numbers whose replacement by 0 lets the body decode, as field errors; nil when the
    /// body is not valid JSON at all, or the numbers are not what stops it.
    static func numberFieldErrors<D: Decodable>(_ type: D.Type, in data: Data) -> ValidationFailure? {
        guard data.count <= probeBytes, let text = String(data: data, encoding: .utf8), let numbers = JSONNumberScanner.numbers(in: text),
              !numbers.isEmpty, numbers.count <= probeLimit else {
            // Too big to search: still say it is a number, when the text is JSON after all.
            guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else { return nil }
            return ValidationFailure(field: "body", message: "holds a number that is not a whole number in range for its field")
        }
        func decodes(keeping kept: Int?) -> Bool {
            var probe = text
            for (index, number) in numbers.enumerated().reversed() where index != kept {
                probe.replaceSubrange(number.range, with: "0")
            }
            do {
                _ = try JSONDecoder.api.decode(D.self, from: Data(probe.utf8))
                return true
            } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                return false
            } catch {
                // Another error (a missing field, say) is for the handler's usual answer.
                return true
            }
        }
        guard decodes(keeping: nil) else { return nil }
        let culprits = numbers.indices.filter { !decodes(keeping: $0) }
        guard !culprits.isEmpty else { return nil }
        return ValidationFailure(culprits.map { index in
            let literal = text[numbers[index].range]
            let whole = !literal.contains(where: { ".eE".contains($0) })
            return FieldError(field: numbers[index].path,
                              message: whole ? "is out of range for this field" : "must be a whole number in range for this field")
        })
    }
}

/// A media type the API does not read: 415, before any byte of the body is looked at.
struct RefusedContentDecoder: ContentDecoder {
    func decode<D: Decodable>(_ decodable: D.Type, from body: ByteBuffer, headers: HTTPHeaders) throws -> D {
        throw Abort(.unsupportedMediaType)
    }
}

/// Finds every number literal in JSON text with the field path it sits at (`lines[0].quantity`),
/// without converting it: the point is to name numbers that no Swift type can hold.
enum JSONNumberScanner {
    struct Number {
        let path: String
        let range: Range<String.Index>
    }

    private enum Container {
        case object(key: String?)
        case array(index: Int)
    }

    /// nil when the text is not JSON this scanner can follow.
    static func numbers(in text: String) -> [Number]? {
        var found: [Number] = []
        var stack: [Container] = []
        var expectingKey = false
        var index = text.startIndex

        func path() -> String {
            var result = ""
            for container in stack {
                switch container {
                case .object(let key?): result += result.isEmpty ? key : "." + key
                case .object(nil): break
                case .array(let position): result += "[\(position)]"
                }
            }
            return result
        }

        while index < text.endIndex {
            let character = text[index]
            switch character {
            case "{":
                stack.append(.object(key: nil))
                expectingKey = true
                index = text.index(after: index)
            case "[":
                stack.append(.array(index: 0))
                expectingKey = false
                index = text.index(after: index)
            case "}", "]":
                guard !stack.isEmpty else { return nil }
                stack.removeLast()
                expectingKey = false
                index = text.index(after: index)
            case ",":
                switch stack.last {
                case .object?:
                    stack[stack.count - 1] = .object(key: nil)
                    expectingKey = true
                case .array(let position)?:
                    stack[stack.count - 1] = .array(index: position + 1)
                case nil:
                    return nil
                }
                index = text.index(after: index)
            case "\"":
                guard let end = stringEnd(in: text, from: index) else { return nil }
                if expectingKey, case .object? = stack.last {
                    let raw = String(text[text.index(after: index)..<text.index(before: end)])
                    stack[stack.count - 1] = .object(key: raw)
                    expectingKey = false
                }
                index = end
            case "-", "0"..."9":
                var end = index
                while end < text.endIndex, "+-.eE0123456789".contains(text[end]) { end = text.index(after: end) }
                guard isNumberLiteral(text[index..<end]) else { return nil }
                found.append(Number(path: path(), range: index..<end))
                index = end
            default:
                index = text.index(after: index)
            }
        }
        return stack.isEmpty ? found : nil
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. A literal outside
    /// it (`01`, `1.`, `--1`) makes the body malformed JSON, which stays a 400.
    static func isNumberLiteral(_ literal: Substring) -> Bool {
        var rest = literal.utf8[...]
        func digits() -> Int {
            let count = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        if rest.first == UInt8(ascii: "0") { rest = rest.dropFirst() } else if digits() == 0 { return false }
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            if digits() == 0 { return false }
        }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
            if digits() == 0 { return false }
        }
        return rest.isEmpty
    }

    /// The index just past the string literal that opens at `start`.
    private static func stringEnd(in text: String, from start: String.Index) -> String.Index? {
        var index = text.index(after: start)
        while index < text.endIndex {
            switch text[index] {
            case "\\":
                index = text.index(after: index)
                guard index < text.endIndex else { return nil }
                index = text.index(after: index)
            case "\"":
                return text.index(after: index)
            default:
                index = text.index(after: index)
            }
        }
        return nil
    }
}
