import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Runs the job queue in the background of a serving instance and stops with it. Stopping lets
/// the job in hand finish (it runs in a task the stop does not cancel) and claims no other, so a
/// shutdown never cuts a job off midway; only the wait between passes is interrupted.
final class JobWorker: LifecycleHandler, Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let stopping = NIOLockedValueBox(false)

    func didBootAsync(_ app: Application) async throws {
        let interval = app.config.jobPollInterval
        let queue = app.jobs
        let logger = app.logger
        let stopping = self.stopping
        task.withLockedValue { task in
            task = Task.detached {
                while !stopping.withLockedValue({ $0 }) {
                    do {
                        let pass = Task { try await queue.runDue(while: { !stopping.withLockedValue { $0 } }) }
                        if try await pass.value > 0 { continue }
                    } catch {
                        logger.warning("job worker pass failed: \(String(describing: error))")
                    }
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        stopping.withLockedValue { $0 = true }
        let running = task.withLockedValue { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
