import Foundation
import Logging
import NIOConcurrencyHelpers
import Vapor

/// Records the SQL statements an application runs while a test waits on `during`, for statement
/// budgets ("a refused flash purchase runs no statement after authentication").
///
/// Both drivers log every statement as "Executing query" at the query log level `configure`
/// sets (debug), but not through the same logger: PostgreSQL's driver logs through the logger of
/// the `Database` running it (a request's `req.db` takes the request's logger), while SQLite's
/// runs a transaction's statements on the pooled connection itself, which logs through the
/// logger of whoever opened that connection (the migration, a test's `app.db`, some earlier
/// request). Listening to the request's logger alone missed everything SQLite ran inside a
/// `writeTransaction`, which is most of the write path. So every logger the application hands
/// out — its own, each request's, and through them every connection's — records here, and only
/// while `during` runs: statements the test runs on `app.db` around it are not counted.
final class SQLStatementLog: Sendable {
    private let capture = LogCapture()
    private let recording = NIOLockedValueBox(false)

    /// The pool is emptied so that its connections are opened again by loggers that record.
    func install(on app: Application) {
        app.logger = recordingLogger(wrapping: app.logger)
        app.databases.reinitialize()
    }

    /// What `body` returned, and the statements the application ran meanwhile, in order.
    func during<T>(_ body: () async throws -> T) async rethrows -> (result: T, statements: [String]) {
        capture.clear()
        recording.withLockedValue { $0 = true }
        defer { recording.withLockedValue { $0 = false } }
        let result = try await body()
        let statements = capture.all.compactMap { entry -> String? in
            guard entry.message == "Executing query", case .string(let sql)? = entry.metadata["sql"] else { return nil }
            return sql
        }
        return (result, statements)
    }

    /// `statements` without the bearer token's check, which every authenticated API request
    /// makes first: one read of its live session (`PrincipalLoader`), so a revoked session stops
    /// working at once. A staff caller's further reads (account, grants) are kept.
    static func afterAuthentication(_ statements: [String]) -> [String] {
        guard let first = statements.first, first.contains("FROM auth_sessions") else { return statements }
        return Array(statements.dropFirst())
    }

    private func recordingLogger(wrapping logger: Logger) -> Logger {
        Logger(label: logger.label) { _ in Handler(log: self, wrapped: logger.handler) }
    }

    private func record(_ event: LogEvent) {
        guard event.message.description == "Executing query", recording.withLockedValue({ $0 }) else { return }
        capture.record(level: event.level, message: event.message.description, metadata: event.metadata ?? [:])
    }

    /// Passes on what the wrapped handler's level lets through, and hands every query to the log
    /// whatever that level: the test applications log only errors.
    private struct Handler: LogHandler {
        let log: SQLStatementLog
        var wrapped: any LogHandler

        var logLevel: Logger.Level {
            get { min(wrapped.logLevel, .debug) }
            set { wrapped.logLevel = newValue }
        }

        var metadata: Logger.Metadata {
            get { wrapped.metadata }
            set { wrapped.metadata = newValue }
        }

        var metadataProvider: Logger.MetadataProvider? {
            get { wrapped.metadataProvider }
            set { wrapped.metadataProvider = newValue }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { wrapped[metadataKey: key] }
            set { wrapped[metadataKey: key] = newValue }
        }

        func log(event: LogEvent) {
            log.record(event)
            if event.level >= wrapped.logLevel { wrapped.log(event: event) }
        }
    }
}
