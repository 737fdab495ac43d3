import Fluent
import Foundation

final class CartModel: Model, @unchecked Sendable {
    static let schema = "carts"

    @ID(key: .id) var id: UUID?

    @OptionalField(key: "member_id") var memberId: UUID?
    @OptionalField(key: "guest_token_hash") var guestTokenHash: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _memberId, _guestTokenHash, _createdAt, _updatedAt] }

    init() {}
}

final class CartLineModel: Model, @unchecked Sendable {
    static let schema = "cart_lines"

    @ID(key: .id) var id: UUID?

    @Field(key: "cart_id") var cartId: UUID
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "quantity") var quantity: Int
    @Field(key: "added_at") var addedAt: Date
    /// 1…100, unique per cart: what holds the cart's line limit under concurrency.
    @Field(key: "slot") var slot: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _cartId, _skuId, _quantity, _addedAt, _slot] }

    init() {}
}

final class CartFulfilmentModel: Model, @unchecked Sendable {
    static let schema = "cart_fulfilments"

    @ID(key: .id) var id: UUID?

    @Field(key: "cart_id") var cartId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "mode") var mode: String
    @OptionalField(key: "address_id") var addressId: UUID?
    @OptionalField(key: "store_id") var storeId: UUID?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _cartId, _merchantId, _mode, _addressId, _storeId] }

    init() {}
}
