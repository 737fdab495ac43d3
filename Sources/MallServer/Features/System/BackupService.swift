import Fluent
import Foundation
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
