import Fluent
import SQLKit

struct UpdateGroupBuyMembersAddListPrice: AsyncMigration {
    var name: String { "016_UpdateGroupBuyMembersAddListPrice" }

    /// An activity's effect summary counts what each member saved against the SKU's regular
    /// price when they joined, which staff may change later. Places taken before this column get
    /// the SKU's price now, the nearest record there is (the group price when the SKU is gone).
    func prepare(on database: any Database) async throws {
        try await database.schema("group_buy_members").field("list_price_fen", .int64, .required, .sql(.default(0))).update()
        try await database.sql.raw("""
            UPDATE group_buy_members SET list_price_fen = COALESCE(
                (SELECT skus.price_fen FROM group_buy_activities JOIN skus ON skus.id = group_buy_activities.sku_id
                 WHERE group_buy_activities.id = group_buy_members.activity_id),
                (SELECT group_price_fen FROM group_buy_activities WHERE group_buy_activities.id = group_buy_members.activity_id),
                0)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("group_buy_members").deleteField("list_price_fen").update()
    }
}
