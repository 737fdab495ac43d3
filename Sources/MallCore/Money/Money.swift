/// An amount of money in integer minor units (fen for CNY). Never a floating-point number.
public struct Money: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency = .cny) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency = .cny) -> Money { Money(minorUnits: 0, currency: currency) }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "cannot add \(lhs.currency) and \(rhs.currency)")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "cannot subtract \(rhs.currency) from \(lhs.currency)")
        return Money(minorUnits: lhs.minorUnits - rhs.minorUnits, currency: lhs.currency)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "cannot compare \(lhs.currency) and \(rhs.currency)")
        return lhs.minorUnits < rhs.minorUnits
    }

    /// "¥12.30" style text; the sign leads so refunds read naturally.
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let major = magnitude / 100
        let minor = magnitude % 100
        return "\(sign)\(currency.symbol)\(major).\(minor < 10 ? "0" : "")\(minor)"
    }
}

/// ISO 4217 currencies the mall trades in; every one of them has two minor digits.
public enum Currency: String, Codable, Sendable, CaseIterable {
    case cny = "CNY"
    case hkd = "HKD"
    case usd = "USD"

    public var symbol: String {
        switch self {
        case .cny: "¥"
        case .hkd: "HK$"
        case .usd: "$"
        }
    }
}
