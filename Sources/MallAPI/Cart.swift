import Foundation
import MallCore

public struct CartLineInput: Codable, Sendable {
    public var skuId: UUID
    public var quantity: Int
    public init(skuId: UUID, quantity: Int) {
        self.skuId = skuId
        self.quantity = quantity
    }
}

public struct CartQuantityInput: Codable, Sendable {
    public var quantity: Int
    public init(quantity: Int) { self.quantity = quantity }
}

public enum FulfilmentMode: String, Codable, Sendable, CaseIterable {
    /// Delivered to one of the member's addresses.
    case delivery
    /// Collected by the shopper at a chosen store.
    case pickup
}

/// How one merchant's part of the cart reaches the shopper.
public struct FulfilmentInput: Codable, Sendable {
    public var mode: FulfilmentMode
    public var addressId: UUID?
    public var storeId: UUID?
    public init(mode: FulfilmentMode, addressId: UUID? = nil, storeId: UUID? = nil) {
        self.mode = mode
        self.addressId = addressId
        self.storeId = storeId
    }
}

public struct CartMergeInput: Codable, Sendable {
    public var guestToken: String
    public init(guestToken: String) { self.guestToken = guestToken }
}

/// Why a line cannot be bought as it stands. Lines are flagged, never dropped silently.
public enum CartLineProblem: String, Codable, Sendable, CaseIterable {
    case offShelf = "off_shelf"
    case skuDisabled = "sku_disabled"
    case delistedAtStore = "delisted_at_store"
    case insufficientAtStore = "insufficient_at_store"
    case outOfStockEverywhere = "out_of_stock_everywhere"
    /// Delivery: the stores and warehouses that reach the address hold fewer units than the line.
    case shortOfStock = "short_of_stock"
    /// The item's price times the quantity is beyond what a checkout can charge (a price stored
    /// before prices were capped): it cannot be bought until the price is corrected.
    case priceUnavailable = "price_unavailable"
}

public struct CartLineView: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var productId: UUID
    public var title: String
    public var specTitle: String
    public var image: String?
    public var quantity: Int
    public var unitPriceFen: Int64
    public var lineTotalFen: Int64
    /// Units available where this merchant's part would be fulfilled (the pickup store, or the
    /// eligible stores for delivery).
    public var available: Int
    public var problems: [CartLineProblem]
    public var priceExplanation: [PriceStep]

    public init(skuId: UUID, productId: UUID, title: String, specTitle: String, image: String?, quantity: Int, unitPriceFen: Int64,
                lineTotalFen: Int64, available: Int, problems: [CartLineProblem], priceExplanation: [PriceStep]) {
        self.skuId = skuId
        self.productId = productId
        self.title = title
        self.specTitle = specTitle
        self.image = image
        self.quantity = quantity
        self.unitPriceFen = unitPriceFen
        self.lineTotalFen = lineTotalFen
        self.available = available
        self.problems = problems
        self.priceExplanation = priceExplanation
    }
}

public struct CartMerchantGroup: Codable, Sendable, Equatable {
    public var merchantId: UUID
    public var merchantName: String
    public var fulfilment: FulfilmentMode
    public var addressId: UUID?
    public var storeId: UUID?
    public var storeName: String?
    public var lines: [CartLineView]
    public var subtotalFen: Int64

    public init(merchantId: UUID, merchantName: String, fulfilment: FulfilmentMode, addressId: UUID?, storeId: UUID?, storeName: String?,
                lines: [CartLineView], subtotalFen: Int64) {
        self.merchantId = merchantId
        self.merchantName = merchantName
        self.fulfilment = fulfilment
        self.addressId = addressId
        self.storeId = storeId
        self.storeName = storeName
        self.lines = lines
        self.subtotalFen = subtotalFen
    }
}

public struct CartView: Codable, Sendable {
    /// Present for guest carts: send it back as `X-Cart-Token`, and to `/cart/merge` after signing in.
    public var guestToken: String?
    public var groups: [CartMerchantGroup]
    public var itemCount: Int
    public var subtotalFen: Int64
    public var hasProblems: Bool

    public init(guestToken: String?, groups: [CartMerchantGroup], itemCount: Int, subtotalFen: Int64, hasProblems: Bool) {
        self.guestToken = guestToken
        self.groups = groups
        self.itemCount = itemCount
        self.subtotalFen = subtotalFen
        self.hasProblems = hasProblems
    }
}
