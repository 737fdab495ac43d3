import Fluent
import SQLKit
import MallAPI
import MallCore
import Vapor

/// `?page=&per=` read and checked the same way on every list endpoint.
struct PageRequest: Sendable {
    var page: Int
    var per: Int

    static let maxPer = InputLimits.perPage.upperBound

    init(page: Int = 1, per: Int = 20) {
        self.page = page
        self.per = per
    }

    /// `page` and `per` from the query, each within `InputLimits`: an unbounded page number
    /// once overflowed the offset below and took the whole process down.
    init(from req: Request) throws {
        var errors = FieldErrorCollector()
        let page = req.boundedQuery("page", InputLimits.page, into: &errors)
        let per = req.boundedQuery("per", InputLimits.perPage, into: &errors)
        try errors.throwIfAny()
        self.init(page: page ?? 1, per: per ?? 20)
    }

    /// Bounded by `InputLimits`, so at most 20 million: no overflow.
    var offset: Int { (page - 1) * per }
}

extension QueryBuilder {
    /// One page and the total; pass `total` when the caller already knows it.
    func page<Item: Codable & Sendable>(_ request: PageRequest, total known: Int? = nil, map: (Model) throws -> Item) async throws -> ListPage<Item> {
        let total: Int
        if let known { total = known } else { total = try await copy().count() }
        let models = try await copy().range(request.offset..<(request.offset + request.per)).all()
        return ListPage(items: try models.map(map), page: request.page, per: request.per, total: total)
    }
}

extension Request {
    /// An optional query value that must parse when present: `?lat=abc` is a field error, not
    /// something silently ignored.
    func optionalQuery<T: Decodable & Sendable>(_ type: T.Type, _ name: String, into errors: inout FieldErrorCollector, message: String) -> T? {
        guard let raw = query[String.self, at: name], !raw.isEmpty else { return nil }
        if let value = try? query.get(T.self, at: name) { return value }
        errors.add(name, message)
        return nil
    }
}

extension Request {
    /// A whole number from the query within `limits`, or nil when absent. Anything else — text,
    /// a fraction, a number out of range however large — is a field error naming the range.
    func boundedQuery<Value: FixedWidthInteger & Sendable>(_ name: String, _ limits: ClosedRange<Value>,
                                                          into errors: inout FieldErrorCollector) -> Value? {
        guard let raw = query[String.self, at: name] else { return nil }
        guard let value = Value(raw.trimmingWhitespace()), limits.contains(value) else {
            errors.add(name, "must be a whole number between \(limits.lowerBound) and \(limits.upperBound)")
            return nil
        }
        return value
    }

    /// A decimal number from the query within `limits` (coordinates, distances): finite, in range.
    func boundedQuery(_ name: String, _ limits: ClosedRange<Double>, into errors: inout FieldErrorCollector) -> Double? {
        guard let raw = query[String.self, at: name] else { return nil }
        guard let value = Double(raw.trimmingWhitespace()), value.isFinite, limits.contains(value) else {
            errors.add(name, "must be a number between \(Self.plain(limits.lowerBound)) and \(Self.plain(limits.upperBound))")
            return nil
        }
        return value
    }

    /// 90 rather than 90.0 in messages.
    static func plain(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

extension Request {
    /// An ISO 8601 instant from the query (`2026-11-27T08:00:00Z`, fractional seconds allowed).
    func optionalInstant(_ name: String, into errors: inout FieldErrorCollector) -> Date? {
        guard let raw = query[String.self, at: name], !raw.isEmpty else { return nil }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = plain.date(from: raw) ?? fractional.date(from: raw) { return date }
        errors.add(name, "must be an ISO 8601 time such as 2026-11-27T08:00:00Z")
        return nil
    }
}

extension Request {
    /// `?from=&to=` as a half-open period; either end may be missing, but a period that ends
    /// before it starts is a field error, not an empty list.
    func optionalPeriod(into errors: inout FieldErrorCollector) -> (from: Date?, to: Date?) {
        let from = optionalInstant("from", into: &errors)
        let to = optionalInstant("to", into: &errors)
        if let from, let to, from >= to { errors.add("from", "must be before to") }
        return (from, to)
    }
}

/// `?sort=name` (ascending) or `?sort=-name` (descending) on an admin list. Each list names the
/// fields it can be ordered by — the JSON names of its items, stored as their snake_case
/// columns — and keeps its usual order after the requested one, so rows with equal values keep
/// a stable place and pages never overlap.
struct ListSort: Sendable {
    enum Key: Sendable {
        case column(FieldKey)
        case expression(String)
    }

    let key: Key
    let descending: Bool

    /// `computed` maps a name to an SQL expression over the list's own table, for a value the
    /// items show but no column holds (a level's available stock).
    static func parse(_ req: Request, fields: [String], computed: [String: String] = [:], into errors: inout FieldErrorCollector) -> ListSort? {
        guard let raw = req.query[String.self, at: "sort"], !raw.isEmpty else { return nil }
        let descending = raw.hasPrefix("-")
        let name = descending ? String(raw.dropFirst()) : raw
        if fields.contains(name) { return ListSort(key: .column(FieldKey(stringLiteral: snakeCase(name))), descending: descending) }
        if let expression = computed[name] { return ListSort(key: .expression(expression), descending: descending) }
        errors.add("sort", "must be one of \((fields + computed.keys).sorted().joined(separator: ", ")), with a leading - for descending order")
        return nil
    }

    static func snakeCase(_ name: String) -> String {
        name.reduce(into: "") { out, character in
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
    }
}

extension QueryBuilder {
    /// The requested order first; the caller's usual order follows it.
    func sort(_ requested: ListSort?) -> Self {
        guard let requested else { return self }
        switch requested.key {
        case .column(let column):
            return sort(column, requested.descending ? .descending : .ascending)
        case .expression(let expression):
            return sort(.custom(SQLOrderBy(expression: SQLRaw(expression), direction: requested.descending ? SQLDirection.descending : .ascending)))
        }
    }
}
