import Fluent
import SQLKit

/// Member points: a ledger of entries (earnings are lots that keep what is left of them and when
/// it expires) and one balance row per member, written together by `PointsService`; the daily
/// sign-ins; and read receipts for the member inbox.
struct CreatePoints: AsyncMigration {
    var name: String { "008_CreatePoints" }

    func prepare(on database: any Database) async throws {
        try await database.schema("points_accounts")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("balance", .int64, .required)
            .field("earned_total", .int64, .required)
            // The number of the member's last entry: entries are numbered 1, 2, 3 … in commit order.
            .field("last_seq", .int64, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "member_id")
            .create()

        try await database.schema("points_entries")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("seq", .int64, .required)
            .field("kind", .string, .required)
            .field("points", .int64, .required)
            .field("balance_after", .int64, .required)
            // Earnings only: what is left of the lot, and when that expires (NULL: never).
            .field("lot_remaining", .int64)
            .field("expires_at", .datetime)
            .field("reference_type", .string)
            .field("reference_id", .string)
            .field("note", .string)
            .field("actor_staff_id", .uuid)
            // One entry per event that must not count twice (an order's earning, a clawback).
            .field("idempotency_key", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "idempotency_key")
            .unique(on: "member_id", "seq")
            .create()
        try await database.index("points_entries_member", on: "points_entries", columns: ["member_id", "created_at"])
        try await database.index("points_entries_lots", on: "points_entries", columns: ["member_id", "lot_remaining", "expires_at"])
        try await database.index("points_entries_reference", on: "points_entries", columns: ["reference_type", "reference_id"])

        try await database.schema("sign_ins")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("day", .string, .required)
            .field("streak", .int, .required)
            .field("points", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "member_id", "day")
            .create()

        try await database.schema("notifications").field("read_at", .datetime).update()
        try await database.index("notifications_recipient", on: "notifications", columns: ["recipient_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX notifications_recipient").run()
        try await database.schema("notifications").deleteField("read_at").update()
        try await database.schema("sign_ins").delete()
        try await database.schema("points_entries").delete()
        try await database.schema("points_accounts").delete()
    }
}
