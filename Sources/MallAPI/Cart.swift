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
    /// The running promotions' share of this line, fen-exact (the shares the order would carry).
    public var discountFen: Int64
    /// `lineTotalFen - discountFen`.
    public var payableFen: Int64
    public var discounts: [CartLineDiscount]

    public init(skuId: UUID, productId: UUID, title: String, specTitle: String, image: String?, quantity: Int, unitPriceFen: Int64,
                lineTotalFen: Int64, available: Int, problems: [CartLineProblem], priceExplanation: [PriceStep],
                discounts: [CartLineDiscount] = []) {
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
        self.discounts = discounts
        discountFen = discounts.reduce(0) { $0 + $1.amountFen }
        payableFen = lineTotalFen - discountFen
    }
}

/// One promotion's share of a cart line.
public struct CartLineDiscount: Codable, Sendable, Equatable {
    public var promotionId: UUID
    public var name: String
    public var amountFen: Int64

    public init(promotionId: UUID, name: String, amountFen: Int64) {
        self.promotionId = promotionId
        self.name = name
        self.amountFen = amountFen
    }
}

/// A running promotion over the cart: what it takes off, why, and what its next reward needs.
public struct CartPromotion: Codable, Sendable, Equatable {
    public var promotionId: UUID
    public var name: String
    /// Over the whole cart, or a merchant group's share of it.
    public var discountFen: Int64
    /// E.g. "Spend ¥200.00, ¥30.00 off: ¥236.00 of covered goods reaches ¥200.00".
    public var explanation: String
    /// E.g. "spend ¥12.00 more for ¥30.00 off"; nil at the top tier or for kinds without steps.
    public var hint: String?
    /// Goods still to add (fen) or units still to add for the hint's reward.
    public var missingFen: Int64?
    public var missingQuantity: Int?

    public init(promotionId: UUID, name: String, discountFen: Int64, explanation: String, hint: String? = nil, missingFen: Int64? = nil,
                missingQuantity: Int? = nil) {
        self.promotionId = promotionId
        self.name = name
        self.discountFen = discountFen
        self.explanation = explanation
        self.hint = hint
        self.missingFen = missingFen
        self.missingQuantity = missingQuantity
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
    /// The sum of the purchasable lines' `discountFen`.
    public var discountFen: Int64
    public var payableFen: Int64
    /// The promotions with a share in this group, each with that share.
    public var promotions: [CartPromotion]

    public init(merchantId: UUID, merchantName: String, fulfilment: FulfilmentMode, addressId: UUID?, storeId: UUID?, storeName: String?,
                lines: [CartLineView], subtotalFen: Int64, discountFen: Int64 = 0, promotions: [CartPromotion] = []) {
        self.merchantId = merchantId
        self.merchantName = merchantName
        self.fulfilment = fulfilment
        self.addressId = addressId
        self.storeId = storeId
        self.storeName = storeName
        self.lines = lines
        self.subtotalFen = subtotalFen
        self.discountFen = discountFen
        payableFen = subtotalFen - discountFen
        self.promotions = promotions
    }
}

public struct CartView: Codable, Sendable {
    /// Present for guest carts: send it back as `X-Cart-Token`, and to `/cart/merge` after signing in.
    public var guestToken: String?
    public var groups: [CartMerchantGroup]
    public var itemCount: Int
    public var subtotalFen: Int64
    /// What the running promotions take off; the checkout preview adds coupons, the level's
    /// discount, points and shipping once the stores are known.
    public var discountFen: Int64
    public var payableFen: Int64
    /// Every running promotion that covers something in the cart, with its whole discount and
    /// the hint for its next reward ("spend ¥12.00 more for ¥30.00 off").
    public var promotions: [CartPromotion]
    public var hasProblems: Bool

    public init(guestToken: String?, groups: [CartMerchantGroup], itemCount: Int, subtotalFen: Int64, hasProblems: Bool,
                discountFen: Int64 = 0, promotions: [CartPromotion] = []) {
        self.guestToken = guestToken
        self.groups = groups
        self.itemCount = itemCount
        self.subtotalFen = subtotalFen
        self.hasProblems = hasProblems
        self.discountFen = discountFen
        payableFen = subtotalFen - discountFen
        self.promotions = promotions
    }
}
