import Fluent
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

/// Gives each test a fresh, migrated database: an SQLite file of its own, or its own schema in
/// the PostgreSQL database named by DATABASE_URL.
func withTestApp(clock: ManualClock = ManualClock(testEpoch), adjust: (inout AppConfig) -> Void = { _ in },
                 _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .error
    let database: AppConfig.DatabaseConfig
    let token = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    var sqlitePath: String?
    var schema: String?
    if let url = postgresURL {
        schema = "t_" + token
        database = .postgres(url: url, searchPath: [schema!])
    } else {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chainmall-tests").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        sqlitePath = folder + "/\(token).sqlite"
        database = .sqlite(path: sqlitePath!)
    }
    var config = AppConfig(database: database, dataDirectory: FileManager.default.temporaryDirectory.path + "/chainmall-tests/\(token)",
                           bcryptCost: 4, runsJobWorker: false, loginIPMaxFailures: 1000,
                           databasePoolSize: 2)
    // Tests run in parallel with two connections each; a stampede test queues far more
    // requests than that, so they may wait longer than a production request would.
    config.databasePoolTimeoutSeconds = 120
    adjust(&config)
    // Uploaded files and backups land in the test's own data folder; it goes when the test ends.
    let dataDirectory = config.dataDirectory.hasPrefix(FileManager.default.temporaryDirectory.path + "/chainmall-tests/")
        ? config.dataDirectory : nil
    do {
        try await configure(app, config: config, clock: clock)
        if let schema {
            try await PostgresExtensions.shared.ensure(on: app.db)
            try await app.db.sql.raw("CREATE SCHEMA \(unsafeRaw: schema)").run()
        }
        try await app.autoMigrate().get()
        try await body(app)
    } catch {
        await cleanUp(app, sqlitePath: sqlitePath, schema: schema, dataDirectory: dataDirectory)
        throw error
    }
    await cleanUp(app, sqlitePath: sqlitePath, schema: schema, dataDirectory: dataDirectory)
}

private func cleanUp(_ app: Application, sqlitePath: String?, schema: String?, dataDirectory: String?) async {
    if let schema { try? await app.db.sql.raw("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE").run() }
    try? await app.asyncShutdown()
    if let sqlitePath {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath + suffix) }
    }
    if let dataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) }
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

/// Creates database-wide extensions once per test process: tests migrate in parallel, and two
/// concurrent `CREATE EXTENSION IF NOT EXISTS` can still collide.
actor PostgresExtensions {
    static let shared = PostgresExtensions()
    private var done = false

    func ensure(on db: any Database) async throws {
        guard !done else { return }
        try await db.sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public").run()
        done = true
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
