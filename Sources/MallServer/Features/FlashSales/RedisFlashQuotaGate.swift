import Foundation
import Logging

/// The gate shared by every instance: one Redis counter per item and one hash of what each member
/// holds of it (its `limit` field the session's per-member limit), taken by a script that checks
/// and decrements in one step, so concurrent takes on any number of instances never admit more
/// than the counter holds nor more to a member than the limit. The database stays the truth; when
/// Redis cannot answer, `take` admits and the purchase's conditional UPDATEs decide, so an outage
/// costs speed, never stock. Keys share the session in a hash tag so the scripts stay within one
/// Redis Cluster slot.
final class RedisFlashQuotaGate: FlashQuotaGate {
    /// Counters outlive any session (hours) but do not pile up: the correction job reloads them.
    static let ttlSeconds = 7 * 86_400

    /// Replies {1} admitted, {0} sold out, {2, limit, held} beyond the member's limit, {-1} unknown.
    private static let takeScript = RedisScript("""
        local left = redis.call('GET', KEYS[1])
        if not left then return {-1} end
        local quantity = tonumber(ARGV[1])
        if tonumber(left) < quantity then
            redis.call('INCR', KEYS[2])
            redis.call('EXPIRE', KEYS[2], ARGV[2])
            return {0}
        end
        local limit = tonumber(redis.call('HGET', KEYS[3], 'limit') or '0')
        local held = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
        if limit > 0 and held + quantity > limit then
            redis.call('INCR', KEYS[2])
            redis.call('EXPIRE', KEYS[2], ARGV[2])
            return {2, limit, held}
        end
        redis.call('DECRBY', KEYS[1], quantity)
        redis.call('HINCRBY', KEYS[3], ARGV[3], quantity)
        redis.call('EXPIRE', KEYS[3], ARGV[2])
        return {1}
        """)
    /// Gives back only to a known counter: a counter that expired or was never loaded is
    /// reloaded from the database instead of starting from the returned units.
    private static let giveBackScript = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        local held = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
        local back = math.min(held, tonumber(ARGV[1]))
        if back >= held then redis.call('HDEL', KEYS[2], ARGV[2])
        elseif back > 0 then redis.call('HINCRBY', KEYS[2], ARGV[2], -back) end
        return redis.call('INCRBY', KEYS[1], ARGV[1])
        """)
    /// ARGV: remaining, limit, ttl, replace (1 or 0), then member/bought pairs.
    private static let loadScript = RedisScript("""
        if ARGV[4] == '0' and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('DEL', KEYS[2])
        redis.call('HSET', KEYS[2], 'limit', ARGV[2])
        for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
        redis.call('EXPIRE', KEYS[2], ARGV[3])
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
        return 1
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

    static func membersKey(_ key: FlashGateKey) -> String {
        itemKey(key) + ":members"
    }

    static func refusalsKey(_ sessionId: UUID) -> String {
        "chainmall:flash:{\(sessionId.uuidString.lowercased())}:refusals"
    }

    func take(_ key: FlashGateKey, member: UUID, quantity: Int) async -> FlashGateAnswer {
        let reply = await run {
            try await client.evaluate(Self.takeScript, keys: [Self.itemKey(key), Self.refusalsKey(key.sessionId), Self.membersKey(key)],
                                      arguments: [String(quantity), String(Self.ttlSeconds), member.uuidString.lowercased()])
        }
        let numbers = reply?.elements?.compactMap(\.integer) ?? []
        switch numbers.first {
        case 1: return .admitted
        case 0: return .soldOut
        case 2 where numbers.count == 3: return .limitReached(limit: Int(numbers[1]), held: Int(numbers[2]))
        case -1: return .unknown
        default: return .admitted
        }
    }

    func giveBack(_ key: FlashGateKey, member: UUID, quantity: Int) async {
        _ = await run {
            try await client.evaluate(Self.giveBackScript, keys: [Self.itemKey(key), Self.membersKey(key)],
                                      arguments: [String(quantity), member.uuidString.lowercased()])
        }
    }

    func prime(_ key: FlashGateKey, _ state: FlashGateState) async {
        await load(key, state, replace: false)
    }

    func load(_ key: FlashGateKey, _ state: FlashGateState) async {
        await load(key, state, replace: true)
    }

    private func load(_ key: FlashGateKey, _ state: FlashGateState, replace: Bool) async {
        var arguments = [String(max(0, state.remaining)), String(state.perMemberLimit), String(Self.ttlSeconds), replace ? "1" : "0"]
        for (member, bought) in state.bought where bought > 0 {
            arguments.append(member.uuidString.lowercased())
            arguments.append(String(bought))
        }
        _ = await run { try await client.evaluate(Self.loadScript, keys: [Self.itemKey(key), Self.membersKey(key)], arguments: arguments) }
    }

    func exhaust(_ key: FlashGateKey) async {
        _ = await run { try await client.send("SET", Self.itemKey(key), "0", "XX", "KEEPTTL") }
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
