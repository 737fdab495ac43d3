import Fluent
import Foundation
import NIOCore
import Vapor

/// Where the FastDFS trackers are, from `FASTDFS_TRACKERS=host:port,host:port` (and
/// `FASTDFS_TIMEOUT_SECONDS`).
public struct FastDFSConfig: Sendable, Equatable {
    public struct Tracker: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String { "\(host):\(port)" }
    }

    public var trackers: [Tracker]
    public var timeoutSeconds: Int

    /// Throws a message naming what is wrong with the list.
    public init(parsing list: String, timeoutSeconds: Int = 30) throws {
        var trackers: [Tracker] = []
        for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = entry.trimmingCharacters(in: .whitespaces)
            guard let colon = entry.lastIndex(of: ":"), let port = Int(entry[entry.index(after: colon)...]), (1...65_535).contains(port),
                  case let host = String(entry[..<colon]), !host.isEmpty, host.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "/") })
            else {
                throw FastDFSConfigError(problem: "must list trackers as host:port separated by commas, e.g. 10.0.0.5:22122,10.0.0.6:22122; \"\(entry)\" is not one")
            }
            trackers.append(Tracker(host: host, port: port))
        }
        self.trackers = trackers
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct FastDFSConfigError: Error, CustomStringConvertible {
    public var problem: String
    public var description: String { problem }
}

/// Files in FastDFS: the tracker says which storage server takes an upload or holds a file, the
/// storage server keeps the bytes. FastDFS chooses each file's id, so `fastdfs_files` maps our
/// keys to those ids.
struct FastDFSFileStorage: FileStorage {
    let config: FastDFSConfig
    let connection: FastDFSConnection
    let database: @Sendable () -> any Database
    let logger: Logger
    let now: @Sendable () -> Date

    init(config: FastDFSConfig, database: @escaping @Sendable () -> any Database, logger: Logger,
         now: @escaping @Sendable () -> Date, maxFileBytes: UInt64 = 512 * 1024 * 1024) {
        self.config = config
        self.connection = FastDFSConnection(timeout: .seconds(Int64(config.timeoutSeconds)), maxReplyBytes: maxFileBytes)
        self.database = database
        self.logger = logger
        self.now = now
    }

    func put(key: String, data: Data, contentType: String) async throws {
        let key = try FileStorageKey.validate(key)
        let file = try await upload(data, fileExtension: Self.fileExtension(of: key))
        let replaced: String?
        do {
            if let row = try await FastDFSFileModel.find(key: key, on: database()) {
                replaced = row.fileId
                row.fileId = file.description
                row.byteCount = data.count
                try await row.update(on: database())
            } else {
                replaced = nil
                try await FastDFSFileModel(key: key, fileId: file, byteCount: data.count, createdAt: now()).create(on: database())
            }
        } catch {
            // The index could not name the upload: remove it rather than leave an orphan.
            try? await remove(file)
            throw error
        }
        if let replaced, let old = FastDFSFileId(parsing: replaced), old != file {
            do { try await remove(old) } catch { logger.warning("FastDFS: could not remove replaced file \(old): \(error)") }
        }
    }

    func get(key: String) async throws -> Data? {
        try await download(key: key, offset: 0, length: 0)
    }

    func get(key: String, offset: Int, length: Int) async throws -> Data? {
        guard offset >= 0, length > 0 else { throw FileStorageError.invalidRange }
        let key = try FileStorageKey.validate(key)
        guard let row = try await FastDFSFileModel.find(key: key, on: database()) else { return nil }
        // FastDFS refuses a range that runs past the end; the index knows the length.
        guard offset < row.byteCount else { return Data() }
        return try await download(key: key, offset: UInt64(offset), length: UInt64(min(length, row.byteCount - offset)))
    }

    /// `length` 0 reads to the end.
    private func download(key: String, offset: UInt64, length: UInt64) async throws -> Data? {
        let key = try FileStorageKey.validate(key)
        guard let file = try await fileId(for: key) else { return nil }
        let operation = "reading \(key)"
        guard let server = try await trackerQuery(.queryFetchOne, file: file, operation: operation) else { return nil }
        let reply = try await send(FastDFSProtocol.download(file, offset: offset, length: length), to: server, operation: operation)
        if reply.status == FastDFSError.noSuchFile { return nil }
        try check(reply, operation: operation)
        return Data(reply.body)
    }

    func delete(key: String) async throws {
        let key = try FileStorageKey.validate(key)
        guard let row = try await FastDFSFileModel.find(key: key, on: database()) else { return }
        if let file = FastDFSFileId(parsing: row.fileId) { try await remove(file) }
        try await row.delete(on: database())
    }

    // MARK: Protocol steps

    func upload(_ data: Data, fileExtension: String) async throws -> FastDFSFileId {
        let operation = "storing a file"
        let reply = try await trackerExchange([FastDFSProtocol.queryStore()], operation: operation)
        try check(reply, operation: operation)
        let server = try mapped(operation) { try FastDFSProtocol.parseStoreReply(reply.body) }
        let prefix = FastDFSProtocol.uploadPrefix(storePathIndex: server.storePathIndex, byteCount: data.count, fileExtension: fileExtension)
        let stored = try await send(prefix, Array(data), to: server, operation: operation)
        try check(stored, operation: operation)
        return try mapped(operation) { try FastDFSProtocol.parseUploadReply(stored.body) }
    }

    /// Removing a file that is already gone is not an error.
    func remove(_ file: FastDFSFileId) async throws {
        let operation = "deleting \(file)"
        guard let server = try await trackerQuery(.queryUpdate, file: file, operation: operation) else { return }
        let reply = try await send(FastDFSProtocol.delete(file), to: server, operation: operation)
        if reply.status == FastDFSError.noSuchFile { return }
        try check(reply, operation: operation)
    }

    func fileId(for key: String) async throws -> FastDFSFileId? {
        guard let row = try await FastDFSFileModel.find(key: key, on: database()) else { return nil }
        return FastDFSFileId(parsing: row.fileId)
    }

    /// Nil when the tracker knows no such file (or group).
    private func trackerQuery(_ command: FastDFSProtocol.Command, file: FastDFSFileId, operation: String) async throws -> FastDFSProtocol.StorageServer? {
        let reply = try await trackerExchange([FastDFSProtocol.query(command, file: file)], operation: operation)
        if reply.status == FastDFSError.noSuchFile { return nil }
        try check(reply, operation: operation)
        return try mapped(operation) { try FastDFSProtocol.parseFetchReply(reply.body) }
    }

    /// Asks the trackers in turn: any of them knows the whole cluster, so one that is down only
    /// costs a connect attempt.
    private func trackerExchange(_ request: [[UInt8]], operation: String) async throws -> FastDFSConnection.Reply {
        var lastError: (any Error)?
        for tracker in config.trackers {
            do {
                return try await connection.exchange(host: tracker.host, port: tracker.port, request: request, operation: operation)
            } catch {
                logger.warning("FastDFS tracker \(tracker) failed while \(operation): \(error)")
                lastError = error
            }
        }
        throw FileStorageError.unavailable(operation: operation, reason: lastError.map { String(describing: $0) } ?? "no tracker configured")
    }

    private func send(_ parts: [UInt8]..., to server: FastDFSProtocol.StorageServer, operation: String) async throws -> FastDFSConnection.Reply {
        do {
            return try await connection.exchange(host: server.host, port: server.port, request: parts, operation: operation)
        } catch {
            logger.error("FastDFS storage \(server.host):\(server.port) failed while \(operation): \(error)")
            throw FileStorageError.unavailable(operation: operation, reason: String(describing: error))
        }
    }

    private func check(_ reply: FastDFSConnection.Reply, operation: String) throws {
        guard reply.status != 0 else { return }
        logger.error("FastDFS refused \(operation) with status \(reply.status)")
        throw FileStorageError.rejected(operation: operation, status: UInt(reply.status), code: nil, message: nil)
    }

    private func mapped<T>(_ operation: String, _ parse: () throws -> T) throws -> T {
        do {
            return try parse()
        } catch {
            logger.error("FastDFS: \(error) while \(operation)")
            throw FileStorageError.unavailable(operation: operation, reason: String(describing: error))
        }
    }

    /// FastDFS keeps up to six characters of extension in the file's name; a longer one is left out.
    static func fileExtension(of key: String) -> String {
        guard let dot = key.lastIndex(of: "."), !key[dot...].contains("/") else { return "" }
        let ext = key[key.index(after: dot)...]
        return ext.utf8.count <= FastDFSProtocol.extensionLength ? String(ext) : ""
    }
}
