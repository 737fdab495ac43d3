import Fluent
import SQLKit

struct UpdateFlashPurchasesAddListPrice: AsyncMigration {
    var name: String { "016_UpdateFlashPurchasesAddListPrice" }

    /// A session's effect summary counts what each purchase saved against the SKU's regular
    /// price, which staff may change during or after the session: the purchase keeps the price
    /// it was bought under. Purchases made before this column get the SKU's price now, the
    /// nearest record there is (their unit price when the SKU is gone, so they saved nothing).
    func prepare(on database: any Database) async throws {
        try await database.schema("flash_purchases").field("list_price_fen", .int64, .required, .sql(.default(0))).update()
        try await database.sql.raw("""
            UPDATE flash_purchases SET list_price_fen = COALESCE(
                (SELECT skus.price_fen FROM flash_items JOIN skus ON skus.id = flash_items.sku_id WHERE flash_items.id = flash_purchases.item_id),
                unit_price_fen)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("flash_purchases").deleteField("list_price_fen").update()
    }
}
