import Fluent
import Foundation
import MallCore

final class StockLevelModel: Model, @unchecked Sendable {
    static let schema = "stock_levels"

    @ID(key: .id) var id: UUID?

    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "on_hand") var onHand: Int
    @Field(key: "reserved") var reserved: Int
    @OptionalField(key: "low_stock_threshold") var lowStockThreshold: Int?
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _skuId, _storeId, _merchantId, _onHand, _reserved, _lowStockThreshold, _updatedAt] }

    init() {}

    var level: StockLevel { StockLevel(onHand: onHand, reserved: reserved) }
}

final class StockMovementModel: Model, @unchecked Sendable {
    static let schema = "stock_movements"

    @ID(key: .id) var id: UUID?

    @Field(key: "store_id") var storeId: UUID
    @Field(key: "store_seq") var storeSeq: Int64
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "on_hand_delta") var onHandDelta: Int
    @Field(key: "reserved_delta") var reservedDelta: Int
    @Field(key: "on_hand_after") var onHandAfter: Int
    @Field(key: "reserved_after") var reservedAfter: Int
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "reference_type") var referenceType: String?
    @OptionalField(key: "reference_id") var referenceId: String?
    @OptionalField(key: "actor_staff_id") var actorStaffId: UUID?
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _storeId, _storeSeq, _skuId, _merchantId, _kind, _onHandDelta, _reservedDelta, _onHandAfter, _reservedAfter, _reason, _referenceType, _referenceId, _actorStaffId, _createdAt] }

    init() {}
}

final class LowStockAlertModel: Model, @unchecked Sendable {
    static let schema = "low_stock_alerts"

    @ID(key: .id) var id: UUID?

    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "threshold") var threshold: Int
    @Field(key: "available") var available: Int
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "resolved_at") var resolvedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _skuId, _storeId, _merchantId, _threshold, _available, _status, _createdAt, _resolvedAt] }

    init() {}
}

final class NotificationModel: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?

    @Field(key: "channel") var channel: String
    @Field(key: "audience") var audience: String
    @OptionalField(key: "recipient_id") var recipientId: UUID?
    @OptionalField(key: "merchant_id") var merchantId: UUID?
    @OptionalField(key: "store_id") var storeId: UUID?
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "reference_type") var referenceType: String?
    @OptionalField(key: "reference_id") var referenceId: String?
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    /// When the member (audience `member`) opened it in the inbox.
    @OptionalField(key: "read_at") var readAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _channel, _audience, _recipientId, _merchantId, _storeId, _title, _body, _referenceType, _referenceId, _status, _createdAt, _deliveredAt, _readAt] }

    init() {}
}

final class StocktakeModel: Model, @unchecked Sendable {
    static let schema = "stocktakes"

    @ID(key: .id) var id: UUID?

    @Field(key: "store_id") var storeId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Enum(key: "status") var status: StocktakeStatus
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @OptionalField(key: "posted_by") var postedBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "posted_at") var postedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _storeId, _merchantId, _status, _note, _createdBy, _postedBy, _createdAt, _postedAt] }

    init() {}

    var owner: ResourceOwner { .store(StoreID(storeId), merchant: MerchantID(merchantId)) }
}

final class StocktakeLineModel: Model, @unchecked Sendable {
    static let schema = "stocktake_lines"

    @ID(key: .id) var id: UUID?

    @Field(key: "stocktake_id") var stocktakeId: UUID
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "counted") var counted: Int
    @OptionalField(key: "book_quantity") var bookQuantity: Int?
    @OptionalField(key: "difference") var difference: Int?
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _stocktakeId, _skuId, _counted, _bookQuantity, _difference, _updatedAt] }

    init() {}
}

final class TransferModel: Model, @unchecked Sendable {
    static let schema = "transfers"

    @ID(key: .id) var id: UUID?

    @Field(key: "number") var number: String
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "from_store_id") var fromStoreId: UUID
    @Field(key: "to_store_id") var toStoreId: UUID
    @Enum(key: "status") var status: TransferStatus
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "expected_arrival_at") var expectedArrivalAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "shipped_at") var shippedAt: Date?
    @OptionalField(key: "received_at") var receivedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _number, _merchantId, _fromStoreId, _toStoreId, _status, _note, _expectedArrivalAt, _createdBy, _createdAt, _shippedAt, _receivedAt] }

    init() {}

    var sourceOwner: ResourceOwner { .store(StoreID(fromStoreId), merchant: MerchantID(merchantId)) }
    var destinationOwner: ResourceOwner { .store(StoreID(toStoreId), merchant: MerchantID(merchantId)) }
}

final class TransferLineModel: Model, @unchecked Sendable {
    static let schema = "transfer_lines"

    @ID(key: .id) var id: UUID?

    @Field(key: "transfer_id") var transferId: UUID
    @Field(key: "position") var position: Int
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "quantity") var quantity: Int
    @Field(key: "received_quantity") var receivedQuantity: Int
    @Field(key: "discrepancy") var discrepancy: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _transferId, _position, _skuId, _quantity, _receivedQuantity, _discrepancy] }

    init() {}
}

final class StockSyncBatchModel: Model, @unchecked Sendable {
    static let schema = "stock_sync_batches"

    @ID(key: .id) var id: UUID?

    @Field(key: "store_id") var storeId: UUID
    @Field(key: "external_reference") var externalReference: String
    @Field(key: "kind") var kind: String
    @Field(key: "result") var resultJSON: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _storeId, _externalReference, _kind, _resultJSON, _createdAt] }

    init() {}
}
