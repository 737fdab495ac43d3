import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOPosix
import Testing
@testable import MallServer

struct RedisServerMissing: Error, CustomStringConvertible {
    var description: String { "redis-server is not on PATH: the Redis tests need a real server (apt-get install redis-server)" }
}

/// A redis-server of the test's own, on a free port of 127.0.0.1, with nothing persisted.
/// `stop` and `start` again on the same port play an outage; `withRedisServer` always kills it.
final class RedisServerProcess: @unchecked Sendable {
    let port: Int
    let extraArguments: [String]
    private var process: ChildProcess?

    init(port: Int, extraArguments: [String]) {
        self.port = port
        self.extraArguments = extraArguments
    }

    var url: String { "redis://127.0.0.1:\(port)" }
    var configuration: RedisConfiguration { RedisConfiguration(host: "127.0.0.1", port: port) }

    static func executable() throws -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let path = folders.map({ $0 + "/redis-server" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw RedisServerMissing()
        }
        return path
    }

    func start() async throws {
        let arguments = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
                         "--dir", FileManager.default.temporaryDirectory.path] + extraArguments
        let child = try ChildProcess(try Self.executable(), arguments)
        process = child
        // Ready when it accepts a connection (any reply, even NOAUTH, will do) and is still running:
        // a redis-server that could not bind its port exits, and what answered was someone else's.
        for _ in 0..<100 {
            guard child.isRunning else { throw PortTaken(port: port) }
            if (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get())
                .map({ $0.close(promise: nil) }) != nil {
                try await Task.sleep(nanoseconds: 20_000_000)
                guard child.isRunning else { throw PortTaken(port: port) }
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("redis-server did not start on port \(port)")
    }

    struct PortTaken: Error {
        let port: Int
    }

    /// Ports for the test servers of this process, each used once: below Linux's ephemeral range
    /// (32768–60999), where a port just freed by `bind(0)` could be handed to another test too.
    private static let nextPort = NIOLockedValueBox(20_000 + Int.random(in: 0..<8_000))

    static func freshPort() -> Int {
        nextPort.withLockedValue { port in
            port += 1
            return port
        }
    }

    /// SIGKILL, like a crash; waited for by polling, as `waitUntilExit` can hang inside async tests on Linux.
    func stop() async {
        await process?.kill()
        process = nil
    }
}

/// Runs `body` with a fresh redis-server, stopped afterwards even when the body throws.
func withRedisServer(_ extraArguments: [String] = [], _ body: (RedisServerProcess) async throws -> Void) async throws {
    var server = RedisServerProcess(port: RedisServerProcess.freshPort(), extraArguments: extraArguments)
    for attempt in 1...5 {
        do {
            try await server.start()
            break
        } catch is RedisServerProcess.PortTaken where attempt < 5 {
            server = RedisServerProcess(port: RedisServerProcess.freshPort(), extraArguments: extraArguments)
        }
    }
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}
