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
