import Fluent
import SQLKit

extension Database {
    /// Fluent's schema builder has no index call; SQLKit's builder emits SQL both SQLite and
    /// PostgreSQL accept.
    func index(_ name: String, on table: String, columns: [String], unique: Bool = false) async throws {
        var builder = sql.create(index: name).on(table)
        if unique { builder = builder.unique() }
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }
}
