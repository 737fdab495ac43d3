import Fluent
import SQLKit

struct CreateBundles: AsyncMigration {
    var name: String { "026_CreateBundles" }

    /// 搭配购: a merchant's product combinations at a bundle price, and their products in order.
    func prepare(on database: any Database) async throws {
        try await database.schema("bundles").id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("name", .string, .required)
            .field("price_fen", .int64, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("bundle_products").id()
            .field("bundle_id", .uuid, .required, .references("bundles", "id", onDelete: .cascade))
            .field("product_id", .uuid, .required, .references("products", "id"))
            .field("position", .int, .required)
            .unique(on: "bundle_id", "product_id")
            .create()
        if let sql = database as? any SQLDatabase {
            // A product page finds the bundles its product is in.
            try await sql.raw("CREATE INDEX bundle_products_product ON bundle_products (product_id)").run()
            try await sql.raw("CREATE INDEX bundles_merchant ON bundles (merchant_id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("bundle_products").delete()
        try await database.schema("bundles").delete()
    }
}
