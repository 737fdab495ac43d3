import Fluent

struct UpdateRefundsAddTransaction: AsyncMigration {
    var name: String { "004_UpdateRefundsAddTransaction" }

    /// A duplicate payment is refunded against its own gateway transaction, not the payment's.
    func prepare(on database: any Database) async throws {
        try await database.schema("refunds").field("transaction_id", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("refunds").deleteField("transaction_id").update()
    }
}
