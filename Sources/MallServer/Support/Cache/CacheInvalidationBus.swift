import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Something cached on an instance has changed in the database: every instance drops its copy.
/// `topic` names the cache, `ids` the entries; an empty list means the whole cache. Topics:
/// - "session": auth sessions signed out (`PrincipalCache`);
/// - "member", "staff": accounts whose sessions, status, password or grants changed; "staff"
///   without ids after a role's permissions change (`PrincipalCache`, `IdentityInvalidation`);
/// - "store": stores created or changed (`StoreDirectory`);
/// - "promotion": promotions created, edited or ended, always without ids (`PromotionReachCache`);
/// - "settings": the settings table, always without ids (`SettingsCache`).
struct CacheInvalidation: Codable, Sendable, Equatable {
    let topic: String
    let ids: [UUID]

    init(topic: String, ids: [UUID]) {
        self.topic = topic
        self.ids = ids
    }
}

/// How one instance tells the others (and itself) that cached entries are stale. A writer
/// publishes after its transaction commits; every subscriber, the publishing instance included,
/// receives the message. The in-process bus delivers at once to this instance only; with
/// `REDIS_URL` the Redis bus fans out over pub/sub so other instances follow within a second.
protocol CacheInvalidationBus: Sendable {
    func publish(_ invalidation: CacheInvalidation) async
    /// Handlers are registered during `configure`, before requests arrive.
    func subscribe(_ handler: @escaping @Sendable (CacheInvalidation) async -> Void)
}

/// The bus of a single instance: publishing calls every handler before it returns, so the
/// writer's next request already misses the stale entry.
final class InProcessCacheInvalidationBus: CacheInvalidationBus {
    private let handlers = NIOLockedValueBox<[@Sendable (CacheInvalidation) async -> Void]>([])

    func publish(_ invalidation: CacheInvalidation) async {
        for handler in handlers.withLockedValue({ $0 }) {
            await handler(invalidation)
        }
    }

    func subscribe(_ handler: @escaping @Sendable (CacheInvalidation) async -> Void) {
        handlers.withLockedValue { $0.append(handler) }
    }
}

extension Application {
    private struct CacheInvalidationBusKey: StorageKey { typealias Value = any CacheInvalidationBus }

    /// Set once in `configure` (before requests arrive), so reading it needs no lock.
    var cacheInvalidationBus: any CacheInvalidationBus {
        get { storage[CacheInvalidationBusKey.self] ?? InProcessCacheInvalidationBus.unconfigured }
        set { storage[CacheInvalidationBusKey.self] = newValue }
    }
}

extension InProcessCacheInvalidationBus {
    /// For an application `configure` did not set up (tools).
    static let unconfigured = InProcessCacheInvalidationBus()
}
