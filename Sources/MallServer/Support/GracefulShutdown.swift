import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The requests being answered right now. Shutdown waits for them before it closes the
/// databases: a handler that reaches `req.db` after Fluent has shut down traps on a nil
/// database, and a trap ends every other request with it. The moment shutdown finds nothing in
/// flight it closes the door in the same step, so no request can slip in between that check and
/// the databases closing (a keep-alive connection can still deliver one after the listener has
/// stopped).
final class InFlightRequests: Sendable {
    private struct State {
        var running = 0
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    var count: Int { state.withLockedValue { $0.running } }

    /// False once shutdown has closed the door: the request must be answered without the
    /// databases.
    func begin() -> Bool {
        state.withLockedValue { state in
            guard !state.closed else { return false }
            state.running += 1
            return true
        }
    }

    func end() { state.withLockedValue { $0.running -= 1 } }

    /// True once nothing is in flight — and from then on `begin` refuses — false when
    /// `deadline` passes first.
    func closeWhenIdle(before deadline: ContinuousClock.Instant) async -> Bool {
        while true {
            let closed = state.withLockedValue { state in
                if state.running == 0 { state.closed = true }
                return state.closed
            }
            if closed { return true }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Counts every request from the moment it enters the app until its response is ready; the
/// first middleware, so even a request that fails early is counted. After shutdown has closed
/// the door a request gets a 503 without touching anything else.
struct InFlightMiddleware: AsyncMiddleware {
    let requests: InFlightRequests

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard requests.begin() else {
            let response = Response(status: .serviceUnavailable, headers: ["Content-Type": "application/problem+json", "Retry-After": "1", "Connection": "close"])
            response.body = .init(string: #"{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"The server is shutting down; try again in a moment."}"#)
            return response
        }
        defer { requests.end() }
        return try await next.respond(to: request)
    }
}

extension Application {
    private struct InFlightKey: StorageKey { typealias Value = InFlightRequests }

    var inFlightRequests: InFlightRequests {
        if let existing = storage[InFlightKey.self] { return existing }
        let created = InFlightRequests()
        storage[InFlightKey.self] = created
        return created
    }
}

/// Stops a serving instance the way a deploy needs (`SIGTERM` under load): the listener closes
/// and idle connections with it, requests in flight run to their end within the grace period
/// (`SHUTDOWN_GRACE_SECONDS`), and only then may the caller shut the application down — the job
/// worker after its current job, the databases last.
///
/// Returns false when requests were still running at the end of the grace period. The caller
/// must then not close the databases under them; exiting is safe, because every write runs in a
/// transaction that the database rolls back when its connection goes.
public func drainForShutdown(_ app: Application) async -> Bool {
    let grace = app.config.shutdownGraceSeconds
    let deadline = ContinuousClock.now + .seconds(grace)
    app.logger.notice("Shutting down: accepting no new connections, letting \(app.inFlightRequests.count) request(s) in flight finish (at most \(grace) s)")
    await app.server.shutdown()
    guard await app.inFlightRequests.closeWhenIdle(before: deadline) else {
        app.logger.warning("Shutting down: \(app.inFlightRequests.count) request(s) still running after \(grace) s; leaving without closing the databases, so their transactions roll back")
        return false
    }
    app.logger.notice("Shutting down: requests finished; stopping the job worker and closing the databases")
    return true
}
