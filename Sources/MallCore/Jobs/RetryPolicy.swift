/// How a failed job is retried: exponential backoff with a ceiling, then the dead state.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelaySeconds: Int
    public var maxDelaySeconds: Int

    public init(maxAttempts: Int = 8, baseDelaySeconds: Int = 10, maxDelaySeconds: Int = 3600) {
        self.maxAttempts = maxAttempts
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    public enum Decision: Equatable, Sendable {
        case retry(afterSeconds: Int)
        case dead
    }

    /// `attempts` counts the attempt that just failed (1 after the first failure).
    public func decide(afterFailedAttempt attempts: Int) -> Decision {
        guard attempts < maxAttempts else { return .dead }
        let exponent = min(attempts - 1, 30)
        let (delay, overflow) = baseDelaySeconds.multipliedReportingOverflow(by: 1 << exponent)
        return .retry(afterSeconds: overflow ? maxDelaySeconds : min(delay, maxDelaySeconds))
    }
}
