import Foundation

/// How a shopper groups their orders ("my orders" tabs): by what they are waiting for, not by
/// every internal step. Every status belongs to exactly one stage.
public enum ShopperOrderStage: String, Codable, Sendable, CaseIterable {
    /// Placed, not paid yet.
    case unpaid
    /// Paid; the store is taking, re-routing or picking it.
    case preparing
    /// Waiting at the store for the shopper.
    case readyForPickup = "ready_for_pickup"
    /// On its way, or delivered and not yet confirmed.
    case receiving
    /// Collected or confirmed.
    case done
    /// Cancelled or expired unpaid.
    case cancelled

    public var statuses: [OrderStatus] {
        switch self {
        case .unpaid: [.pendingPayment]
        case .preparing: [.paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking]
        case .readyForPickup: [.readyForPickup]
        case .receiving: [.shipped, .delivered]
        case .done: [.pickedUp, .completed]
        case .cancelled: [.cancelled, .expired]
        }
    }

    public init(status: OrderStatus) {
        self = Self.allCases.first { $0.statuses.contains(status) }!
    }
}
