import Fluent
import SQLKit

/// Promotions (rule and scope as JSON, read whole by the pricing engine), each member's use
/// counter (moved by a conditional upsert at checkout, so a per-member limit holds under
/// concurrency), and one row per order a promotion touched, for the live effect panel.
struct CreatePromotions: AsyncMigration {
    var name: String { "012_CreatePromotions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("promotions")
            .id()
            .field("merchant_id", .uuid, .references("merchants", "id"))
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("rule", .string, .required)
            .field("scope", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("per_member_limit", .int)
            .field("exclusive_group", .string)
            .field("priority", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("promotions_window", on: "promotions", columns: ["ends_at", "starts_at"])
        try await database.index("promotions_merchant", on: "promotions", columns: ["merchant_id", "created_at"])

        try await database.schema("promotion_member_uses")
            .id()
            .field("promotion_id", .uuid, .required, .references("promotions", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("uses", .int, .required)
            .unique(on: "promotion_id", "member_id")
            .create()

        try await database.schema("promotion_orders")
            .id()
            .field("promotion_id", .uuid, .required, .references("promotions", "id"))
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("discount_fen", .int64, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "promotion_id", "order_id")
            .create()
        try await database.index("promotion_orders_order", on: "promotion_orders", columns: ["order_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("promotion_orders").delete()
        try await database.schema("promotion_member_uses").delete()
        try await database.schema("promotions").delete()
    }
}
