import NIOCore

enum RESPProtocolError: Error, Equatable {
    case unknownType(UInt8)
    case badLength(String)
    case badInteger(String)
    case lineTooLong
    case nestedTooDeep
    case missingTerminator
}

/// Reads RESP2 (and tolerates RESP3) replies from bytes as they arrive. Everything a peer sends
/// is checked before it is used: a length outside the limits, a malformed number, a missing CRLF
/// or nesting beyond `maxDepth` is an error that closes the connection, never a trap or a huge
/// allocation. An incomplete frame leaves the buffer untouched and answers nil.
struct RESPParser: Sendable {
    /// Redis' own default `proto-max-bulk-len`.
    var maxBulkLength = 512 * 1024 * 1024
    var maxElements = 16 * 1024 * 1024
    var maxDepth = 32
    /// Type lines and simple strings are short; without a bound a peer could make us buffer forever.
    var maxLineLength = 64 * 1024

    func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        var cursor = buffer
        guard let value = try value(&cursor, depth: 0) else { return nil }
        buffer = cursor
        return value
    }

    private func value(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard depth <= maxDepth else { throw RESPProtocolError.nestedTooDeep }
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard let line = try self.line(&buffer) else { return nil }
        let text = String(decoding: line.dropFirst(), as: UTF8.self)
        switch type {
        case UInt8(ascii: "+"):
            return .simpleString(text)
        case UInt8(ascii: "-"):
            return .error(text)
        case UInt8(ascii: ":"):
            return .integer(try integer(text))
        case UInt8(ascii: ","), UInt8(ascii: "("):
            // RESP3 double and big number: kept as text, as RESP2 servers send them.
            return .bulkString(ByteBuffer(string: text))
        case UInt8(ascii: "#"):
            guard text == "t" || text == "f" else { throw RESPProtocolError.badInteger(text) }
            return .integer(text == "t" ? 1 : 0)
        case UInt8(ascii: "_"):
            return .null
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            let length = try integer(text)
            if length == -1, type == UInt8(ascii: "$") { return .null }
            guard length >= 0, length <= maxBulkLength else { throw RESPProtocolError.badLength(text) }
            let count = Int(length)
            guard buffer.readableBytes >= count + 2 else { return nil }
            guard var bytes = buffer.readSlice(length: count) else { return nil }
            guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw RESPProtocolError.missingTerminator }
            if type == UInt8(ascii: "!") { return .error(String(buffer: bytes)) }
            // A verbatim string starts with its format, "txt:".
            if type == UInt8(ascii: "=") { bytes.moveReaderIndex(forwardBy: min(4, bytes.readableBytes)) }
            return .bulkString(bytes)
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            let declared = try integer(text)
            if declared == -1, type == UInt8(ascii: "*") { return .null }
            guard declared >= 0, declared <= maxElements else { throw RESPProtocolError.badLength(text) }
            // Maps and attributes hold key/value pairs; both halves are read as flat elements.
            let paired = type == UInt8(ascii: "%") || type == UInt8(ascii: "|")
            let count = Int(declared) * (paired ? 2 : 1)
            // Each element takes at least three bytes: a huge count with few bytes waits
            // instead of looping, and nothing is reserved from the declared count.
            guard buffer.readableBytes >= count * 3 else { return nil }
            var elements: [RESPValue] = []
            for _ in 0..<count {
                guard let element = try value(&buffer, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            switch type {
            case UInt8(ascii: ">"): return .push(elements)
            // Attributes describe the reply that follows them; nothing here uses them.
            case UInt8(ascii: "|"): return try value(&buffer, depth: depth)
            default: return .array(elements)
            }
        default:
            throw RESPProtocolError.unknownType(type)
        }
    }

    /// The bytes up to the next CRLF (which is consumed), or nil while it has not arrived.
    private func line(_ buffer: inout ByteBuffer) throws -> ByteBufferView? {
        let view = buffer.readableBytesView
        guard let end = view.firstIndex(of: UInt8(ascii: "\r")) else {
            if view.count > maxLineLength { throw RESPProtocolError.lineTooLong }
            return nil
        }
        guard end - view.startIndex <= maxLineLength else { throw RESPProtocolError.lineTooLong }
        guard end + 1 < view.endIndex else { return nil }
        guard view[end + 1] == UInt8(ascii: "\n") else { throw RESPProtocolError.missingTerminator }
        let line = view[view.startIndex..<end]
        buffer.moveReaderIndex(forwardBy: end - view.startIndex + 2)
        return line
    }

    private func integer(_ text: String) throws -> Int64 {
        guard let number = Int64(text) else { throw RESPProtocolError.badInteger(text) }
        return number
    }
}

/// The pipeline stage turning bytes into replies.
struct RESPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue
    let parser: RESPParser

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try parser.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
