import Fluent
import Foundation
import MallAPI
import SQLKit
import Vapor

/// Consistent backups of the database and their restore.
/// SQLite: `VACUUM INTO` writes a transactionally consistent copy while the server keeps
/// serving. PostgreSQL: `pg_dump` custom format and `pg_restore --clean`, one transaction.
/// Restoring replaces the data, so stop the server first.
enum BackupService {
    static func backup(app: Application, to path: String) async throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw BackupError.exists(path) }
        try createParentFolder(of: path)
        switch app.config.database {
        case .sqlite:
            try await app.db.sql.raw("VACUUM INTO \(bind: path)").run()
        case .postgres(let url, let searchPath):
            var arguments = ["--format=custom", "--no-owner", "--file=\(path)"]
            for schema in searchPath ?? [] { arguments.append("--schema=\(schema)") }
            try await runTool(app.config.pgDump, arguments: arguments, databaseURL: url)
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
        } catch let error as BackupError {
            app.logger.error("backup failed: \(error)")
            throw MallError.unavailable("The backup could not be made; the server log says why.")
        }
        try await app.db.writeTransaction { db in
            try await audit.record(on: db, action: "backup.create", owner: .platform, targetType: "backup", targetId: name)
        }
        guard let file = try list(config: app.config).first(where: { $0.name == name }) else {
            throw MallError.unavailable("The backup could not be made; the server log says why.")
        }
        return file
    }

    static func restore(config: AppConfig, from path: String) async throws {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError.missing(path) }
        switch config.database {
        case .sqlite(let target):
            let header = FileManager.default.contents(atPath: path)?.prefix(16) ?? Data()
            guard header == Data("SQLite format 3\0".utf8) else { throw BackupError.notSQLite(path) }
            try createParentFolder(of: target)
            let staging = target + ".restoring"
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.copyItem(atPath: path, toPath: staging)
            // A write-ahead log left beside the old file would be replayed onto the restored one.
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            // rename(2) swaps the file in one step: a crash leaves either the old or the new database.
            guard rename(staging, target) == 0 else { throw BackupError.toolFailed("rename", String(cString: strerror(errno))) }
        case .postgres(let url, _):
            try await runTool(config.pgRestore, arguments: ["--clean", "--if-exists", "--no-owner", "--single-transaction", path],
                              databaseURL: url)
        }
    }

    static func defaultPath(config: AppConfig, now: Date) -> String {
        let stamp = UTCStamp.string(now, format: "yyyyMMdd-HHmmss")
        switch config.database {
        case .sqlite: return "\(config.dataDirectory)/backups/chainmall-\(stamp).sqlite"
        case .postgres: return "\(config.dataDirectory)/backups/chainmall-\(stamp).pgdump"
        }
    }

    static func folder(config: AppConfig) -> String { "\(config.dataDirectory)/backups" }

    /// Names the console may offer: what `defaultPath` writes, nothing else. The pattern is also
    /// the download's guard, since such a name cannot climb out of the folder (`..`, `/`).
    static func isBackupName(_ name: String) -> Bool {
        name.wholeMatch(of: /chainmall-[0-9]{8}-[0-9]{6}\.(sqlite|pgdump)/) != nil
    }

    /// The backups in the folder, newest first; files of any other name (a restore's staging
    /// copy, a file an operator dropped there) are not listed.
    static func list(config: AppConfig) throws -> [BackupFile] {
        let folder = folder(config: config)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.filter(isBackupName).map { name in
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(folder)/\(name)")
            return BackupFile(name: name, sizeBytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                              createdAt: attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0))
        }.sorted { ($0.createdAt, $0.name) > ($1.createdAt, $1.name) }
    }

    /// The full path of a listed backup, or nil for a name that is not one.
    static func path(config: AppConfig, name: String) -> String? {
        guard isBackupName(name) else { return nil }
        let path = "\(folder(config: config))/\(name)"
        return FileManager.default.fileExists(atPath: path) ? path : nil
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

enum BackupError: Error, CustomStringConvertible {
    case exists(String)
    case missing(String)
    case notSQLite(String)
    case badURL
    case toolFailed(String, String)

    var description: String {
        switch self {
        case .exists(let path): "\(path) already exists; choose another file"
        case .missing(let path): "\(path) does not exist"
        case .notSQLite(let path): "\(path) is not an SQLite database file"
        case .badURL: "DATABASE_URL is not a valid URL"
        case .toolFailed(let tool, let output): "\(tool) failed: \(output)"
        }
    }
}
