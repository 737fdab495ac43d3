import Foundation

/// One order line to allocate: a SKU and how many units.
public struct AllocationLine: Hashable, Codable, Sendable {
    public var skuId: UUID
    public var quantity: Int

    public init(skuId: UUID, quantity: Int) {
        self.skuId = skuId
        self.quantity = quantity
    }
}

/// How the shopper gets the goods.
public enum AllocationFulfilment: Hashable, Codable, Sendable {
    /// Delivered to an address; stores must cover it with their delivery radius.
    case delivery(to: GeoPoint)
    /// Collected at the store the shopper chose. `shopperLocation`, when known, is what
    /// alternatives are measured from; otherwise they are measured from the chosen store.
    case pickup(at: StoreID, shopperLocation: GeoPoint?)
}

/// What the planner knows about one store or warehouse of the merchant at planning time. The
/// server loads these in one query; the planner never reads anything else.
public struct StoreCandidate: Hashable, Sendable {
    public var id: StoreID
    /// Shown in the decision's summary; may be empty.
    public var name: String
    public var kind: StoreKind
    public var status: StoreStatus
    public var location: GeoPoint
    public var deliveryRadiusKm: Double
    public var hours: WeeklyHours
    public var pickupEnabled: Bool
    public var ordersToday: Int
    public var dailyCapacity: Int
    /// Available (on hand minus reserved) units per SKU; a missing SKU means none.
    public var available: [UUID: Int]

    public init(
        id: StoreID, name: String = "", kind: StoreKind = .store, status: StoreStatus = .open,
        location: GeoPoint, deliveryRadiusKm: Double, hours: WeeklyHours, pickupEnabled: Bool = true,
        ordersToday: Int = 0, dailyCapacity: Int, available: [UUID: Int]
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.status = status
        self.location = location
        self.deliveryRadiusKm = deliveryRadiusKm
        self.hours = hours
        self.pickupEnabled = pickupEnabled
        self.ordersToday = ordersToday
        self.dailyCapacity = dailyCapacity
        self.available = available
    }

    var isAtCapacity: Bool { ordersToday >= dailyCapacity }
}

/// Everything one allocation needs, as plain values.
public struct AllocationRequest: Sendable {
    public var lines: [AllocationLine]
    public var fulfilment: AllocationFulfilment
    /// The merchant's stores and warehouses. Stores of other merchants must not be passed in.
    public var candidates: [StoreCandidate]
    /// The local (shop time zone) weekday and minute of "now"; see `LocalTime.weekdayAndMinute`.
    public var weekday: Weekday
    public var minute: ClockTime
    /// A closed store still qualifies for delivery when it opens within this many minutes.
    public var openingWindowMinutes: Int
    /// Stores that must not be chosen: they already rejected the order or let it time out.
    public var excluding: Set<StoreID>
    /// How many nearest alternatives to offer when the chosen pickup store cannot serve.
    public var maxPickupAlternatives: Int

    public init(
        lines: [AllocationLine], fulfilment: AllocationFulfilment, candidates: [StoreCandidate],
        weekday: Weekday, minute: ClockTime, openingWindowMinutes: Int,
        excluding: Set<StoreID> = [], maxPickupAlternatives: Int = 5
    ) {
        self.lines = lines
        self.fulfilment = fulfilment
        self.candidates = candidates
        self.weekday = weekday
        self.minute = minute
        self.openingWindowMinutes = openingWindowMinutes
        self.excluding = excluding
        self.maxPickupAlternatives = maxPickupAlternatives
    }

    /// Lines merged by SKU (an order may list one SKU twice, e.g. as a gift) in first-seen
    /// order, zero quantities dropped.
    var mergedLines: [AllocationLine] {
        var order: [UUID] = []
        var totals: [UUID: Int] = [:]
        for line in lines where line.quantity > 0 {
            if totals[line.skuId] == nil { order.append(line.skuId) }
            totals[line.skuId, default: 0] += line.quantity
        }
        return order.map { AllocationLine(skuId: $0, quantity: totals[$0]!) }
    }
}
