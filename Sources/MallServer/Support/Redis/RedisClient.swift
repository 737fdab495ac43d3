import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// A small pool of pipelined connections. Commands go round-robin over the slots; a slot whose
/// connection died reconnects on its next use, and after a failed connect it refuses at once
/// (`RedisError.unavailable`) for a backoff that doubles up to `maxBackoff`, so a Redis outage
/// costs callers one fast error instead of a connect timeout per command.
final class RedisClient: Sendable {
    let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let slots: [Slot]
    private let next = NIOLockedValueBox(0)

    init(configuration: RedisConfiguration, group: any EventLoopGroup) {
        self.configuration = configuration
        self.group = group
        slots = (0..<max(1, configuration.poolSize)).map { _ in Slot() }
    }

    /// Sends one command; an error reply is thrown as `RedisError.server`.
    func send(_ command: [String]) async throws -> RESPValue {
        try await onConnection { try await $0.send(command) }
    }

    func send(_ command: String...) async throws -> RESPValue {
        try await send(command)
    }

    /// Sends the commands together on one connection and returns the replies in order.
    func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        try await onConnection { try await $0.pipeline(commands) }
    }

    /// A connection can close between the check that it is open and the write (a timeout on
    /// another task, the server leaving): such a write never left, so one retry on another
    /// connection cannot run a command twice.
    private func onConnection<T>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        do {
            return try await body(try await connection())
        } catch ChannelError.ioOnClosedChannel {
            return try await body(try await connection())
        }
    }

    /// Runs a Lua script by its digest, sending the source only when the server does not have it
    /// cached yet (after a restart or SCRIPT FLUSH).
    func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RESPValue {
        let tail = [String(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", script.sha1] + tail)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", script.source] + tail)
        }
    }

    /// Is Redis answering right now (for readiness)?
    func ping() async -> Bool {
        (try? await send("PING"))?.string == "PONG"
    }

    func shutdown() async {
        for slot in slots {
            if let connection = slot.state.withLockedValue({ state -> RedisConnection? in
                defer { state = .closed }
                if case .connected(let connection) = state { return connection }
                return nil
            }) {
                await connection.close()
            }
        }
    }

    private func connection() async throws -> RedisConnection {
        let index = next.withLockedValue { value in
            defer { value = (value + 1) % slots.count }
            return value
        }
        return try await slots[index].connection(configuration: configuration, group: group)
    }
}

/// One pooled connection's life: connected, connecting (others wait for the same attempt),
/// or backing off after a failure.
private final class Slot: Sendable {
    enum State {
        case idle
        case connecting(Task<RedisConnection, any Error>)
        case connected(RedisConnection)
        case backingOff(until: NIODeadline, failures: Int)
        case closed
    }

    let state = NIOLockedValueBox(State.idle)

    func connection(configuration: RedisConfiguration, group: any EventLoopGroup) async throws -> RedisConnection {
        let acquired: Acquired = try state.withLockedValue { state in
            var failures = 0
            switch state {
            case .connected(let connection) where connection.isActive:
                return .ready(connection)
            case .connecting(let task):
                return .pending(task)
            case .backingOff(let until, let count):
                guard NIODeadline.now() >= until else { throw RedisError.unavailable }
                failures = count
            case .closed:
                throw RedisError.connectionClosed
            case .idle, .connected:
                break
            }
            let task = Task { [self] in
                do {
                    let connection = try await RedisConnection.connect(configuration, group: group)
                    let shutDown = self.state.withLockedValue { state in
                        if case .closed = state { return true }
                        state = .connected(connection)
                        return false
                    }
                    if shutDown {
                        // The client shut down while this connect was under way: nobody will close it later.
                        await connection.close()
                        throw RedisError.connectionClosed
                    }
                    return connection
                } catch {
                    self.state.withLockedValue { state in
                        if case .closed = state { return }
                        state = .backingOff(until: .now() + configuration.backoff(afterFailures: failures), failures: failures + 1)
                    }
                    throw error
                }
            }
            state = .connecting(task)
            return .pending(task)
        }
        switch acquired {
        case .ready(let connection): return connection
        case .pending(let task): return try await task.value
        }
    }

    private enum Acquired {
        case ready(RedisConnection)
        case pending(Task<RedisConnection, any Error>)
    }
}

/// A Lua script with its SHA-1, the name Redis caches it under.
struct RedisScript: Sendable {
    let source: String
    let sha1: String

    init(_ source: String) {
        self.source = source
        sha1 = Insecure.SHA1.hash(data: Data(source.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
