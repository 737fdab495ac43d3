import Foundation

/// Why a candidate was not used. Stored on the order so HQ and the store can see it.
public enum AllocationRejection: Hashable, Codable, Sendable {
    /// Already rejected this order or let it time out.
    case excluded
    /// The platform suspended the store.
    case suspended
    /// The store's status is closed (renovation, holiday), whatever its hours say.
    case closed
    /// Outside opening hours and not opening within the window; nil when it never opens.
    case notOpeningSoon(minutesUntilOpen: Int?)
    case outOfRadius(distanceMeters: Int, radiusMeters: Int)
    case capacityFull(ordersToday: Int, dailyCapacity: Int)
    /// The units the candidate lacks, per SKU.
    case insufficientStock(missing: [AllocationLine])
    case warehouseNotForPickup
    case pickupDisabled
    /// Could serve, but another plan was preferred (single store, fewer shipments, nearer...).
    case outranked
    /// A warehouse is only used when the stores cannot fill the order.
    case warehouseNotNeeded
    /// Pickup: the shopper chose another store.
    case notThePickupStore

    public var message: String {
        switch self {
        case .excluded: "already rejected or timed out on this order"
        case .suspended: "suspended by the platform"
        case .closed: "closed"
        case .notOpeningSoon(let minutes?): "outside opening hours, opens in \(minutes) min"
        case .notOpeningSoon(nil): "outside opening hours, no opening in the coming week"
        case .outOfRadius(let distance, let radius): "address is \(AllocationDecision.kilometres(distance)) away, delivers within \(AllocationDecision.kilometres(radius))"
        case .capacityFull(let orders, let capacity): "daily capacity reached (\(orders)/\(capacity))"
        case .insufficientStock(let missing): "short of \(missing.reduce(0) { $0 + $1.quantity }) unit(s) across \(missing.count) line(s)"
        case .warehouseNotForPickup: "a warehouse cannot serve pickups"
        case .pickupDisabled: "does not offer pickup"
        case .outranked: "eligible, but another choice was preferred"
        case .warehouseNotNeeded: "warehouse kept as fallback; stores can fill the order"
        case .notThePickupStore: "not the store the shopper chose"
        }
    }
}

public enum CandidateOutcome: Hashable, Codable, Sendable {
    case chosen
    /// Pickup: offered to the shopper because the chosen store cannot serve.
    case pickupAlternative
    case rejected(AllocationRejection)
}

/// One candidate as the planner saw it.
public struct CandidateReport: Hashable, Codable, Sendable {
    public var storeId: StoreID
    public var name: String
    public var kind: StoreKind
    /// From the delivery address, or for pickup from the shopper (or the chosen store).
    public var distanceMeters: Int
    public var outcome: CandidateOutcome

    /// The outcome in words, for staff reading the decision.
    public var explanation: String {
        switch outcome {
        case .chosen: "chosen"
        case .pickupAlternative: "offered to the shopper as another pickup store"
        case .rejected(let rejection): rejection.message
        }
    }

    public init(storeId: StoreID, name: String, kind: StoreKind, distanceMeters: Int, outcome: CandidateOutcome) {
        self.storeId = storeId
        self.name = name
        self.kind = kind
        self.distanceMeters = distanceMeters
        self.outcome = outcome
    }

    private enum CodingKeys: String, CodingKey {
        case storeId, name, kind, distanceMeters, outcome, explanation
    }

    /// Writes `explanation` beside the structured outcome so API readers need not decode the
    /// outcome's enum shape to show why; decoding ignores it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(storeId, forKey: .storeId)
        try container.encode(name, forKey: .name)
        try container.encode(kind, forKey: .kind)
        try container.encode(distanceMeters, forKey: .distanceMeters)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(explanation, forKey: .explanation)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        storeId = try container.decode(StoreID.self, forKey: .storeId)
        name = try container.decode(String.self, forKey: .name)
        kind = try container.decode(StoreKind.self, forKey: .kind)
        distanceMeters = try container.decode(Int.self, forKey: .distanceMeters)
        outcome = try container.decode(CandidateOutcome.self, forKey: .outcome)
    }
}

/// What one store or warehouse ships.
public struct AllocationShipment: Hashable, Codable, Sendable {
    public var storeId: StoreID
    public var lines: [AllocationLine]

    public init(storeId: StoreID, lines: [AllocationLine]) {
        self.storeId = storeId
        self.lines = lines
    }
}

public struct PickupAlternative: Hashable, Codable, Sendable {
    public var storeId: StoreID
    public var name: String
    public var distanceMeters: Int
}

public enum AllocationOutcome: String, Codable, Sendable {
    /// `shipments` cover every line.
    case allocated
    /// Pickup: the chosen store cannot serve; see `pickupAlternatives` before taking payment.
    case pickupStoreUnavailable = "pickup_store_unavailable"
    /// No combination of candidates holds the goods; see `unfilledLines`.
    case unfulfillable
}

/// The planner's answer, stored on the order (JSON) as the record of why it went where it did.
public struct AllocationDecision: Hashable, Codable, Sendable {
    public var outcome: AllocationOutcome
    public var shipments: [AllocationShipment]
    /// True when any shipment comes from a warehouse.
    public var fallbackToWarehouse: Bool
    /// Every candidate in the request, nearest first.
    public var candidates: [CandidateReport]
    public var pickupAlternatives: [PickupAlternative]
    /// What nobody could supply (only for `unfulfillable`).
    public var unfilledLines: [AllocationLine]
    /// Stores excluded in this round; a reallocation carries them forward.
    public var excludedStoreIds: [StoreID]
    /// 1 for the first plan, +1 per reallocation.
    public var attempt: Int
    public var summary: String

    public var chosenStoreIds: [StoreID] { shipments.map(\.storeId) }

    static func kilometres(_ meters: Int) -> String {
        let tenths = (meters + 50) / 100
        return "\(tenths / 10).\(tenths % 10) km"
    }
}
