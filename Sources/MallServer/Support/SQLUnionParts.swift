import Fluent
import SQLKit

/// Several small reads in one statement (`UNION ALL`): each part selects its own columns into a
/// shared layout of typed slots and leaves the others NULL, and a `part` column names the read a
/// row belongs to. The NULLs are cast so PostgreSQL can type the union whichever parts are
/// present; the parts' own columns are not, as SQLite would turn a UUID blob cast to its NUMERIC
/// affinity into a number.
struct SQLUnionParts {
    /// Slot name → SQL type, in column order.
    let slots: [(name: String, type: String)]
    private var parts: [SQLQueryString] = []

    init(slots: [(name: String, type: String)]) {
        self.slots = slots
    }

    var isEmpty: Bool { parts.isEmpty }

    /// A part `name` filling `columns` (slot → SQL expression over `from`).
    mutating func add(_ name: String, _ columns: [String: String], from: SQLQueryString) {
        let list = (["'\(name)' AS part"] + slots.map { slot in
            columns[slot.name].map { "\($0) AS \(slot.name)" } ?? "CAST(NULL AS \(slot.type)) AS \(slot.name)"
        }).joined(separator: ", ")
        parts.append("SELECT \(unsafeRaw: list) FROM \(from)")
    }

    func rows(on db: any Database) async throws -> [any SQLRow] {
        guard !parts.isEmpty else { return [] }
        return try await db.sql.raw(parts.joined(separator: " UNION ALL ")).all()
    }
}
