import Fluent

struct UpdateProductsAddCategoryOrderIndex: AsyncMigration {
    var name: String { "005_UpdateProductsAddCategoryOrderIndex" }

    /// A category page shows the best sellers first. With this index the database walks the
    /// category's products already in that order and stops after one page, instead of sorting
    /// every product of the category on every page view (docs/benchmarks.md, 10× catalogue).
    func prepare(on database: any Database) async throws {
        try await database.index("products_category_sales", on: "products",
                                 columns: ["category_id", "on_shelf", "status", "sales_count", "created_at", "id"])
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX products_category_sales").run()
    }
}
