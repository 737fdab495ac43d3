import Fluent
import SQLKit

/// The points mall and the lottery: items with their own stock and per-member counters,
/// redemptions (one per idempotency key), lotteries with prizes, immutable prize-table versions
/// that draws are replayed against, per-member daily draw counters and the draws themselves.
/// Counters and stock move only by conditional UPDATEs, like stock levels.
struct CreatePointsMall: AsyncMigration {
    var name: String { "011_CreatePointsMall" }

    func prepare(on database: any Database) async throws {
        try await database.schema("points_mall_items")
            .id()
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("image_url", .string)
            .field("sku_id", .uuid, .references("skus", "id"))
            .field("coupon_template_id", .uuid)
            .field("price_points", .int64, .required)
            .field("cash_fen", .int64, .required)
            .field("stock_total", .int, .required)
            .field("stock_remaining", .int, .required)
            .field("per_member_limit", .int)
            .field("starts_at", .datetime)
            .field("ends_at", .datetime)
            .field("enabled", .bool, .required)
            .field("sort_order", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("points_mall_items_listing", on: "points_mall_items", columns: ["enabled", "sort_order"])

        try await database.schema("points_mall_member_counts")
            .id()
            .field("item_id", .uuid, .required, .references("points_mall_items", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("redeemed", .int, .required)
            .unique(on: "item_id", "member_id")
            .create()

        try await database.schema("points_mall_redemptions")
            .id()
            .field("item_id", .uuid, .required, .references("points_mall_items", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("idempotency_key", .string, .required)
            .field("request_digest", .string, .required)
            .field("quantity", .int, .required)
            .field("points", .int64, .required)
            .field("cash_fen", .int64, .required)
            .field("status", .string, .required)
            .field("order_id", .uuid, .references("orders", "id"))
            .field("created_at", .datetime, .required)
            .field("returned_at", .datetime)
            // A retried exchange finds the first one instead of spending twice.
            .unique(on: "member_id", "idempotency_key")
            .create()
        try await database.index("points_mall_redemptions_member", on: "points_mall_redemptions", columns: ["member_id", "created_at"])
        try await database.index("points_mall_redemptions_item", on: "points_mall_redemptions", columns: ["item_id", "created_at"])
        try await database.index("points_mall_redemptions_order", on: "points_mall_redemptions", columns: ["order_id"])

        try await database.schema("lotteries")
            .id()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("cost_points", .int64, .required)
            .field("daily_limit", .int, .required)
            .field("starts_at", .datetime)
            .field("ends_at", .datetime)
            .field("enabled", .bool, .required)
            .field("sort_order", .int, .required)
            .field("table_version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await database.schema("lottery_prizes")
            .id()
            .field("lottery_id", .uuid, .required, .references("lotteries", "id"))
            .field("position", .int, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("points", .int64)
            .field("sku_id", .uuid, .references("skus", "id"))
            .field("store_id", .uuid, .references("stores", "id"))
            .field("weight", .int, .required)
            // NULL: no limit.
            .field("stock_total", .int)
            .field("stock_remaining", .int)
            // Left out of the wheel by a later save; kept for the draws that name it.
            .field("retired", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.index("lottery_prizes_lottery", on: "lottery_prizes", columns: ["lottery_id", "retired", "position"])

        try await database.schema("lottery_prize_tables")
            .id()
            .field("lottery_id", .uuid, .required, .references("lotteries", "id"))
            .field("version", .int, .required)
            .field("slots", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "lottery_id", "version")
            .create()

        try await database.schema("lottery_daily_counts")
            .id()
            .field("lottery_id", .uuid, .required, .references("lotteries", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("day", .string, .required)
            .field("draws", .int, .required)
            .unique(on: "lottery_id", "member_id", "day")
            .create()

        try await database.schema("lottery_draws")
            .id()
            .field("lottery_id", .uuid, .required, .references("lotteries", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("idempotency_key", .string, .required)
            .field("day", .string, .required)
            .field("table_version", .int, .required)
            .field("random", .string, .required)
            .field("drawn_slot", .int, .required)
            .field("drawn_prize_id", .uuid, .required)
            .field("landing_slot", .int, .required)
            .field("prize_id", .uuid)
            .field("prize_kind", .string, .required)
            .field("prize_name", .string, .required)
            .field("points", .int64)
            .field("order_id", .uuid, .references("orders", "id"))
            .field("fallback", .string)
            .field("cost_points", .int64, .required)
            .field("created_at", .datetime, .required)
            // Set when the prize's order was cancelled and its unit went back to the prize.
            .field("prize_returned_at", .datetime)
            .unique(on: "member_id", "idempotency_key")
            .create()
        try await database.index("lottery_draws_lottery", on: "lottery_draws", columns: ["lottery_id", "created_at"])
        try await database.index("lottery_draws_member", on: "lottery_draws", columns: ["member_id", "created_at"])
        try await database.index("lottery_draws_order", on: "lottery_draws", columns: ["order_id"])
    }

    func revert(on database: any Database) async throws {
        for table in ["lottery_draws", "lottery_daily_counts", "lottery_prize_tables", "lottery_prizes", "lotteries",
                      "points_mall_redemptions", "points_mall_member_counts", "points_mall_items"] {
            try await database.schema(table).delete()
        }
    }
}
