import Foundation
import Vapor

/// Counts failed logins per account and per client address in a sliding window and refuses
/// further attempts once a limit is hit.
protocol LoginThrottling: Sendable {
    func retryAfter(_ limits: [LoginThrottle.Limit], window: TimeInterval, now: Date) async -> Int?
    func recordFailure(keys: [String], window: TimeInterval, now: Date) async
    func reset(key: String) async
}

/// The throttle of one instance (the default, and the fallback while Redis is down); a restart
/// forgets, which errs on the user's side. With REDIS_URL, `RedisLoginThrottle` shares the
/// counts across instances.
actor LoginThrottle: LoginThrottling {
    private var failures: [String: [Date]] = [:]
    private var recordsSincePrune = 0

    struct Limit: Sendable {
        let key: String
        let maxFailures: Int
    }

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
    private struct LoginThrottleKey: StorageKey { typealias Value = any LoginThrottling }

    /// Set once in `configure`, before any request can race to create it.
    var loginThrottle: any LoginThrottling {
        get { storage[LoginThrottleKey.self] ?? LoginThrottle.unconfigured }
        set { storage[LoginThrottleKey.self] = newValue }
    }
}

extension LoginThrottle {
    /// For an application `configure` did not set up (tools).
    static let unconfigured = LoginThrottle()
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
