import Foundation
import NIOCore
import NIOPosix

/// One FastDFS exchange on SwiftNIO: connect, send a request, read one reply, close. A
/// connection per exchange keeps a hung or hostile server from poisoning a pool; uploads are
/// rare next to page views, and reads are cached by the browser.
struct FastDFSConnection: Sendable {
    struct Reply: Sendable {
        var status: UInt8
        var body: [UInt8]
    }

    var group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    /// Covers connecting, sending and the whole reply.
    var timeout: TimeAmount
    /// A reply announcing more is refused before any of it is read.
    var maxReplyBytes: UInt64

    func exchange(host: String, port: Int, request: [[UInt8]], operation: String) async throws -> Reply {
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw FastDFSError.connectionClosed("cannot connect to \(host):\(port) for \(operation): \(error)")
        }
        let promise = channel.eventLoop.makePromise(of: Reply.self)
        let timeout = self.timeout
        let maxReplyBytes = self.maxReplyBytes
        do {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(FastDFSReplyHandler(promise: promise, maxBody: maxReplyBytes, operation: operation))
                let deadline = channel.eventLoop.scheduleTask(in: timeout) {
                    promise.fail(FastDFSError.timedOut("\(operation) at \(host):\(port)"))
                    channel.close(promise: nil)
                }
                promise.futureResult.whenComplete { _ in deadline.cancel() }
                for part in request {
                    channel.write(ByteBuffer(bytes: part), promise: nil)
                }
                channel.flush()
            }.get()
        } catch {
            promise.fail(error)
            channel.close(promise: nil)
        }
        defer { channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }
}

/// Collects one reply: the header says how long the body is, the body follows.
private final class FastDFSReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let promise: EventLoopPromise<FastDFSConnection.Reply>
    private let maxBody: UInt64
    private let operation: String
    private var received = ByteBuffer()
    private var header: FastDFSProtocol.Header?

    init(promise: EventLoopPromise<FastDFSConnection.Reply>, maxBody: UInt64, operation: String) {
        self.promise = promise
        self.maxBody = maxBody
        self.operation = operation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        if header == nil, let parsed = FastDFSProtocol.Header(received.readableBytesView) {
            guard parsed.command == FastDFSProtocol.responseCommand else {
                return fail(context, FastDFSError.malformedReply("reply command \(parsed.command) to \(operation)"))
            }
            guard parsed.bodyLength <= maxBody else { return fail(context, FastDFSError.replyTooLarge(parsed.bodyLength)) }
            header = parsed
            received.moveReaderIndex(forwardBy: FastDFSProtocol.headerLength)
            received.reserveCapacity(minimumWritableBytes: Int(parsed.bodyLength))
        }
        guard let header else { return }
        let length = Int(header.bodyLength)
        guard received.readableBytes >= length, let body = received.readBytes(length: length) else { return }
        guard received.readableBytes == 0 else { return fail(context, FastDFSError.malformedReply("bytes after the reply to \(operation)")) }
        promise.succeed(FastDFSConnection.Reply(status: header.status, body: body))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(FastDFSError.connectionClosed("before the whole reply to \(operation)"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, FastDFSError.connectionClosed("\(operation): \(error)"))
    }

    private func fail(_ context: ChannelHandlerContext, _ error: FastDFSError) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
