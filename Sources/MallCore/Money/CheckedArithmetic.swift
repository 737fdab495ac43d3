/// A sum or product of amounts or quantities that does not fit: a domain error the server answers
/// with 422, where plain `+` and `*` would trap and end every request in flight.
///
/// Inputs are bounded where they enter (`InputLimits`), so this should never be seen; it guards
/// the arithmetic against data written before the bounds existed, or by another system.
public struct ArithmeticOverflow: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being worked out, in words ("line total", "refund total").
    public var quantity: String

    public init(_ quantity: String) {
        self.quantity = quantity
    }

    public var description: String { "The \(quantity) is too large to work out." }
}

/// Two amounts in different currencies met in one sum.
public struct CurrencyMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    public var left: Currency
    public var right: Currency

    public var description: String { "Amounts in \(left.rawValue) and \(right.rawValue) cannot be added up." }
}

/// Checked arithmetic for money in minor units and for quantities.
public enum Checked {
    public static func add<Value: FixedWidthInteger>(_ a: Value, _ b: Value, _ what: String) throws -> Value {
        let (result, overflow) = a.addingReportingOverflow(b)
        if overflow { throw ArithmeticOverflow(what) }
        return result
    }

    public static func subtract<Value: FixedWidthInteger>(_ a: Value, _ b: Value, _ what: String) throws -> Value {
        let (result, overflow) = a.subtractingReportingOverflow(b)
        if overflow { throw ArithmeticOverflow(what) }
        return result
    }

    public static func multiply<Value: FixedWidthInteger>(_ a: Value, _ b: Value, _ what: String) throws -> Value {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw ArithmeticOverflow(what) }
        return result
    }

    /// The sum of `values`, or `ArithmeticOverflow` as soon as a partial sum leaves the type.
    public static func sum<Values: Sequence>(_ values: Values, _ what: String) throws -> Values.Element where Values.Element: FixedWidthInteger {
        try values.reduce(0) { try add($0, $1, what) }
    }

    /// A line's amount: unit price × quantity.
    public static func lineTotal(unitPrice: Int64, quantity: Int, _ what: String = "line total") throws -> Int64 {
        try multiply(unitPrice, Int64(quantity), what)
    }
}

extension Money {
    /// `self + other`, refusing another currency and overflow instead of trapping (`+` keeps its
    /// precondition for amounts already known to be in range, as in the pricing engine).
    public func adding(_ other: Money, _ what: String = "amount") throws -> Money {
        guard currency == other.currency else { throw CurrencyMismatch(left: currency, right: other.currency) }
        return Money(minorUnits: try Checked.add(minorUnits, other.minorUnits, what), currency: currency)
    }

    /// `self - other`, refusing another currency and overflow instead of trapping.
    public func subtracting(_ other: Money, _ what: String = "amount") throws -> Money {
        guard currency == other.currency else { throw CurrencyMismatch(left: currency, right: other.currency) }
        return Money(minorUnits: try Checked.subtract(minorUnits, other.minorUnits, what), currency: currency)
    }

    /// This amount `quantity` times.
    public func times(_ quantity: Int, _ what: String = "line total") throws -> Money {
        Money(minorUnits: try Checked.lineTotal(unitPrice: minorUnits, quantity: quantity, what), currency: currency)
    }
}
