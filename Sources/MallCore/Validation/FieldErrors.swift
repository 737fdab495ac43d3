/// One problem with one input field, phrased for the person who typed it.
public struct FieldError: Hashable, Codable, Sendable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Thrown when input breaks one or more rules; carries every broken rule at once so a form can
/// mark all of its bad fields in one round trip.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    public init(field: String, message: String) {
        self.errors = [FieldError(field: field, message: message)]
    }
}

/// Collects field errors while a request is checked, then throws them together.
public struct FieldErrorCollector: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// Runs a check that throws `ValidationFailure` and keeps its errors instead of stopping.
    public mutating func collect<T>(_ check: () throws -> T) -> T? {
        do {
            return try check()
        } catch let failure as ValidationFailure {
            errors.append(contentsOf: failure.errors)
            return nil
        } catch {
            return nil
        }
    }

    public mutating func require(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { add(field, message) }
    }

    public func throwIfAny() throws {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

/// Length checks count characters as a reader sees them (so 张三 is two, not six bytes).
public enum TextRule {
    public static func check(_ value: String, field: String, min: Int = 1, max: Int) throws -> String {
        let trimmed = value.trimmingWhitespace()
        if trimmed.count < min {
            throw ValidationFailure(field: field, message: min <= 1 ? "must not be empty" : "must be at least \(min) characters")
        }
        if trimmed.count > max {
            throw ValidationFailure(field: field, message: "must be at most \(max) characters")
        }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ValidationFailure(field: field, message: "must not contain control characters")
        }
        return trimmed
    }
}

extension String {
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
