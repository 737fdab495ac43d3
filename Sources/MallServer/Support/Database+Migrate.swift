import FluentPostgresDriver
import Vapor

extension Application {
    /// Runs the pending migrations, one instance at a time. Instances started together (systemd
    /// bringing up three after an upgrade) would otherwise each try the same migration and all but
    /// one would fail half-way; on PostgreSQL a session advisory lock, held on one connection while
    /// the migrations run on the others, makes them take turns, and the later ones find nothing
    /// left to do. SQLite serves a single instance and needs no lock.
    public func migrateExclusively() async throws {
        guard let postgres = db as? any PostgresDatabase else {
            try await autoMigrate().get()
            return
        }
        try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                _ = try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLockKey))", logger: self.logger).get()
                do {
                    try await self.autoMigrate().get()
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLockKey))", logger: self.logger).get()
                    throw error
                }
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLockKey))", logger: self.logger).get()
            }
        }.get()
    }

    /// Any fixed number the mall uses for nothing else ("CMIG" in ASCII).
    private static let migrationLockKey: Int64 = 0x434D_4947
}
