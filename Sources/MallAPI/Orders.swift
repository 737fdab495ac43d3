import Foundation
import MallCore

/// Places the cart as orders. Send an `Idempotency-Key` header: a retry with the same key
/// returns the first result and creates nothing new.
public struct CheckoutInput: Codable, Sendable {
    public var note: String?
    /// Points to pay with (0–1,000,000,000); fewer are used when fewer are needed, held or allowed
    /// (`points.redeemPointsPerYuan`, `points.redeemMaxShareBasisPoints`). Left out: none.
    public var pointsToUse: Int64?
    /// The member's coupons to use (at most 20, see `GET /api/v1/checkout/preview`). Left out: none.
    public var couponIds: [UUID]?
    public init(note: String? = nil, pointsToUse: Int64? = nil, couponIds: [UUID]? = nil) {
        self.note = note
        self.pointsToUse = pointsToUse
        self.couponIds = couponIds
    }
}

public struct OrderLine: Codable, Sendable, Equatable {
    /// Named by after-sales requests.
    public var id: UUID
    public var skuId: UUID
    public var title: String
    public var specTitle: String
    public var quantity: Int
    public var unitPriceFen: Int64
    /// This line's share of the order's discounts; partial refunds are computed from it.
    public var discountFen: Int64
    public var payableFen: Int64

    public init(id: UUID, skuId: UUID, title: String, specTitle: String, quantity: Int, unitPriceFen: Int64, discountFen: Int64, payableFen: Int64) {
        self.id = id
        self.skuId = skuId
        self.title = title
        self.specTitle = specTitle
        self.quantity = quantity
        self.unitPriceFen = unitPriceFen
        self.discountFen = discountFen
        self.payableFen = payableFen
    }
}

public struct OrderTimelineEntry: Codable, Sendable, Equatable {
    public var actor: String
    public var at: Date
    public var from: OrderStatus
    public var to: OrderStatus
    public var note: String?

    public init(actor: String, at: Date, from: OrderStatus, to: OrderStatus, note: String?) {
        self.actor = actor
        self.at = at
        self.from = from
        self.to = to
        self.note = note
    }
}

public struct Order: Codable, Sendable {
    public var id: UUID
    public var number: String
    public var checkoutId: UUID
    public var merchantId: UUID
    public var storeId: UUID
    public var storeName: String
    public var fulfilment: OrderFulfilmentKind
    public var status: OrderStatus
    public var lines: [OrderLine]
    public var goodsFen: Int64
    public var discountFen: Int64
    public var shippingFen: Int64
    public var payableFen: Int64
    public var paymentDueAt: Date
    public var paidAt: Date?
    /// Why this store: the allocation's summary, readable by shopper and staff.
    public var allocationSummary: String
    public var timeline: [OrderTimelineEntry]
    /// Parcels and courier runs for this order, each with its tracking timeline.
    public var shipments: [ShipmentInfo]
    /// Money given back so far (cancellation, after-sales), in fen.
    public var refundedFen: Int64
    /// The 6-digit code the shopper shows at the store, present while the order waits for
    /// pickup; the order page's QR code carries `chainmall:pickup:<number>:<code>`.
    public var pickupCode: String?
    /// Where a delivery goes, as the shopper's address stood at checkout; nil for pickup.
    public var deliveryAddress: Address?
    public var createdAt: Date

    public init(id: UUID, number: String, checkoutId: UUID, merchantId: UUID, storeId: UUID, storeName: String, fulfilment: OrderFulfilmentKind,
                status: OrderStatus, lines: [OrderLine], goodsFen: Int64, discountFen: Int64, shippingFen: Int64, payableFen: Int64,
                paymentDueAt: Date, paidAt: Date?, allocationSummary: String, timeline: [OrderTimelineEntry], shipments: [ShipmentInfo] = [],
                refundedFen: Int64 = 0, pickupCode: String? = nil, deliveryAddress: Address? = nil, createdAt: Date) {
        self.pickupCode = pickupCode
        self.deliveryAddress = deliveryAddress
        self.id = id
        self.number = number
        self.checkoutId = checkoutId
        self.merchantId = merchantId
        self.storeId = storeId
        self.storeName = storeName
        self.fulfilment = fulfilment
        self.status = status
        self.lines = lines
        self.goodsFen = goodsFen
        self.discountFen = discountFen
        self.shippingFen = shippingFen
        self.payableFen = payableFen
        self.paymentDueAt = paymentDueAt
        self.paidAt = paidAt
        self.allocationSummary = allocationSummary
        self.timeline = timeline
        self.shipments = shipments
        self.refundedFen = refundedFen
        self.createdAt = createdAt
    }
}

public struct PaymentInfo: Codable, Sendable, Equatable {
    public var id: UUID
    /// `sandbox` is the built-in test gateway: it moves no real money.
    public var provider: String
    public var amountFen: Int64
    public var status: String
    /// Where the shopper completes the payment.
    public var payUrl: String

    public init(id: UUID, provider: String, amountFen: Int64, status: String, payUrl: String) {
        self.id = id
        self.provider = provider
        self.amountFen = amountFen
        self.status = status
        self.payUrl = payUrl
    }
}

/// A payment provider the shopper can choose at checkout.
public struct PaymentProviderInfo: Codable, Sendable, Equatable {
    /// `sandbox`, `wechat` or `alipay`.
    public var code: String
    public var name: String
    /// True for the built-in test gateway: no real money moves.
    public var isSandbox: Bool
    public init(code: String, name: String, isSandbox: Bool) {
        self.code = code
        self.name = name
        self.isSandbox = isSandbox
    }
}

public struct PaymentStartInput: Codable, Sendable {
    public var provider: String
    public init(provider: String) { self.provider = provider }
}

/// How to pay: open `payUrl` (Alipay's cashier, the sandbox page) or show `qrSvg`, the QR
/// code of `qrContent`, to be scanned with WeChat.
public struct PaymentStart: Codable, Sendable {
    public var payment: PaymentInfo
    public var payUrl: String?
    public var qrContent: String?
    public var qrSvg: String?
    public init(payment: PaymentInfo, payUrl: String?, qrContent: String?, qrSvg: String?) {
        self.payment = payment
        self.payUrl = payUrl
        self.qrContent = qrContent
        self.qrSvg = qrSvg
    }
}

public struct CheckoutResult: Codable, Sendable {
    public var checkoutId: UUID
    public var orders: [Order]
    public var payableFen: Int64
    public var payment: PaymentInfo
    public var paymentDueAt: Date
    /// The pricing, step by step, as the shopper should read it.
    public var explanation: [String]
    /// Points that paid for goods (taken from the balance when the checkout was placed).
    public var pointsUsed: Int64

    public init(checkoutId: UUID, orders: [Order], payableFen: Int64, payment: PaymentInfo, paymentDueAt: Date, explanation: [String],
                pointsUsed: Int64 = 0) {
        self.checkoutId = checkoutId
        self.orders = orders
        self.payableFen = payableFen
        self.payment = payment
        self.paymentDueAt = paymentDueAt
        self.explanation = explanation
        self.pointsUsed = pointsUsed
    }

    private enum CodingKeys: String, CodingKey {
        case checkoutId, orders, payableFen, payment, paymentDueAt, explanation, pointsUsed
    }

    /// Results stored before points could pay have no `pointsUsed`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checkoutId = try container.decode(UUID.self, forKey: .checkoutId)
        orders = try container.decode([Order].self, forKey: .orders)
        payableFen = try container.decode(Int64.self, forKey: .payableFen)
        payment = try container.decode(PaymentInfo.self, forKey: .payment)
        paymentDueAt = try container.decode(Date.self, forKey: .paymentDueAt)
        explanation = try container.decode([String].self, forKey: .explanation)
        pointsUsed = try container.decodeIfPresent(Int64.self, forKey: .pointsUsed) ?? 0
    }
}

/// What placing the cart would give now: one entry per order it would create, the totals and
/// the explanation. Nothing is reserved; stock or prices may still change before checkout.
public struct CheckoutPreview: Codable, Sendable {
    public struct Order: Codable, Sendable, Equatable {
        public var merchantName: String
        public var storeName: String
        public var fulfilment: OrderFulfilmentKind
        public var goodsFen: Int64
        public var discountFen: Int64
        public var shippingFen: Int64
        public var payableFen: Int64

        public init(merchantName: String, storeName: String, fulfilment: OrderFulfilmentKind, goodsFen: Int64, discountFen: Int64,
                    shippingFen: Int64, payableFen: Int64) {
            self.merchantName = merchantName
            self.storeName = storeName
            self.fulfilment = fulfilment
            self.goodsFen = goodsFen
            self.discountFen = discountFen
            self.shippingFen = shippingFen
            self.payableFen = payableFen
        }
    }

    public var orders: [Order]
    public var goodsFen: Int64
    public var discountFen: Int64
    public var shippingFen: Int64
    public var payableFen: Int64
    public var explanation: [String]
    /// The member level's own discount, part of `discountFen`.
    public var levelDiscountFen: Int64
    /// How points can pay and what `pointsToUse` would use.
    public var points: CheckoutPointsQuote?
    /// The member's usable coupons, the best combination and the one priced here.
    public var coupons: CheckoutCoupons?

    public init(orders: [Order], goodsFen: Int64, discountFen: Int64, shippingFen: Int64, payableFen: Int64, explanation: [String],
                levelDiscountFen: Int64 = 0, points: CheckoutPointsQuote? = nil, coupons: CheckoutCoupons? = nil) {
        self.coupons = coupons
        self.orders = orders
        self.goodsFen = goodsFen
        self.discountFen = discountFen
        self.shippingFen = shippingFen
        self.payableFen = payableFen
        self.explanation = explanation
        self.levelDiscountFen = levelDiscountFen
        self.points = points
    }
}

/// The shopper's orders with how many are in each status, for the tabs of "my orders".
public struct MyOrders: Codable, Sendable {
    public var orders: ListPage<Order>
    public var countsByStatus: [String: Int]
    public init(orders: ListPage<Order>, countsByStatus: [String: Int]) {
        self.orders = orders
        self.countsByStatus = countsByStatus
    }
}

/// The sandbox gateway's asynchronous notification, signed with HMAC-SHA256 over the raw body
/// (`X-Sandbox-Signature`, hex).
public struct SandboxNotification: Codable, Sendable, Equatable {
    public var paymentId: UUID
    public var transactionId: String
    public var amountFen: Int64
    public var status: String
    public var paidAt: Date

    public init(paymentId: UUID, transactionId: String, amountFen: Int64, status: String, paidAt: Date) {
        self.paymentId = paymentId
        self.transactionId = transactionId
        self.amountFen = amountFen
        self.status = status
        self.paidAt = paidAt
    }
}

public struct ReasonInput: Codable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Hands an order to a carrier (a code from `GET /api/v1/carriers`, with its tracking number)
/// or to the store's own courier (`store_courier`, with the courier's name and phone).
public struct ShipmentInput: Codable, Sendable {
    public var carrier: String
    public var trackingNumber: String?
    public var courierName: String?
    public var courierPhone: String?
    public init(carrier: String, trackingNumber: String? = nil, courierName: String? = nil, courierPhone: String? = nil) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.courierName = courierName
        self.courierPhone = courierPhone
    }
}

/// The 6-digit code the shopper shows, typed by the clerk or read from its QR payload
/// (`chainmall:pickup:<order number>:<code>`).
public struct PickupInput: Codable, Sendable {
    public var code: String
    public init(code: String) { self.code = code }
}

public struct ReallocationInput: Codable, Sendable {
    /// A store chosen by HQ; nil lets the planner pick the next best store.
    public var storeId: UUID?
    public init(storeId: UUID? = nil) { self.storeId = storeId }
}

/// An order as staff see it: the order plus the full allocation decision with every candidate
/// store considered and why each was or was not chosen. The pickup code is not in it: the
/// store hands goods over against the code the shopper brings.
public struct StaffOrder: Codable, Sendable {
    public var order: Order
    public var allocation: AllocationDecision
    public var carrier: String?
    public var trackingNumber: String?

    public init(order: Order, allocation: AllocationDecision, carrier: String?, trackingNumber: String?) {
        self.order = order
        self.allocation = allocation
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }
}

public struct StaffOrderList: Codable, Sendable {
    public var orders: ListPage<Order>
    public var countsByStatus: [String: Int]
    public init(orders: ListPage<Order>, countsByStatus: [String: Int]) {
        self.orders = orders
        self.countsByStatus = countsByStatus
    }
}

/// Staff order totals over a period: how many orders and how much money, by status, by store
/// and by day (in the shop's time zone). Cancelled and expired orders count in their status
/// row but not in the store and day sales.
public struct OrderTotals: Codable, Sendable {
    public struct Row: Codable, Sendable, Equatable {
        public var key: String
        public var label: String
        public var orders: Int
        public var payableFen: Int64
        public init(key: String, label: String, orders: Int, payableFen: Int64) {
            self.key = key
            self.label = label
            self.orders = orders
            self.payableFen = payableFen
        }
    }

    public var from: Date
    public var to: Date
    public var byStatus: [Row]
    public var byStore: [Row]
    public var byDay: [Row]

    public init(from: Date, to: Date, byStatus: [Row], byStore: [Row], byDay: [Row]) {
        self.from = from
        self.to = to
        self.byStatus = byStatus
        self.byStore = byStore
        self.byDay = byDay
    }
}

public struct DistanceBandInput: Codable, Sendable, Equatable {
    public var upToMeters: Int
    public var feeFen: Int64
    public init(upToMeters: Int, feeFen: Int64) {
        self.upToMeters = upToMeters
        self.feeFen = feeFen
    }
}

/// A merchant's delivery charge: free, a flat fee, or by distance band from the fulfilling
/// store (beyond the last band the merchant does not deliver); optionally free above an amount.
public struct ShippingRuleInput: Codable, Sendable {
    public var mode: ShippingMode
    public var flatFeeFen: Int64?
    public var bands: [DistanceBandInput]?
    public var freeAboveFen: Int64?
    public init(mode: ShippingMode, flatFeeFen: Int64? = nil, bands: [DistanceBandInput]? = nil, freeAboveFen: Int64? = nil) {
        self.mode = mode
        self.flatFeeFen = flatFeeFen
        self.bands = bands
        self.freeAboveFen = freeAboveFen
    }
}

public struct ShippingRuleInfo: Codable, Sendable, Equatable {
    public var merchantId: UUID
    public var mode: ShippingMode
    public var flatFeeFen: Int64?
    public var bands: [DistanceBandInput]
    public var freeAboveFen: Int64?
    /// True when the merchant has no rule of its own and the shop-wide settings apply.
    public var isDefault: Bool
    public init(merchantId: UUID, mode: ShippingMode, flatFeeFen: Int64?, bands: [DistanceBandInput], freeAboveFen: Int64?, isDefault: Bool) {
        self.merchantId = merchantId
        self.mode = mode
        self.flatFeeFen = flatFeeFen
        self.bands = bands
        self.freeAboveFen = freeAboveFen
        self.isDefault = isDefault
    }
}

/// A store that can take a pickup order whose store could not: it has the goods and self-pickup.
public struct PickupStoreOption: Codable, Sendable, Equatable {
    public var storeId: UUID
    public var name: String
    /// From the store the shopper first chose.
    public var distanceMeters: Int
    public init(storeId: UUID, name: String, distanceMeters: Int) {
        self.storeId = storeId
        self.name = name
        self.distanceMeters = distanceMeters
    }
}

public struct PickupStoreInput: Codable, Sendable {
    public var storeId: UUID
    public init(storeId: UUID) { self.storeId = storeId }
}

/// An order named by id and number, for lists that link to orders.
public struct OrderRef: Codable, Sendable, Equatable {
    public var id: UUID
    public var number: String
    public init(id: UUID, number: String) {
        self.id = id
        self.number = number
    }
}

/// One payment as HQ's finance staff see it: the checkout's orders, the provider's
/// transaction and what has been refunded of it.
public struct StaffPayment: Codable, Sendable, Equatable {
    public var id: UUID
    public var checkoutId: UUID
    public var memberId: UUID
    /// `sandbox` is the built-in test gateway: it moves no real money.
    public var provider: String
    public var amountFen: Int64
    /// `pending`, `paid`, `partially_refunded` or `refunded`.
    public var status: String
    public var providerTransactionId: String?
    public var refundedFen: Int64
    public var orders: [OrderRef]
    public var createdAt: Date
    public var paidAt: Date?

    public init(id: UUID, checkoutId: UUID, memberId: UUID, provider: String, amountFen: Int64, status: String, providerTransactionId: String?,
                refundedFen: Int64, orders: [OrderRef], createdAt: Date, paidAt: Date?) {
        self.id = id
        self.checkoutId = checkoutId
        self.memberId = memberId
        self.provider = provider
        self.amountFen = amountFen
        self.status = status
        self.providerTransactionId = providerTransactionId
        self.refundedFen = refundedFen
        self.orders = orders
        self.createdAt = createdAt
        self.paidAt = paidAt
    }
}

/// One refund as HQ's finance staff see it.
public struct RefundInfo: Codable, Sendable, Equatable {
    public var id: UUID
    public var paymentId: UUID
    public var orderId: UUID?
    /// Why: `cancelled`, `paid_after_expiry`, `after_sales:<case>`, `duplicate_payment:<transaction>`, … (`#retry:` marks a retry).
    public var cause: String
    /// The after-sales case's number when an after-sales case asked for this refund.
    public var afterSalesNumber: String?
    public var amountFen: Int64
    /// `pending` (queued for the provider), `processing` (the provider is on it), `succeeded`,
    /// `failed` (the provider refused; may be retried), `retried`.
    public var status: String
    public var provider: String
    public var providerRefundId: String?
    public var createdAt: Date
    public var completedAt: Date?

    public init(id: UUID, paymentId: UUID, orderId: UUID?, cause: String, amountFen: Int64, status: String, provider: String,
                providerRefundId: String?, createdAt: Date, completedAt: Date?, afterSalesNumber: String? = nil) {
        self.id = id
        self.paymentId = paymentId
        self.orderId = orderId
        self.cause = cause
        self.afterSalesNumber = afterSalesNumber
        self.amountFen = amountFen
        self.status = status
        self.provider = provider
        self.providerRefundId = providerRefundId
        self.createdAt = createdAt
        self.completedAt = completedAt
    }
}
