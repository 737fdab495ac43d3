import Fluent
import SQLKit

struct UpdateProductsAddRecommendedTags: AsyncMigration {
    var name: String { "026_UpdateProductsAddRecommendedTags" }

    /// The recommended tags the job last gave a product (`hot,new`), on its row so product
    /// lists and the detail show them without another read. Nullable: Fluent writes a product
    /// made without tags as NULL, which reads as none.
    func prepare(on database: any Database) async throws {
        try await database.schema("products").field("recommended_tags", .string, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("products").deleteField("recommended_tags").update()
    }
}
