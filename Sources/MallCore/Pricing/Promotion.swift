import Foundation

/// Which products a promotion or coupon covers.
public enum ProductScope: Codable, Hashable, Sendable {
    /// Every product (of the issuing merchant, or of every merchant for the platform).
    case allProducts
    /// Only these products (SPU ids), whichever of their SKUs is in the cart.
    case products(Set<UUID>)

    func covers(_ productId: UUID) -> Bool {
        switch self {
        case .allProducts: true
        case .products(let ids): ids.contains(productId)
        }
    }
}

/// A promotion the shopper gets without doing anything (unlike a coupon, which they hold and
/// choose). The server passes only promotions running at checkout time; the marketing issue adds
/// kinds to `PromotionKind`, and the compiler then points at every switch that must learn them.
public struct Promotion: Codable, Hashable, Sendable {
    public var id: UUID
    /// The shopper-facing name, e.g. "满100减20" or "Tea week 15% off".
    public var name: String
    /// The merchant running it; nil for a platform promotion over every merchant's lines. A
    /// merchant's promotion counts its lines across all of that merchant's orders, so a split
    /// by fulfilling store never costs the shopper a threshold they reached.
    public var merchantId: MerchantID?
    public var products: ProductScope
    /// Member levels it is for; nil means every shopper, guests included.
    public var memberLevels: Set<String>?
    public var kind: PromotionKind

    public init(
        id: UUID, name: String, merchantId: MerchantID? = nil, products: ProductScope = .allProducts,
        memberLevels: Set<String>? = nil, kind: PromotionKind
    ) {
        self.id = id
        self.name = name
        self.merchantId = merchantId
        self.products = products
        self.memberLevels = memberLevels
        self.kind = kind
    }

    func covers(_ line: CartLine) -> Bool {
        (merchantId == nil || merchantId == line.merchantId) && products.covers(line.productId)
    }

    func isOffered(toLevel level: String?) -> Bool {
        guard let memberLevels else { return true }
        return level.map(memberLevels.contains) ?? false
    }
}

/// What a promotion takes off the goods it covers. Every kind is judged on the covered goods'
/// amount after the promotions before it, and never takes off more than that amount.
public enum PromotionKind: Codable, Hashable, Sendable {
    /// 满减: spend at least a tier's threshold on covered goods and get its reduction off. Only
    /// the best tier reached counts (the highest threshold; on equal thresholds the larger
    /// reduction), whatever order the tiers are listed in.
    case fullReduction(tiers: [FullReductionTier])
    /// 折扣: a share of the covered goods off, in basis points (1500 = 15% off, i.e. 8.5折). The
    /// discount is rounded down to the fen, so it never exceeds the advertised percentage.
    case percentOff(basisPoints: Int)
}

/// One step of a full reduction: spend `threshold`, save `reduction`.
public struct FullReductionTier: Codable, Hashable, Sendable {
    public var threshold: Money
    public var reduction: Money

    public init(threshold: Money, reduction: Money) {
        self.threshold = threshold
        self.reduction = reduction
    }
}

/// A rule's verdict on an amount: fen to take off (0 when the rule does not pay out) and a
/// sentence saying why.
struct RuleOutcome: Equatable {
    var discount: Int64
    var description: String
}

extension PromotionKind {
    func evaluate(coveredAmount amount: Int64, currency: Currency) -> RuleOutcome {
        let covered = Money(minorUnits: amount, currency: currency)
        switch self {
        case .fullReduction(let tiers):
            let reached = tiers.filter { $0.threshold.minorUnits <= amount }
            let best = reached.max { a, b in
                a.threshold != b.threshold ? a.threshold < b.threshold : a.reduction < b.reduction
            }
            guard let best else {
                let next = tiers.min { $0.threshold < $1.threshold }
                let missing = next.map { Money(minorUnits: $0.threshold.minorUnits - amount, currency: currency) }
                let hint = next.map { ", spend \(missing!) more to save \($0.reduction)" } ?? ""
                return RuleOutcome(discount: 0, description: "not reached with \(covered) of covered goods\(hint)")
            }
            let discount = min(best.reduction.minorUnits, amount)
            return RuleOutcome(
                discount: discount,
                description: "\(covered) of covered goods reaches \(best.threshold), \(Money(minorUnits: discount, currency: currency)) off"
            )
        case .percentOff(let basisPoints):
            let discount = PricingMath.basisPoints(basisPoints, of: amount)
            return RuleOutcome(
                discount: discount,
                description: "\(PricingText.percent(basisPoints)) off \(covered) of covered goods"
            )
        }
    }
}
