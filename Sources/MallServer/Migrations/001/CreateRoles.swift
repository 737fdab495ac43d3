import Fluent
import MallCore

struct CreateRoles: AsyncMigration {
    var name: String { "001_CreateRoles" }

    func prepare(on database: any Database) async throws {
        try await database.schema("roles")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("builtin", .bool, .required)
            .field("permissions", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        for role in BuiltinRole.allCases {
            try await RoleModel(code: role.rawValue, name: role.displayName, builtin: true, permissions: role.permissions)
                .create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("roles").delete()
    }
}
