import Fluent

struct UpdateRefundsAddTransaction: AsyncMigration {
    var name: String { "004_UpdateRefundsAddTransaction" }

    /// A duplicate payment is refunded against its own gateway transaction, through the gateway
    /// it came from, which need not be the payment's current one.
    func prepare(on database: any Database) async throws {
        try await database.schema("refunds").field("transaction_id", .string).update()
        try await database.schema("refunds").field("provider", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("refunds").deleteField("provider").update()
        try await database.schema("refunds").deleteField("transaction_id").update()
    }
}
