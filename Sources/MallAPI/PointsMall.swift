import Foundation
import MallCore

// MARK: - Points mall

/// An item members exchange points for (plus cash, when `cashFen` > 0).
public struct PointsMallItem: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: PointsMallItemKind
    public var title: String
    public var description: String
    public var imageUrl: String?
    /// SKU items: the catalogue SKU given, its product, merchant and list price.
    public var skuId: UUID?
    public var productId: UUID?
    public var merchantId: UUID?
    public var skuTitle: String?
    public var listPriceFen: Int64?
    /// Coupon items: the coupon template (once coupons exist).
    public var couponTemplateId: UUID?
    /// Per unit.
    public var pricePoints: Int64
    /// Per unit, paid through the usual payment flow; 0 for points only.
    public var cashFen: Int64
    /// Units offered in all, and what is left of them.
    public var stock: Int
    public var remaining: Int
    /// Units one member may exchange in all (nil: no limit).
    public var perMemberLimit: Int?
    public var startsAt: Date?
    public var endsAt: Date?
    public var enabled: Bool
    public var sortOrder: Int
    public var availability: PointsMallAvailability
    /// For a signed-in member: units they exchanged (not counting returned exchanges) and may
    /// still exchange (nil: no limit). Nil for guests and staff.
    public var myRedeemed: Int?
    public var myRemaining: Int?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, kind: PointsMallItemKind, title: String, description: String, imageUrl: String?, skuId: UUID?, productId: UUID?,
                merchantId: UUID?, skuTitle: String?, listPriceFen: Int64?, couponTemplateId: UUID?, pricePoints: Int64, cashFen: Int64,
                stock: Int, remaining: Int, perMemberLimit: Int?, startsAt: Date?, endsAt: Date?, enabled: Bool, sortOrder: Int,
                availability: PointsMallAvailability, myRedeemed: Int?, myRemaining: Int?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.kind = kind
        self.title = title
        self.description = description
        self.imageUrl = imageUrl
        self.skuId = skuId
        self.productId = productId
        self.merchantId = merchantId
        self.skuTitle = skuTitle
        self.listPriceFen = listPriceFen
        self.couponTemplateId = couponTemplateId
        self.pricePoints = pricePoints
        self.cashFen = cashFen
        self.stock = stock
        self.remaining = remaining
        self.perMemberLimit = perMemberLimit
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.enabled = enabled
        self.sortOrder = sortOrder
        self.availability = availability
        self.myRedeemed = myRedeemed
        self.myRemaining = myRemaining
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A store that can hand over an SKU item, with what it has of the SKU.
public struct PointsMallStoreOption: Codable, Sendable, Equatable {
    public var storeId: UUID
    public var name: String
    public var address: String
    public var available: Int
    public var pickupEnabled: Bool

    public init(storeId: UUID, name: String, address: String, available: Int, pickupEnabled: Bool) {
        self.storeId = storeId
        self.name = name
        self.address = address
        self.available = available
        self.pickupEnabled = pickupEnabled
    }
}

/// One item with the stores that have its SKU, and the member's balance when signed in.
public struct PointsMallItemDetail: Codable, Sendable {
    public var item: PointsMallItem
    public var stores: [PointsMallStoreOption]
    public var balance: Int64?

    public init(item: PointsMallItem, stores: [PointsMallStoreOption], balance: Int64?) {
        self.item = item
        self.stores = stores
        self.balance = balance
    }
}

/// Staff create or replace an item. `stock` is the number offered in all: lowering it below
/// what was already exchanged is refused.
public struct PointsMallItemInput: Codable, Sendable {
    public var kind: PointsMallItemKind
    public var title: String
    public var description: String?
    public var imageUrl: String?
    public var skuId: UUID?
    public var couponTemplateId: UUID?
    public var pricePoints: Int64
    public var cashFen: Int64?
    public var stock: Int
    public var perMemberLimit: Int?
    public var startsAt: Date?
    public var endsAt: Date?
    public var enabled: Bool?
    public var sortOrder: Int?

    public init(kind: PointsMallItemKind = .sku, title: String, description: String? = nil, imageUrl: String? = nil, skuId: UUID? = nil,
                couponTemplateId: UUID? = nil, pricePoints: Int64, cashFen: Int64? = nil, stock: Int, perMemberLimit: Int? = nil,
                startsAt: Date? = nil, endsAt: Date? = nil, enabled: Bool? = nil, sortOrder: Int? = nil) {
        self.kind = kind
        self.title = title
        self.description = description
        self.imageUrl = imageUrl
        self.skuId = skuId
        self.couponTemplateId = couponTemplateId
        self.pricePoints = pricePoints
        self.cashFen = cashFen
        self.stock = stock
        self.perMemberLimit = perMemberLimit
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.enabled = enabled
        self.sortOrder = sortOrder
    }
}

/// A member exchanges points for an item: collected at `storeId` (pickup) or delivered to
/// `addressId` from the nearest store that has it.
public struct RedemptionInput: Codable, Sendable {
    public var quantity: Int?
    public var fulfilment: OrderFulfilmentKind?
    public var storeId: UUID?
    public var addressId: UUID?

    public init(quantity: Int? = nil, fulfilment: OrderFulfilmentKind? = nil, storeId: UUID? = nil, addressId: UUID? = nil) {
        self.quantity = quantity
        self.fulfilment = fulfilment
        self.storeId = storeId
        self.addressId = addressId
    }
}

public enum RedemptionStatus: String, Codable, Sendable, CaseIterable {
    /// Points spent; the order (if any) runs.
    case active
    /// The order was cancelled or expired: points and item stock came back.
    case returned
}

public struct PointsMallRedemption: Codable, Sendable, Equatable {
    public var id: UUID
    public var itemId: UUID
    public var itemTitle: String
    public var memberId: UUID
    public var quantity: Int
    public var points: Int64
    public var cashFen: Int64
    public var status: RedemptionStatus
    public var orderId: UUID?
    public var orderNumber: String?
    public var orderStatus: OrderStatus?
    public var storeName: String?
    public var fulfilment: OrderFulfilmentKind?
    public var createdAt: Date
    public var returnedAt: Date?

    public init(id: UUID, itemId: UUID, itemTitle: String, memberId: UUID, quantity: Int, points: Int64, cashFen: Int64, status: RedemptionStatus,
                orderId: UUID?, orderNumber: String?, orderStatus: OrderStatus?, storeName: String?, fulfilment: OrderFulfilmentKind?,
                createdAt: Date, returnedAt: Date?) {
        self.id = id
        self.itemId = itemId
        self.itemTitle = itemTitle
        self.memberId = memberId
        self.quantity = quantity
        self.points = points
        self.cashFen = cashFen
        self.status = status
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.orderStatus = orderStatus
        self.storeName = storeName
        self.fulfilment = fulfilment
        self.createdAt = createdAt
        self.returnedAt = returnedAt
    }
}

/// The answer to an exchange: the redemption, the balance after it, and — when cash is due —
/// the payment to complete (like checkout's).
public struct RedemptionResult: Codable, Sendable {
    public var redemption: PointsMallRedemption
    public var balance: Int64
    public var payment: PaymentInfo?
    public var paymentDueAt: Date?

    public init(redemption: PointsMallRedemption, balance: Int64, payment: PaymentInfo?, paymentDueAt: Date?) {
        self.redemption = redemption
        self.balance = balance
        self.payment = payment
        self.paymentDueAt = paymentDueAt
    }
}

// MARK: - Lottery

public struct LotteryPrize: Codable, Sendable, Equatable {
    public var id: UUID
    /// The slot on the wheel, from 0, clockwise.
    public var position: Int
    public var name: String
    public var kind: LotteryPrizeKind
    public var points: Int64?
    public var skuId: UUID?
    public var skuTitle: String?
    public var storeId: UUID?
    public var storeName: String?
    public var weight: Int
    /// weight ÷ all weights, in basis points, rounded down.
    public var chanceBasisPoints: Int
    /// Units of this prize in all and left (nil: no limit — points and nothing prizes may have none).
    public var stock: Int?
    public var remaining: Int?

    public init(id: UUID, position: Int, name: String, kind: LotteryPrizeKind, points: Int64?, skuId: UUID?, skuTitle: String?, storeId: UUID?,
                storeName: String?, weight: Int, chanceBasisPoints: Int, stock: Int?, remaining: Int?) {
        self.id = id
        self.position = position
        self.name = name
        self.kind = kind
        self.points = points
        self.skuId = skuId
        self.skuTitle = skuTitle
        self.storeId = storeId
        self.storeName = storeName
        self.weight = weight
        self.chanceBasisPoints = chanceBasisPoints
        self.stock = stock
        self.remaining = remaining
    }
}

public struct Lottery: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var description: String
    public var costPoints: Int64
    /// Draws per member per day (the shop's calendar day).
    public var dailyLimit: Int
    public var startsAt: Date?
    public var endsAt: Date?
    public var enabled: Bool
    public var sortOrder: Int
    public var availability: PointsMallAvailability
    /// The version of the prize table new draws use.
    public var tableVersion: Int
    public var prizes: [LotteryPrize]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, name: String, description: String, costPoints: Int64, dailyLimit: Int, startsAt: Date?, endsAt: Date?, enabled: Bool,
                sortOrder: Int, availability: PointsMallAvailability, tableVersion: Int, prizes: [LotteryPrize], createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.description = description
        self.costPoints = costPoints
        self.dailyLimit = dailyLimit
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.enabled = enabled
        self.sortOrder = sortOrder
        self.availability = availability
        self.tableVersion = tableVersion
        self.prizes = prizes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A member's view of a lottery: the wheel, their balance and today's draws.
public struct LotteryView: Codable, Sendable {
    public var lottery: Lottery
    public var balance: Int64?
    /// The shop's calendar day, `yyyy-MM-dd`.
    public var today: String
    public var drawsToday: Int?
    public var remainingToday: Int?
    public var myDrawsToday: [LotteryDraw]

    public init(lottery: Lottery, balance: Int64?, today: String, drawsToday: Int?, remainingToday: Int?, myDrawsToday: [LotteryDraw]) {
        self.lottery = lottery
        self.balance = balance
        self.today = today
        self.drawsToday = drawsToday
        self.remainingToday = remainingToday
        self.myDrawsToday = myDrawsToday
    }
}

/// Staff create or replace a lottery with its whole wheel. A prize sent with the `id` of an
/// existing prize keeps its identity and what was given out of its stock; prizes left out are
/// retired. Every save writes the next version of the prize table.
public struct LotteryInput: Codable, Sendable {
    public var name: String
    public var description: String?
    public var costPoints: Int64
    public var dailyLimit: Int
    public var startsAt: Date?
    public var endsAt: Date?
    public var enabled: Bool?
    public var sortOrder: Int?
    public var prizes: [LotteryPrizeInput]

    public init(name: String, description: String? = nil, costPoints: Int64, dailyLimit: Int, startsAt: Date? = nil, endsAt: Date? = nil,
                enabled: Bool? = nil, sortOrder: Int? = nil, prizes: [LotteryPrizeInput]) {
        self.name = name
        self.description = description
        self.costPoints = costPoints
        self.dailyLimit = dailyLimit
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.enabled = enabled
        self.sortOrder = sortOrder
        self.prizes = prizes
    }
}

public struct LotteryPrizeInput: Codable, Sendable {
    public var id: UUID?
    public var name: String
    public var kind: LotteryPrizeKind
    public var points: Int64?
    public var skuId: UUID?
    public var storeId: UUID?
    public var weight: Int
    /// Units in all; nil for no limit (not allowed for SKU prizes).
    public var stock: Int?

    public init(id: UUID? = nil, name: String, kind: LotteryPrizeKind, points: Int64? = nil, skuId: UUID? = nil, storeId: UUID? = nil, weight: Int,
                stock: Int? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.points = points
        self.skuId = skuId
        self.storeId = storeId
        self.weight = weight
        self.stock = stock
    }
}

/// One recorded draw: everything needed to replay it (`random` and `tableVersion`) and what
/// the member got.
public struct LotteryDraw: Codable, Sendable, Equatable {
    public var id: UUID
    public var lotteryId: UUID
    public var lotteryName: String
    public var memberId: UUID
    /// The shop's calendar day the draw counts against.
    public var day: String
    public var tableVersion: Int
    /// The 64-bit value from the server's secure random number generator, as 16 hex digits.
    public var random: String
    /// The slot the value landed on, and its prize.
    public var drawnSlot: Int
    public var drawnPrizeId: UUID
    /// Where the wheel stops for the member (the drawn slot, or a "nothing" slot after a fallback).
    public var landingSlot: Int
    /// What the member got.
    public var prizeKind: LotteryPrizeKind
    public var prizeName: String
    public var points: Int64?
    public var orderId: UUID?
    public var orderNumber: String?
    /// Set when the drawn prize could not be given and the draw gave nothing instead.
    public var fallback: LotteryFallback?
    public var costPoints: Int64
    public var createdAt: Date

    public init(id: UUID, lotteryId: UUID, lotteryName: String, memberId: UUID, day: String, tableVersion: Int, random: String, drawnSlot: Int,
                drawnPrizeId: UUID, landingSlot: Int, prizeKind: LotteryPrizeKind, prizeName: String, points: Int64?, orderId: UUID?,
                orderNumber: String?, fallback: LotteryFallback?, costPoints: Int64, createdAt: Date) {
        self.id = id
        self.lotteryId = lotteryId
        self.lotteryName = lotteryName
        self.memberId = memberId
        self.day = day
        self.tableVersion = tableVersion
        self.random = random
        self.drawnSlot = drawnSlot
        self.drawnPrizeId = drawnPrizeId
        self.landingSlot = landingSlot
        self.prizeKind = prizeKind
        self.prizeName = prizeName
        self.points = points
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.fallback = fallback
        self.costPoints = costPoints
        self.createdAt = createdAt
    }
}

public struct LotteryDrawResult: Codable, Sendable {
    public var draw: LotteryDraw
    public var balance: Int64
    public var remainingToday: Int

    public init(draw: LotteryDraw, balance: Int64, remainingToday: Int) {
        self.draw = draw
        self.balance = balance
        self.remainingToday = remainingToday
    }
}

/// A stored draw run again: the prize table of its version and the slot its random value lands
/// on now, which must be the slot recorded.
public struct LotteryDrawAudit: Codable, Sendable {
    public var draw: LotteryDraw
    public var table: LotteryTable
    public var replayedSlot: Int?
    public var reproduced: Bool

    public init(draw: LotteryDraw, table: LotteryTable, replayedSlot: Int?, reproduced: Bool) {
        self.draw = draw
        self.table = table
        self.replayedSlot = replayedSlot
        self.reproduced = reproduced
    }
}
