import Fluent

struct UpdateMembersAddLevel: AsyncMigration {
    var name: String { "004_UpdateMembersAddLevel" }

    /// The member level whose prices a member pays (the codes of the SKUs' level prices).
    func prepare(on database: any Database) async throws {
        try await database.schema("members").field("level", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("members").deleteField("level").update()
    }
}
