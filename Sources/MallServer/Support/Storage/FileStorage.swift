import Foundation
import NIOPosix
import Vapor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where uploaded files live: a folder on this machine by default, an S3-compatible bucket when
/// `STORAGE_URL` is set (DESIGN.md, "Real components"). Keys are slash-separated paths such as
/// `img/<sha256>.png`; callers keep what they need to serve a file (its content type, its
/// owner) in the database, so a store is only asked for bytes.
protocol FileStorage: Sendable {
    /// Stores `data` under `key`, replacing what was there. Readers see the old bytes or the new
    /// ones, never a part.
    func put(key: String, data: Data, contentType: String) async throws
    /// The bytes under `key`, or nil when there are none.
    func get(key: String) async throws -> Data?
    /// `length` bytes from `offset` (fewer at the end of the file), or nil when there is no such
    /// file: a video is served in the pieces a player asks for, never read whole for each one.
    func get(key: String, offset: Int, length: Int) async throws -> Data?
    /// Removes `key`; removing a missing key is not an error.
    func delete(key: String) async throws
    /// Stores the file at `path` on this machine under `key` (a restore puts back files of any
    /// size). A store that can take a file without holding it in memory overrides this.
    func put(key: String, contentsOf path: String, contentType: String) async throws
}

extension FileStorage {
    func put(key: String, contentsOf path: String, contentType: String) async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileStorageError.unavailable(operation: "reading \(path)", reason: String(describing: error))
        }
        try await put(key: key, data: data, contentType: contentType)
    }
}

enum FileStorageError: Error, CustomStringConvertible, ProblemConvertible {
    case invalidKey(String)
    /// A ranged read asked for a negative offset or no bytes: a caller's mistake.
    case invalidRange
    /// The storage service answered, but not with success.
    case rejected(operation: String, status: UInt, code: String?, message: String?)
    /// The storage service could not be reached or the local disk failed.
    case unavailable(operation: String, reason: String)

    var description: String {
        switch self {
        case .invalidKey(let key): "invalid file storage key \"\(key)\""
        case .invalidRange: "invalid byte range for a file storage read"
        case .rejected(let operation, let status, let code, let message):
            "file storage refused \(operation): HTTP \(status) \(code ?? "") \(message ?? "")"
        case .unavailable(let operation, let reason): "file storage failed during \(operation): \(reason)"
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .invalidKey: .badRequest
        case .invalidRange: .internalServerError
        case .rejected, .unavailable: .serviceUnavailable
        }
    }

    var title: String { status.reasonPhrase }

    /// Clients get no details of the storage service; the server log has them.
    var detail: String? {
        switch self {
        case .invalidKey: "That is not a valid file name."
        case .invalidRange: nil
        case .rejected, .unavailable: "File storage is not available right now; try again in a moment."
        }
    }
}

/// The one rule for keys, shared by every store so a key valid in development is valid in
/// production. Rejecting (rather than rewriting) keeps two different keys from ever meaning the
/// same file, and keeps `..`, absolute paths and hidden files out of the local folder.
enum FileStorageKey {
    static let maxLength = 512

    /// Segments of 1–255 characters from `A–Z a–z 0–9 . _ -`, not starting with a dot, joined by
    /// single slashes.
    static func validate(_ key: String) throws -> String {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let valid = !key.isEmpty && key.utf8.count <= maxLength && segments.allSatisfy { segment in
            (1...255).contains(segment.utf8.count) && segment.first != "."
                && segment.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                        || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                }
        }
        guard valid else { throw FileStorageError.invalidKey(key) }
        return key
    }
}

/// Files in a folder (`DATA_DIR/files` by default). The content type is not kept: the database
/// row that names the key has it. Disk work runs on the application's thread pool, off the event
/// loops.
struct LocalFileStorage: FileStorage {
    let directory: String
    let threadPool: NIOThreadPool

    init(directory: String, threadPool: NIOThreadPool) {
        self.directory = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.threadPool = threadPool
    }

    func path(for key: String) throws -> String {
        directory + "/" + (try FileStorageKey.validate(key))
    }

    func put(key: String, data: Data, contentType: String) async throws {
        let path = try path(for: key)
        try await threadPool.runIfActive { try Self.writeAtomically(data, to: path) }
    }

    /// Copied in chunks, never read whole.
    func put(key: String, contentsOf source: String, contentType: String) async throws {
        let path = try path(for: key)
        try await threadPool.runIfActive {
            guard let input = FileHandle(forReadingAtPath: source) else {
                throw FileStorageError.unavailable(operation: "reading \(source)", reason: "cannot open it")
            }
            defer { try? input.close() }
            try Self.replaceAtomically(path) { output in
                while let chunk = try input.read(upToCount: 4 * 1024 * 1024), !chunk.isEmpty { try output.write(contentsOf: chunk) }
            }
        }
    }

    func get(key: String) async throws -> Data? {
        let path = try path(for: key)
        return try await threadPool.runIfActive {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do {
                return try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw FileStorageError.unavailable(operation: "reading \(key)", reason: String(describing: error))
            }
        }
    }

    func get(key: String, offset: Int, length: Int) async throws -> Data? {
        let path = try path(for: key)
        guard offset >= 0, length > 0 else { throw FileStorageError.invalidRange }
        return try await threadPool.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            defer { try? handle.close() }
            do {
                try handle.seek(toOffset: UInt64(offset))
                return try handle.read(upToCount: length) ?? Data()
            } catch {
                throw FileStorageError.unavailable(operation: "reading \(key)", reason: String(describing: error))
            }
        }
    }

    func delete(key: String) async throws {
        let path = try path(for: key)
        try await threadPool.runIfActive {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw FileStorageError.unavailable(operation: "deleting \(key)", reason: String(cString: strerror(errno)))
            }
        }
    }

    /// Writes to a hidden temporary file in the destination folder, flushes it to disk, then
    /// renames it over the destination: rename(2) within one file system is atomic, so a reader
    /// (or a crash) never meets half a file. Keys cannot start with a dot, so the temporary name
    /// never collides with a key.
    static func writeAtomically(_ data: Data, to path: String) throws {
        try replaceAtomically(path) { try $0.write(contentsOf: data) }
    }

    /// `writeAtomically` for content that `fill` writes to the temporary file's handle.
    static func replaceAtomically(_ path: String, fill: (FileHandle) throws -> Void) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = folder + "/.tmp-\(UInt64.random(in: .min ... .max))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                throw FileStorageError.unavailable(operation: "writing \(path)", reason: "cannot create \(temporary)")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            do {
                try fill(handle)
                try handle.synchronize()
            } catch {
                try? handle.close()
                throw error
            }
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw FileStorageError.unavailable(operation: "writing \(path)", reason: String(cString: strerror(errno)))
            }
        } catch {
            unlink(temporary)
            if error is FileStorageError { throw error }
            throw FileStorageError.unavailable(operation: "writing \(path)", reason: String(describing: error))
        }
    }
}

extension Application {
    private struct FileStorageStorageKey: StorageKey { typealias Value = any FileStorage }

    /// Set by `configure` from `AppConfig.storage`; tests may replace it.
    var fileStorage: any FileStorage {
        get {
            guard let storage = storage[FileStorageStorageKey.self] else { fatalError("configure(_:config:) has not run") }
            return storage
        }
        set { storage[FileStorageStorageKey.self] = newValue }
    }
}

extension Request {
    var fileStorage: any FileStorage { application.fileStorage }
}
