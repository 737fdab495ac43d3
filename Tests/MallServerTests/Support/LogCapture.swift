import Foundation
import Logging
import Vapor

/// Collects what an application logs. swift-log's `LoggingSystem` can be bootstrapped once per
/// process, so a test does not swap the global handler: it gives its own application a logger
/// backed by this (`capture.install(on: app)`). Requests log through `app.logger`, and so do
/// jobs (`JobQueue` derives its logger from it).
final class LogCapture: @unchecked Sendable {
    struct Entry: Sendable, CustomStringConvertible {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata

        /// The message and its metadata, the way an operator reads a log line.
        var description: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let lock = NSLock()
    private var recorded: [Entry] = []

    /// Replaces the application's logger with one that records every level here.
    func install(on app: Application) {
        app.logger = logger(label: "chainmall.test")
    }

    /// A logger that records every level here.
    func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var all: [Entry] { lock.withLock { recorded } }

    func clear() { lock.withLock { recorded.removeAll() } }

    func entries(_ level: Logger.Level) -> [Entry] { all.filter { $0.level == level } }

    fileprivate func append(_ entry: Entry) { lock.withLock { recorded.append(entry) } }

    /// Records an entry another handler received (`SQLStatementLog` picks the queries out of
    /// what the application logs).
    func record(level: Logger.Level, message: String, metadata: Logger.Metadata) {
        append(Entry(level: level, message: message, metadata: metadata))
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        var metadataProvider: Logger.MetadataProvider?

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.append(Entry(level: event.level, message: event.message.description,
                                 metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
        }
    }
}
