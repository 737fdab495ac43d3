import Fluent
import SQLKit

struct UpdateSettlementStatementsAddCarry: AsyncMigration {
    var name: String { "019_UpdateSettlementStatementsAddCarry" }

    /// A statement confirmed with a net of zero or less is carried forward: `carried_into_id`
    /// names the later statement that took its net, whose `brought_forward_fen` adds it to its
    /// own entries' net (`net_fen` = entries' net + brought forward). No foreign key: SQLite
    /// cannot add one to an existing table; the service writes only ids of statements it read.
    func prepare(on database: any Database) async throws {
        // One column per ALTER: SQLite adds one at a time.
        try await database.schema("settlement_statements").field("brought_forward_fen", .int64, .required, .sql(.default(0))).update()
        try await database.schema("settlement_statements").field("carried_into_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("settlement_statements").deleteField("carried_into_id").update()
        try await database.schema("settlement_statements").deleteField("brought_forward_fen").update()
    }
}
