import Foundation
import MallCore

// MARK: - Flash sales (限时秒杀)

/// One SKU of a session as staff enter it: its flash price, the units offered and the store
/// whose stock fulfils them (a shop or a warehouse store).
public struct FlashItemInput: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var storeId: UUID
    public var flashPriceFen: Int64
    public var quota: Int

    public init(skuId: UUID, storeId: UUID, flashPriceFen: Int64, quota: Int) {
        self.skuId = skuId
        self.storeId = storeId
        self.flashPriceFen = flashPriceFen
        self.quota = quota
    }
}

/// A session as staff create or replace it (replacing only before it starts).
public struct FlashSessionInput: Codable, Sendable, Equatable {
    public var title: String
    public var startsAt: Date
    public var endsAt: Date
    public var perMemberLimit: Int
    public var items: [FlashItemInput]

    public init(title: String, startsAt: Date, endsAt: Date, perMemberLimit: Int, items: [FlashItemInput]) {
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.perMemberLimit = perMemberLimit
        self.items = items
    }
}

/// Copying a session to a new time keeps its goods, prices, quotas and limit.
public struct FlashSessionCopyInput: Codable, Sendable, Equatable {
    public var startsAt: Date
    public var endsAt: Date

    public init(startsAt: Date, endsAt: Date) {
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

public struct FlashItem: Codable, Sendable, Equatable {
    public var id: UUID
    public var skuId: UUID
    public var productId: UUID
    public var title: String
    public var imageUrl: String?
    public var storeId: UUID
    public var storeName: String
    public var listPriceFen: Int64
    public var flashPriceFen: Int64
    public var quota: Int
    /// Units held by purchases that are paid or still within their payment window.
    public var sold: Int
    public var soldPercent: Int

    public init(id: UUID, skuId: UUID, productId: UUID, title: String, imageUrl: String?, storeId: UUID, storeName: String, listPriceFen: Int64,
                flashPriceFen: Int64, quota: Int, sold: Int, soldPercent: Int) {
        self.id = id
        self.skuId = skuId
        self.productId = productId
        self.title = title
        self.imageUrl = imageUrl
        self.storeId = storeId
        self.storeName = storeName
        self.listPriceFen = listPriceFen
        self.flashPriceFen = flashPriceFen
        self.quota = quota
        self.sold = sold
        self.soldPercent = soldPercent
    }
}

public struct FlashSession: Codable, Sendable, Equatable {
    public var id: UUID
    public var merchantId: UUID
    public var title: String
    public var startsAt: Date
    public var endsAt: Date
    public var endedAt: Date?
    public var perMemberLimit: Int
    public var phase: FlashSessionPhase
    /// What the countdown counts to (the start while upcoming, the end while live).
    public var countdownTo: Date?
    /// For a signed-in member whose level gives a head start: when they may start buying.
    public var opensForMeAt: Date?
    public var items: [FlashItem]

    public init(id: UUID, merchantId: UUID, title: String, startsAt: Date, endsAt: Date, endedAt: Date?, perMemberLimit: Int,
                phase: FlashSessionPhase, countdownTo: Date?, opensForMeAt: Date?, items: [FlashItem]) {
        self.id = id
        self.merchantId = merchantId
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.endedAt = endedAt
        self.perMemberLimit = perMemberLimit
        self.phase = phase
        self.countdownTo = countdownTo
        self.opensForMeAt = opensForMeAt
        self.items = items
    }
}

/// A quick purchase: no cart, one SKU, collected at the item's store or delivered from it.
public struct FlashPurchaseInput: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var quantity: Int?
    public var fulfilment: OrderFulfilmentKind?
    public var addressId: UUID?

    public init(skuId: UUID, quantity: Int? = nil, fulfilment: OrderFulfilmentKind? = nil, addressId: UUID? = nil) {
        self.skuId = skuId
        self.quantity = quantity
        self.fulfilment = fulfilment
        self.addressId = addressId
    }
}

public struct FlashPurchase: Codable, Sendable, Equatable {
    public var id: UUID
    public var sessionId: UUID
    public var skuId: UUID
    public var quantity: Int
    public var unitPriceFen: Int64
    /// `active` while the order is paid or payable, `returned` once it expired or was cancelled.
    public var status: String
    public var orderId: UUID?
    public var orderNumber: String?
    public var createdAt: Date

    public init(id: UUID, sessionId: UUID, skuId: UUID, quantity: Int, unitPriceFen: Int64, status: String, orderId: UUID?, orderNumber: String?,
                createdAt: Date) {
        self.id = id
        self.sessionId = sessionId
        self.skuId = skuId
        self.quantity = quantity
        self.unitPriceFen = unitPriceFen
        self.status = status
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.createdAt = createdAt
    }
}

public struct FlashPurchaseResult: Codable, Sendable, Equatable {
    public var purchase: FlashPurchase
    public var payment: PaymentInfo?
    /// Pay before this or the order expires and its units go back on sale.
    public var paymentDueAt: Date?

    public init(purchase: FlashPurchase, payment: PaymentInfo?, paymentDueAt: Date?) {
        self.purchase = purchase
        self.payment = payment
        self.paymentDueAt = paymentDueAt
    }
}

/// The console's live view of one session.
public struct FlashSessionLive: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var skuId: UUID
        public var title: String
        public var quota: Int
        public var sold: Int
        public var quotaLeft: Int
        /// Units the in-memory gate still admits (may run ahead of the database until corrected).
        public var gateLeft: Int?
        public var orders: Int
        public var paidOrders: Int
        public var paidRevenueFen: Int64

        public init(skuId: UUID, title: String, quota: Int, sold: Int, quotaLeft: Int, gateLeft: Int?, orders: Int, paidOrders: Int,
                    paidRevenueFen: Int64) {
            self.skuId = skuId
            self.title = title
            self.quota = quota
            self.sold = sold
            self.quotaLeft = quotaLeft
            self.gateLeft = gateLeft
            self.orders = orders
            self.paidOrders = paidOrders
            self.paidRevenueFen = paidRevenueFen
        }
    }

    public var session: FlashSession
    public var items: [Item]
    /// Purchases this instance refused at the gate since it started (sold out).
    public var refusals: Int

    public init(session: FlashSession, items: [Item], refusals: Int) {
        self.session = session
        self.items = items
        self.refusals = refusals
    }
}
