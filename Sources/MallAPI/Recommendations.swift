import Foundation

/// 看了又看 and 买了又买 for one product: its neighbours by co-view and by co-purchase, on sale
/// only, best first.
public struct ProductRecommendations: Codable, Sendable, Equatable {
    public var productId: UUID
    public var alsoViewed: [ProductSummary]
    public var alsoBought: [ProductSummary]

    public init(productId: UUID, alsoViewed: [ProductSummary], alsoBought: [ProductSummary]) {
        self.productId = productId
        self.alsoViewed = alsoViewed
        self.alsoBought = alsoBought
    }
}

/// Where a member's recommendations came from.
public enum RecommendationBasis: String, Codable, Sendable, CaseIterable {
    /// Neighbours of what they viewed and bought (filled up with best sellers when short).
    case history
    /// Best sellers: nothing in their history leads anywhere yet.
    case bestSellers = "best_sellers"
}

/// 猜你喜欢 for the signed-in member.
public struct MemberRecommendationList: Codable, Sendable, Equatable {
    public var basis: RecommendationBasis
    public var items: [ProductSummary]

    public init(basis: RecommendationBasis, items: [ProductSummary]) {
        self.basis = basis
        self.items = items
    }
}

/// What one recomputation of the neighbour lists did.
public struct RecommendationRun: Codable, Sendable, Equatable {
    public var coPurchaseRows: Int
    public var coViewRows: Int
    public var viewsRemoved: Int
    /// Products whose recommended tags changed.
    public var productsRetagged: Int

    public init(coPurchaseRows: Int, coViewRows: Int, viewsRemoved: Int, productsRetagged: Int) {
        self.coPurchaseRows = coPurchaseRows
        self.coViewRows = coViewRows
        self.viewsRemoved = viewsRemoved
        self.productsRetagged = productsRetagged
    }
}

/// 搭配购 as staff write it: the merchant whose products it combines, a name, the bundle price
/// and the products (two to five, all the merchant's).
public struct BundleInput: Codable, Sendable, Equatable {
    public var merchantId: UUID
    public var name: String
    public var priceFen: Int64
    public var productIds: [UUID]
    public var active: Bool?

    public init(merchantId: UUID, name: String, priceFen: Int64, productIds: [UUID], active: Bool? = nil) {
        self.merchantId = merchantId
        self.name = name
        self.priceFen = priceFen
        self.productIds = productIds
        self.active = active
    }
}

/// One product of a bundle with its cheapest price now.
public struct BundleProduct: Codable, Sendable, Equatable {
    public var id: UUID
    public var title: String
    public var minPriceFen: Int64

    public init(id: UUID, title: String, minPriceFen: Int64) {
        self.id = id
        self.title = title
        self.minPriceFen = minPriceFen
    }
}

public struct ProductBundle: Codable, Sendable, Equatable {
    public var id: UUID
    public var merchantId: UUID
    public var name: String
    public var priceFen: Int64
    /// The products' cheapest prices together, what the bundle price saves against.
    public var regularPriceFen: Int64
    public var active: Bool
    public var products: [BundleProduct]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, merchantId: UUID, name: String, priceFen: Int64, regularPriceFen: Int64, active: Bool, products: [BundleProduct],
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.merchantId = merchantId
        self.name = name
        self.priceFen = priceFen
        self.regularPriceFen = regularPriceFen
        self.active = active
        self.products = products
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
