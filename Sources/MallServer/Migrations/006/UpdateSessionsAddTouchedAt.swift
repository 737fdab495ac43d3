import Fluent
import Foundation
import SQLKit

struct UpdateSessionsAddTouchedAt: AsyncMigration {
    var name: String { "006_UpdateSessionsAddTouchedAt" }

    /// Every browser that opens a page gets a session row (its CSRF token lives there), and
    /// Fluent's session table records no time: without one, rows of visitors who never come
    /// back could never be told apart and would pile up for ever.
    func prepare(on database: any Database) async throws {
        try await database.schema("_fluent_sessions").field("touched_at", .datetime).update()
        try await database.sql.raw("UPDATE _fluent_sessions SET touched_at = \(bind: Date())").run()
        try await database.index("fluent_sessions_touched", on: "_fluent_sessions", columns: ["touched_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX fluent_sessions_touched").run()
        try await database.schema("_fluent_sessions").deleteField("touched_at").update()
    }
}
