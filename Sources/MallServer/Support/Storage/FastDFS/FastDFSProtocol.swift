import Foundation

/// FastDFS's binary protocol, as bytes in and values out: no sockets here, so every frame can be
/// checked against vectors recorded from a Python client (Tests/vectors/make_fastdfs_vectors.py).
///
/// Every packet, either way, is a 10-byte header — body length (8 bytes, big-endian), command,
/// status — followed by the body. Replies carry command 100 and a status that is 0 or an errno
/// (2: no such file). Strings in fixed-width fields are NUL-padded. Layouts from FastDFS's
/// `tracker_proto.h` / `storage_client.c`.
enum FastDFSProtocol {
    static let headerLength = 10
    static let groupNameLength = 16
    /// The address field of tracker replies: IP_ADDRESS_SIZE less the C string's terminator,
    /// 15 bytes before FastDFS 6.12 and 45 since (IPv6). A reply's length says which.
    static let ipAddressLengths = [15, 45]
    static let extensionLength = 6
    static let responseCommand: UInt8 = 100

    enum Command: UInt8, Sendable {
        case queryStoreWithoutGroup = 101
        case queryFetchOne = 102
        case queryUpdate = 103
        case uploadFile = 11
        case deleteFile = 12
        case downloadFile = 14
    }

    struct Header: Equatable, Sendable {
        var bodyLength: UInt64
        var command: UInt8
        var status: UInt8

        var bytes: [UInt8] { FastDFSProtocol.bigEndian(bodyLength) + [command, status] }

        /// Nil until ten bytes are there.
        init?(_ bytes: some Collection<UInt8>) {
            guard bytes.count >= FastDFSProtocol.headerLength else { return nil }
            let start = bytes.startIndex
            bodyLength = FastDFSProtocol.readBigEndian(bytes.prefix(8))
            command = bytes[bytes.index(start, offsetBy: 8)]
            status = bytes[bytes.index(start, offsetBy: 9)]
        }

        init(bodyLength: UInt64, command: UInt8, status: UInt8 = 0) {
            self.bodyLength = bodyLength
            self.command = command
            self.status = status
        }
    }

    /// A storage server as the tracker names it.
    struct StorageServer: Equatable, Sendable {
        var group: String
        var host: String
        var port: Int
        /// Which of the server's store paths an upload goes to (`M00` is path 0).
        var storePathIndex: UInt8
    }

    // MARK: Requests

    static func queryStore() -> [UInt8] {
        Header(bodyLength: 0, command: Command.queryStoreWithoutGroup.rawValue).bytes
    }

    /// Asks which server to download from (`.queryFetchOne`) or to delete on (`.queryUpdate`).
    static func query(_ command: Command, file: FastDFSFileId) -> [UInt8] {
        let body = padded(file.group, to: groupNameLength) + Array(file.path.utf8)
        return Header(bodyLength: UInt64(body.count), command: command.rawValue).bytes + body
    }

    /// The header and fixed fields of an upload; the file's bytes follow them on the wire, so a
    /// large file is never copied into one buffer here.
    static func uploadPrefix(storePathIndex: UInt8, byteCount: Int, fileExtension: String) -> [UInt8] {
        let fields = [storePathIndex] + bigEndian(UInt64(byteCount)) + padded(fileExtension, to: extensionLength)
        return Header(bodyLength: UInt64(fields.count + byteCount), command: Command.uploadFile.rawValue).bytes + fields
    }

    static func delete(_ file: FastDFSFileId) -> [UInt8] {
        let body = padded(file.group, to: groupNameLength) + Array(file.path.utf8)
        return Header(bodyLength: UInt64(body.count), command: Command.deleteFile.rawValue).bytes + body
    }

    /// `length` 0 means "to the end of the file", as in FastDFS.
    static func download(_ file: FastDFSFileId, offset: UInt64, length: UInt64) -> [UInt8] {
        let body = bigEndian(offset) + bigEndian(length) + padded(file.group, to: groupNameLength) + Array(file.path.utf8)
        return Header(bodyLength: UInt64(body.count), command: Command.downloadFile.rawValue).bytes + body
    }

    // MARK: Replies

    /// `group(16) ip(15 or 45) port(8) store_path_index(1)`.
    static func parseStoreReply(_ body: [UInt8]) throws(FastDFSError) -> StorageServer {
        guard let ipLength = ipAddressLengths.first(where: { body.count == groupNameLength + $0 + 9 }) else {
            throw .malformedReply("store query reply of \(body.count) bytes")
        }
        var server = try parseServer(body, ipLength: ipLength)
        server.storePathIndex = body[body.count - 1]
        return server
    }

    /// `group(16) ip(15 or 45) port(8)`.
    static func parseFetchReply(_ body: [UInt8]) throws(FastDFSError) -> StorageServer {
        guard let ipLength = ipAddressLengths.first(where: { body.count == groupNameLength + $0 + 8 }) else {
            throw .malformedReply("fetch query reply of \(body.count) bytes")
        }
        return try parseServer(body, ipLength: ipLength)
    }

    /// `group(16) remote_filename`.
    static func parseUploadReply(_ body: [UInt8]) throws(FastDFSError) -> FastDFSFileId {
        guard body.count > groupNameLength else { throw .malformedReply("upload reply of \(body.count) bytes") }
        let group = text(body[0..<groupNameLength])
        let path = text(body[groupNameLength...])
        guard let file = FastDFSFileId(group: group, path: path) else { throw .malformedReply("upload reply names an invalid file id") }
        return file
    }

    private static func parseServer(_ body: [UInt8], ipLength: Int) throws(FastDFSError) -> StorageServer {
        let group = text(body[0..<groupNameLength])
        let host = text(body[groupNameLength..<(groupNameLength + ipLength)])
        let portBytes = body[(groupNameLength + ipLength)..<(groupNameLength + ipLength + 8)]
        let port = readBigEndian(portBytes)
        guard FastDFSFileId.isValidGroup(group), !host.isEmpty, host.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), (1...65_535).contains(port) else {
            throw .malformedReply("tracker named an invalid storage server")
        }
        return StorageServer(group: group, host: host, port: Int(port), storePathIndex: 0)
    }

    // MARK: Bytes

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    static func readBigEndian(_ bytes: some Collection<UInt8>) -> UInt64 {
        bytes.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    /// NUL-padded to `width`; longer text is cut, as FastDFS's C client does with `strncpy`.
    static func padded(_ text: String, to width: Int) -> [UInt8] {
        let bytes = Array(text.utf8.prefix(width))
        return bytes + [UInt8](repeating: 0, count: width - bytes.count)
    }

    /// Text up to the first NUL, replacing bytes that are not UTF-8.
    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// A file's name in FastDFS, `group1/M00/0A/1F/wKgB…AAAA.png`: the group, then the path the
/// storage server chose (store path, two directory levels, a name that encodes the server and
/// the upload time). FastDFS names files itself; the adapter keeps our key → this id.
struct FastDFSFileId: Equatable, Hashable, Sendable, CustomStringConvertible {
    var group: String
    var path: String

    /// Rejects what a hostile server might send (slashes in the group, `..`, control bytes), so
    /// an id from a reply can be stored and sent back safely.
    init?(group: String, path: String) {
        guard Self.isValidGroup(group), Self.isValidPath(path) else { return nil }
        self.group = group
        self.path = path
    }

    init?(parsing text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        self.init(group: String(text[..<slash]), path: String(text[text.index(after: slash)...]))
    }

    var description: String { group + "/" + path }

    static func isValidGroup(_ group: String) -> Bool {
        (1...FastDFSProtocol.groupNameLength).contains(group.utf8.count) && group.utf8.allSatisfy(isNameByte)
    }

    /// `M` + two hex digits, then at least one more segment; at most 128 bytes (FastDFS's
    /// filename buffer).
    static func isValidPath(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.utf8.count <= 128, segments.count >= 2, let store = segments.first, store.utf8.count == 3, store.first == "M",
              store.dropFirst().allSatisfy(\.isHexDigit) else { return false }
        return segments.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && $0.utf8.allSatisfy(isNameByte) }
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }
}

enum FastDFSError: Error, Equatable, CustomStringConvertible {
    /// The server answered with a non-zero status (an errno).
    case status(UInt8, operation: String)
    case malformedReply(String)
    case replyTooLarge(UInt64)
    case timedOut(String)
    case connectionClosed(String)

    var description: String {
        switch self {
        case .status(let status, let operation): "FastDFS \(operation) failed with status \(status)"
        case .malformedReply(let what): "FastDFS sent a malformed reply: \(what)"
        case .replyTooLarge(let length): "FastDFS announced a reply of \(length) bytes, more than allowed"
        case .timedOut(let what): "FastDFS did not answer in time: \(what)"
        case .connectionClosed(let what): "FastDFS closed the connection: \(what)"
        }
    }

    static let noSuchFile: UInt8 = 2
}
