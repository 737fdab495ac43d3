import Crypto
import Foundation
import MallCore

/// Writes a backup archive (ustar, `TarFormat`) entry by entry, hashing as it goes, and ends it
/// with the manifest. Data arrives in chunks and goes straight to disk, so no entry is ever held
/// whole in memory; since a chunked source may not know its size up front, the header is
/// written with size 0 and rewritten once the data is in.
final class BackupArchiveWriter {
    static let chunkSize = 4 * 1024 * 1024
    private let handle: FileHandle
    private let modified: Date
    private(set) var entries: [BackupManifest.Entry] = []

    init(path: String, modified: Date) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw BackupError.cannotWrite(path) }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        self.modified = modified
    }

    /// Adds an entry whose bytes `next` yields chunk by chunk (nil or empty at the end).
    func add(path: String, contentType: String? = nil, next: () async throws -> Data?) async throws {
        let prefix = TarFormat.entryPrefix(name: path, size: 0, modified: modified)
        let start = try handle.offset()
        try handle.write(contentsOf: prefix)
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try await next(), !chunk.isEmpty {
            hasher.update(data: chunk)
            try handle.write(contentsOf: chunk)
            size += Int64(chunk.count)
        }
        let end = try handle.offset()
        try handle.seek(toOffset: start)
        try handle.write(contentsOf: TarFormat.entryPrefix(name: path, size: size, modified: modified))
        try handle.seek(toOffset: end)
        try handle.write(contentsOf: Data(count: TarFormat.padding(after: size)))
        entries.append(.init(path: path, sizeBytes: size, sha256: hasher.finalize().hexString, contentType: contentType))
    }

    /// Adds a file on this machine, read in chunks.
    func addFile(at source: String, as path: String) async throws {
        guard let input = FileHandle(forReadingAtPath: source) else { throw BackupError.missing(source) }
        defer { try? input.close() }
        try await add(path: path) { try input.read(upToCount: Self.chunkSize) }
    }

    /// Writes the manifest and the end-of-archive blocks, and flushes to disk.
    func finish(_ manifest: BackupManifest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let body = try encoder.encode(manifest)
        try handle.write(contentsOf: TarFormat.entryPrefix(name: BackupManifest.entryName, size: Int64(body.count), modified: modified))
        try handle.write(contentsOf: body)
        try handle.write(contentsOf: Data(count: TarFormat.padding(after: Int64(body.count))))
        try handle.write(contentsOf: TarFormat.endOfArchive)
        try handle.synchronize()
        try handle.close()
    }

    func abandon() { try? handle.close() }
}

/// Reads a backup archive sequentially. `skip` moves past an entry by seeking, so finding the
/// manifest (the last entry) costs one header read per entry, not a read of the data.
final class BackupArchiveReader {
    struct EntryHeader {
        let path: String
        let size: Int64
        let dataOffset: UInt64
    }

    private let handle: FileHandle
    private let fileSize: UInt64

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BackupError.missing(path) }
        self.handle = handle
        fileSize = (try? handle.seekToEnd()) ?? 0
        try handle.seek(toOffset: 0)
    }

    deinit { try? handle.close() }

    /// Whether the file starts like a ustar archive (magic "ustar" at byte 257).
    static func isArchive(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: TarFormat.blockSize), head.count == TarFormat.blockSize else { return false }
        return head[257..<262] == Data("ustar".utf8)
    }

    /// The next entry's header, positioned at its data; nil at the end of the archive.
    func next() throws -> EntryHeader? {
        var pendingPath: String?
        while true {
            guard let block = try handle.read(upToCount: TarFormat.blockSize) else { throw TarFormat.FormatError.truncated }
            guard let header = try TarFormat.parse(Array(block)) else { return nil }
            let offset = try handle.offset()
            guard header.size >= 0, offset + UInt64(header.size) <= fileSize else { throw TarFormat.FormatError.truncated }
            switch header.type {
            case .paxHeader:
                guard header.size <= 64 * 1024 else { throw TarFormat.FormatError.badPaxRecord }
                let payload = try handle.read(upToCount: Int(header.size)) ?? Data()
                pendingPath = try TarFormat.paxPath(Array(payload)) ?? pendingPath
                try handle.seek(toOffset: offset + UInt64(header.size) + UInt64(TarFormat.padding(after: header.size)))
            case .file:
                return EntryHeader(path: pendingPath ?? header.name, size: header.size, dataOffset: offset)
            }
        }
    }

    /// Streams the entry's data to `consume` in chunks and leaves the reader at the next header.
    func read(_ entry: EntryHeader, chunkSize: Int = BackupArchiveWriter.chunkSize, _ consume: (Data) async throws -> Void) async throws {
        try handle.seek(toOffset: entry.dataOffset)
        var remaining = entry.size
        while remaining > 0 {
            guard let chunk = try handle.read(upToCount: Int(min(Int64(chunkSize), remaining))), !chunk.isEmpty else {
                throw TarFormat.FormatError.truncated
            }
            try await consume(chunk)
            remaining -= Int64(chunk.count)
        }
        try skip(entry)
    }

    /// The entry's data whole; for the manifest, which is small.
    func readWhole(_ entry: EntryHeader, limit: Int64) async throws -> Data {
        guard entry.size <= limit else { throw TarFormat.FormatError.badNumber }
        var data = Data()
        try await read(entry) { data.append($0) }
        return data
    }

    func skip(_ entry: EntryHeader) throws {
        try handle.seek(toOffset: entry.dataOffset + UInt64(entry.size) + UInt64(TarFormat.padding(after: entry.size)))
    }

    /// The manifest, found by walking the headers; nil when the archive has none.
    func manifest() async throws -> BackupManifest? {
        try handle.seek(toOffset: 0)
        var found: BackupManifest?
        while let entry = try next() {
            if entry.path == BackupManifest.entryName {
                found = try Self.decodeManifest(try await readWhole(entry, limit: BackupManifest.maxBytes))
            } else {
                try skip(entry)
            }
        }
        return found
    }

    static func decodeManifest(_ data: Data) throws -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError.invalid([.notABackup])
        }
    }

    func rewind() throws { try handle.seek(toOffset: 0) }
}

extension SHA256.Digest {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
