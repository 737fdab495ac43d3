import Fluent
import SQLKit

/// Each cart line holds one of the cart's 100 slots, unique per cart: adding a line takes the
/// lowest free slot in the same statement, so two adds racing for a cart's last free line
/// collide on the index instead of both passing a count (PostgreSQL counts on a snapshot).
struct UpdateCartLinesAddSlot: AsyncMigration {
    var name: String { "024_UpdateCartLinesAddSlot" }

    func prepare(on database: any Database) async throws {
        try await database.schema("cart_lines").field("slot", .int, .required, .sql(.default(0))).update()
        let sql = database.sql
        // Existing lines take slots 1, 2, … in the order they were added.
        try await sql.raw("""
            UPDATE cart_lines SET slot = (SELECT COUNT(*) FROM cart_lines o WHERE o.cart_id = cart_lines.cart_id
                AND (o.added_at < cart_lines.added_at OR (o.added_at = cart_lines.added_at AND o.id <= cart_lines.id)))
            """).run()
        try await sql.raw("CREATE UNIQUE INDEX cart_lines_cart_slot ON cart_lines (cart_id, slot)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX cart_lines_cart_slot").run()
        try await database.schema("cart_lines").deleteField("slot").update()
    }
}
