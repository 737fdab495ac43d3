import Fluent

struct CreateSystemTables: AsyncMigration {
    var name: String { "001_CreateSystemTables" }

    func prepare(on database: any Database) async throws {
        try await database.schema("settings")
            .id()
            .field("key", .string, .required)
            .field("value", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid)
            .unique(on: "key")
            .create()
        try await database.schema("audit_logs")
            .id()
            .field("created_at", .datetime, .required)
            .field("actor_staff_id", .uuid)
            .field("actor_name", .string, .required)
            .field("scope", .string, .required)
            .field("merchant_id", .uuid)
            .field("store_id", .uuid)
            .field("action", .string, .required)
            .field("target_type", .string, .required)
            .field("target_id", .string, .required)
            .field("before", .string)
            .field("after", .string)
            .field("request_id", .string, .required)
            .create()
        try await database.index("audit_logs_created", on: "audit_logs", columns: ["created_at"])
        try await database.index("audit_logs_target", on: "audit_logs", columns: ["target_type", "target_id"])
        try await database.index("audit_logs_actor", on: "audit_logs", columns: ["actor_staff_id", "created_at"])
        try await database.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("run_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("last_error", .string)
            .field("locked_by", .string)
            .field("locked_until", .datetime)
            .field("unique_key", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("finished_at", .datetime)
            .unique(on: "unique_key")
            .create()
        // The worker's claim scans due jobs by status and time.
        try await database.index("jobs_due", on: "jobs", columns: ["status", "run_at"])
        try await database.schema("job_schedules")
            .id()
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("interval_seconds", .int, .required)
            .field("next_run_at", .datetime, .required)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["job_schedules", "jobs", "audit_logs", "settings"] {
            try await database.schema(table).delete()
        }
    }
}
