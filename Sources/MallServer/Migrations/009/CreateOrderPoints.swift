import Fluent
import SQLKit

/// Points and orders: each order line's share of the points a checkout spent (and what of it
/// came back through cancellation or refunds), and what a completed order earned (the goods paid,
/// the points earned at the member's level, and what refunds after completion took back). The
/// completed orders also feed the level window's spend and order count.
struct CreateOrderPoints: AsyncMigration {
    var name: String { "009_CreateOrderPoints" }

    func prepare(on database: any Database) async throws {
        try await database.schema("order_line_points")
            .id()
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("order_line_id", .uuid, .required, .references("order_lines", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("points_spent", .int64, .required)
            .field("deduction_fen", .int64, .required)
            .field("points_returned", .int64, .required)
            // Points given back expire when the latest of the spent lots would have (NULL: never),
            // so a checkout and a cancellation never extend points' life.
            .field("return_expires_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "order_line_id")
            .create()
        try await database.index("order_line_points_order", on: "order_line_points", columns: ["order_id"])

        try await database.schema("order_rewards")
            .id()
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("completed_at", .datetime, .required)
            // Goods paid (after discounts and points, without shipping) less refunds before completion.
            .field("paid_goods_fen", .int64, .required)
            // Refunds of goods after completion.
            .field("refunded_goods_fen", .int64, .required)
            .field("points_earned", .int64, .required)
            .field("multiplier_bp", .int, .required)
            // What refunds after completion took back (what was due; the ledger says what was there).
            .field("points_clawed_back", .int64, .required)
            .unique(on: "order_id")
            .create()
        try await database.index("order_rewards_member", on: "order_rewards", columns: ["member_id", "completed_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("order_rewards").delete()
        try await database.schema("order_line_points").delete()
    }
}
