import Fluent
import SQLKit
import Vapor

/// Per-connection SQLite settings for reads. With SQLite's default 2 MiB page cache, a search or
/// product page spent most of its CPU copying pages it had just read back in with `pread`
/// (docs/benchmarks.md); mapping the file lets readers use the operating system's cache
/// directly. The driver keeps exactly one connection per event loop and offers no hook for
/// per-connection settings, so each event loop's connection is set up here at start-up.
enum SQLiteTuning {
    static let mmapBytes = 1 << 30
    static let cacheKibibytes = 32 * 1024

    static func apply(to app: Application) async throws {
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let db = app.databases.database(logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            try await db.raw("PRAGMA mmap_size = \(unsafeRaw: String(mmapBytes))").run()
            try await db.raw("PRAGMA cache_size = -\(unsafeRaw: String(cacheKibibytes))").run()
        }
    }
}
