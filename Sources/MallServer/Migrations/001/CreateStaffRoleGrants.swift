import Fluent

struct CreateStaffRoleGrants: AsyncMigration {
    var name: String { "001_CreateStaffRoleGrants" }

    func prepare(on database: any Database) async throws {
        try await database.schema("staff_role_grants")
            .id()
            .field("staff_id", .uuid, .required, .references("staff", "id", onDelete: .cascade))
            .field("role_id", .uuid, .required, .references("roles", "id"))
            .field("scope_kind", .string, .required)
            .field("merchant_id", .uuid, .references("merchants", "id"))
            .field("store_id", .uuid)
            .field("created_at", .datetime)
            .create()
        try await database.index("staff_role_grants_staff", on: "staff_role_grants", columns: ["staff_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("staff_role_grants").delete()
    }
}
