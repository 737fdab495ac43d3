import Fluent

struct CreateStores: AsyncMigration {
    var name: String { "001_CreateStores" }

    func prepare(on database: any Database) async throws {
        try await database.schema("stores")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("province", .string, .required)
            .field("city", .string, .required)
            .field("district", .string, .required)
            .field("address", .string, .required)
            .field("latitude", .double, .required)
            .field("longitude", .double, .required)
            .field("phone", .string, .required)
            .field("manager_staff_id", .uuid, .references("staff", "id", onDelete: .setNull))
            .field("opening_hours", .string, .required)
            .field("delivery_radius_km", .double, .required)
            .field("pickup_enabled", .bool, .required)
            .field("daily_order_capacity", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await database.index("stores_merchant", on: "stores", columns: ["merchant_id"])
        // Nearby search narrows by a latitude band first, then by longitude.
        try await database.index("stores_location", on: "stores", columns: ["latitude", "longitude"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("stores").delete()
    }
}
