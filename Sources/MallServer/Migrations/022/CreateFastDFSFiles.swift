import Fluent

struct CreateFastDFSFiles: AsyncMigration {
    var name: String { "022_CreateFastDFSFiles" }

    /// Our file key → the id FastDFS gave the bytes; one row per key.
    func prepare(on database: any Database) async throws {
        try await database.schema("fastdfs_files")
            .id()
            .field("created_at", .datetime, .required)
            .field("key", .string, .required)
            .field("file_id", .string, .required)
            .field("byte_count", .int64, .required)
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("fastdfs_files").delete()
    }
}
