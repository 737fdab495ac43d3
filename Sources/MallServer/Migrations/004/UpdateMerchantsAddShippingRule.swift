import Fluent

struct UpdateMerchantsAddShippingRule: AsyncMigration {
    var name: String { "004_UpdateMerchantsAddShippingRule" }

    /// A merchant's own delivery charge (a `ShippingRule` as JSON); nil uses the shop-wide settings.
    func prepare(on database: any Database) async throws {
        try await database.schema("merchants").field("shipping_rule", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("merchants").deleteField("shipping_rule").update()
    }
}
