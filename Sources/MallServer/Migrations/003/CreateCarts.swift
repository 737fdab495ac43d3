import Fluent

struct CreateCarts: AsyncMigration {
    var name: String { "003_CreateCarts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("carts")
            .id()
            .field("member_id", .uuid, .references("members", "id", onDelete: .cascade))
            // Guests hold a random token; only its digest is stored.
            .field("guest_token_hash", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "member_id")
            .unique(on: "guest_token_hash")
            .create()
        try await database.schema("cart_lines")
            .id()
            .field("cart_id", .uuid, .required, .references("carts", "id", onDelete: .cascade))
            .field("sku_id", .uuid, .required, .references("skus", "id", onDelete: .cascade))
            .field("quantity", .int, .required)
            .field("added_at", .datetime, .required)
            .unique(on: "cart_id", "sku_id")
            .create()
        try await database.schema("cart_fulfilments")
            .id()
            .field("cart_id", .uuid, .required, .references("carts", "id", onDelete: .cascade))
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("mode", .string, .required)
            .field("address_id", .uuid, .references("member_addresses", "id", onDelete: .setNull))
            .field("store_id", .uuid, .references("stores", "id"))
            .unique(on: "cart_id", "merchant_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["cart_fulfilments", "cart_lines", "carts"] { try await database.schema(table).delete() }
    }
}
