import Foundation

/// One SKU in the cart, at the unit price `PriceResolver` already settled for the fulfilling
/// store and the member's level. The engine takes that price as given and only explains it, so
/// store and member pricing are decided in exactly one place.
public struct CartLine: Codable, Hashable, Sendable {
    public var skuId: UUID
    public var productId: UUID
    public var merchantId: MerchantID
    /// What the shopper sees in the explanation, e.g. "Oolong tea 250 g".
    public var title: String
    /// Must be at least 1.
    public var quantity: Int
    /// The effective unit price, member level included; never negative.
    public var unitPrice: Money
    /// How `unitPrice` came about, from `PriceQuote.steps`; carried through unchanged.
    public var priceSteps: [PriceStep]
    /// The product's category and brand, for promotions scoped to them; nil when it has none.
    public var categoryId: UUID?
    public var brandId: UUID?

    public init(
        skuId: UUID, productId: UUID, merchantId: MerchantID, title: String,
        quantity: Int, unitPrice: Money, priceSteps: [PriceStep] = [], categoryId: UUID? = nil, brandId: UUID? = nil
    ) {
        self.skuId = skuId
        self.productId = productId
        self.merchantId = merchantId
        self.title = title
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.priceSteps = priceSteps
        self.categoryId = categoryId
        self.brandId = brandId
    }

    /// A line priced by `PriceResolver.resolve(_:storeId:memberLevel:at:)`: its price and steps.
    public init(skuId: UUID, productId: UUID, merchantId: MerchantID, title: String, quantity: Int, quote: PriceQuote,
                categoryId: UUID? = nil, brandId: UUID? = nil) {
        self.init(
            skuId: skuId, productId: productId, merchantId: merchantId, title: title,
            quantity: quantity, unitPrice: quote.price, priceSteps: quote.steps, categoryId: categoryId, brandId: brandId
        )
    }
}
