import Foundation

/// One service-fee rule as HQ wrote it: a commission rate for a merchant, or for one category of
/// its goods, and a fixed fee per order, in force from `effectiveFrom`. Rules are never edited:
/// a change is a new rule with a later date, so the history explains every past order.
public struct FeeRule: Hashable, Codable, Sendable {
    public var merchantId: MerchantID
    /// Nil: the merchant's rate for every category without a rule of its own.
    public var categoryId: UUID?
    public var rateBasisPoints: Int
    public var fixedFeeFen: Int64
    public var effectiveFrom: Date

    public init(merchantId: MerchantID, categoryId: UUID? = nil, rateBasisPoints: Int, fixedFeeFen: Int64 = 0, effectiveFrom: Date) {
        self.merchantId = merchantId
        self.categoryId = categoryId
        self.rateBasisPoints = rateBasisPoints
        self.fixedFeeFen = fixedFeeFen
        self.effectiveFrom = effectiveFrom
    }
}

/// The fee a line pays, frozen on the line when its order is paid.
public struct FeeTerms: Hashable, Codable, Sendable {
    public var rateBasisPoints: Int
    public var fixedFeeFen: Int64

    public init(rateBasisPoints: Int, fixedFeeFen: Int64) {
        self.rateBasisPoints = rateBasisPoints
        self.fixedFeeFen = fixedFeeFen
    }

    public static let none = FeeTerms(rateBasisPoints: 0, fixedFeeFen: 0)
}

public enum FeeSchedule {
    /// The largest fixed fee a rule may carry (¥10,000 per order).
    public static let fixedFeeRange: ClosedRange<Int64> = 0...1_000_000

    /// The terms in force at `at` for a line of `merchant` in the category path `categoryPath`
    /// (the line's own category first, then its parents). The most specific rule wins: a rule of
    /// the line's category before one of a parent, a category rule before the merchant-wide one;
    /// among rules of the same reach the latest that has started. With no rule the merchant's
    /// own commission rate applies (`fallbackRateBasisPoints`); the self-operated merchant pays
    /// the platform nothing.
    public static func terms(merchant: MerchantID, categoryPath: [UUID], at: Date, rules: [FeeRule],
                             fallbackRateBasisPoints: Int, selfOperated: Bool) -> FeeTerms {
        if selfOperated { return .none }
        let started = rules.filter { $0.merchantId == merchant && $0.effectiveFrom <= at }
        func latest(_ category: UUID?) -> FeeRule? {
            started.filter { $0.categoryId == category }.max { $0.effectiveFrom < $1.effectiveFrom }
        }
        for category in categoryPath {
            if let rule = latest(category) { return FeeTerms(rateBasisPoints: rule.rateBasisPoints, fixedFeeFen: rule.fixedFeeFen) }
        }
        if let rule = latest(nil) { return FeeTerms(rateBasisPoints: rule.rateBasisPoints, fixedFeeFen: rule.fixedFeeFen) }
        return FeeTerms(rateBasisPoints: fallbackRateBasisPoints, fixedFeeFen: 0)
    }

    /// One fixed fee per order however many rules its lines fall under: the largest of them, so
    /// splitting a cart across categories never multiplies the fee.
    public static func orderFixedFee(_ lines: [FeeTerms]) -> Int64 {
        lines.map(\.fixedFeeFen).max() ?? 0
    }

    /// Checks a new rule as it arrives from a client.
    public static func check(rateBasisPoints: Int, fixedFeeFen: Int64, into errors: inout FieldErrorCollector) {
        errors.range(rateBasisPoints, InputLimits.basisPoints, "rateBasisPoints")
        errors.range(fixedFeeFen, fixedFeeRange, "fixedFeeFen", unit: "fen")
    }
}

/// Who pays the payment provider's fee on a merchant's sales.
public enum ChannelFeeBearer: String, Codable, Sendable, CaseIterable {
    /// The platform absorbs it: the merchant's statement does not show it.
    case platform
    /// Deducted from the merchant's settlement.
    case merchant
}

/// Fen arithmetic for fees and shares: rounded half up, computed in full width so no amount the
/// mall can hold overflows.
public enum FenMath {
    /// `amount × basisPoints / 10 000`, rounded half up (a fee of ¥0.005 is ¥0.01).
    public static func basisPoints(_ basisPoints: Int, of amount: Int64) -> Int64 {
        share(of: amount, numerator: Int64(basisPoints), denominator: 10_000)
    }

    /// `amount × numerator / denominator`, rounded half up, for non-negative inputs; 0 when the
    /// denominator is 0.
    public static func share(of amount: Int64, numerator: Int64, denominator: Int64) -> Int64 {
        guard amount > 0, numerator > 0, denominator > 0 else { return 0 }
        let product = amount.multipliedFullWidth(by: numerator)
        let (quotient, remainder) = denominator.dividingFullWidth(product)
        return remainder * 2 >= denominator ? quotient + 1 : quotient
    }

    /// `total` split over `weights` in proportion, to the fen: each part rounded down, the fen
    /// left over going to the largest remainders (earlier parts first on a tie). All weights
    /// zero: everything to the first part.
    public static func split(_ total: Int64, over weights: [Int64]) -> [Int64] {
        guard !weights.isEmpty else { return [] }
        let sum = weights.reduce(Int64(0)) { $0 + max($1, 0) }
        guard total > 0, sum > 0 else { return [total] + Array(repeating: 0, count: weights.count - 1) }
        var parts: [Int64] = []
        var remainders: [(index: Int, remainder: Int64)] = []
        for (index, weight) in weights.enumerated() {
            let (quotient, remainder) = sum.dividingFullWidth(total.multipliedFullWidth(by: max(weight, 0)))
            parts.append(quotient)
            remainders.append((index, remainder))
        }
        var left = total - parts.reduce(0, +)
        for entry in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }) where left > 0 {
            parts[entry.index] += 1
            left -= 1
        }
        return parts
    }
}
