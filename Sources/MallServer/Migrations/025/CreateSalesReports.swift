import Fluent
import SQLKit

struct CreateSalesReports: AsyncMigration {
    var name: String { "025_CreateSalesReports" }

    /// Daily sales aggregates (shop days written YYYY-MM-DD so they sort and compare as text on
    /// both databases), what has been folded into them, and stores' monthly targets.
    func prepare(on database: any Database) async throws {
        let figures: [(String, DatabaseSchema.DataType)] = [
            ("orders", .int64), ("units", .int64), ("gross_fen", .int64), ("refunded_fen", .int64), ("refunded_units", .int64),
            ("refunded_orders", .int64), ("costed_gross_fen", .int64), ("costed_refunded_fen", .int64), ("cost_fen", .int64),
            ("refunded_cost_fen", .int64), ("new_customer_orders", .int64), ("returning_customer_orders", .int64),
        ]
        var stores = database.schema("sales_store_daily").id()
            .field("store_id", .uuid, .required).field("merchant_id", .uuid, .required)
            .field("day", .string, .required).field("channel", .string, .required)
        var skus = database.schema("sales_sku_daily").id()
            .field("store_id", .uuid, .required).field("merchant_id", .uuid, .required)
            .field("day", .string, .required).field("channel", .string, .required).field("sku_id", .uuid, .required)
        for (column, type) in figures {
            stores = stores.field(FieldKey(stringLiteral: column), type, .required, .sql(.default(0)))
            skus = skus.field(FieldKey(stringLiteral: column), type, .required, .sql(.default(0)))
        }
        try await stores.unique(on: "store_id", "day", "channel").create()
        try await skus.unique(on: "store_id", "day", "channel", "sku_id").create()
        try await database.schema("sales_store_hourly").id()
            .field("store_id", .uuid, .required).field("merchant_id", .uuid, .required)
            .field("day", .string, .required).field("hour", .int, .required)
            .field("orders", .int64, .required, .sql(.default(0))).field("net_sales_fen", .int64, .required, .sql(.default(0)))
            .unique(on: "store_id", "day", "hour")
            .create()
        // One row per order and per refund folded in: folding twice adds nothing.
        try await database.schema("sales_folds").id()
            .field("source_kind", .string, .required).field("source_id", .uuid, .required)
            .field("folded_at", .datetime, .required)
            .unique(on: "source_kind", "source_id")
            .create()
        // Where each fold last reached (the paid or refunded time), so a run reads only what is new.
        try await database.schema("sales_fold_cursors").id()
            .field("kind", .string, .required)
            .field("position", .datetime, .required)
            .unique(on: "kind")
            .create()
        try await database.schema("store_sales_targets").id()
            .field("store_id", .uuid, .required, .references("stores", "id", onDelete: .cascade))
            .field("month", .string, .required)
            .field("target_fen", .int64, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "store_id", "month")
            .create()
        if let sql = database as? any SQLDatabase {
            // Reports read a range of days for every store; rankings a range of days per SKU.
            try await sql.raw("CREATE INDEX sales_store_daily_day ON sales_store_daily (day, store_id)").run()
            try await sql.raw("CREATE INDEX sales_sku_daily_day ON sales_sku_daily (day, sku_id)").run()
            try await sql.raw("CREATE INDEX sales_store_hourly_day ON sales_store_hourly (day)").run()
            // The fold job reads what was paid or refunded since its last run.
            try await sql.raw("CREATE INDEX orders_paid_at ON orders (paid_at)").run()
            try await sql.raw("CREATE INDEX refunds_completed_at ON refunds (completed_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX orders_paid_at").run()
            try await sql.raw("DROP INDEX refunds_completed_at").run()
        }
        for table in ["store_sales_targets", "sales_fold_cursors", "sales_folds", "sales_store_hourly", "sales_sku_daily", "sales_store_daily"] {
            try await database.schema(table).delete()
        }
    }
}
