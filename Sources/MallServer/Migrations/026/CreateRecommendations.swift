import Fluent
import SQLKit

struct CreateRecommendations: AsyncMigration {
    var name: String { "026_CreateRecommendations" }

    /// Product views (a member's or an anonymous visitor's, kept for a while and a number per
    /// visitor) and the item-to-item neighbours the recommendation job works out from views and
    /// paid orders.
    func prepare(on database: any Database) async throws {
        try await database.schema("browsing_events").id()
            .field("visitor_key", .string, .required)
            .field("member_id", .uuid)
            .field("product_id", .uuid, .required)
            .field("viewed_at", .datetime, .required)
            .create()
        // Ranks are stored so a product's list is one range read in order, and a job run
        // replaces a product's rows whole.
        try await database.schema("product_similarities").id()
            .field("product_id", .uuid, .required)
            .field("related_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("score", .double, .required)
            .field("rank", .int, .required)
            .unique(on: "product_id", "kind", "rank")
            .create()
        if let sql = database as? any SQLDatabase {
            // A visitor's recent views (co-view baskets, trimming per visitor), a member's
            // history, and the age-out sweep.
            try await sql.raw("CREATE INDEX browsing_events_visitor ON browsing_events (visitor_key, viewed_at)").run()
            try await sql.raw("CREATE INDEX browsing_events_member ON browsing_events (member_id, viewed_at)").run()
            try await sql.raw("CREATE INDEX browsing_events_viewed_at ON browsing_events (viewed_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("product_similarities").delete()
        try await database.schema("browsing_events").delete()
    }
}
