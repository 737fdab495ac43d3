import Fluent
import Foundation
import MallCore

/// A parcel or courier run: to the shopper for an order, back to the store for a return, or a
/// replacement for an exchange.
final class ShipmentModel: Model, @unchecked Sendable {
    static let schema = "shipments"

    enum Purpose: String, Codable {
        case order
        case `return`
        case replacement
    }

    @ID(key: .id) var id: UUID?

    @Field(key: "order_id") var orderId: UUID
    @OptionalField(key: "after_sales_id") var afterSalesId: UUID?
    @Field(key: "purpose") var purpose: String
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "carrier_code") var carrierCode: String
    @OptionalField(key: "tracking_number") var trackingNumber: String?
    @OptionalField(key: "courier_name") var courierName: String?
    @OptionalField(key: "courier_phone") var courierPhone: String?
    @OptionalField(key: "state") var state: String?
    /// `TrackingSubscriptionState` of the Kuaidi100 subscription; nil when none was asked for.
    @OptionalField(key: "tracking_subscription") var trackingSubscription: String?
    /// Why a subscription is not on yet (the last failure) or was refused.
    @OptionalField(key: "tracking_subscription_note") var trackingSubscriptionNote: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _orderId, _afterSalesId, _purpose, _merchantId, _storeId, _carrierCode, _trackingNumber, _courierName, _courierPhone, _state, _trackingSubscription, _trackingSubscriptionNote, _createdAt, _updatedAt] }

    init() {}

    var owner: ResourceOwner { .store(StoreID(storeId), merchant: MerchantID(merchantId)) }
}

final class TrackingEventModel: Model, @unchecked Sendable {
    static let schema = "tracking_events"

    @ID(key: .id) var id: UUID?

    @Field(key: "shipment_id") var shipmentId: UUID
    @Field(key: "at") var at: Date
    @Field(key: "description") var description: String
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "state") var state: String?
    @Field(key: "source") var source: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _shipmentId, _at, _description, _location, _state, _source, _createdAt] }

    init() {}
}
