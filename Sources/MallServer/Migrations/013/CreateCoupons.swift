import Fluent
import SQLKit

/// Coupons: templates (platform or merchant) with their claimed/used counters, each member's
/// claim counter per template, the coupons members hold, and redeemable codes with their
/// per-member redemptions. Counters move only by conditional UPDATEs in `CouponService`.
struct CreateCoupons: AsyncMigration {
    var name: String { "013_CreateCoupons" }

    func prepare(on database: any Database) async throws {
        try await database.schema("coupon_templates")
            .id()
            .field("merchant_id", .uuid, .references("merchants", "id"))
            .field("title", .string, .required)
            .field("kind", .string, .required)
            .field("amount_off_fen", .int64)
            .field("minimum_spend_fen", .int64, .required)
            .field("percent_off_basis_points", .int)
            .field("cap_fen", .int64)
            .field("gift_sku_id", .uuid)
            .field("scope", .string, .required)
            .field("member_levels", .string)
            .field("new_members_only", .bool, .required)
            .field("stacks_with_promotions", .bool, .required)
            .field("return_on_full_refund", .bool, .required)
            .field("total_quantity", .int, .required)
            .field("claimed_count", .int, .required)
            .field("used_count", .int, .required)
            .field("per_member_limit", .int, .required)
            .field("valid_from", .datetime)
            .field("valid_until", .datetime)
            .field("valid_days", .int)
            .field("claim_starts_at", .datetime)
            .field("claim_ends_at", .datetime)
            .field("ended_at", .datetime)
            .field("claimable", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("coupon_templates_merchant", on: "coupon_templates", columns: ["merchant_id", "created_at"])

        try await database.schema("coupon_member_counts")
            .id()
            .field("template_id", .uuid, .required, .references("coupon_templates", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("claimed", .int, .required)
            .unique(on: "template_id", "member_id")
            .create()

        try await database.schema("member_coupons")
            .id()
            .field("template_id", .uuid, .required, .references("coupon_templates", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("status", .string, .required)
            .field("source", .string, .required)
            .field("valid_from", .datetime, .required)
            .field("valid_until", .datetime, .required)
            .field("checkout_id", .uuid)
            .field("claimed_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.index("member_coupons_member", on: "member_coupons", columns: ["member_id", "status", "valid_until"])
        try await database.index("member_coupons_checkout", on: "member_coupons", columns: ["checkout_id"])
        try await database.index("member_coupons_expiry", on: "member_coupons", columns: ["status", "valid_until"])

        try await database.schema("coupon_codes")
            .id()
            .field("template_id", .uuid, .required, .references("coupon_templates", "id"))
            .field("batch_id", .uuid, .required)
            .field("code", .string, .required)
            .field("shared", .bool, .required)
            .field("quota", .int, .required)
            .field("redeemed", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.index("coupon_codes_batch", on: "coupon_codes", columns: ["template_id", "batch_id"])

        try await database.schema("coupon_code_redemptions")
            .id()
            .field("code_id", .uuid, .required, .references("coupon_codes", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("member_coupon_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            // A shared code gives each member one coupon.
            .unique(on: "code_id", "member_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["coupon_code_redemptions", "coupon_codes", "member_coupons", "coupon_member_counts", "coupon_templates"] {
            try await database.schema(table).delete()
        }
    }
}
