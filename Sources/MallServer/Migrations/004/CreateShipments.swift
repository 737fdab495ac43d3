import Fluent

struct CreateShipments: AsyncMigration {
    var name: String { "004_CreateShipments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("shipments")
            .id()
            .field("order_id", .uuid, .required, .references("orders", "id"))
            .field("after_sales_id", .uuid)
            .field("purpose", .string, .required)
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("store_id", .uuid, .required, .references("stores", "id"))
            .field("carrier_code", .string, .required)
            .field("tracking_number", .string)
            .field("courier_name", .string)
            .field("courier_phone", .string)
            .field("state", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // Carrier pushes name a parcel by carrier and number only.
        try await database.index("shipments_tracking", on: "shipments", columns: ["carrier_code", "tracking_number"])
        try await database.index("shipments_order", on: "shipments", columns: ["order_id"])
        try await database.schema("tracking_events")
            .id()
            .field("shipment_id", .uuid, .required, .references("shipments", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("description", .string, .required)
            .field("location", .string)
            .field("state", .string)
            .field("source", .string, .required)
            .field("created_at", .datetime, .required)
            // Kuaidi100 resends the whole history with every push; each scan is stored once.
            .unique(on: "shipment_id", "at", "description")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("tracking_events").delete()
        try await database.schema("shipments").delete()
    }
}
