import Fluent

struct CreateMediaFiles: AsyncMigration {
    var name: String { "002_CreateMediaFiles" }

    func prepare(on database: any Database) async throws {
        try await database.schema("media_files")
            .id()
            .field("merchant_id", .uuid, .required, .references("merchants", "id"))
            .field("sha256", .string, .required)
            .field("key", .string, .required)
            .field("content_type", .string, .required)
            .field("format", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("byte_count", .int, .required)
            .field("uploaded_by", .uuid, .references("staff", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            // One row per merchant and content: uploading the same bytes again finds this row.
            .unique(on: "merchant_id", "sha256")
            .create()
        // Serving a file looks it up by key. Keys are content addressed, so merchants who upload
        // identical bytes share one stored object and rows may repeat a key.
        try await database.index("media_files_key", on: "media_files", columns: ["key"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("media_files").delete()
    }
}
