import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
    private var process: Process?

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
                             "--dir", FileManager.default.temporaryDirectory.path] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // Ready when it accepts a connection (any reply, even NOAUTH, will do).
        for _ in 0..<100 {
            if (try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get())
                .map({ $0.close(promise: nil) }) != nil { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        Issue.record("redis-server did not start on port \(port)")
    }

    /// SIGKILL, like a crash; waited for by polling, as `waitUntilExit` can hang inside async tests on Linux.
    func stop() async {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        self.process = nil
    }
}

/// Runs `body` with a fresh redis-server, stopped afterwards even when the body throws.
func withRedisServer(_ extraArguments: [String] = [], _ body: (RedisServerProcess) async throws -> Void) async throws {
    let server = RedisServerProcess(port: try await freeLocalPort(), extraArguments: extraArguments)
    try await server.start()
    do {
        try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}
