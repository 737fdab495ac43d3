import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The dedicated pub/sub connection (a subscribed connection can run no other commands). It
/// reconnects with backoff whenever the connection drops and subscribes to every channel again,
/// so a Redis restart costs messages published while it was down, never the subscription.
final class RedisSubscriber: Sendable {
    typealias Handler = @Sendable (ByteBuffer) -> Void

    private struct State {
        var handlers: [String: [Handler]] = [:]
        var connection: RedisConnection?
        /// Redis has confirmed every channel on `connection`: a message published from now on arrives.
        var subscribed = false
        var loop: Task<Void, Never>?
        var stopped = false
    }

    private let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// Completed subscriptions since start, so tests and readiness can tell a resubscription happened.
    let subscriptions = NIOLockedValueBox(0)

    init(configuration: RedisConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// Registers a handler for a channel; call before `start`. Handlers run on an event loop:
    /// they must hand slow work to a task.
    func subscribe(_ channel: String, handler: @escaping Handler) {
        state.withLockedValue { $0.handlers[channel, default: []].append(handler) }
    }

    func start() {
        let task = Task { [self] in await run() }
        state.withLockedValue { $0.loop = task }
    }

    var isSubscribed: Bool {
        state.withLockedValue { $0.subscribed && $0.connection?.isActive == true }
    }

    func shutdown() async {
        let (connection, loop) = state.withLockedValue { state in
            state.stopped = true
            return (state.connection, state.loop)
        }
        loop?.cancel()
        await connection?.close()
        await loop?.value
    }

    private func run() async {
        var failures = 0
        while !Task.isCancelled, !state.withLockedValue({ $0.stopped }) {
            do {
                let handlers = state.withLockedValue { $0.handlers }
                let connection = try await RedisConnection.connect(configuration, group: group) { channel, payload in
                    for handler in handlers[channel] ?? [] { handler(payload) }
                }
                let stopped = state.withLockedValue { state in
                    if !state.stopped { state.connection = connection }
                    return state.stopped
                }
                if stopped {
                    await connection.close()
                    return
                }
                for channel in handlers.keys.sorted() { _ = try await connection.send(["SUBSCRIBE", channel]) }
                state.withLockedValue { $0.subscribed = true }
                subscriptions.withLockedValue { $0 += 1 }
                failures = 0
                try? await connection.channel.closeFuture.get()
                state.withLockedValue { state in
                    state.connection = nil
                    state.subscribed = false
                }
                if !state.withLockedValue({ $0.stopped }) { logger.warning("Redis subscriber connection closed; reconnecting") }
            } catch {
                await state.withLockedValue { state in
                    defer {
                        state.connection = nil
                        state.subscribed = false
                    }
                    return state.connection
                }?.close()
                if failures == 0 { logger.warning("Redis subscriber cannot connect: \(error)") }
                let wait = configuration.backoff(afterFailures: failures)
                failures += 1
                try? await Task.sleep(nanoseconds: UInt64(wait.nanoseconds))
            }
        }
    }
}
