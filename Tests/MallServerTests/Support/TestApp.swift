import Fluent
import FluentPostgresDriver
import Foundation
import MallAPI
import MallCore
import NIOCore
import NIOPosix
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import MallServer

/// Friday 2026-11-27 10:00 in Shanghai: a fixed "now" so opening hours and expiry are repeatable.
let testEpoch = Date(timeIntervalSince1970: 1_795_744_800)

var postgresURL: String? { ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } }

/// Gives each test a fresh, migrated database: a copy of a template SQLite file, or a database of
/// its own made from a template database on the PostgreSQL server DATABASE_URL names. The
/// template is migrated once per test process (`MigratedTemplates`); each test's own
/// `autoMigrate` then finds every migration done.
func withTestApp(clock: ManualClock = ManualClock(testEpoch), adjust: (inout AppConfig) -> Void = { _ in },
                 _ body: (Application) async throws -> Void) async throws {
    let token = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    let database: AppConfig.DatabaseConfig
    var sqlitePath: String?
    var postgresDatabase: String?
    if let url = postgresURL {
        let name = MigratedTemplates.postgresPrefix + "\(getpid())_\(token)"
        try await MigratedTemplates.shared.createPostgresDatabase(name, url: url)
        postgresDatabase = name
        database = .postgres(url: try MigratedTemplates.url(url, database: name), searchPath: [MigratedTemplates.postgresSchema])
    } else {
        sqlitePath = MigratedTemplates.sqliteFolder + "/\(token).sqlite"
        let template = try await MigratedTemplates.shared.sqliteTemplate()
        try FileManager.default.copyItem(atPath: template, toPath: sqlitePath!)
        // Closing the template's last connection folds its log into the file; should one be
        // left, SQLite replays it into the copy on open.
        if FileManager.default.fileExists(atPath: template + "-wal") { try FileManager.default.copyItem(atPath: template + "-wal", toPath: sqlitePath! + "-wal") }
        database = .sqlite(path: sqlitePath!)
    }
    let app = try await Application.make(.testing)
    app.logger.logLevel = .error
    var config = testConfig(database: database, token: String(token))
    adjust(&config)
    // Uploaded files and backups land in the test's own data folder; it goes when the test ends.
    let dataDirectory = config.dataDirectory.hasPrefix(FileManager.default.temporaryDirectory.path + "/chainmall-tests/")
        ? config.dataDirectory : nil
    do {
        try await configure(app, config: config, clock: clock)
        try await app.autoMigrate().get()
        try await body(app)
    } catch {
        await cleanUp(app, sqlitePath: sqlitePath, postgresDatabase: postgresDatabase, dataDirectory: dataDirectory)
        throw error
    }
    await cleanUp(app, sqlitePath: sqlitePath, postgresDatabase: postgresDatabase, dataDirectory: dataDirectory)
}

private func testConfig(database: AppConfig.DatabaseConfig, token: String) -> AppConfig {
    var config = AppConfig(database: database, dataDirectory: FileManager.default.temporaryDirectory.path + "/chainmall-tests/\(token)",
                           bcryptCost: 4, runsJobWorker: false, loginIPMaxFailures: 1000,
                           databasePoolSize: 2)
    // Tests run in parallel with two connections each; a stampede test queues far more
    // requests than that, so they may wait longer than a production request would.
    config.databasePoolTimeoutSeconds = 120
    return config
}

private func cleanUp(_ app: Application, sqlitePath: String?, postgresDatabase: String?, dataDirectory: String?) async {
    try? await app.asyncShutdown()
    if let postgresDatabase, let url = postgresURL { await MigratedTemplates.shared.dropPostgresDatabase(postgresDatabase, url: url) }
    if let sqlitePath {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
    }
    if let dataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
}

/// The migrated databases tests start from. Running every migration for each of several hundred
/// tests cost about half a second on SQLite and a second on PostgreSQL, most of the suite's time
/// and load; copying a migrated file, or `CREATE DATABASE … TEMPLATE`, costs a fraction of that.
actor MigratedTemplates {
    static let shared = MigratedTemplates()
    static let sqliteFolder = FileManager.default.temporaryDirectory.appendingPathComponent("chainmall-tests").path
    /// Test databases are named after the process that made them, so a later run can tell
    /// which ones a crashed run left behind.
    static let postgresPrefix = "chainmall_t_"
    static let postgresSchema = "mall"

    private var sqlite: Task<String, any Error>?
    private var postgres: Task<String, any Error>?
    /// Creates and drops databases; never connected to a template, which `TEMPLATE` requires.
    private var admin: Task<Application, any Error>?

    func sqliteTemplate() async throws -> String {
        if let sqlite { return try await sqlite.value }
        let task = Task<String, any Error> {
            try FileManager.default.createDirectory(atPath: Self.sqliteFolder, withIntermediateDirectories: true)
            Self.removeLeftoverSQLiteTemplates()
            let path = Self.sqliteFolder + "/template-\(getpid()).sqlite"
            try await Self.migrate(.sqlite(path: path))
            return path
        }
        sqlite = task
        return try await task.value
    }

    func createPostgresDatabase(_ name: String, url: String) async throws {
        let template = try await postgresTemplate(url: url)
        try await adminDatabase(url: url).value.db.sql.raw("CREATE DATABASE \(ident: name) TEMPLATE \(ident: template)").run()
    }

    func dropPostgresDatabase(_ name: String, url: String) async {
        try? await adminDatabase(url: url).value.db.sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
    }

    private func postgresTemplate(url: String) async throws -> String {
        if let postgres { return try await postgres.value }
        // Set before the first suspension: the actor takes other callers in while this one waits.
        let admin = adminDatabase(url: url)
        let task = Task<String, any Error> {
            let admin = try await admin.value.db
            try await Self.dropLeftovers(on: admin)
            let name = "chainmall_template_\(getpid())"
            try await admin.sql.raw("CREATE DATABASE \(ident: name)").run()
            try await Self.migrate(.postgres(url: try Self.url(url, database: name), searchPath: [Self.postgresSchema])) { app in
                try await app.db.sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public").run()
                try await app.db.sql.raw("CREATE SCHEMA \(ident: Self.postgresSchema)").run()
            }
            return name
        }
        postgres = task
        return try await task.value
    }

    private func adminDatabase(url: String) -> Task<Application, any Error> {
        if let admin { return admin }
        let task = Task<Application, any Error> {
            let app = try await Application.make(.testing)
            app.logger.logLevel = .error
            // Several hundred tests start at once, each creating its database through this pool.
            app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url), maxConnectionsPerEventLoop: 4,
                                        connectionPoolTimeout: .seconds(600)), as: .psql)
            return app
        }
        admin = task
        return task
    }

    /// Templates of test processes that are gone (each test removes its own copy).
    private static func removeLeftoverSQLiteTemplates() {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: sqliteFolder)) ?? [] where file.hasPrefix("template-") {
            let pid = file.dropFirst("template-".count).prefix { $0.isNumber }
            guard let pid = Int32(pid), pid == getpid() || kill(pid, 0) != 0 else { continue }
            try? FileManager.default.removeItem(atPath: sqliteFolder + "/" + file)
        }
    }

    /// Databases and templates of test processes that are gone (killed, crashed).
    private static func dropLeftovers(on admin: any Database) async throws {
        let rows = try await admin.sql.raw("""
            SELECT datname FROM pg_database WHERE datname LIKE 'chainmall\\_t%'
            """).all()
        for row in rows {
            let name = try row.decode(column: "datname", as: String.self)
            let pid = name.split(separator: "_").dropFirst(2).first.flatMap { Int32($0) }
            guard let pid, pid != getpid(), kill(pid, 0) != 0 else { continue }
            try? await admin.sql.raw("DROP DATABASE IF EXISTS \(ident: name) WITH (FORCE)").run()
        }
    }

    private static func migrate(_ database: AppConfig.DatabaseConfig, prepare: (Application) async throws -> Void = { _ in }) async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        do {
            let config = testConfig(database: database, token: "template-\(getpid())")
            defer { try? FileManager.default.removeItem(atPath: config.dataDirectory) }
            try await configure(app, config: config, clock: ManualClock(testEpoch))
            try await prepare(app)
            try await app.autoMigrate().get()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func url(_ url: String, database: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw Abort(.internalServerError, reason: "DATABASE_URL is not a URL") }
        components.path = "/" + database
        guard let result = components.string else { throw Abort(.internalServerError, reason: "DATABASE_URL is not a URL") }
        return result
    }
}

/// A response with its body decoded on demand.
struct APIResponse {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: ByteBuffer

    func decode<T: Decodable>(_ type: T.Type = T.self, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        do {
            return try JSONDecoder.api.decode(T.self, from: Data(buffer: body))
        } catch {
            Issue.record("could not decode \(T.self) from \(status): \(body.string)", sourceLocation: sourceLocation)
            throw error
        }
    }

    var problem: Problem? { try? JSONDecoder.api.decode(Problem.self, from: Data(buffer: body)) }
    var text: String { body.string }
}

extension Application {
    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, json: (any Encodable)? = nil,
              raw: String? = nil, headers extra: HTTPHeaders = [:]) async throws -> APIResponse {
        var headers = extra
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        var body = ByteBuffer()
        if let json {
            headers.contentType = .json
            body = ByteBuffer(data: try JSONEncoder.api.encode(json))
        } else if let raw {
            if headers.contentType == nil { headers.contentType = .json }
            body = ByteBuffer(string: raw)
        }
        let response = try await testing().performTest(request: TestingHTTPRequest(method: method, url: URI(path: path), headers: headers, body: body))
        return APIResponse(status: response.status, headers: response.headers, body: response.body)
    }
}

/// A port on 127.0.0.1 that the kernel just handed out and nothing listens on, for tests that run
/// a real server: a random pick can land on a port in use (an outgoing connection's, another
/// test's) and fail the bind.
func freeLocalPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 0
    try await channel.close()
    return port
}
