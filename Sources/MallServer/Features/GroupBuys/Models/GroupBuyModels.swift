import Fluent
import Foundation
import MallCore

/// A group-buy activity of one merchant's SKU (HQ manages all, a merchant its own).
final class GroupBuyActivityModel: Model, @unchecked Sendable {
    static let schema = "group_buy_activities"

    @ID(key: .id) var id: UUID?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "title") var title: String
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "group_price_fen") var groupPriceFen: Int64
    @Field(key: "group_size") var groupSize: Int
    @Field(key: "time_limit_minutes") var timeLimitMinutes: Int
    @Field(key: "per_member_limit") var perMemberLimit: Int
    @Field(key: "virtual_fill") var virtualFill: Int
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _merchantId, _title, _skuId, _storeId, _groupPriceFen, _groupSize, _timeLimitMinutes, _perMemberLimit, _virtualFill, _startsAt, _endsAt,
         _endedAt, _createdAt, _updatedAt]
    }

    init() {}

    func phase(at now: Date) -> GroupBuyPhase {
        GroupBuyRules.phase(startsAt: startsAt, endsAt: endsAt, endedAt: endedAt, now: now)
    }

    /// The moment nobody can open or join any more: the end, or an earlier early end.
    var closesAt: Date { endedAt.map { min($0, endsAt) } ?? endsAt }
}

/// One group: `joined` slots held (paid or payable), `paid` of them paid; closed once, filled or failed.
final class GroupBuyGroupModel: Model, @unchecked Sendable {
    static let schema = "group_buy_groups"

    @ID(key: .id) var id: UUID?

    @Field(key: "activity_id") var activityId: UUID
    @Field(key: "opener_member_id") var openerMemberId: UUID
    @Field(key: "size") var size: Int
    @Field(key: "joined") var joined: Int
    @Field(key: "paid") var paid: Int
    @Field(key: "virtual_members") var virtualMembers: Int
    @Field(key: "status") var status: String
    @Field(key: "opened_at") var openedAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _activityId, _openerMemberId, _size, _joined, _paid, _virtualMembers, _status, _openedAt, _expiresAt, _closedAt] }

    init() {}
}

/// What a member's place in a group is doing.
enum GroupBuyMemberStatus: String, Codable, Sendable {
    /// Holds a slot; the order waits for payment.
    case pending
    case paid
    /// The group failed; the order was cancelled and what was paid refunded.
    case refunded
    /// The order was cancelled while the group was open (by HQ), or unpaid when the group closed.
    case cancelled
}

final class GroupBuyMemberModel: Model, @unchecked Sendable {
    static let schema = "group_buy_members"

    @ID(key: .id) var id: UUID?

    @Field(key: "group_id") var groupId: UUID
    @Field(key: "activity_id") var activityId: UUID
    @Field(key: "member_id") var memberId: UUID
    @OptionalField(key: "order_id") var orderId: UUID?
    @Field(key: "opener") var opener: Bool
    @Field(key: "status") var status: String
    @Field(key: "joined_at") var joinedAt: Date
    @OptionalField(key: "paid_at") var paidAt: Date?
    @OptionalField(key: "request_key") var requestKey: String?
    /// The SKU's regular price when the member took the place: what the group price saved is
    /// counted against it.
    @Field(key: "list_price_fen") var listPriceFen: Int64

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _groupId, _activityId, _memberId, _orderId, _opener, _status, _joinedAt, _paidAt, _requestKey, _listPriceFen] }

    init() {}
}

/// Groups one member is in per activity: the per-member limit's counter.
final class GroupBuyMemberCountModel: Model, @unchecked Sendable {
    static let schema = "group_buy_member_counts"

    @ID(key: .id) var id: UUID?

    @Field(key: "activity_id") var activityId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "taken") var taken: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _activityId, _memberId, _taken] }

    init() {}
}
