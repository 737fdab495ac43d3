import Fluent
import Foundation
import SQLKit

struct CreateProductSearchGrams: AsyncMigration {
    var name: String { "005_CreateProductSearchGrams" }

    /// Two-character keywords from an index instead of a scan of every product (`SearchGrams`);
    /// existing products are indexed here, later writes by `ProductSearchGramsMaintainer`.
    func prepare(on database: any Database) async throws {
        try await database.schema(ProductSearchGrams.table)
            .field("gram", .string, .required)
            .field("product_id", .uuid, .required, .references("products", "id"))
            .unique(on: "gram", "product_id")
            .create()
        try await database.index("product_search_grams_product", on: ProductSearchGrams.table, columns: ["product_id"])
        var after: UUID?
        while true {
            var query = database.sql.select().column("id").column("search_text").from("products").orderBy("id").limit(500)
            if let after { query = query.where("id", .greaterThan, after) }
            let rows = try await query.all()
            try await database.transaction { tx in
                for row in rows {
                    try await ProductSearchGrams.write(productId: try row.decode(column: "id", as: UUID.self),
                                                       text: try row.decode(column: "search_text", as: String.self), on: tx)
                }
            }
            guard rows.count == 500, let last = rows.last else { break }
            after = try last.decode(column: "id", as: UUID.self)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProductSearchGrams.table).delete()
    }
}
