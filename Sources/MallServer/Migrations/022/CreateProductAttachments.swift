import Fluent
import SQLKit

struct CreateProductAttachments: AsyncMigration {
    var name: String { "022_CreateProductAttachments" }

    /// A product's videos and documents. The bytes live in file storage under `key`
    /// (`video/<sha256>.mp4`, `doc/<sha256>.pdf`); a video's poster is an uploaded image's key.
    func prepare(on database: any Database) async throws {
        try await database.schema("product_attachments")
            .id()
            .field("created_at", .datetime, .required)
            .field("product_id", .uuid, .required, .references("products", "id", onDelete: .cascade))
            .field("merchant_id", .uuid, .required)
            .field("format", .string, .required)
            .field("title", .string, .required)
            .field("sha256", .string, .required)
            .field("key", .string, .required)
            .field("content_type", .string, .required)
            .field("byte_count", .int64, .required)
            .field("duration_ms", .int64)
            .field("poster_key", .string)
            .field("uploaded_by", .uuid)
            .unique(on: "product_id", "sha256")
            .create()
        // /files/… looks a key up on every request.
        try await (database as? any SQLDatabase)?.raw("CREATE INDEX product_attachments_key ON product_attachments (key)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("product_attachments").delete()
    }
}
