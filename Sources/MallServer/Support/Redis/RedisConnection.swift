import Foundation
import NIOCore
import NIOPosix
import NIOSSL

enum RedisError: Error, Equatable, CustomStringConvertible {
    /// The server answered with an error reply (`-ERR …`, `-NOSCRIPT …`, `-WRONGPASS …`).
    case server(String)
    case timedOut
    case connectionClosed
    /// A slot is waiting out its backoff after failed connects: fail fast, let the caller fall back.
    case unavailable
    /// A reply of a shape the command never returns.
    case unexpectedReply(String)

    var description: String {
        switch self {
        case .server(let message): "Redis replied with an error: \(message)"
        case .timedOut: "Redis did not answer in time"
        case .connectionClosed: "the connection to Redis closed"
        case .unavailable: "Redis is unreachable (waiting before reconnecting)"
        case .unexpectedReply(let reply): "Redis sent an unexpected reply: \(reply)"
        }
    }
}

/// A command on its way out, with the promise its reply completes.
struct RedisOutbound: Sendable {
    let commands: [[String]]
    let promises: [EventLoopPromise<RESPValue>]
}

/// Matches replies to commands in order (Redis answers a connection's commands in the order it
/// received them, which is what makes pipelining work) and hands pub/sub messages to `onMessage`.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisOutbound
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()
    private let onMessage: (@Sendable (_ channel: String, _ payload: ByteBuffer) -> Void)?

    init(onMessage: (@Sendable (String, ByteBuffer) -> Void)? = nil) {
        self.onMessage = onMessage
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let outbound = unwrapOutboundIn(data)
        var buffer = context.channel.allocator.buffer(capacity: 64 * outbound.commands.count)
        for command in outbound.commands { RESPEncoder.encode(command, into: &buffer) }
        waiting.append(contentsOf: outbound.promises)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        if let onMessage, let message = Self.message(value) {
            onMessage(message.channel, message.payload)
            return
        }
        guard let promise = waiting.popFirst() else {
            // A reply nobody asked for: the stream is out of step, so nothing after it can be trusted.
            context.close(promise: nil)
            return
        }
        promise.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        while let promise = waiting.popFirst() { promise.fail(error) }
    }

    /// `message` replies of a subscribed connection: `["message", channel, payload]`.
    static func message(_ value: RESPValue) -> (channel: String, payload: ByteBuffer)? {
        guard let parts = value.elements, parts.count == 3, parts[0].string == "message",
              let channel = parts[1].string, case .bulkString(let payload) = parts[2] else { return nil }
        return (channel, payload)
    }
}

/// One TCP (or TLS) connection to Redis, signed in and on the configured database.
final class RedisConnection: Sendable {
    let channel: any Channel
    private let timeout: TimeAmount

    private init(channel: any Channel, timeout: TimeAmount) {
        self.channel = channel
        self.timeout = timeout
    }

    var isActive: Bool { channel.isActive }

    static func connect(_ configuration: RedisConfiguration, group: any EventLoopGroup,
                        onMessage: (@Sendable (String, ByteBuffer) -> Void)? = nil) async throws -> RedisConnection {
        let tls = try configuration.usesTLS ? NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let host = configuration.host
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // An IP address is not a valid SNI name; the certificate is still checked against it.
                        let sni = host.first?.isNumber == true || host.contains(":") ? nil : host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: sni))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPFrameDecoder(parser: RESPParser())))
                    try channel.pipeline.syncOperations.addHandler(RedisCommandHandler(onMessage: onMessage))
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        let connection = RedisConnection(channel: channel, timeout: configuration.commandTimeout)
        do {
            if let password = configuration.password {
                let auth = configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                _ = try await connection.send(auth)
            }
            if configuration.database != 0 {
                _ = try await connection.send(["SELECT", String(configuration.database)])
            }
        } catch {
            try? await channel.close()
            throw error
        }
        return connection
    }

    /// Sends one command; an error reply is thrown as `RedisError.server`.
    func send(_ command: [String]) async throws -> RESPValue {
        let reply = try await pipeline([command])[0]
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Writes every command before waiting, with one flush, and returns the replies in order
    /// (error replies as values). A reply later than the timeout closes the connection: after a
    /// missed reply, which reply belongs to which command is no longer known.
    func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        let loop = channel.eventLoop
        let promises = commands.map { _ in loop.makePromise(of: RESPValue.self) }
        let channel = self.channel
        let deadline = loop.scheduleTask(in: timeout) {
            for promise in promises { promise.fail(RedisError.timedOut) }
            channel.close(promise: nil)
        }
        channel.writeAndFlush(RedisOutbound(commands: commands, promises: promises)).whenFailure { error in
            for promise in promises { promise.fail(error) }
        }
        defer { deadline.cancel() }
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        for promise in promises { replies.append(try await promise.futureResult.get()) }
        return replies
    }

    func close() async {
        try? await channel.close()
    }
}
