import Logging
import NIOConcurrencyHelpers

/// Runs a Redis call for a feature that has a fallback, logging one warning when Redis stops
/// answering and one when it is back, rather than one per request during an outage.
final class RedisFallback: Sendable {
    private let logger: Logger
    private let feature: String
    private let failing = NIOLockedValueBox(false)

    init(feature: String, logger: Logger) {
        self.feature = feature
        self.logger = logger
    }

    /// The result, or nil when Redis could not answer (the caller takes its fallback).
    func attempt<T: Sendable>(_ call: () async throws -> T) async -> T? {
        do {
            let result = try await call()
            if failing.withLockedValue({ state in defer { state = false }; return state }) {
                logger.warning("Redis answers again: \(feature) uses it again")
            }
            return result
        } catch {
            if !failing.withLockedValue({ state in defer { state = true }; return state }) {
                logger.warning("Redis cannot answer (\(error)): \(feature) falls back until it does")
            }
            return nil
        }
    }
}
