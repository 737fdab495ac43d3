import Fluent
import SQLKit

/// Shoppers' product reviews: one first review per order line and at most one follow-up
/// (unique on line and kind), moderated before anyone else sees them; the merchant's or store's
/// one reply is kept on the first review.
struct CreateProductReviews: AsyncMigration {
    var name: String { "010_CreateProductReviews" }

    func prepare(on database: any Database) async throws {
        try await database.schema("product_reviews")
            .id()
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references("product_reviews", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("order_line_id", .uuid, .required, .references("order_lines", "id"))
            .field("product_id", .uuid, .required, .references("products", "id"))
            .field("sku_id", .uuid, .required)
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("store_id", .uuid, .required, .references("stores", "id"))
            .field("spec_title", .string, .required)
            // First reviews only; a follow-up shows its first review's stars.
            .field("rating", .int)
            .field("text", .string, .required)
            .field("photos", .string, .required)
            .field("photo_count", .int, .required)
            .field("anonymous", .bool, .required)
            // The nickname when the review was written; pages mask it when anonymous.
            .field("author_name", .string, .required)
            .field("status", .string, .required)
            .field("rejection_reason", .string)
            .field("moderated_by", .uuid, .references("staff", "id", onDelete: .setNull))
            .field("moderated_at", .datetime)
            .field("points_earned", .int64, .required)
            .field("reply_text", .string)
            .field("reply_by", .uuid, .references("staff", "id", onDelete: .setNull))
            .field("reply_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "order_line_id", "kind")
            .create()
        // The product page: approved first reviews, newest first (with photos, by stars).
        try await database.index("product_reviews_product", on: "product_reviews", columns: ["product_id", "status", "kind", "created_at"])
        // The moderation queue and the console's lists.
        try await database.index("product_reviews_status", on: "product_reviews", columns: ["status", "created_at"])
        try await database.index("product_reviews_store", on: "product_reviews", columns: ["store_id", "created_at"])
        try await database.index("product_reviews_merchant", on: "product_reviews", columns: ["merchant_id", "created_at"])
        // "My reviews".
        try await database.index("product_reviews_member", on: "product_reviews", columns: ["member_id", "created_at"])
        try await database.index("product_reviews_parent", on: "product_reviews", columns: ["parent_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("product_reviews").delete()
    }
}
