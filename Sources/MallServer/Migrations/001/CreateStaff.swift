import Fluent

struct CreateStaff: AsyncMigration {
    var name: String { "001_CreateStaff" }

    func prepare(on database: any Database) async throws {
        try await database.schema("staff")
            .id()
            .field("username", .string, .required)
            .field("password_hash", .string, .required)
            .field("display_name", .string, .required)
            .field("mobile", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("staff").delete()
    }
}
