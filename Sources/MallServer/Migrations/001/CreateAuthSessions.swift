import Fluent

struct CreateAuthSessions: AsyncMigration {
    var name: String { "001_CreateAuthSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("auth_sessions")
            .id()
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("revoked_reason", .string)
            .field("user_agent", .string)
            .field("ip", .string)
            .create()
        try await database.index("auth_sessions_subject", on: "auth_sessions", columns: ["subject_kind", "subject_id"])
        try await database.schema("refresh_tokens")
            .id()
            .field("session_id", .uuid, .required, .references("auth_sessions", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("refresh_tokens").delete()
        try await database.schema("auth_sessions").delete()
    }
}
