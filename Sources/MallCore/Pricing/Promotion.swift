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

    /// A promotion's goods test: its merchant's (or any, for the platform), in its products,
    /// and in every category and brand restriction given.
    static func goodsCovered(merchant: MerchantID?, products: ProductScope, categories: Set<UUID>?, brands: Set<UUID>?, productId: UUID,
                             productMerchant: MerchantID, categoryId: UUID?, brandId: UUID?) -> Bool {
        (merchant == nil || merchant == productMerchant) && products.covers(productId)
            && (categories.map { set in categoryId.map(set.contains) ?? false } ?? true)
            && (brands.map { set in brandId.map(set.contains) ?? false } ?? true)
    }
}

/// A promotion the shopper gets without doing anything (unlike a coupon, which they hold and
/// choose). The server passes only promotions running at checkout time that the member has not
/// used up (`PromotionSchedule`); the engine decides what each gives.
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
    /// Further scope; nil means no restriction. A line must satisfy every restriction given.
    public var categories: Set<UUID>?
    public var brands: Set<UUID>?
    /// Only lines fulfilled by these stores.
    public var stores: Set<StoreID>?
    /// Only for members who have never paid for an order.
    public var newMembersOnly: Bool
    /// Promotions sharing a group never both discount the same line: the one applied first (by
    /// priority) keeps it. nil stacks with everything.
    public var exclusiveGroup: String?
    /// Higher applies first; equal priorities keep the request's order.
    public var priority: Int

    public init(
        id: UUID, name: String, merchantId: MerchantID? = nil, products: ProductScope = .allProducts,
        memberLevels: Set<String>? = nil, kind: PromotionKind, categories: Set<UUID>? = nil, brands: Set<UUID>? = nil,
        stores: Set<StoreID>? = nil, newMembersOnly: Bool = false, exclusiveGroup: String? = nil, priority: Int = 0
    ) {
        self.id = id
        self.name = name
        self.merchantId = merchantId
        self.products = products
        self.memberLevels = memberLevels
        self.kind = kind
        self.categories = categories
        self.brands = brands
        self.stores = stores
        self.newMembersOnly = newMembersOnly
        self.exclusiveGroup = exclusiveGroup
        self.priority = priority
    }

    func covers(_ line: CartLine, at store: StoreID) -> Bool {
        ProductScope.goodsCovered(merchant: merchantId, products: products, categories: categories, brands: brands, productId: line.productId,
                                  productMerchant: line.merchantId, categoryId: line.categoryId, brandId: line.brandId)
            && (stores?.contains(store) ?? true)
    }

    func isOffered(to member: PricingMember) -> Bool {
        if newMembersOnly, !member.isNewMember { return false }
        guard let memberLevels else { return true }
        return member.level.map(memberLevels.contains) ?? false
    }
}

/// What a promotion gives on the goods it covers. Every kind is judged on the covered goods'
/// amount after the promotions before it, and never takes off more than that amount.
public enum PromotionKind: Codable, Hashable, Sendable {
    /// 满减: spend at least a tier's threshold on covered goods and get its reduction off. Only
    /// the best tier reached counts (the highest threshold; on equal thresholds the larger
    /// reduction), whatever order the tiers are listed in.
    case fullReduction(tiers: [FullReductionTier])
    /// 折扣: a share of the covered goods off, in basis points (1500 = 15% off, i.e. 8.5折). The
    /// discount is rounded down to the fen, so it never exceeds the advertised percentage.
    case percentOff(basisPoints: Int)
    /// 每满减: `reduction` off for every full `step` of covered goods, at most `cap` in all.
    case everyReduction(step: Money, reduction: Money, cap: Money?)
    /// 满折: `basisPoints` off the covered goods once they reach `threshold`.
    case thresholdPercentOff(threshold: Money, basisPoints: Int)
    /// 第N件X折: of the covered units sorted from dearest to cheapest, every `n`-th unit gets
    /// `basisPoints` off its price (第二件半价: n = 2, 5000). The cheaper units get the
    /// discount, as shops advertise it.
    case nthItemOff(n: Int, basisPoints: Int)
    /// 任选N件X元: every `count` covered units cost `price` together, dearest units bundled
    /// first (the shopper's best deal); units left over pay their own price.
    case bundlePrice(count: Int, price: Money)
    /// 赠品: spend `minimumSpend` and buy `minimumQuantity` units of covered goods, and the gift
    /// SKU comes free in the order that holds the covered goods.
    case gift(PromotionGiftRule)
    /// 特价: these SKUs cost at most this much per unit while the promotion runs.
    case specialPrice([SpecialPrice])
}

/// The gift of a gift-with-purchase promotion.
public struct PromotionGiftRule: Codable, Hashable, Sendable {
    public var minimumSpend: Money
    public var minimumQuantity: Int
    public var skuId: UUID
    public var productId: UUID
    public var title: String
    public var quantity: Int

    public init(minimumSpend: Money, minimumQuantity: Int = 1, skuId: UUID, productId: UUID, title: String, quantity: Int = 1) {
        self.minimumSpend = minimumSpend
        self.minimumQuantity = minimumQuantity
        self.skuId = skuId
        self.productId = productId
        self.title = title
        self.quantity = quantity
    }
}

/// One SKU's special unit price.
public struct SpecialPrice: Codable, Hashable, Sendable {
    public var skuId: UUID
    public var price: Money

    public init(skuId: UUID, price: Money) {
        self.skuId = skuId
        self.price = price
    }
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
