import Fluent
import Foundation
import MallCore

final class StoreModel: Model, @unchecked Sendable {
    static let schema = "stores"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Enum(key: "kind") var kind: StoreKind
    @Enum(key: "status") var status: StoreStatus
    @Field(key: "province") var province: String
    @Field(key: "city") var city: String
    @Field(key: "district") var district: String
    @Field(key: "address") var address: String
    @Field(key: "latitude") var latitude: Double
    @Field(key: "longitude") var longitude: Double
    @Field(key: "phone") var phone: String
    @OptionalField(key: "manager_staff_id") var managerStaffId: UUID?
    /// Weekly hours as JSON `{"mon":["09:00-21:00"]}`, validated through `WeeklyHours`.
    @Field(key: "opening_hours") var openingHoursJSON: String
    @Field(key: "delivery_radius_km") var deliveryRadiusKm: Double
    @Field(key: "pickup_enabled") var pickupEnabled: Bool
    @Field(key: "daily_order_capacity") var dailyOrderCapacity: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _merchantId, _code, _name, _kind, _status, _province, _city, _district, _address, _latitude, _longitude, _phone, _managerStaffId, _openingHoursJSON, _deliveryRadiusKm, _pickupEnabled, _dailyOrderCapacity] }

    init() {}

    var storeID: StoreID { StoreID(id!) }
    var owner: ResourceOwner { .store(StoreID(id!), merchant: MerchantID(merchantId)) }
    var location: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }

    var openingHoursText: [String: [String]] {
        (try? JSONDecoder().decode([String: [String]].self, from: Data(openingHoursJSON.utf8))) ?? [:]
    }

    var weeklyHours: WeeklyHours {
        (try? WeeklyHours(parsing: openingHoursText)) ?? .closed
    }

    func setOpeningHours(_ hours: WeeklyHours) {
        let data = (try? JSONEncoder.api.encode(hours.textual)) ?? Data("{}".utf8)
        openingHoursJSON = String(decoding: data, as: UTF8.self)
    }
}
