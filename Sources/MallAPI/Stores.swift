import Foundation
import MallCore

public struct MerchantInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var contactName: String
    public var contactPhone: String
    public var contactEmail: String?
    public var commissionRateBasisPoints: Int?

    public init(code: String, name: String, contactName: String, contactPhone: String, contactEmail: String? = nil,
                commissionRateBasisPoints: Int? = nil) {
        self.code = code
        self.name = name
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
        self.commissionRateBasisPoints = commissionRateBasisPoints
    }
}

public struct MerchantUpdate: Codable, Sendable {
    public var name: String?
    public var contactName: String?
    public var contactPhone: String?
    public var contactEmail: String?
    public var commissionRateBasisPoints: Int?

    public init(name: String? = nil, contactName: String? = nil, contactPhone: String? = nil, contactEmail: String? = nil,
                commissionRateBasisPoints: Int? = nil) {
        self.name = name
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
        self.commissionRateBasisPoints = commissionRateBasisPoints
    }
}

public struct StatusChange<Status: Codable & Sendable>: Codable, Sendable {
    public var status: Status
    public var reason: String?

    public init(status: Status, reason: String? = nil) {
        self.status = status
        self.reason = reason
    }
}

public struct Merchant: Codable, Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var kind: MerchantKind
    public var status: MerchantStatus
    public var contactName: String
    public var contactPhone: String
    public var contactEmail: String?
    public var commissionRateBasisPoints: Int
    public var createdAt: Date
    /// The unified social credit code of an onboarded merchant (from its application).
    public var creditCode: String?
    /// The deposit (保证金) lodged with the platform, in fen.
    public var depositFen: Int64
    /// The shop page's description and logo.
    public var description: String?
    public var logoUrl: String?

    public init(id: UUID, code: String, name: String, kind: MerchantKind, status: MerchantStatus, contactName: String,
                contactPhone: String, contactEmail: String?, commissionRateBasisPoints: Int, createdAt: Date,
                creditCode: String? = nil, depositFen: Int64 = 0, description: String? = nil, logoUrl: String? = nil) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.status = status
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
        self.commissionRateBasisPoints = commissionRateBasisPoints
        self.createdAt = createdAt
        self.creditCode = creditCode
        self.depositFen = depositFen
        self.description = description
        self.logoUrl = logoUrl
    }
}

public struct StoreInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var merchantId: UUID
    public var kind: StoreKind
    public var province: String
    public var city: String
    public var district: String
    public var address: String
    public var latitude: Double
    public var longitude: Double
    public var phone: String
    public var managerStaffId: UUID?
    /// Weekday key (`mon` … `sun`) to periods `HH:mm-HH:mm`; a period whose end is earlier
    /// than its start runs past midnight. Missing days are closed.
    public var openingHours: [String: [String]]
    public var deliveryRadiusKm: Double
    public var pickupEnabled: Bool
    public var dailyOrderCapacity: Int

    public init(code: String, name: String, merchantId: UUID, kind: StoreKind, province: String, city: String,
                district: String, address: String, latitude: Double, longitude: Double, phone: String,
                managerStaffId: UUID? = nil, openingHours: [String: [String]], deliveryRadiusKm: Double,
                pickupEnabled: Bool, dailyOrderCapacity: Int) {
        self.code = code
        self.name = name
        self.merchantId = merchantId
        self.kind = kind
        self.province = province
        self.city = city
        self.district = district
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
        self.managerStaffId = managerStaffId
        self.openingHours = openingHours
        self.deliveryRadiusKm = deliveryRadiusKm
        self.pickupEnabled = pickupEnabled
        self.dailyOrderCapacity = dailyOrderCapacity
    }
}

/// A partial store edit; absent fields stay. Moving a store to another merchant is not an edit.
public struct StoreUpdate: Codable, Sendable {
    public var name: String?
    public var kind: StoreKind?
    public var province: String?
    public var city: String?
    public var district: String?
    public var address: String?
    public var latitude: Double?
    public var longitude: Double?
    public var phone: String?
    public var managerStaffId: UUID?
    public var openingHours: [String: [String]]?
    public var deliveryRadiusKm: Double?
    public var pickupEnabled: Bool?
    public var dailyOrderCapacity: Int?

    public init(name: String? = nil, kind: StoreKind? = nil, province: String? = nil, city: String? = nil,
                district: String? = nil, address: String? = nil, latitude: Double? = nil, longitude: Double? = nil,
                phone: String? = nil, managerStaffId: UUID? = nil, openingHours: [String: [String]]? = nil,
                deliveryRadiusKm: Double? = nil, pickupEnabled: Bool? = nil, dailyOrderCapacity: Int? = nil) {
        self.name = name
        self.kind = kind
        self.province = province
        self.city = city
        self.district = district
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
        self.managerStaffId = managerStaffId
        self.openingHours = openingHours
        self.deliveryRadiusKm = deliveryRadiusKm
        self.pickupEnabled = pickupEnabled
        self.dailyOrderCapacity = dailyOrderCapacity
    }
}

public struct Store: Codable, Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var merchantId: UUID
    public var kind: StoreKind
    public var status: StoreStatus
    public var province: String
    public var city: String
    public var district: String
    public var address: String
    public var latitude: Double
    public var longitude: Double
    public var phone: String
    public var managerStaffId: UUID?
    public var openingHours: [String: [String]]
    public var deliveryRadiusKm: Double
    public var pickupEnabled: Bool
    public var dailyOrderCapacity: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, code: String, name: String, merchantId: UUID, kind: StoreKind, status: StoreStatus,
                province: String, city: String, district: String, address: String, latitude: Double,
                longitude: Double, phone: String, managerStaffId: UUID?, openingHours: [String: [String]],
                deliveryRadiusKm: Double, pickupEnabled: Bool, dailyOrderCapacity: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.code = code
        self.name = name
        self.merchantId = merchantId
        self.kind = kind
        self.status = status
        self.province = province
        self.city = city
        self.district = district
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
        self.managerStaffId = managerStaffId
        self.openingHours = openingHours
        self.deliveryRadiusKm = deliveryRadiusKm
        self.pickupEnabled = pickupEnabled
        self.dailyOrderCapacity = dailyOrderCapacity
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A store as a shopper sees it in "stores near me".
public struct NearbyStore: Codable, Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var merchantId: UUID
    public var city: String
    public var district: String
    public var address: String
    public var latitude: Double
    public var longitude: Double
    public var phone: String
    public var distanceMeters: Int
    public var openNow: Bool
    public var openingHours: [String: [String]]
    public var pickupEnabled: Bool
    /// Whether the point lies inside the store's delivery radius.
    public var deliversHere: Bool

    public init(id: UUID, code: String, name: String, merchantId: UUID, city: String, district: String, address: String,
                latitude: Double, longitude: Double, phone: String, distanceMeters: Int, openNow: Bool,
                openingHours: [String: [String]], pickupEnabled: Bool, deliversHere: Bool) {
        self.id = id
        self.code = code
        self.name = name
        self.merchantId = merchantId
        self.city = city
        self.district = district
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
        self.phone = phone
        self.distanceMeters = distanceMeters
        self.openNow = openNow
        self.openingHours = openingHours
        self.pickupEnabled = pickupEnabled
        self.deliversHere = deliversHere
    }
}
