import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Runs the job queue in the background of a serving instance and stops with it.
final class JobWorker: LifecycleHandler, Sendable {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ app: Application) async throws {
        let interval = app.config.jobPollInterval
        let queue = app.jobs
        let logger = app.logger
        task.withLockedValue { task in
            task = Task.detached {
                while !Task.isCancelled {
                    do {
                        let ran = try await queue.runDue()
                        if ran > 0 { continue }
                    } catch {
                        logger.warning("job worker pass failed: \(String(describing: error))")
                    }
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                }
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        let running = task.withLockedValue { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
