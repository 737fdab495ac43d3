import Fluent
import SQLKit

/// A product's ratings as counters on its row — approved first reviews per number of stars and
/// how many have photos — moved in the transaction that approves a review, so product lists
/// show the mean and count without counting reviews per request.
struct UpdateProductsAddRatings: AsyncMigration {
    var name: String { "010_UpdateProductsAddRatings" }

    static let columns = ["review_count", "review_star_total", "review_stars_1", "review_stars_2", "review_stars_3", "review_stars_4",
                          "review_stars_5", "review_with_photos"]

    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for column in Self.columns {
            try await database.schema("products").field(.string(column), .int, .required, .sql(.default(0))).update()
        }
    }

    func revert(on database: any Database) async throws {
        for column in Self.columns.reversed() {
            try await database.schema("products").deleteField(.string(column)).update()
        }
    }
}
