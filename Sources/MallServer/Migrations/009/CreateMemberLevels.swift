import Fluent
import SQLKit

/// Member levels: the definitions HQ keeps (conditions and rights as data), each member's
/// standing (since when they are below their level, for the grace period) and the history of
/// level changes. `members.level` keeps holding the level's code, so SKU level prices work as
/// before; existing members keep whatever code they have until the first evaluation (the daily
/// job, their next completed order, or their membership page) gives them the level their
/// activity earns — the lowest level when it has no conditions. A code no level defines counts
/// as no level there.
struct CreateMemberLevels: AsyncMigration {
    var name: String { "009_CreateMemberLevels" }

    func prepare(on database: any Database) async throws {
        try await database.schema("member_levels")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("rank", .int, .required)
            .field("description", .string)
            // Conditions over the rolling window; NULL: not a condition of this level.
            .field("min_spend_fen", .int64)
            .field("min_orders", .int)
            .field("min_points", .int64)
            .field("match_all", .bool, .required)
            // Rights.
            .field("discount_bp", .int, .required)
            .field("points_multiplier_bp", .int, .required)
            .field("free_shipping_threshold_fen", .int64)
            .field("priority_minutes", .int, .required)
            .field("birthday_points", .int64, .required)
            .field("birthday_coupon_id", .uuid)
            .field("exclusive_service", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "code")
            .unique(on: "rank")
            .create()

        try await database.schema("member_level_states")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id"))
            // When the level held was reached.
            .field("since", .datetime)
            // Since when the member no longer meets the level held (the grace period runs from here).
            .field("below_since", .datetime)
            .field("evaluated_at", .datetime)
            .unique(on: "member_id")
            .create()

        try await database.schema("member_level_changes")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("from_level", .string)
            .field("to_level", .string)
            .field("reason", .string, .required)
            .field("note", .string)
            .field("actor_staff_id", .uuid)
            .field("created_at", .datetime, .required)
            .create()
        try await database.index("member_level_changes_member", on: "member_level_changes", columns: ["member_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_level_changes").delete()
        try await database.schema("member_level_states").delete()
        try await database.schema("member_levels").delete()
    }
}
