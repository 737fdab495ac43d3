import Fluent
import Foundation
import Logging
import MallAPI
import NIOConcurrencyHelpers
import NIOPosix
import Testing
import Vapor
@testable import MallServer

/// A second instance of the application under test: the same database, Redis and clock, no
/// migrations of its own, shut down when `body` ends.
func withSecondInstance(of app: Application, _ body: (Application) async throws -> Void) async throws {
    let second = try await Application.make(.testing)
    second.logger.logLevel = .error
    do {
        try await configure(second, config: app.config, clock: app.clock)
        try await body(second)
    } catch {
        try? await second.asyncShutdown()
        throw error
    }
    try await second.asyncShutdown()
}

@Suite("Redis shared by instances: cache invalidation, flash-sale gate, login throttling, outage fallback")
struct RedisSharedStateTests {
    static let group = MultiThreadedEventLoopGroup.singleton

    @Test("REDIS_URL: unset keeps everything in-process; a bad one stops start-up naming the variable")
    func config() throws {
        #expect(try AppConfig.load(from: [:]).redis == nil)
        #expect(try AppConfig.load(from: ["REDIS_URL": "redis://:pw@127.0.0.1:6390/2"]).redis
            == RedisConfiguration(host: "127.0.0.1", port: 6390, password: "pw", database: 2))
        #expect { try AppConfig.load(from: ["REDIS_URL": "http://127.0.0.1"]) } throws: { ($0 as? AppConfigError)?.variable == "REDIS_URL" }
    }

    @Test("an invalidation runs the writer's handlers before publish returns and then reaches the other instance")
    func invalidationAcrossInstances() async throws {
        try await withRedisServer { server in
            try await withTestApp(adjust: { $0.redis = server.configuration }) { first in
                try await withSecondInstance(of: first) { second in
                    let seenFirst = NIOLockedValueBox<[CacheInvalidation]>([])
                    let seenSecond = NIOLockedValueBox<[CacheInvalidation]>([])
                    first.cacheInvalidationBus.subscribe { message in seenFirst.withLockedValue { $0.append(message) } }
                    second.cacheInvalidationBus.subscribe { message in seenSecond.withLockedValue { $0.append(message) } }
                    // Generous: on two cores running the whole suite, a subscriber's first SUBSCRIBE has
                    // outlasted its 2-second command timeout and waited out a backoff before the next.
                    try await waitUntil(seconds: 60) { first.redis?.subscriber.isSubscribed == true && second.redis?.subscriber.isSubscribed == true }
                    let revoked = CacheInvalidation(topic: "session", ids: [UUID()])
                    await first.cacheInvalidationBus.publish(revoked)
                    #expect(seenFirst.withLockedValue { $0 } == [revoked])
                    // How fast is for the benchmarks: on two busy cores running the whole suite the
                    // other instance's event loop has taken over a second to get to it.
                    try await waitUntil(seconds: 30) { seenSecond.withLockedValue { $0 } == [revoked] }
                    // The writer does not hear its own broadcast a second time.
                    try await Task.sleep(nanoseconds: 200_000_000)
                    #expect(seenFirst.withLockedValue { $0 } == [revoked])
                }
            }
        }
    }

    @Test("the Redis gate: 500 concurrent takes of 100 units admit exactly 100 and no member beyond the limit; unknown until primed; give-back, reload and refusals count")
    func gateUnderConcurrency() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: server.configuration, group: Self.group)
            let gate = RedisFlashQuotaGate(client: client, logger: Logger(label: "test"))
            try await FlashQuotaGateContract.check(gate)
            await client.shutdown()
        }
    }

    @Test("two instances on one database and one Redis sell one flash sale: 600 buyers, quota 60, exactly 60 sold")
    func flashSaleAcrossInstances() async throws {
        try await withRedisServer { server in
            try await withTestApp(adjust: { $0.redis = server.configuration }) { first in
                let sale = try await FlashSaleTests.sale(first, quota: 60, limit: 2, nearStock: 100)
                var members: [(token: String, id: UUID)] = []
                for n in 0..<200 { members.append(try await FlashSaleTests.quickMember(first, n)) }
                try await withSecondInstance(of: first) { second in
                    let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                        for index in 0..<600 {
                            let instance = index % 2 == 0 ? first : second
                            let member = members[index % members.count]
                            group.addTask { try await FlashSaleTests.buy(instance, sale.session, token: member.token).status }
                        }
                        return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
                    }
                    #expect(statuses.filter { $0 == .created }.count == 60, "\(Dictionary(grouping: statuses, by: \.code).mapValues(\.count))")
                    #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict })
                    let key = FlashGateKey(sessionId: sale.session.id, skuId: sale.shop.milk.id!)
                    #expect(await first.flashQuotaGate.remaining(key) == 0)
                    #expect(await second.flashQuotaGate.remaining(key) == 0)
                    #expect(await first.flashQuotaGate.refusals(sessionId: sale.session.id) > 0)
                }
                #expect(try await FlashItemModel.query(on: first.db).first()?.sold == 60)
                #expect(try await FlashPurchaseModel.query(on: first.db).count() == 60)
                try await FlashSaleTests.invariants(first)
            }
        }
    }

    @Test("redis-server stopped in the middle of a flash sale: purchases go on through the database, which sells exactly the quota")
    func flashSaleWithRedisDown() async throws {
        try await withRedisServer { server in
            try await withTestApp(adjust: { $0.redis = server.configuration }) { app in
                let sale = try await FlashSaleTests.sale(app, quota: 30, limit: 2, nearStock: 100)
                var members: [(token: String, id: UUID)] = []
                for n in 0..<100 { members.append(try await FlashSaleTests.quickMember(app, n)) }
                func wave(_ range: Range<Int>) async throws -> [HTTPResponseStatus] {
                    try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                        for index in range {
                            let member = members[index % members.count]
                            group.addTask { try await FlashSaleTests.buy(app, sale.session, token: member.token).status }
                        }
                        return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
                    }
                }
                let before = try await wave(0..<10)
                #expect(before.allSatisfy { $0 == .created })
                await server.stop()
                let during = try await wave(10..<200)
                #expect(during.filter { $0 == .created }.count == 20, "\(Dictionary(grouping: during, by: \.code).mapValues(\.count))")
                #expect(during.allSatisfy { $0 == .created || $0 == .conflict })
                #expect(try await FlashItemModel.query(on: app.db).first()?.sold == 30)
                let ready = try await app.send(.GET, "/readyz")
                #expect(ready.status == .ok)
                #expect(try ready.decode(HealthStatus.self).redis == "unreachable")
                try await FlashSaleTests.invariants(app)
            }
        }
    }

    @Test("wrong passwords sent to two instances add up: the fifth locks the account on both, even with the right password")
    func loginAcrossInstances() async throws {
        try await withRedisServer { server in
            try await withTestApp(adjust: { $0.redis = server.configuration }) { first in
                _ = try await Fixtures.member(first)
                try await withSecondInstance(of: first) { second in
                    for index in 0..<5 {
                        let instance = index % 2 == 0 ? first : second
                        let wrong = try await instance.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: "wrong-pass1"))
                        #expect(wrong.status == .unauthorized)
                    }
                    for instance in [first, second] {
                        let blocked = try await instance.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password))
                        #expect(blocked.status == .tooManyRequests)
                    }
                }
            }
        }
    }

    @Test("login throttling counts failures across instances in Redis, and per instance while Redis is down")
    func loginThrottle() async throws {
        try await withRedisServer { server in
            let clients = (0..<2).map { _ in RedisClient(configuration: server.configuration, group: Self.group) }
            let throttles = clients.map { RedisLoginThrottle(client: $0, logger: Logger(label: "test")) }
            let limits = [LoginThrottle.Limit(key: "account:13800138000", maxFailures: 3), LoginThrottle.Limit(key: "ip:10.0.0.1", maxFailures: 100)]
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            for (index, throttle) in [throttles[0], throttles[1], throttles[0]].enumerated() {
                #expect(await throttle.retryAfter(limits, window: 600, now: now) == nil)
                await throttle.recordFailure(keys: limits.map(\.key), window: 600, now: now.addingTimeInterval(Double(index) * 60))
            }
            // Three failures at 0, 60 and 120 s: the first leaves the window at 600 s.
            #expect(await throttles[1].retryAfter(limits, window: 600, now: now.addingTimeInterval(180)) == 420)
            #expect(await throttles[0].retryAfter(limits, window: 600, now: now.addingTimeInterval(601)) == nil)
            await throttles[1].reset(key: "account:13800138000")
            await throttles[1].recordFailure(keys: limits.map(\.key), window: 600, now: now.addingTimeInterval(200))
            #expect(await throttles[0].retryAfter(limits, window: 600, now: now.addingTimeInterval(201)) == nil)

            await server.stop()
            for seconds in [300.0, 301] {
                await throttles[0].recordFailure(keys: limits.map(\.key), window: 600, now: now.addingTimeInterval(seconds))
            }
            // The instance keeps its own count too (0 and 120 s, then 300 and 301 s): it still refuses.
            #expect(await throttles[0].retryAfter(limits, window: 600, now: now.addingTimeInterval(302)) != nil)
            for client in clients { await client.shutdown() }
        }
    }
}
