import Fluent

struct UpdateShipmentsAddTrackingSubscription: AsyncMigration {
    var name: String { "007_UpdateShipmentsAddTrackingSubscription" }

    /// Kuaidi100 pushes scans only for parcels someone subscribed; the shipment records whether
    /// its subscription is pending, on, or refused, and why (empty for shipments without a
    /// carrier feed and for those made while subscriptions were off).
    func prepare(on database: any Database) async throws {
        try await database.schema("shipments").field("tracking_subscription", .string).update()
        try await database.schema("shipments").field("tracking_subscription_note", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("shipments").deleteField("tracking_subscription_note").update()
        try await database.schema("shipments").deleteField("tracking_subscription").update()
    }
}
