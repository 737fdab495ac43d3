import Fluent
import Foundation
import MallCore

/// A flash-sale session of one merchant's goods (HQ manages all, a merchant its own).
final class FlashSessionModel: Model, @unchecked Sendable {
    static let schema = "flash_sessions"

    @ID(key: .id) var id: UUID?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "title") var title: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Field(key: "per_member_limit") var perMemberLimit: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _merchantId, _title, _startsAt, _endsAt, _endedAt, _perMemberLimit, _createdAt, _updatedAt] }

    init() {}

    func phase(at now: Date) -> FlashSessionPhase {
        FlashSaleRules.phase(startsAt: startsAt, endsAt: endsAt, endedAt: endedAt, now: now)
    }
}

/// One SKU of a session: its flash price and quota, fulfilled from `storeId`. `sold` counts the
/// units of active purchases and moves only by conditional UPDATEs in `FlashSaleService`.
final class FlashItemModel: Model, @unchecked Sendable {
    static let schema = "flash_items"

    @ID(key: .id) var id: UUID?

    @Field(key: "session_id") var sessionId: UUID
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "position") var position: Int
    @Field(key: "flash_price_fen") var flashPriceFen: Int64
    @Field(key: "quota") var quota: Int
    @Field(key: "sold") var sold: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _sessionId, _skuId, _storeId, _position, _flashPriceFen, _quota, _sold] }

    init() {}
}

/// Units of one item one member holds (bought and not returned): the per-member limit's counter.
final class FlashMemberCountModel: Model, @unchecked Sendable {
    static let schema = "flash_member_counts"

    @ID(key: .id) var id: UUID?

    @Field(key: "item_id") var itemId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "bought") var bought: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _itemId, _memberId, _bought] }

    init() {}
}

/// What a purchase's units are doing: held by an order that is paid or payable, or back on sale.
enum FlashPurchaseStatus: String, Codable, Sendable {
    case active
    case returned
}

final class FlashPurchaseModel: Model, @unchecked Sendable {
    static let schema = "flash_purchases"

    @ID(key: .id) var id: UUID?

    @Field(key: "session_id") var sessionId: UUID
    @Field(key: "item_id") var itemId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "request_digest") var requestDigest: String
    @Field(key: "quantity") var quantity: Int
    @Field(key: "unit_price_fen") var unitPriceFen: Int64
    /// The SKU's regular price when bought: what the flash price saved is counted against it.
    @Field(key: "list_price_fen") var listPriceFen: Int64
    @Field(key: "status") var status: String
    @OptionalField(key: "order_id") var orderId: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "returned_at") var returnedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _sessionId, _itemId, _memberId, _idempotencyKey, _requestDigest, _quantity, _unitPriceFen, _listPriceFen, _status, _orderId, _createdAt, _returnedAt]
    }

    init() {}
}
