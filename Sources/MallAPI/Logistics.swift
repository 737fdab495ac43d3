import Foundation
import MallCore

public struct CarrierInfo: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var servicePhone: String?
    /// False for the store's own courier (同城配送), which has no carrier tracking number.
    public var tracksByNumber: Bool

    public init(code: String, name: String, servicePhone: String?, tracksByNumber: Bool) {
        self.code = code
        self.name = name
        self.servicePhone = servicePhone
        self.tracksByNumber = tracksByNumber
    }
}

public struct TrackingEventInfo: Codable, Sendable, Equatable {
    public var at: Date
    public var description: String
    public var location: String?
    public var state: TrackingState?
    /// `carrier` (pushed by the carrier's tracking service) or `staff` (entered by hand).
    public var source: String

    public init(at: Date, description: String, location: String?, state: TrackingState?, source: String) {
        self.at = at
        self.description = description
        self.location = location
        self.state = state
        self.source = source
    }
}

public struct ShipmentInfo: Codable, Sendable, Equatable {
    public var id: UUID
    /// `order` (to the shopper), `return` (shopper back to the store) or `replacement`.
    public var purpose: String
    public var carrierCode: String
    public var carrierName: String
    public var trackingNumber: String?
    public var courierName: String?
    public var courierPhone: String?
    public var state: TrackingState?
    /// Oldest first.
    public var events: [TrackingEventInfo]
    public var createdAt: Date

    public init(id: UUID, purpose: String, carrierCode: String, carrierName: String, trackingNumber: String?, courierName: String?,
                courierPhone: String?, state: TrackingState?, events: [TrackingEventInfo], createdAt: Date) {
        self.id = id
        self.purpose = purpose
        self.carrierCode = carrierCode
        self.carrierName = carrierName
        self.trackingNumber = trackingNumber
        self.courierName = courierName
        self.courierPhone = courierPhone
        self.state = state
        self.events = events
        self.createdAt = createdAt
    }
}

/// A scan or courier update entered by store staff.
public struct TrackingEventInput: Codable, Sendable {
    public var description: String
    public var location: String?
    public var state: TrackingState?
    /// Defaults to now.
    public var at: Date?

    public init(description: String, location: String? = nil, state: TrackingState? = nil, at: Date? = nil) {
        self.description = description
        self.location = location
        self.state = state
        self.at = at
    }
}
