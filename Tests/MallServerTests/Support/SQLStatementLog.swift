import Foundation
import Logging
import Vapor

/// Records the SQL statements an application's requests run, for statement budgets ("a refused
/// flash purchase runs no statement after authentication").
///
/// Both drivers log every statement they execute as "Executing query", with the SQL in the
/// metadata, at the query log level `configure` sets (debug), through the logger of the
/// `Database` running it; a request's `req.db` takes the request's logger. So a middleware at the
/// front of the chain gives each request a logger that records into a `LogCapture`. Statements
/// the test itself runs on `app.db` log through the application's logger and are not counted.
final class SQLStatementLog: Sendable {
    private let capture = LogCapture()

    /// Call before the application answers its first request: the responder, with its
    /// middleware, is put together then.
    func install(on app: Application) {
        app.middleware.use(Recorder(capture: capture), at: .beginning)
    }

    /// What `body` returned, and the statements requests ran meanwhile, in order.
    func during<T>(_ body: () async throws -> T) async rethrows -> (result: T, statements: [String]) {
        capture.clear()
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

    private struct Recorder: AsyncMiddleware {
        let capture: LogCapture

        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            request.logger = capture.logger(label: "chainmall.test.request")
            return try await next.respond(to: request)
        }
    }
}
