import Foundation

/// The badge a product card shows for a kind of offer: 秒杀, 满减, 折, 赠, 特价.
public enum PromotionBadge: String, Codable, Hashable, Sendable, CaseIterable {
    /// A live flash-sale session holds one of its SKUs.
    case flashSale
    /// 满减 and 每满减.
    case fullReduction
    /// Percentage, threshold percentage, Nth-item and bundle prices.
    case discount
    /// Gift with purchase.
    case gift
    /// A special price on some of its SKUs.
    case specialPrice
}

/// Which products a running promotion may cover, as a product list can judge it: the goods
/// part of its scope. Stores, member levels and new members are left out on purpose — a card
/// shows every offer some shopper can get somewhere, and the cart and checkout apply the rest.
public struct PromotionReach: Hashable, Sendable {
    public var merchantId: MerchantID?
    public var products: ProductScope
    public var categories: Set<UUID>?
    public var brands: Set<UUID>?
    public var badge: PromotionBadge

    public init(merchantId: MerchantID?, products: ProductScope, categories: Set<UUID>?, brands: Set<UUID>?, badge: PromotionBadge) {
        self.merchantId = merchantId
        self.products = products
        self.categories = categories
        self.brands = brands
        self.badge = badge
    }

    /// The same goods test as `Promotion.covers` uses for a cart line.
    public func covers(productId: UUID, merchantId: MerchantID, categoryId: UUID?, brandId: UUID?) -> Bool {
        ProductScope.goodsCovered(merchant: self.merchantId, products: products, categories: categories, brands: brands,
                                  productId: productId, productMerchant: merchantId, categoryId: categoryId, brandId: brandId)
    }
}

/// A product card's badges.
public enum ProductBadges {
    /// Each badge once, in `PromotionBadge.allCases` order (秒杀 first): the flash sale when
    /// `inFlashSale`, then the badge of every promotion whose goods scope covers the product.
    public static func badges(productId: UUID, merchantId: MerchantID, categoryId: UUID?, brandId: UUID?, promotions: [PromotionReach],
                              inFlashSale: Bool) -> [PromotionBadge] {
        var found = Set(promotions.filter { $0.covers(productId: productId, merchantId: merchantId, categoryId: categoryId, brandId: brandId) }.map(\.badge))
        if inFlashSale { found.insert(.flashSale) }
        return PromotionBadge.allCases.filter(found.contains)
    }
}
