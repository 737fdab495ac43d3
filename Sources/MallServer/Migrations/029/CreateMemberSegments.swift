import Fluent
import SQLKit

struct CreateMemberSegments: AsyncMigration {
    var name: String { "029_CreateMemberSegments" }

    /// Each member's RFM scores and group as the segments job last computed them (the id is the
    /// member's). Days are shop days written YYYY-MM-DD.
    func prepare(on database: any Database) async throws {
        try await database.schema("member_rfm").id()
            .field("recency", .int).field("frequency", .int).field("monetary", .int)
            .field("rfm_group", .string, .required)
            .field("orders", .int64, .required).field("spent_fen", .int64, .required)
            .field("first_order_on", .string).field("last_order_on", .string)
            .field("computed_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            // A group's member list, biggest spenders first.
            try await sql.raw("CREATE INDEX member_rfm_group ON member_rfm (rfm_group, spent_fen)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_rfm").delete()
    }
}
