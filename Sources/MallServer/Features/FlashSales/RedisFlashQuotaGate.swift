import Foundation
import Logging

/// The gate shared by every instance: one Redis counter per item, taken by a script that checks
/// and decrements in one step, so concurrent takes on any number of instances never admit more
/// than the counter holds. The database stays the truth; when Redis cannot answer, `take`
/// admits and the purchase's conditional UPDATE decides, so an outage costs speed, never stock.
/// Keys share the session in a hash tag so the scripts stay within one Redis Cluster slot.
/// The per-member limit stays in the database: `take` does not know the member.
final class RedisFlashQuotaGate: FlashQuotaGate {
    /// Counters outlive any session (hours) but do not pile up: the correction job reloads them.
    static let ttlSeconds = 7 * 86_400

    private static let takeScript = RedisScript("""
        local left = redis.call('GET', KEYS[1])
        if not left then return -1 end
        if tonumber(left) < tonumber(ARGV[1]) then
            redis.call('INCR', KEYS[2])
            redis.call('EXPIRE', KEYS[2], ARGV[2])
            return 0
        end
        redis.call('DECRBY', KEYS[1], ARGV[1])
        return 1
        """)
    /// Gives back only to a known counter: a counter that expired or was never loaded is
    /// reloaded from the database instead of starting from the returned units.
    private static let giveBackScript = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        return redis.call('INCRBY', KEYS[1], ARGV[1])
        """)

    private let client: RedisClient
    private let fallback: RedisFallback

    init(client: RedisClient, logger: Logger) {
        self.client = client
        fallback = RedisFallback(feature: "the flash-sale gate (purchases go straight to the database, which still refuses beyond the quota)", logger: logger)
    }

    static func itemKey(_ key: FlashGateKey) -> String {
        "chainmall:flash:{\(key.sessionId.uuidString.lowercased())}:\(key.skuId.uuidString.lowercased())"
    }

    static func refusalsKey(_ sessionId: UUID) -> String {
        "chainmall:flash:{\(sessionId.uuidString.lowercased())}:refusals"
    }

    func take(_ key: FlashGateKey, quantity: Int) async -> FlashGateAnswer {
        let reply = await run {
            try await client.evaluate(Self.takeScript, keys: [Self.itemKey(key), Self.refusalsKey(key.sessionId)],
                                      arguments: [String(quantity), String(Self.ttlSeconds)])
        }
        switch reply?.integer {
        case 1: return .admitted
        case 0: return .soldOut
        case -1: return .unknown
        default: return .admitted
        }
    }

    func giveBack(_ key: FlashGateKey, quantity: Int) async {
        _ = await run { try await client.evaluate(Self.giveBackScript, keys: [Self.itemKey(key)], arguments: [String(quantity)]) }
    }

    func load(_ key: FlashGateKey, remaining: Int) async {
        _ = await run { try await client.send("SET", Self.itemKey(key), String(max(0, remaining)), "EX", String(Self.ttlSeconds)) }
    }

    func remaining(_ key: FlashGateKey) async -> Int? {
        await run { try await client.send("GET", Self.itemKey(key)) }?.integer.map { Int($0) }
    }

    func refusals(sessionId: UUID) async -> Int {
        await run { try await client.send("GET", Self.refusalsKey(sessionId)) }?.integer.map { Int($0) } ?? 0
    }

    private func run(_ command: () async throws -> RESPValue) async -> RESPValue? {
        await fallback.attempt(command)
    }
}
