import Fluent
import SQLKit

struct UpdateProductsAddVersion: AsyncMigration {
    var name: String { "023_UpdateProductsAddVersion" }

    /// Counts the writes that change what a product's detail shows (its row, SKUs, prices,
    /// tags, attachments, brand and category names), so every instance can tell in the one
    /// statement a detail read runs whether its cached document is still current.
    func prepare(on database: any Database) async throws {
        try await database.schema("products").field("version", .int64, .required, .sql(.default(1))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("products").deleteField("version").update()
    }
}
