import Fluent
import SQLKit

/// Group buying: activities (one SKU at a group price from one store), the groups members open,
/// the members in them (one row per member and group, each with their order) and per-member
/// counters for the activity's limit. `joined`, `paid` and the counters move only by conditional
/// UPDATEs, like stock; a group's status changes once, by a conditional UPDATE on `open`.
struct CreateGroupBuys: AsyncMigration {
    var name: String { "015_CreateGroupBuys" }

    func prepare(on database: any Database) async throws {
        try await database.schema("group_buy_activities")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("title", .string, .required)
            .field("sku_id", .uuid, .required, .references("skus", "id"))
            .field("store_id", .uuid, .required, .references("stores", "id"))
            .field("group_price_fen", .int64, .required)
            .field("group_size", .int, .required)
            .field("time_limit_minutes", .int, .required)
            .field("per_member_limit", .int, .required)
            .field("virtual_fill", .int, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("ended_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("group_buy_activities_window", on: "group_buy_activities", columns: ["starts_at", "ends_at"])
        try await database.index("group_buy_activities_sku", on: "group_buy_activities", columns: ["sku_id"])

        try await database.schema("group_buy_groups")
            .id()
            .field("activity_id", .uuid, .required, .references("group_buy_activities", "id"))
            .field("opener_member_id", .uuid, .required, .references("members", "id"))
            .field("size", .int, .required)
            .field("joined", .int, .required)
            .field("paid", .int, .required)
            .field("virtual_members", .int, .required)
            .field("status", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("closed_at", .datetime)
            .create()
        try await database.index("group_buy_groups_activity", on: "group_buy_groups", columns: ["activity_id", "status"])
        try await database.index("group_buy_groups_expiry", on: "group_buy_groups", columns: ["status", "expires_at"])

        try await database.schema("group_buy_members")
            .id()
            .field("group_id", .uuid, .required, .references("group_buy_groups", "id"))
            .field("activity_id", .uuid, .required, .references("group_buy_activities", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("order_id", .uuid, .references("orders", "id"))
            .field("opener", .bool, .required)
            .field("status", .string, .required)
            .field("joined_at", .datetime, .required)
            .field("paid_at", .datetime)
            // The member's Idempotency-Key: a retried open or join answers the first one.
            .field("request_key", .string)
            // A member is in a group once: a second join is a 409, never a second slot.
            .unique(on: "group_id", "member_id")
            .unique(on: "member_id", "request_key")
            .create()
        try await database.index("group_buy_members_order", on: "group_buy_members", columns: ["order_id"])
        try await database.index("group_buy_members_activity", on: "group_buy_members", columns: ["activity_id", "status"])

        try await database.schema("group_buy_member_counts")
            .id()
            .field("activity_id", .uuid, .required, .references("group_buy_activities", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("taken", .int, .required)
            .unique(on: "activity_id", "member_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["group_buy_member_counts", "group_buy_members", "group_buy_groups", "group_buy_activities"] {
            try await database.schema(table).delete()
        }
    }
}
