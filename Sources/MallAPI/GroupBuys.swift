import Foundation
import MallCore

// MARK: - Group buying (拼团)

/// An activity as staff create or replace it (replacing only before it starts): one SKU at a
/// group price, fulfilled from one store, for groups of `groupSize` within `timeLimitMinutes`.
public struct GroupBuyActivityInput: Codable, Sendable, Equatable {
    public var title: String
    public var skuId: UUID
    public var storeId: UUID
    public var groupPriceFen: Int64
    public var groupSize: Int
    public var timeLimitMinutes: Int
    public var perMemberLimit: Int
    /// Empty slots the platform fills with virtual members when a group's time runs out (0: none).
    public var virtualFill: Int
    public var startsAt: Date
    public var endsAt: Date

    public init(title: String, skuId: UUID, storeId: UUID, groupPriceFen: Int64, groupSize: Int, timeLimitMinutes: Int, perMemberLimit: Int = 1,
                virtualFill: Int = 0, startsAt: Date, endsAt: Date) {
        self.title = title
        self.skuId = skuId
        self.storeId = storeId
        self.groupPriceFen = groupPriceFen
        self.groupSize = groupSize
        self.timeLimitMinutes = timeLimitMinutes
        self.perMemberLimit = perMemberLimit
        self.virtualFill = virtualFill
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

/// Copying an activity to a new time keeps its SKU, store, price, size and limits.
public struct GroupBuyCopyInput: Codable, Sendable, Equatable {
    public var startsAt: Date
    public var endsAt: Date

    public init(startsAt: Date, endsAt: Date) {
        self.startsAt = startsAt
        self.endsAt = endsAt
    }
}

/// One member of a group as everyone sees them: a masked name and an avatar or initial.
public struct GroupBuyMember: Codable, Sendable, Equatable {
    public var name: String
    public var initial: String
    public var avatarUrl: String?
    public var opener: Bool
    public var paid: Bool
    /// Filled in by the platform when time ran out (virtual fill).
    public var virtual: Bool

    public init(name: String, initial: String, avatarUrl: String?, opener: Bool, paid: Bool, virtual: Bool) {
        self.name = name
        self.initial = initial
        self.avatarUrl = avatarUrl
        self.opener = opener
        self.paid = paid
        self.virtual = virtual
    }
}

public struct GroupBuyGroupView: Codable, Sendable, Equatable {
    public var id: UUID
    public var activityId: UUID
    public var status: GroupBuyGroupStatus
    public var size: Int
    /// Slots held by members, paid or within their payment window.
    public var joined: Int
    public var paid: Int
    public var slotsLeft: Int
    public var openedAt: Date
    public var expiresAt: Date
    public var secondsLeft: Int
    public var members: [GroupBuyMember]
    /// The group page's path, to share.
    public var sharePath: String

    public init(id: UUID, activityId: UUID, status: GroupBuyGroupStatus, size: Int, joined: Int, paid: Int, slotsLeft: Int, openedAt: Date,
                expiresAt: Date, secondsLeft: Int, members: [GroupBuyMember], sharePath: String) {
        self.id = id
        self.activityId = activityId
        self.status = status
        self.size = size
        self.joined = joined
        self.paid = paid
        self.slotsLeft = slotsLeft
        self.openedAt = openedAt
        self.expiresAt = expiresAt
        self.secondsLeft = secondsLeft
        self.members = members
        self.sharePath = sharePath
    }
}

public struct GroupBuyActivity: Codable, Sendable, Equatable {
    public var id: UUID
    public var merchantId: UUID
    public var title: String
    public var skuId: UUID
    public var productId: UUID
    public var productTitle: String
    public var imageUrl: String?
    public var storeId: UUID
    public var storeName: String
    public var listPriceFen: Int64
    public var groupPriceFen: Int64
    public var groupSize: Int
    public var timeLimitMinutes: Int
    public var perMemberLimit: Int
    public var virtualFill: Int
    public var startsAt: Date
    public var endsAt: Date
    public var endedAt: Date?
    public var phase: GroupBuyPhase
    /// Whether its goods are on sale (on the shelf, their merchant not suspended): when not, no
    /// group can be opened or joined, while the groups already formed run their course.
    public var onSale: Bool
    /// Groups still open for joining, soonest to expire first (only when one activity is asked for).
    public var openGroups: [GroupBuyGroupView]?

    public init(id: UUID, merchantId: UUID, title: String, skuId: UUID, productId: UUID, productTitle: String, imageUrl: String?, storeId: UUID,
                storeName: String, listPriceFen: Int64, groupPriceFen: Int64, groupSize: Int, timeLimitMinutes: Int, perMemberLimit: Int,
                virtualFill: Int, startsAt: Date, endsAt: Date, endedAt: Date?, phase: GroupBuyPhase, onSale: Bool, openGroups: [GroupBuyGroupView]?) {
        self.id = id
        self.merchantId = merchantId
        self.title = title
        self.skuId = skuId
        self.productId = productId
        self.productTitle = productTitle
        self.imageUrl = imageUrl
        self.storeId = storeId
        self.storeName = storeName
        self.listPriceFen = listPriceFen
        self.groupPriceFen = groupPriceFen
        self.groupSize = groupSize
        self.timeLimitMinutes = timeLimitMinutes
        self.perMemberLimit = perMemberLimit
        self.virtualFill = virtualFill
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.endedAt = endedAt
        self.phase = phase
        self.onSale = onSale
        self.openGroups = openGroups
    }
}

/// Opening or joining a group: one unit, collected at the activity's store or delivered from it.
public struct GroupBuyJoinInput: Codable, Sendable, Equatable {
    public var fulfilment: OrderFulfilmentKind?
    public var addressId: UUID?

    public init(fulfilment: OrderFulfilmentKind? = nil, addressId: UUID? = nil) {
        self.fulfilment = fulfilment
        self.addressId = addressId
    }
}

/// The member's place in a group: their order at the group price, to pay before `paymentDueAt`.
public struct GroupBuyJoinResult: Codable, Sendable, Equatable {
    public var group: GroupBuyGroupView
    public var orderId: UUID
    public var orderNumber: String
    public var payment: PaymentInfo?
    public var paymentDueAt: Date?

    public init(group: GroupBuyGroupView, orderId: UUID, orderNumber: String, payment: PaymentInfo?, paymentDueAt: Date?) {
        self.group = group
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.payment = payment
        self.paymentDueAt = paymentDueAt
    }
}

/// The console's live view of one activity.
public struct GroupBuyLive: Codable, Sendable, Equatable {
    public var activity: GroupBuyActivity
    public var groupsOpened: Int
    public var groupsOpen: Int
    public var groupsFilled: Int
    public var groupsFailed: Int
    /// Members holding a slot in a group that is open or filled.
    public var participants: Int
    public var paidOrders: Int
    /// Paid by members of filled groups (refunded groups excluded).
    public var revenueFen: Int64
    /// List price minus group price on the units of filled groups.
    public var discountFen: Int64
    /// Filled groups among opened ones, in whole percent.
    public var conversionPercent: Int

    public init(activity: GroupBuyActivity, groupsOpened: Int, groupsOpen: Int, groupsFilled: Int, groupsFailed: Int, participants: Int,
                paidOrders: Int, revenueFen: Int64, discountFen: Int64, conversionPercent: Int) {
        self.activity = activity
        self.groupsOpened = groupsOpened
        self.groupsOpen = groupsOpen
        self.groupsFilled = groupsFilled
        self.groupsFailed = groupsFailed
        self.participants = participants
        self.paidOrders = paidOrders
        self.revenueFen = revenueFen
        self.discountFen = discountFen
        self.conversionPercent = conversionPercent
    }
}
