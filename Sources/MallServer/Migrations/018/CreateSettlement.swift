import Fluent
import SQLKit

/// Service fees and settlement with merchants: fee rules (never edited, a change is a new rule
/// with a later date), the fees frozen on each order and line when it is paid, each payment's
/// channel fee, settlement entries (one per line, per order part and per late refund, each
/// claimed by a unique key so two settlement runs book it once), statements per merchant and
/// period, and payouts.
struct CreateSettlement: AsyncMigration {
    var name: String { "018_CreateSettlement" }

    func prepare(on database: any Database) async throws {
        try await database.schema("fee_rules")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("category_id", .uuid, .references("categories", "id"))
            .field("rate_bp", .int, .required)
            .field("fixed_fee_fen", .int64, .required)
            .field("effective_from", .datetime, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.index("fee_rules_merchant", on: "fee_rules", columns: ["merchant_id", "effective_from"])

        try await database.schema("payment_channel_fees")
            .id()
            .field("payment_id", .uuid, .required, .references("payments", "id"))
            .field("provider", .string, .required)
            .field("rate_bp", .int, .required)
            .field("fee_fen", .int64, .required)
            .field("bearer", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "payment_id")
            .create()

        try await database.schema("order_fees")
            .id()
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("fixed_fee_fen", .int64, .required)
            .field("channel_fee_fen", .int64, .required)
            .field("shipping_channel_fee_fen", .int64, .required)
            .field("bearer", .string, .required)
            .field("frozen_at", .datetime, .required)
            .unique(on: "order_id")
            .create()

        try await database.schema("order_line_fees")
            .id()
            .field("order_line_id", .uuid, .required, .references("order_lines", "id"))
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("commission_rate_bp", .int, .required)
            .field("platform_discount_fen", .int64, .required)
            .field("channel_fee_fen", .int64, .required)
            .unique(on: "order_line_id")
            .create()
        try await database.index("order_line_fees_order", on: "order_line_fees", columns: ["order_id"])

        try await database.schema("settlement_statements")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("period_start", .datetime, .required)
            .field("period_end", .datetime, .required)
            .field("status", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("confirmed_at", .datetime)
            .field("confirmation", .string)
            .field("confirmed_by", .string)
            .field("paid_at", .datetime)
            .field("totals", .string, .required)
            .field("net_fen", .int64, .required)
            .unique(on: "merchant_id", "period_start")
            .create()
        try await database.index("settlement_statements_status", on: "settlement_statements", columns: ["status", "issued_at"])

        try await database.schema("settlement_entries")
            .id()
            .field("entry_key", .string, .required)
            .field("kind", .string, .required)
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("order_line_id", .uuid, .references("order_lines", "id"))
            .field("refunded_basis_fen", .int64, .required)
            .field("shopper_paid_fen", .int64, .required)
            .field("refunded_fen", .int64, .required)
            .field("platform_discount_fen", .int64, .required)
            .field("commission_fen", .int64, .required)
            .field("channel_fee_fen", .int64, .required)
            .field("platform_channel_fee_fen", .int64, .required)
            .field("shipping_fen", .int64, .required)
            .field("merchant_net_fen", .int64, .required)
            .field("statement_id", .uuid, .references("settlement_statements", "id"))
            .field("booked_at", .datetime, .required)
            // Two settlement runs at once book each line, order part and late refund once.
            .unique(on: "entry_key")
            .create()
        try await database.index("settlement_entries_open", on: "settlement_entries", columns: ["merchant_id", "statement_id", "booked_at"])
        try await database.index("settlement_entries_order", on: "settlement_entries", columns: ["order_id"])

        try await database.schema("payouts")
            .id()
            .field("statement_id", .uuid, .required, .references("settlement_statements", "id"))
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("amount_fen", .int64, .required)
            .field("bank_reference", .string, .required)
            .field("paid_on", .string, .required)
            .field("receipt_url", .string)
            .field("recorded_by", .string, .required)
            .field("created_at", .datetime, .required)
            // One payout pays a statement, once.
            .unique(on: "statement_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["payouts", "settlement_entries", "settlement_statements", "order_line_fees", "order_fees", "payment_channel_fees", "fee_rules"] {
            try await database.schema(table).delete()
        }
    }
}
