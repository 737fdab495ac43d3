import Foundation
import Logging

/// Login throttling shared by every instance: one sorted set of failure times per key, pruned
/// to the window and read or appended in one script, so instances cannot race past a limit
/// between a count and an add. Times come from the caller's clock, as in the in-process
/// throttle. While Redis is down the instance's own throttle counts (logged once): a guesser
/// gets at most the limit per instance during the outage instead of no limit at all.
final class RedisLoginThrottle: LoginThrottling {
    /// KEYS: the throttle keys; ARGV: now (ms), window (ms), then one limit per key.
    /// Returns the milliseconds until every exceeded key frees up, 0 when none is exceeded.
    private static let checkScript = RedisScript("""
        local now, window, wait = tonumber(ARGV[1]), tonumber(ARGV[2]), 0
        for i, key in ipairs(KEYS) do
            redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
            if redis.call('ZCARD', key) >= tonumber(ARGV[i + 2]) then
                local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
                wait = math.max(wait, window - (now - tonumber(oldest[2])))
            end
        end
        return wait
        """)
    /// KEYS: the throttle keys; ARGV: now (ms), window (ms), a member unique to this failure.
    private static let recordScript = RedisScript("""
        local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
        for _, key in ipairs(KEYS) do
            redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
            redis.call('ZADD', key, now, ARGV[3])
            redis.call('PEXPIRE', key, window)
        end
        return 0
        """)

    private let client: RedisClient
    private let local = LoginThrottle()
    private let fallback: RedisFallback

    init(client: RedisClient, logger: Logger) {
        self.client = client
        fallback = RedisFallback(feature: "login throttling (counted per instance)", logger: logger)
    }

    static func key(_ key: String) -> String { "chainmall:login:" + key }

    static func milliseconds(_ date: Date) -> String { String(Int64((date.timeIntervalSince1970 * 1000).rounded())) }

    func retryAfter(_ limits: [LoginThrottle.Limit], window: TimeInterval, now: Date) async -> Int? {
        let arguments = [Self.milliseconds(now), String(Int64(window * 1000))] + limits.map { String($0.maxFailures) }
        guard let reply = await fallback.attempt({
            try await client.evaluate(Self.checkScript, keys: limits.map { Self.key($0.key) }, arguments: arguments)
        }), let wait = reply.integer else {
            return await local.retryAfter(limits, window: window, now: now)
        }
        // Bounded by the window, so even a nonsensical reply cannot overflow the rounding.
        let milliseconds = min(wait, Int64(window * 1000))
        return milliseconds > 0 ? max(1, Int((milliseconds + 999) / 1000)) : nil
    }

    func recordFailure(keys: [String], window: TimeInterval, now: Date) async {
        await local.recordFailure(keys: keys, window: window, now: now)
        _ = await fallback.attempt {
            try await client.evaluate(Self.recordScript, keys: keys.map(Self.key),
                                      arguments: [Self.milliseconds(now), String(Int64(window * 1000)), SecureToken.generate()])
        }
    }

    func reset(key: String) async {
        await local.reset(key: key)
        _ = await fallback.attempt { try await client.send("DEL", Self.key(key)) }
    }
}
