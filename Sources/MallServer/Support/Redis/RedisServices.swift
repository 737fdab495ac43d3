import Logging
import NIOCore
import Vapor

/// The pooled client and the pub/sub connection of an application configured with REDIS_URL,
/// closed when the application shuts down.
final class RedisServices: LifecycleHandler, Sendable {
    let client: RedisClient
    let subscriber: RedisSubscriber

    init(configuration: RedisConfiguration, group: any EventLoopGroup, logger: Logger) {
        client = RedisClient(configuration: configuration, group: group)
        subscriber = RedisSubscriber(configuration: configuration, group: group, logger: logger)
    }

    func shutdownAsync(_ application: Application) async {
        await subscriber.shutdown()
        await client.shutdown()
    }
}

extension Application {
    private struct RedisServicesKey: StorageKey { typealias Value = RedisServices }

    /// Set in `configure` when REDIS_URL is; nil for a single instance without Redis.
    var redis: RedisServices? {
        get { storage[RedisServicesKey.self] }
        set { storage[RedisServicesKey.self] = newValue }
    }
}
