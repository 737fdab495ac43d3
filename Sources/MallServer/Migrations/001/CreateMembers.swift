import Fluent

struct CreateMembers: AsyncMigration {
    var name: String { "001_CreateMembers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("members")
            .id()
            .field("mobile", .string)
            .field("email", .string)
            .field("password_hash", .string, .required)
            .field("nickname", .string, .required)
            .field("avatar_url", .string)
            .field("gender", .string, .required)
            .field("birthday", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "mobile")
            .unique(on: "email")
            .create()
        try await database.schema("member_addresses")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id", onDelete: .cascade))
            .field("contact_name", .string, .required)
            .field("phone", .string, .required)
            .field("province", .string, .required)
            .field("city", .string, .required)
            .field("district", .string, .required)
            .field("detail", .string, .required)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("is_default", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
        try await database.index("member_addresses_member", on: "member_addresses", columns: ["member_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_addresses").delete()
        try await database.schema("members").delete()
    }
}
