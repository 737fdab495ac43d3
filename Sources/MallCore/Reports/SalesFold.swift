import Foundation

/// A paid order as the reports see it: where and when it sold, through which channel, whether
/// its member had bought before, and what each line was paid (after every discount).
public struct SoldOrder: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public let skuId: UUID
        public let quantity: Int64
        public let paidFen: Int64
        /// The SKU's cost price per unit, when it has one.
        public let unitCostFen: Int64?

        public init(skuId: UUID, quantity: Int64, paidFen: Int64, unitCostFen: Int64?) {
            self.skuId = skuId
            self.quantity = quantity
            self.paidFen = paidFen
            self.unitCostFen = unitCostFen
        }
    }

    public let storeId: UUID
    public let merchantId: UUID
    public let channel: SalesChannel
    public let paidAt: Date
    public let returningCustomer: Bool
    public let lines: [Line]
    /// The buying member; nil for a sale without one (a till sale).
    public let memberId: UUID?

    public init(storeId: UUID, merchantId: UUID, channel: SalesChannel, paidAt: Date, returningCustomer: Bool, lines: [Line], memberId: UUID? = nil) {
        self.storeId = storeId
        self.merchantId = merchantId
        self.channel = channel
        self.paidAt = paidAt
        self.returningCustomer = returningCustomer
        self.lines = lines
        self.memberId = memberId
    }
}

/// Money given back for an order's goods: per returned line, units and amount. A whole-order
/// refund (cancelled after payment, a failed group buy) returns every line in full.
public struct SalesRefund: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public let skuId: UUID
        public let quantity: Int64
        public let amountFen: Int64

        public init(skuId: UUID, quantity: Int64, amountFen: Int64) {
            self.skuId = skuId
            self.quantity = quantity
            self.amountFen = amountFen
        }
    }

    public let order: SoldOrder
    /// What the gateway gave back, which may differ from the lines' sum (a negotiated partial
    /// refund, delivery refunded too): the goods are reduced by at most the lines' sum.
    public let amountFen: Int64
    public let lines: [Line]
    /// The first refund of its order: the order counts once among refunded orders.
    public let firstForOrder: Bool

    public init(order: SoldOrder, amountFen: Int64, lines: [Line], firstForOrder: Bool) {
        self.order = order
        self.amountFen = amountFen
        self.lines = lines
        self.firstForOrder = firstForOrder
    }

    /// Every line of `order` returned in full.
    public static func whole(_ order: SoldOrder, amountFen: Int64, firstForOrder: Bool) -> SalesRefund {
        SalesRefund(order: order, amountFen: amountFen,
                    lines: order.lines.map { Line(skuId: $0.skuId, quantity: $0.quantity, amountFen: $0.paidFen) }, firstForOrder: firstForOrder)
    }
}

/// The rows the daily aggregates are kept in.
public struct StoreDayKey: Hashable, Sendable, Comparable {
    public let storeId: UUID
    public let merchantId: UUID
    public let day: CalendarDate
    public let channel: SalesChannel

    public init(storeId: UUID, merchantId: UUID, day: CalendarDate, channel: SalesChannel) {
        self.storeId = storeId
        self.merchantId = merchantId
        self.day = day
        self.channel = channel
    }

    public static func < (a: StoreDayKey, b: StoreDayKey) -> Bool {
        (a.day, a.storeId.uuidString, a.channel.rawValue) < (b.day, b.storeId.uuidString, b.channel.rawValue)
    }
}

public struct SKUDayKey: Hashable, Sendable {
    public let store: StoreDayKey
    public let skuId: UUID

    public init(store: StoreDayKey, skuId: UUID) {
        self.store = store
        self.skuId = skuId
    }
}

public struct StoreHourKey: Hashable, Sendable {
    public let storeId: UUID
    public let merchantId: UUID
    public let day: CalendarDate
    public let hour: Int

    public init(storeId: UUID, merchantId: UUID, day: CalendarDate, hour: Int) {
        self.storeId = storeId
        self.merchantId = merchantId
        self.day = day
        self.hour = hour
    }
}

public struct MemberDayKey: Hashable, Sendable {
    public let storeId: UUID
    public let merchantId: UUID
    public let memberId: UUID
    public let day: CalendarDate

    public init(storeId: UUID, merchantId: UUID, memberId: UUID, day: CalendarDate) {
        self.storeId = storeId
        self.merchantId = merchantId
        self.memberId = memberId
        self.day = day
    }
}

/// A member's paid orders at a store on a day, and how many of them were their first anywhere.
public struct MemberDayOrders: Hashable, Sendable {
    public var orders: Int64 = 0
    public var firstOrders: Int64 = 0

    public init(orders: Int64 = 0, firstOrders: Int64 = 0) {
        self.orders = orders
        self.firstOrders = firstOrders
    }
}

/// What folding orders and refunds adds to each aggregate row.
public struct SalesDeltas: Hashable, Sendable {
    public var stores: [StoreDayKey: SalesFigures] = [:]
    public var skus: [SKUDayKey: SalesFigures] = [:]
    public var hours: [StoreHourKey: SalesHeatmap.Cell] = [:]
    /// Refunds leave these alone: a refunded order was still a purchase when counting repurchases.
    public var members: [MemberDayKey: MemberDayOrders] = [:]

    public init() {}
}

/// Turns paid orders and refunds into additions to the daily aggregates (门店业绩). Sales are
/// booked on the shop day the order was paid, and so are its refunds, whenever they come: a
/// day's figures are that day's orders net of what was given back for them. Orders count at
/// the store level only (an order of three SKUs is one order, three SKU rows).
public enum SalesFold {
    public static func fold(order: SoldOrder, into deltas: inout SalesDeltas, timeZone: TimeZone) throws {
        let key = storeKey(order, timeZone: timeZone)
        var store = SalesFigures()
        store.orders = 1
        if order.returningCustomer { store.returningCustomerOrders = 1 } else { store.newCustomerOrders = 1 }
        for line in order.lines {
            var sku = SalesFigures()
            sku.units = line.quantity
            sku.grossFen = line.paidFen
            if let cost = line.unitCostFen {
                sku.costedGrossFen = line.paidFen
                sku.costFen = try Checked.multiply(cost, line.quantity, "cost of goods")
            }
            store = try store.adding(sku)
            deltas.skus[SKUDayKey(store: key, skuId: line.skuId)] = try (deltas.skus[SKUDayKey(store: key, skuId: line.skuId)] ?? .zero).adding(sku)
        }
        deltas.stores[key] = try (deltas.stores[key] ?? .zero).adding(store)
        if let memberId = order.memberId {
            let memberKey = MemberDayKey(storeId: order.storeId, merchantId: order.merchantId, memberId: memberId, day: key.day)
            var counted = deltas.members[memberKey] ?? MemberDayOrders()
            counted.orders = try Checked.add(counted.orders, 1, "orders")
            if !order.returningCustomer { counted.firstOrders = try Checked.add(counted.firstOrders, 1, "orders") }
            deltas.members[memberKey] = counted
        }
        let hour = LocalTime.weekdayAndMinute(of: order.paidAt, in: timeZone).1.minutes / 60
        let hourKey = StoreHourKey(storeId: order.storeId, merchantId: order.merchantId, day: key.day, hour: hour)
        var cell = deltas.hours[hourKey] ?? SalesHeatmap.Cell()
        cell.orders = try Checked.add(cell.orders, 1, "orders")
        cell.netSalesFen = try Checked.add(cell.netSalesFen, store.grossFen, "sales")
        deltas.hours[hourKey] = cell
    }

    public static func fold(refund: SalesRefund, into deltas: inout SalesDeltas, timeZone: TimeZone) throws {
        let key = storeKey(refund.order, timeZone: timeZone)
        let lines = refund.lines.filter { $0.amountFen >= 0 && $0.quantity >= 0 }
        let claimed = try Checked.sum(lines.map(\.amountFen), "refund")
        let goods = max(0, min(refund.amountFen, claimed))
        let shares = ProportionalAllocation.allocate(total: goods, weights: lines.map(\.amountFen))
        let costs = Dictionary(refund.order.lines.map { ($0.skuId, $0.unitCostFen) }, uniquingKeysWith: { first, _ in first })
        var store = SalesFigures()
        if refund.firstForOrder { store.refundedOrders = 1 }
        for (line, share) in zip(lines, shares) {
            var sku = SalesFigures()
            sku.refundedFen = share
            sku.refundedUnits = line.quantity
            if let cost = costs[line.skuId] ?? nil {
                sku.costedRefundedFen = share
                sku.refundedCostFen = try Checked.multiply(cost, line.quantity, "cost of goods")
            }
            store = try store.adding(sku)
            deltas.skus[SKUDayKey(store: key, skuId: line.skuId)] = try (deltas.skus[SKUDayKey(store: key, skuId: line.skuId)] ?? .zero).adding(sku)
        }
        deltas.stores[key] = try (deltas.stores[key] ?? .zero).adding(store)
        let hourKey = StoreHourKey(storeId: refund.order.storeId, merchantId: refund.order.merchantId, day: key.day,
                                   hour: LocalTime.weekdayAndMinute(of: refund.order.paidAt, in: timeZone).1.minutes / 60)
        var cell = deltas.hours[hourKey] ?? SalesHeatmap.Cell()
        cell.netSalesFen = try Checked.subtract(cell.netSalesFen, goods, "sales")
        deltas.hours[hourKey] = cell
    }

    static func storeKey(_ order: SoldOrder, timeZone: TimeZone) -> StoreDayKey {
        StoreDayKey(storeId: order.storeId, merchantId: order.merchantId, day: LocalTime.calendarDate(of: order.paidAt, in: timeZone),
                    channel: order.channel)
    }
}
