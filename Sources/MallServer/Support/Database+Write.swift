import Fluent
import Foundation
import FluentSQLiteDriver
import SQLKit

extension Database {
    /// A transaction that intends to write. On SQLite it takes the write lock at its first
    /// statement: a deferred transaction that reads first and writes later can fail with
    /// SQLITE_BUSY when another connection wrote in between (SQLite does not wait in that case),
    /// whereas a held write lock makes other writers wait in the busy handler instead.
    /// PostgreSQL needs nothing extra: row locks and conditional updates do the work there.
    ///
    /// SQLite writers also queue here, in the process, before they take a connection: SQLiteNIO's
    /// busy handler spins on a thread-pool thread, and two spinning waiters can starve the
    /// lock's holder of the thread it needs to finish. Queued writers wait without a thread or a
    /// connection; SQLite allows one writer at a time anyway, so nothing is lost.
    @discardableResult
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard isSQLite, !inTransaction else { return try await transaction(body) }
        return try await SQLiteWriterQueue.shared.run {
            try await transaction { db in
                // An UPDATE that matches nothing still opens SQLite's write transaction.
                try await db.sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
                return try await body(db)
            }
        }
    }

    /// Locks one row until the transaction ends, so the caller can read it and decide without
    /// another transaction deciding on the same row meanwhile. PostgreSQL takes a row lock;
    /// SQLite's write transaction (`writeTransaction`) already excludes every other writer.
    func lockRow(_ table: String, id: UUID) async throws {
        guard isPostgres else { return }
        _ = try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").all()
    }

    public var isSQLite: Bool { self is any SQLiteDatabase || (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    public var isPostgres: Bool { (self as? any SQLDatabase)?.dialect.name == "postgresql" }

    public var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// One SQLite write transaction at a time in this process, first come first served.
actor SQLiteWriterQueue {
    static let shared = SQLiteWriterQueue()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            // Hand the turn straight to the next writer, or free it.
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
