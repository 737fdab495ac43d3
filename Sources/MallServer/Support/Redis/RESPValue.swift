import NIOCore

/// One reply from Redis. RESP3-only types are folded into their RESP2 shapes (maps and sets into
/// flat arrays, doubles and big numbers into their text, booleans into 1 or 0) so callers handle
/// one vocabulary whichever protocol the server speaks.
enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString(ByteBuffer)
    case null
    case array([RESPValue])
    /// Out-of-band data (RESP3 `>`): pub/sub messages on a RESP3 connection.
    case push([RESPValue])

    /// The text of a string reply or the digits of an integer, as commands like GET return it.
    var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(buffer: bytes)
        case .integer(let number): String(number)
        case .error, .null, .array, .push: nil
        }
    }

    /// An integer reply, or a string reply holding a whole number (GET of a counter).
    var integer: Int64? {
        switch self {
        case .integer(let number): number
        case .simpleString, .bulkString: string.flatMap { Int64($0) }
        case .error, .null, .array, .push: nil
        }
    }

    var elements: [RESPValue]? {
        switch self {
        case .array(let values), .push(let values): values
        case .simpleString, .error, .integer, .bulkString, .null: nil
        }
    }
}

/// What the client sends: every command is an array of bulk strings.
enum RESPEncoder {
    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
    }
}
