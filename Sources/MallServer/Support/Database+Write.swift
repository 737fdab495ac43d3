import Fluent
import FluentSQLiteDriver
import SQLKit

extension Database {
    /// A transaction that intends to write. On SQLite it takes the write lock at its first
    /// statement: a deferred transaction that reads first and writes later can fail with
    /// SQLITE_BUSY when another connection wrote in between (SQLite does not wait in that case),
    /// whereas a held write lock makes other writers wait in the busy handler instead.
    /// PostgreSQL needs nothing extra: row locks and conditional updates do the work there.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { db in
            if db.isSQLite {
                // An UPDATE that matches nothing still opens SQLite's write transaction.
                try await db.sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
            }
            return try await body(db)
        }
    }

    public var isSQLite: Bool { self is any SQLiteDatabase || (self as? any SQLDatabase)?.dialect.name == "sqlite" }

    public var isPostgres: Bool { (self as? any SQLDatabase)?.dialect.name == "postgresql" }

    public var sql: any SQLDatabase { self as! any SQLDatabase }
}
