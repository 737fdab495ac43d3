import Foundation
import Vapor

/// Counts failed logins per account and per client address in a sliding window and refuses
/// further attempts once a limit is hit. In-process by design (see DESIGN.md: rate limits move
/// to Redis when REDIS_URL is configured); a restart forgets, which errs on the user's side.
actor LoginThrottle {
    private var failures: [String: [Date]] = [:]
    private var recordsSincePrune = 0

    struct Limit: Sendable {
        let key: String
        let maxFailures: Int
    }

    /// Seconds until the first exceeded limit frees up, or nil when the attempt may proceed.
    func retryAfter(_ limits: [Limit], window: TimeInterval, now: Date) -> Int? {
        var wait: TimeInterval?
        for limit in limits {
            let recent = (failures[limit.key] ?? []).filter { now.timeIntervalSince($0) < window }
            if recent.count >= limit.maxFailures, let oldest = recent.first {
                let seconds = window - now.timeIntervalSince(oldest)
                wait = max(wait ?? 0, seconds)
            }
        }
        return wait.map { max(1, Int($0.rounded(.up))) }
    }

    func recordFailure(keys: [String], window: TimeInterval, now: Date) {
        for key in keys {
            var list = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
            list.append(now)
            failures[key] = list
        }
        recordsSincePrune += 1
        if recordsSincePrune >= 1000 {
            recordsSincePrune = 0
            failures = failures.filter { _, dates in dates.contains { now.timeIntervalSince($0) < window } }
        }
    }

    func reset(key: String) {
        failures[key] = nil
    }
}

extension Application {
    private struct LoginThrottleKey: StorageKey { typealias Value = LoginThrottle }

    /// Set once in `configure`, before any request can race to create it.
    var loginThrottle: LoginThrottle {
        get { storage[LoginThrottleKey.self]! }
        set { storage[LoginThrottleKey.self] = newValue }
    }
}

extension Request {
    /// The client address for throttling; behind a trusted proxy, the first X-Forwarded-For hop.
    var clientIP: String {
        if application.config.trustsForwardedFor, let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").first {
            return forwarded.trimmingCharacters(in: .whitespaces)
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }
}
