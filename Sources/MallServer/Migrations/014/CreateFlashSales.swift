import Fluent
import SQLKit

/// Flash sales: sessions with a time window and a per-member limit, their SKUs with a flash price
/// and a quota fulfilled from one store, per-member counters and the purchases (one per
/// idempotency key). `sold` and the counters move only by conditional UPDATEs, like stock.
struct CreateFlashSales: AsyncMigration {
    var name: String { "014_CreateFlashSales" }

    func prepare(on database: any Database) async throws {
        try await database.schema("flash_sessions")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("title", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("per_member_limit", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("flash_sessions_window", on: "flash_sessions", columns: ["starts_at", "ends_at"])

        try await database.schema("flash_items")
            .id()
            .field("session_id", .uuid, .required, .references("flash_sessions", "id"))
            .field("sku_id", .uuid, .required, .references("skus", "id"))
            .field("store_id", .uuid, .required, .references("stores", "id"))
            .field("position", .int, .required)
            .field("flash_price_fen", .int64, .required)
            .field("quota", .int, .required)
            .field("sold", .int, .required)
            .unique(on: "session_id", "sku_id")
            .create()
        try await database.index("flash_items_sku", on: "flash_items", columns: ["sku_id"])

        try await database.schema("flash_member_counts")
            .id()
            .field("item_id", .uuid, .required, .references("flash_items", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("bought", .int, .required)
            .unique(on: "item_id", "member_id")
            .create()

        try await database.schema("flash_purchases")
            .id()
            .field("session_id", .uuid, .required, .references("flash_sessions", "id"))
            .field("item_id", .uuid, .required, .references("flash_items", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("idempotency_key", .string, .required)
            .field("request_digest", .string, .required)
            .field("quantity", .int, .required)
            .field("unit_price_fen", .int64, .required)
            .field("status", .string, .required)
            .field("order_id", .uuid, .references("orders", "id"))
            .field("created_at", .datetime, .required)
            .field("returned_at", .datetime)
            // A retried purchase finds the first one instead of buying twice.
            .unique(on: "member_id", "idempotency_key")
            .create()
        try await database.index("flash_purchases_item", on: "flash_purchases", columns: ["item_id", "status"])
        try await database.index("flash_purchases_order", on: "flash_purchases", columns: ["order_id"])
    }

    func revert(on database: any Database) async throws {
        for table in ["flash_purchases", "flash_member_counts", "flash_items", "flash_sessions"] {
            try await database.schema(table).delete()
        }
    }
}
