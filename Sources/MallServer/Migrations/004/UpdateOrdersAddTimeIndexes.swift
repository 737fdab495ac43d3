import Fluent

struct UpdateOrdersAddTimeIndexes: AsyncMigration {
    var name: String { "004_UpdateOrdersAddTimeIndexes" }

    /// The order desk lists a store's (or merchant's) orders newest first; the existing
    /// `(store_id, status, created_at)` index cannot give that order without a status.
    func prepare(on database: any Database) async throws {
        try await database.index("orders_store_created", on: "orders", columns: ["store_id", "created_at"])
        try await database.index("orders_merchant_created", on: "orders", columns: ["merchant_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX orders_store_created").run()
        try await database.sql.raw("DROP INDEX orders_merchant_created").run()
    }
}
