import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The requests being answered right now. Shutdown waits for them before it closes the
/// databases: a handler that reaches `req.db` after Fluent has shut down traps on a nil
/// database, and a trap ends every other request with it.
final class InFlightRequests: Sendable {
    private let running = NIOLockedValueBox(0)

    var count: Int { running.withLockedValue { $0 } }

    func begin() { running.withLockedValue { $0 += 1 } }
    func end() { running.withLockedValue { $0 -= 1 } }

    /// True once nothing is in flight, false when `deadline` passes first.
    func waitUntilIdle(before deadline: ContinuousClock.Instant) async -> Bool {
        while count > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}

/// Counts every request from the moment it enters the app until its response is ready; the
/// first middleware, so even a request that fails early is counted.
struct InFlightMiddleware: AsyncMiddleware {
    let requests: InFlightRequests

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        requests.begin()
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
    guard await app.inFlightRequests.waitUntilIdle(before: deadline) else {
        app.logger.warning("Shutting down: \(app.inFlightRequests.count) request(s) still running after \(grace) s; leaving without closing the databases, so their transactions roll back")
        return false
    }
    app.logger.notice("Shutting down: requests finished; stopping the job worker and closing the databases")
    return true
}
