import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Backups of the database together with the uploaded files it names, and their restore.
///
/// A backup is one ustar archive (`BackupArchiveWriter`): the database dump (SQLite: `VACUUM
/// INTO`, a transactionally consistent copy while the server keeps serving; PostgreSQL:
/// `pg_dump` custom format), then every file a row names (product images, videos, documents,
/// review photos, merchant application papers) read from file storage in chunks, then a manifest
/// with each entry's size and SHA-256. Restoring checks the whole archive against the manifest
/// before it replaces anything, then the database (`pg_restore --clean`, one transaction, or an
/// atomic rename), then puts the files into the installation's file storage. Restoring replaces
/// the data, so stop the server first. Archives made before files were included (a bare
/// `.sqlite` or `.pgdump`) still restore the database alone.
enum BackupService {
    /// The job that makes scheduled backups when `backup.intervalHours` says one is due.
    static let scheduledJob = "system.scheduledBackup"
    /// How often the job looks; also how early a due backup may start (`BackupPolicy.isDue`).
    static let checkIntervalSeconds = 600

    /// Writes a backup archive to `path`, which must not exist. Returns its manifest.
    @discardableResult
    static func backup(app: Application, to path: String) async throws -> BackupManifest {
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError.exists(path) }
        try createParentFolder(of: path)
        let now = app.clock.now()
        // Both partial files sit beside the target, so the final rename cannot cross file systems,
        // and neither has a backup's name, so the console never lists one.
        let dump = path + ".database-partial"
        let partial = path + ".partial"
        defer {
            try? FileManager.default.removeItem(atPath: dump)
            try? FileManager.default.removeItem(atPath: partial)
        }
        let kind = try await dumpDatabase(app: app, to: dump)
        // Listed after the dump: a file uploaded in between is carried along needlessly, one
        // deleted in between is recorded as missing; neither breaks the restore.
        let files = try await referencedFiles(on: app.db)
        let writer = try BackupArchiveWriter(path: partial, modified: now)
        var missing: [String] = []
        do {
            try await writer.addFile(at: dump, as: kind.entryPath)
            for file in files {
                guard try await addStoredFile(file, from: app.fileStorage, to: writer) else {
                    missing.append(file.key)
                    continue
                }
            }
            let manifest = BackupManifest(createdAt: now, database: kind, entries: writer.entries, missingFiles: missing)
            try writer.finish(manifest)
            guard rename(partial, path) == 0 else { throw BackupError.toolFailed("rename", String(cString: strerror(errno))) }
            if !missing.isEmpty { app.logger.warning("backup \(path): \(missing.count) referenced files were not in file storage: \(missing.prefix(10))") }
            return manifest
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// A backup in the backup folder under the default name, with its audit row. Two in the same
    /// second would share a name: the second is a 409 rather than a replaced file.
    static func create(app: Application, now: Date, audit: AuditRecorder) async throws -> BackupFile {
        let path = defaultPath(config: app.config, now: now)
        let name = (path as NSString).lastPathComponent
        do {
            try await backup(app: app, to: path)
        } catch BackupError.exists {
            throw MallError.conflict("A backup was made this second; try again in a moment.")
        } catch {
            app.logger.error("backup failed: \(error)")
            throw MallError.unavailable("The backup could not be made; the server log says why.")
        }
        try await app.db.writeTransaction { db in
            try await audit.record(on: db, action: "backup.create", owner: .platform, targetType: "backup", targetId: name)
        }
        guard let file = try await list(config: app.config).first(where: { $0.name == name }) else {
            throw MallError.unavailable("The backup could not be made; the server log says why.")
        }
        return file
    }

    /// The scheduled job's work: a backup when one is due by `backup.intervalHours`, then the
    /// oldest deleted so `backup.keep` remain. Returns the backup made, if any.
    @discardableResult
    static func runScheduled(app: Application, now: Date) async throws -> BackupFile? {
        let settings = try await app.settingsCache.resolved(on: app.db)
        let existing = try await list(config: app.config)
        guard BackupPolicy.isDue(lastBackupAt: existing.first?.createdAt, intervalHours: settings.integer(.backupIntervalHours), now: now,
                                 tolerance: TimeInterval(checkIntervalSeconds)) else { return nil }
        let audit = AuditRecorder(actorStaffId: nil, actorName: "system", requestId: "job:\(scheduledJob)", now: now)
        let made = try await create(app: app, now: now, audit: audit)
        let all = try await list(config: app.config)
        let expired = BackupPolicy.expired(all.map { ($0.name, $0.createdAt) }, keep: settings.integer(.backupKeep))
        for name in expired {
            guard let path = path(config: app.config, name: name) else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                app.logger.warning("backup retention: could not delete \(name): \(error)")
            }
        }
        if !expired.isEmpty {
            try await app.db.writeTransaction { db in
                try await audit.record(on: db, action: "backup.prune", owner: .platform, targetType: "backup", targetId: made.name,
                                       after: expired)
            }
        }
        return made
    }

    // MARK: restore

    /// Checks the backup at `path` and replaces the database with the one it holds; call
    /// `restoreFiles` afterwards with the installation's file storage. Nothing changes when the
    /// archive is damaged, incomplete or for the other database. Returns the manifest, nil for
    /// a database-only backup of the old kind.
    @discardableResult
    static func restoreDatabase(config: AppConfig, from path: String) async throws -> BackupManifest? {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.missing(path) }
        guard BackupArchiveReader.isArchive(path: path) else {
            try await restoreBareDatabase(config: config, from: path)
            return nil
        }
        let manifest = try await verify(path: path, target: config.database.backupKind)
        let reader = try BackupArchiveReader(path: path)
        while let entry = try reader.next() {
            guard entry.path == manifest.database.entryPath, let listed = manifest.entries.first(where: { $0.path == entry.path }) else {
                try reader.skip(entry)
                continue
            }
            switch config.database {
            case .sqlite(let target):
                try createParentFolder(of: target)
                let staging = target + ".restoring"
                try await extract(entry, listed, from: reader, to: staging)
                try await restoreBareDatabase(config: config, from: staging, moving: true)
            case .postgres:
                let staging = FileManager.default.temporaryDirectory.path + "/chainmall-restore-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0 ... .max)).pgdump"
                defer { try? FileManager.default.removeItem(atPath: staging) }
                try await extract(entry, listed, from: reader, to: staging)
                try await restoreBareDatabase(config: config, from: staging)
            }
            return manifest
        }
        throw BackupError.invalid([.missing(manifest.database.entryPath)])
    }

    /// Puts every file of a verified backup into `storage`, checking each against the manifest
    /// again as it is copied out of the archive into a staging file, so no file is held whole in
    /// memory on the way (the local folder copies it in chunks; a bucket's `put` reads it).
    /// Returns how many were restored.
    @discardableResult
    static func restoreFiles(from path: String, manifest: BackupManifest, into storage: any FileStorage) async throws -> Int {
        let listed = Dictionary(manifest.entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let reader = try BackupArchiveReader(path: path)
        let staging = FileManager.default.temporaryDirectory.path + "/chainmall-restore-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0 ... .max))"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        var restored = 0
        while let entry = try reader.next() {
            guard let key = BackupManifest.key(forPath: entry.path), let expected = listed[entry.path] else {
                try reader.skip(entry)
                continue
            }
            try await extract(entry, expected, from: reader, to: staging)
            try await storage.put(key: key, contentsOf: staging, contentType: expected.contentType ?? "application/octet-stream")
            restored += 1
        }
        return restored
    }

    /// Reads every entry of the archive, hashing it, and compares with the manifest.
    static func verify(path: String, target: BackupManifest.DatabaseKind) async throws -> BackupManifest {
        let reader = try BackupArchiveReader(path: path)
        var observed: [BackupManifest.Entry] = []
        var manifest: BackupManifest?
        do {
            while let entry = try reader.next() {
                if entry.path == BackupManifest.entryName, manifest == nil {
                    manifest = try BackupArchiveReader.decodeManifest(try await reader.readWhole(entry, limit: BackupManifest.maxBytes))
                    continue
                }
                var hasher = SHA256()
                try await reader.read(entry) { hasher.update(data: $0) }
                observed.append(.init(path: entry.path, sizeBytes: entry.size, sha256: hasher.finalize().hexString))
            }
        } catch let error as TarFormat.FormatError {
            throw BackupError.invalid([.unreadable(error.description)])
        }
        guard let manifest else { throw BackupError.invalid([.noManifest]) }
        let problems = manifest.problems(observed: observed, target: target)
        guard problems.isEmpty else { throw BackupError.invalid(problems) }
        return manifest
    }

    // MARK: listing

    static func defaultPath(config: AppConfig, now: Date) -> String {
        "\(folder(config: config))/chainmall-\(UTCStamp.string(now, format: "yyyyMMdd-HHmmss")).tar"
    }

    static func folder(config: AppConfig) -> String { "\(config.dataDirectory)/backups" }

    /// Names the console may offer: what `defaultPath` writes now or wrote before backups held
    /// files, nothing else. The pattern is also the download's guard, since such a name cannot
    /// climb out of the folder (`..`, `/`).
    static func isBackupName(_ name: String) -> Bool {
        name.wholeMatch(of: /chainmall-[0-9]{8}-[0-9]{6}\.(tar|sqlite|pgdump)/) != nil
    }

    /// The backups in the folder, newest first; files of any other name (a restore's staging
    /// copy, a file an operator dropped there) are not listed. The time is the one in the name,
    /// the clock's when the backup was made, so copying a file around does not make it newer.
    static func list(config: AppConfig) async throws -> [BackupFile] {
        let folder = folder(config: config)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var files: [BackupFile] = []
        for name in names where isBackupName(name) {
            let path = "\(folder)/\(name)"
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            var fileCount: Int?
            if name.hasSuffix(".tar") {
                fileCount = try? await BackupArchiveReader(path: path).manifest()?.fileCount
            }
            files.append(BackupFile(name: name, sizeBytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                                    createdAt: stampDate(name) ?? attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0),
                                    fileCount: fileCount))
        }
        return files.sorted { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }
    }

    /// The full path of a listed backup, or nil for a name that is not one.
    static func path(config: AppConfig, name: String) -> String? {
        guard isBackupName(name) else { return nil }
        let path = "\(folder(config: config))/\(name)"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    // MARK: parts

    private static func stampDate(_ name: String) -> Date? {
        guard let match = name.firstMatch(of: /[0-9]{8}-[0-9]{6}/) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.date(from: String(match.output))
    }

    /// Every stored file a row names, with the content type the row gives it.
    static func referencedFiles(on db: any Database) async throws -> [(key: String, contentType: String)] {
        struct Row: Decodable {
            let key: String
            let contentType: String
            enum CodingKeys: String, CodingKey { case key, contentType = "content_type" }
        }
        let rows = try await db.sql.raw("""
            SELECT key, MIN(content_type) AS content_type FROM (
                SELECT key, content_type FROM media_files
                UNION ALL SELECT key, content_type FROM member_images
                UNION ALL SELECT key, content_type FROM product_attachments
                UNION ALL SELECT file_key AS key, content_type FROM merchant_application_documents
            ) AS referenced GROUP BY key ORDER BY key
            """).all(decoding: Row.self)
        return rows.map { ($0.key, $0.contentType) }
    }

    /// Streams one stored file into the archive; false when the storage has no such file.
    private static func addStoredFile(_ file: (key: String, contentType: String), from storage: any FileStorage,
                                      to writer: BackupArchiveWriter) async throws -> Bool {
        let chunkSize = BackupArchiveWriter.chunkSize
        guard let first = try await storage.get(key: file.key, offset: 0, length: chunkSize) else { return false }
        var pending: Data? = first
        var offset = first.count
        var done = first.count < chunkSize
        try await writer.add(path: BackupManifest.path(forKey: file.key), contentType: file.contentType) {
            if let chunk = pending {
                pending = nil
                return chunk
            }
            guard !done else { return nil }
            let chunk = try await storage.get(key: file.key, offset: offset, length: chunkSize) ?? Data()
            offset += chunk.count
            done = chunk.count < chunkSize
            return chunk
        }
        return true
    }

    private static func dumpDatabase(app: Application, to path: String) async throws -> BackupManifest.DatabaseKind {
        try? FileManager.default.removeItem(atPath: path)
        switch app.config.database {
        case .sqlite:
            try await app.db.sql.raw("VACUUM INTO \(bind: path)").run()
        case .postgres(let url, let searchPath):
            var arguments = ["--format=custom", "--no-owner", "--file=\(path)"]
            for schema in searchPath ?? [] { arguments.append("--schema=\(schema)") }
            try await runTool(app.config.pgDump, arguments: arguments, databaseURL: url)
        }
        return app.config.database.backupKind
    }

    /// Copies an archive entry to a file, checking it against the manifest once more: the
    /// archive could have changed since it was verified.
    private static func extract(_ entry: BackupArchiveReader.EntryHeader, _ listed: BackupManifest.Entry, from reader: BackupArchiveReader,
                                to path: String) async throws {
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw BackupError.cannotWrite(path) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var hasher = SHA256()
        do {
            try await reader.read(entry) { chunk in
                hasher.update(data: chunk)
                try output.write(contentsOf: chunk)
            }
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            throw error
        }
        guard hasher.finalize().hexString == listed.sha256 else {
            try? FileManager.default.removeItem(atPath: path)
            throw BackupError.invalid([.checksumMismatch(entry.path)])
        }
    }

    /// Replaces the database with a bare SQLite file or pg_dump archive. `moving` lets an
    /// already staged SQLite file be renamed into place rather than copied.
    private static func restoreBareDatabase(config: AppConfig, from path: String, moving: Bool = false) async throws {
        switch config.database {
        case .sqlite(let target):
            let header = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 16)) ?? Data()
            guard header == Data("SQLite format 3\0".utf8) else { throw BackupError.notSQLite(path) }
            try createParentFolder(of: target)
            let staging = target + ".restoring"
            if !moving || path != staging {
                try? FileManager.default.removeItem(atPath: staging)
                try FileManager.default.copyItem(atPath: path, toPath: staging)
            }
            // A write-ahead log left beside the old file would be replayed onto the restored one.
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            // rename(2) swaps the file in one step: a crash leaves either the old or the new database.
            guard rename(staging, target) == 0 else { throw BackupError.toolFailed("rename", String(cString: strerror(errno))) }
        case .postgres(let url, _):
            try await runTool(config.pgRestore, arguments: ["--clean", "--if-exists", "--no-owner", "--single-transaction", path],
                              databaseURL: url)
        }
    }

    private static func createParentFolder(of path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    }

    /// Runs pg_dump/pg_restore with the connection in libpq environment variables, so the
    /// password never shows in the process list.
    private static func runTool(_ tool: String, arguments: [String], databaseURL: String) async throws {
        guard let url = URLComponents(string: databaseURL) else { throw BackupError.badURL }
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = url.host ?? "127.0.0.1"
        environment["PGPORT"] = String(url.port ?? 5432)
        if let user = url.user { environment["PGUSER"] = user.removingPercentEncoding ?? user }
        if let password = url.password { environment["PGPASSWORD"] = password.removingPercentEncoding ?? password }
        let database = url.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments + ["--dbname=\(database)"]
        process.environment = environment
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BackupError.toolFailed(tool, String(decoding: errors, as: UTF8.self))
        }
    }
}

extension AppConfig.DatabaseConfig {
    var backupKind: BackupManifest.DatabaseKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }
}

enum BackupError: Error, CustomStringConvertible {
    case exists(String)
    case missing(String)
    case notSQLite(String)
    case badURL
    case cannotWrite(String)
    case toolFailed(String, String)
    /// The archive cannot be restored; each problem is a sentence for the operator.
    case invalid([BackupProblem])

    var description: String {
        switch self {
        case .exists(let path): "\(path) already exists; choose another file"
        case .missing(let path): "\(path) does not exist"
        case .notSQLite(let path): "\(path) is not an SQLite database file"
        case .badURL: "DATABASE_URL is not a valid URL"
        case .cannotWrite(let path): "cannot create \(path)"
        case .toolFailed(let tool, let output): "\(tool) failed: \(output)"
        case .invalid(let problems):
            "the backup cannot be restored:\n" + problems.prefix(20).map { "  - \($0)" }.joined(separator: "\n")
                + (problems.count > 20 ? "\n  … and \(problems.count - 20) more" : "")
        }
    }
}
