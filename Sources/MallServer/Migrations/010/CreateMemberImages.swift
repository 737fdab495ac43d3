import Fluent

/// Images members upload (review photos). Stored like product images — content-addressed keys
/// in `FileStorage`, served from `/files/` — but owned by the member, once per content.
struct CreateMemberImages: AsyncMigration {
    var name: String { "010_CreateMemberImages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("member_images")
            .id()
            .field("member_id", .uuid, .required, .references("members", "id"))
            .field("sha256", .string, .required)
            .field("key", .string, .required)
            .field("content_type", .string, .required)
            .field("format", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("byte_count", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "member_id", "sha256")
            .create()
        try await database.index("member_images_key", on: "member_images", columns: ["key"])
        // The daily upload allowance counts a member's recent uploads.
        try await database.index("member_images_member", on: "member_images", columns: ["member_id", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("member_images").delete()
    }
}
