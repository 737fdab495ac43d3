/// Small formatting helpers for the shopper-facing sentences.
enum PricingText {
    /// 1500 → "15%", 1550 → "15.5%", 1525 → "15.25%".
    static func percent(_ basisPoints: Int) -> String {
        let whole = basisPoints / 100, fraction = basisPoints % 100
        switch fraction {
        case 0: return "\(whole)%"
        case let f where f.isMultiple(of: 10): return "\(whole).\(f / 10)%"
        case let f where f < 10: return "\(whole).0\(f)%"
        default: return "\(whole).\(fraction)%"
        }
    }

    /// 800 → "800 m", 3250 → "3.2 km", 5000 → "5 km": a shopper thinks of delivery in
    /// kilometres. Truncated rather than rounded, so 2999 m never reads as "3 km" beside a 3 km
    /// band it is inside of.
    static func distance(_ meters: Int) -> String {
        guard meters >= 1000 else { return "\(meters) m" }
        let tenths = meters % 1000 / 100
        return tenths == 0 ? "\(meters / 1000) km" : "\(meters / 1000).\(tenths) km"
    }
}

/// Integer arithmetic that cannot overflow on the amounts pricing sees.
enum PricingMath {
    /// `amount × basisPoints / 10 000`, rounded down: discounts by percentage never give away a
    /// fen more than advertised. Takes a non-negative amount and 0…10 000 basis points.
    static func basisPoints(_ basisPoints: Int, of amount: Int64) -> Int64 {
        guard basisPoints > 0, amount > 0 else { return 0 }
        let product = amount.multipliedFullWidth(by: Int64(basisPoints))
        return Int64(10_000).dividingFullWidth(product).quotient
    }

    /// Whether `a × b >= c × d` for non-negative values, compared in full width.
    static func product(_ a: Int64, _ b: Int64, isAtLeast c: Int64, _ d: Int64) -> Bool {
        let left = a.multipliedFullWidth(by: b), right = c.multipliedFullWidth(by: d)
        return left.high != right.high ? left.high > right.high : left.low >= right.low
    }
}
