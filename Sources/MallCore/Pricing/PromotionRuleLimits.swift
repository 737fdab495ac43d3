import Foundation

/// The ranges a promotion's rule must stay within. The pricing engine checks them before
/// pricing and the console's form is checked against the same ranges, so a promotion that was
/// saved can always be priced.
public enum PromotionRuleLimits {
    /// Amounts in a rule (thresholds, reductions, prices, caps), in fen: up to ¥100 million.
    public static let amountFen: ClosedRange<Int64> = 0...10_000_000_000
    public static let tiers = 1...10
    /// The N of 第N件: 2 to 10.
    public static let nthItem = 2...10
    public static let bundleCount = 2...100
    public static let giftQuantity = 1...100
    public static let minimumQuantity = 1...1_000
    public static let specialPrices = 1...200

    /// Adds an error for every value of `kind` out of range or in another currency.
    public static func check(_ kind: PromotionKind, path: String, currency: Currency, into errors: inout FieldErrorCollector) {
        func amount(_ money: Money, _ field: String, positive: Bool = false) {
            if money.currency != currency {
                errors.add("\(path).\(field)", "must be in \(currency.rawValue), not \(money.currency.rawValue)")
            } else {
                errors.range(money.minorUnits, (positive ? 1 : 0)...amountFen.upperBound, "\(path).\(field)", unit: "fen")
            }
        }
        func basisPoints(_ value: Int) { errors.range(value, 1...10_000, "\(path).basisPoints") }
        switch kind {
        case .fullReduction(let list):
            errors.range(list.count, tiers, "\(path).tiers")
            for (t, tier) in list.enumerated() {
                amount(tier.threshold, "tiers[\(t)].threshold")
                amount(tier.reduction, "tiers[\(t)].reduction", positive: true)
            }
        case .percentOff(let value):
            basisPoints(value)
        case .everyReduction(let step, let reduction, let cap):
            amount(step, "step", positive: true)
            amount(reduction, "reduction", positive: true)
            if let cap { amount(cap, "cap", positive: true) }
        case .thresholdPercentOff(let threshold, let value):
            amount(threshold, "threshold")
            basisPoints(value)
        case .nthItemOff(let n, let value):
            errors.range(n, nthItem, "\(path).n")
            basisPoints(value)
        case .bundlePrice(let count, let price):
            errors.range(count, bundleCount, "\(path).count")
            amount(price, "price")
        case .gift(let rule):
            amount(rule.minimumSpend, "minimumSpend")
            errors.range(rule.minimumQuantity, minimumQuantity, "\(path).minimumQuantity")
            errors.range(rule.quantity, giftQuantity, "\(path).giftQuantity")
        case .specialPrice(let prices):
            errors.range(prices.count, specialPrices, "\(path).specialPrices")
            for (index, entry) in prices.enumerated() { amount(entry.price, "specialPrices[\(index)].price") }
        }
    }

    /// What staff must get right when they write a rule, beyond the ranges: the tiers of a 满减
    /// rise together, so spending more never earns less (the engine takes the highest tier
    /// reached, and prices whatever was saved before this rule existed).
    public static func checkAuthoring(_ kind: PromotionKind, path: String, into errors: inout FieldErrorCollector) {
        guard case .fullReduction(let tiers) = kind else { return }
        for index in tiers.indices.dropFirst() {
            let previous = tiers[index - 1], tier = tiers[index]
            if tier.threshold.minorUnits <= previous.threshold.minorUnits {
                errors.add("\(path).tiers[\(index)].threshold", "must be higher than the tier before it")
            } else if tier.reduction.minorUnits <= previous.reduction.minorUnits {
                errors.add("\(path).tiers[\(index)].reduction", "must be larger than the tier before it: spending more must never earn less")
            }
        }
    }
}
