import Fluent

struct CreateAfterSales: AsyncMigration {
    var name: String { "004_CreateAfterSales" }

    func prepare(on database: any Database) async throws {
        try await database.schema("after_sales_cases")
            .id()
            .field("number", .string, .required)
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("store_id", .uuid, .required, .references("stores", "id"))
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("reason", .string, .required)
            .field("description", .string, .required)
            .field("state", .string, .required)
            .field("requested_refund_fen", .int64, .required)
            .field("refunded_fen", .int64, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.index("after_sales_store", on: "after_sales_cases", columns: ["store_id", "status", "created_at"])
        try await database.index("after_sales_order", on: "after_sales_cases", columns: ["order_id"])
        try await database.index("after_sales_member", on: "after_sales_cases", columns: ["member_id", "created_at"])
        try await database.schema("after_sales_lines")
            .id()
            .field("case_id", .uuid, .required, .references("after_sales_cases", "id", onDelete: .cascade))
            .field("order_line_id", .uuid, .required, .references("order_lines", "id"))
            .field("sku_id", .uuid, .required)
            .field("product_id", .uuid, .required)
            .field("quantity", .int, .required)
            .field("refund_fen", .int64, .required)
            .create()
        try await database.index("after_sales_lines_case", on: "after_sales_lines", columns: ["case_id"])
        try await database.index("after_sales_lines_order_line", on: "after_sales_lines", columns: ["order_line_id"])
        // A refund may now wait for the gateway (`processing`) and may belong to an after-sales case.
        // (One column per statement: SQLite adds a single column per ALTER TABLE.)
        try await database.schema("refunds").field("after_sales_id", .uuid).update()
        try await database.schema("refunds").field("completed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("refunds").deleteField("completed_at").update()
        try await database.schema("refunds").deleteField("after_sales_id").update()
        try await database.schema("after_sales_lines").delete()
        try await database.schema("after_sales_cases").delete()
    }
}
