import Fluent
import SQLKit

struct CreateSalesMemberDaily: AsyncMigration {
    var name: String { "027_CreateSalesMemberDaily" }

    /// Paid orders per member, store and shop day, for member statistics (repurchase rate, new
    /// against returning customers) without reading orders. The existing aggregates are derived
    /// data folded before members were counted: they are emptied so the fold job rebuilds them
    /// all, member rows included, on its next run.
    func prepare(on database: any Database) async throws {
        try await database.schema("sales_member_daily").id()
            .field("store_id", .uuid, .required).field("merchant_id", .uuid, .required)
            .field("member_id", .uuid, .required).field("day", .string, .required)
            .field("orders", .int64, .required, .sql(.default(0)))
            // Orders that were the member's first paid order anywhere.
            .field("first_orders", .int64, .required, .sql(.default(0)))
            .unique(on: "store_id", "day", "member_id")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX sales_member_daily_day ON sales_member_daily (day, member_id)").run()
            for table in ["sales_store_daily", "sales_sku_daily", "sales_store_hourly", "sales_folds", "sales_fold_cursors"] {
                try await sql.raw("DELETE FROM \(unsafeRaw: table)").run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sales_member_daily").delete()
    }
}
