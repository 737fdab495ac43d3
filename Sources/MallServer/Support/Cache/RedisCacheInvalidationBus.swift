import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The bus across instances: a publish runs this instance's handlers at once (so the writer's
/// next request already misses the stale entry) and goes out on a Redis channel; every other
/// instance's subscriber runs its handlers when the message arrives. Each message carries the
/// publishing instance's id so it does not handle its own message twice. With Redis down the
/// local handlers still run and a warning is logged; other instances' caches then expire on
/// their own time limits.
final class RedisCacheInvalidationBus: CacheInvalidationBus {
    static let channel = "chainmall:cache-invalidation"

    private struct Message: Codable {
        let origin: UUID
        let invalidation: CacheInvalidation
    }

    private let client: RedisClient
    private let logger: Logger
    private let origin: UUID
    private let local = InProcessCacheInvalidationBus()

    init(client: RedisClient, subscriber: RedisSubscriber, instanceId: UUID, logger: Logger) {
        self.client = client
        self.logger = logger
        origin = instanceId
        let local = self.local
        subscriber.subscribe(Self.channel) { payload in
            // A message this instance cannot read (another version, or garbage) is skipped.
            guard let message = try? JSONDecoder().decode(Message.self, from: Data(buffer: payload)), message.origin != instanceId else { return }
            Task { await local.publish(message.invalidation) }
        }
    }

    func publish(_ invalidation: CacheInvalidation) async {
        await local.publish(invalidation)
        do {
            let payload = String(decoding: try JSONEncoder().encode(Message(origin: origin, invalidation: invalidation)), as: UTF8.self)
            _ = try await client.send("PUBLISH", Self.channel, payload)
        } catch {
            logger.warning("Cache invalidation of \(invalidation.topic) not broadcast (Redis: \(error)); other instances keep their copies until they expire")
        }
    }

    func subscribe(_ handler: @escaping @Sendable (CacheInvalidation) async -> Void) {
        local.subscribe(handler)
    }
}
