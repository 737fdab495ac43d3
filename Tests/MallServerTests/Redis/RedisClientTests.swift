import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import MallServer

@Suite("Redis client against a real redis-server: commands, pipelining, AUTH, SELECT, scripts, timeouts, reconnect, pub/sub")
struct RedisClientTests {
    static let group = MultiThreadedEventLoopGroup.singleton

    @Test("URLs: host, port, database, password alone, ACL user, TLS; bad ones name the problem")
    func urls() throws {
        let plain = try RedisConfiguration(url: "redis://127.0.0.1:6380/2")
        #expect(plain == RedisConfiguration(host: "127.0.0.1", port: 6380, database: 2))
        #expect(try RedisConfiguration(url: "redis://cache.internal") == RedisConfiguration(host: "cache.internal", port: 6379))
        #expect(try RedisConfiguration(url: "redis://:s%40cret@127.0.0.1:6379").password == "s@cret")
        let acl = try RedisConfiguration(url: "rediss://mall:pw@redis.example.com:6390/1")
        #expect(acl == RedisConfiguration(host: "redis.example.com", port: 6390, username: "mall", password: "pw", database: 1, usesTLS: true))
        for bad in ["http://127.0.0.1", "redis://", "redis://h:70000", "redis://h/x", "redis://h/-1", "redis://mall@h", "not a url"] {
            #expect(throws: RedisURLError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }

    @Test("commands and 1,000 pipelined INCRs from 20 tasks over a pool of 2: every reply in order, nothing lost")
    func commandsAndPipelining() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.poolSize = 2
            // About order and loss, not latency: a busy machine may hold a reply for seconds.
            configuration.commandTimeout = .seconds(30)
            let client = RedisClient(configuration: configuration, group: Self.group)
            #expect(try await client.send("SET", "greeting", "你好 world").string == "OK")
            #expect(try await client.send("GET", "greeting").string == "你好 world")
            #expect(try await client.send("GET", "missing") == .null)
            await #expect(throws: RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")) {
                _ = try await client.send("LPUSH", "greeting", "x")
            }
            let replies = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.pipeline(Array(repeating: ["INCR", "counter"], count: 50)).compactMap(\.integer) }
                }
                return try await group.reduce(into: [[Int64]]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.count == 50 && $0 == $0.sorted() })
            #expect(Set(replies.flatMap { $0 }) == Set(1...1_000))
            let big = String(repeating: "x", count: 2_000_000)
            _ = try await client.send("SET", "big", big)
            #expect(try await client.send("GET", "big").string == big)
            await client.shutdown()
        }
    }

    @Test("AUTH with requirepass and with an ACL user; a wrong password is refused; SELECT picks the database")
    func auth() async throws {
        try await withRedisServer(["--requirepass", "s3cret", "--user", "mall", "on", ">mallpw", "~*", "&*", "+@all"]) { server in
            var configuration = server.configuration
            configuration.password = "s3cret"
            configuration.database = 3
            let client = RedisClient(configuration: configuration, group: Self.group)
            _ = try await client.send("SET", "k", "in db 3")
            var acl = server.configuration
            acl.username = "mall"
            acl.password = "mallpw"
            let aclClient = RedisClient(configuration: acl, group: Self.group)
            #expect(try await aclClient.send("GET", "k") == .null)
            #expect(try await aclClient.send("ACL", "WHOAMI").string == "mall")
            // SELECT is per connection: only a pipeline keeps it and the GET on the same one.
            let selected = try await aclClient.pipeline([["SELECT", "3"], ["GET", "k"]])
            #expect(selected.last?.string == "in db 3")
            var wrong = server.configuration
            wrong.password = "nope"
            await #expect(throws: RedisError.self) { _ = try await RedisClient(configuration: wrong, group: Self.group).send("PING") }
            await #expect(throws: RedisError.self) { _ = try await RedisClient(configuration: server.configuration, group: Self.group).send("GET", "k") }
            await client.shutdown()
            await aclClient.shutdown()
        }
    }

    @Test("EVALSHA loads the script with EVAL on NOSCRIPT, then runs by digest")
    func scripts() async throws {
        try await withRedisServer { server in
            let client = RedisClient(configuration: server.configuration, group: Self.group)
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            #expect(try await client.evaluate(script, keys: ["n"], arguments: ["5"]).integer == 5)
            _ = try await client.send("SCRIPT", "LOAD", script.source)
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1).elements == [.integer(1)])
            #expect(try await client.evaluate(script, keys: ["n"], arguments: ["2"]).integer == 7)
            _ = try await client.send("SCRIPT", "FLUSH")
            #expect(try await client.evaluate(script, keys: ["n"], arguments: ["1"]).integer == 8)
            await client.shutdown()
        }
    }

    @Test("a command with no reply in time fails with timedOut; the next command reconnects")
    func timeout() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.poolSize = 1
            // Short against BLPOP's 10 s, long enough for a PING on a machine busy with the rest of the suite.
            configuration.commandTimeout = .seconds(1)
            let client = RedisClient(configuration: configuration, group: Self.group)
            let started = NIODeadline.now()
            await #expect(throws: RedisError.timedOut) { _ = try await client.send("BLPOP", "never", "10") }
            #expect(NIODeadline.now() - started < .seconds(5))
            let pong = try await client.send("PING")
            #expect(pong.string == "PONG")
            await client.shutdown()
        }
    }

    @Test("redis-server killed and restarted: commands fail fast while it is down, then work again; the subscriber resubscribes")
    func reconnect() async throws {
        try await withRedisServer { server in
            var configuration = server.configuration
            configuration.maxBackoff = .milliseconds(200)
            // One slot, so the PING that answers after the restart proves the PUBLISH's connection is back.
            configuration.poolSize = 1
            let client = RedisClient(configuration: configuration, group: Self.group)
            let received = NIOLockedValueBox<[String]>([])
            let subscriber = RedisSubscriber(configuration: configuration, group: Self.group, logger: Logger(label: "test"))
            subscriber.subscribe("news") { payload in received.withLockedValue { $0.append(String(buffer: payload)) } }
            subscriber.start()
            try await waitUntil { subscriber.isSubscribed }
            _ = try await client.send("PUBLISH", "news", "before")
            try await waitUntil { received.withLockedValue { $0 } == ["before"] }

            await server.stop()
            for _ in 0..<3 {
                let started = NIODeadline.now()
                await #expect(throws: (any Error).self) { _ = try await client.send("PING") }
                #expect(NIODeadline.now() - started < .seconds(3))
            }
            #expect(await !client.ping())
            try await server.start()
            try await waitUntil { await client.ping() }
            try await waitUntil { subscriber.subscriptions.withLockedValue { $0 } >= 2 && subscriber.isSubscribed }
            _ = try await client.send("PUBLISH", "news", "after")
            try await waitUntil { received.withLockedValue { $0 } == ["before", "after"] }
            await subscriber.shutdown()
            await client.shutdown()
        }
    }
}

/// Polls `condition` for up to `seconds`, failing the test if it never holds.
func waitUntil(seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    Issue.record("condition not met within \(seconds) s", sourceLocation: sourceLocation)
}
