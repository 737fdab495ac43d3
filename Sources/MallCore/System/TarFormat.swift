import Foundation

/// The blocks of a POSIX ustar archive, the container of a backup: `tar -xf` opens one anywhere
/// without our code. Only what backups write is read back: regular files, PAX `path` records for
/// names longer than ustar's 100 + 155 bytes, and base-256 sizes for entries of 8 GiB and more
/// (a large PostgreSQL dump), as GNU tar and bsdtar do.
public enum TarFormat {
    public static let blockSize = 512
    /// Two zero blocks end an archive.
    public static let endOfArchive = [UInt8](repeating: 0, count: 2 * blockSize)

    public enum EntryType: UInt8, Sendable {
        case file = 0x30 // '0'
        case paxHeader = 0x78 // 'x'
    }

    public struct Header: Sendable, Equatable {
        public var name: String
        public var size: Int64
        public var type: EntryType
        public init(name: String, size: Int64, type: EntryType) {
            self.name = name
            self.size = size
            self.type = type
        }
    }

    public enum FormatError: Error, Equatable, CustomStringConvertible {
        case badChecksum
        case badNumber
        case unsupportedType(UInt8)
        case badPaxRecord
        case truncated

        public var description: String {
            switch self {
            case .badChecksum: "a header block's checksum does not match"
            case .badNumber: "a header block holds an unreadable number"
            case .unsupportedType(let type): "an entry has a type backups never write (\(type))"
            case .badPaxRecord: "an extended header is malformed"
            case .truncated: "the archive ends in the middle of an entry"
            }
        }
    }

    /// Zero bytes that follow `size` bytes of data to fill its last block.
    public static func padding(after size: Int64) -> Int {
        let rest = Int(size % Int64(blockSize))
        return rest == 0 ? 0 : blockSize - rest
    }

    /// What goes before an entry's data: its header block, preceded by a PAX record when the
    /// name does not fit ustar. The header is always the last block, so a writer that learns the
    /// size only after streaming the data rewrites just that block.
    public static func entryPrefix(name: String, size: Int64, modified: Date) -> [UInt8] {
        if let (prefix, short) = ustarSplit(name) {
            return header(name: short, prefix: prefix, size: size, modified: modified, type: .file)
        }
        let record = paxRecord(key: "path", value: name)
        var bytes = header(name: "PaxHeader", prefix: "", size: Int64(record.count), modified: modified, type: .paxHeader)
        bytes += record + [UInt8](repeating: 0, count: padding(after: Int64(record.count)))
        // The ustar name is a stand-in for readers that skip PAX; ours and tar(1) use the record.
        let fallback = String(decoding: Array(name.utf8.suffix(99)), as: UTF8.self)
        bytes += header(name: fallback, prefix: "", size: size, modified: modified, type: .file)
        return bytes
    }

    /// Reads a header block; nil for a zero block (the end of the archive).
    public static func parse(_ block: [UInt8]) throws -> Header? {
        guard block.count == blockSize else { throw FormatError.truncated }
        if block.allSatisfy({ $0 == 0 }) { return nil }
        let stored = try octal(block[148..<156])
        var sum = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 0x20 : Int(byte) }
        guard stored == sum else { throw FormatError.badChecksum }
        guard let type = EntryType(rawValue: block[156]) else { throw FormatError.unsupportedType(block[156]) }
        let name = text(block[0..<100])
        let prefix = text(block[345..<500])
        let size: Int64
        if block[124] & 0x80 != 0 {
            var value: Int64 = 0
            for byte in block[125..<136] {
                guard value <= Int64.max >> 8 else { throw FormatError.badNumber }
                value = value << 8 | Int64(byte)
            }
            size = value
        } else {
            size = Int64(try octal(block[124..<136]))
        }
        return Header(name: prefix.isEmpty ? name : prefix + "/" + name, size: size, type: type)
    }

    /// The `path` a PAX record carries, if any.
    public static func paxPath(_ payload: [UInt8]) throws -> String? {
        var rest = payload[...]
        var path: String?
        while let space = rest.firstIndex(of: 0x20) {
            guard let length = Int(String(decoding: rest[rest.startIndex..<space], as: UTF8.self)), length > 0,
                  rest.count >= length, rest[rest.startIndex + length - 1] == 0x0A else { throw FormatError.badPaxRecord }
            let record = rest[(space + 1)..<(rest.startIndex + length - 1)]
            if let equals = record.firstIndex(of: 0x3D), String(decoding: record[record.startIndex..<equals], as: UTF8.self) == "path" {
                path = String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            rest = rest[(rest.startIndex + length)...]
        }
        guard rest.allSatisfy({ $0 == 0 }) else { throw FormatError.badPaxRecord }
        return path
    }

    // MARK: writing

    /// Splits a name into ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes) at a slash.
    static func ustarSplit(_ name: String) -> (String, String)? {
        let bytes = Array(name.utf8)
        if bytes.count <= 100 { return ("", name) }
        guard bytes.count <= 256 else { return nil }
        for index in bytes.indices.reversed() where bytes[index] == UInt8(ascii: "/") {
            let prefix = bytes[..<index], short = bytes[(index + 1)...]
            if prefix.count <= 155, short.count <= 100, !short.isEmpty {
                return (String(decoding: prefix, as: UTF8.self), String(decoding: short, as: UTF8.self))
            }
        }
        return nil
    }

    static func header(name: String, prefix: String, size: Int64, modified: Date, type: EntryType) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) { block.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        func field(_ value: Int64, width: Int) -> [UInt8] {
            Array(String(value, radix: 8).leftPadded(to: width - 1).utf8) + [0]
        }
        put(Array(name.utf8.prefix(100)), at: 0)
        put(field(0o644, width: 8), at: 100)
        put(field(0, width: 8), at: 108)
        put(field(0, width: 8), at: 116)
        if size < 0o77777777777 {
            put(field(size, width: 12), at: 124)
        } else {
            var bigEndian = [UInt8](repeating: 0, count: 12)
            var rest = UInt64(size)
            for index in (1..<12).reversed() { bigEndian[index] = UInt8(rest & 0xFF); rest >>= 8 }
            bigEndian[0] = 0x80
            put(bigEndian, at: 124)
        }
        put(field(Int64(max(0, modified.timeIntervalSince1970.rounded(.down))), width: 12), at: 136)
        block[156] = type.rawValue
        put(Array("ustar\u{0}00".utf8), at: 257)
        put(Array(prefix.utf8.prefix(155)), at: 345)
        put([UInt8](repeating: 0x20, count: 8), at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(Array(String(sum, radix: 8).leftPadded(to: 6).utf8) + [0, 0x20], at: 148)
        return block
    }

    /// "LEN key=value\n", where LEN counts itself.
    static func paxRecord(key: String, value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n".utf8.count
        var length = body + 1
        while String(length).utf8.count + body != length { length = String(length).utf8.count + body }
        return Array("\(length) \(key)=\(value)\n".utf8)
    }

    // MARK: reading

    private static func octal(_ bytes: ArraySlice<UInt8>) throws -> Int {
        var value = 0
        for byte in bytes.drop(while: { $0 == 0x20 }).prefix(while: { $0 != 0 && $0 != 0x20 }) {
            guard (0x30...0x37).contains(byte), value < Int.max >> 3 else { throw FormatError.badNumber }
            value = value << 3 | Int(byte - 0x30)
        }
        return value
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
