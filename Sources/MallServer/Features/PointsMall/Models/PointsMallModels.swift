import Fluent
import Foundation
import MallAPI
import MallCore

/// An item of the points mall (a platform item, managed with `marketing.manage`). Its own stock
/// moves only by conditional UPDATEs in `PointsMallService`.
final class PointsMallItemModel: Model, @unchecked Sendable {
    static let schema = "points_mall_items"

    @ID(key: .id) var id: UUID?

    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @OptionalField(key: "image_url") var imageUrl: String?
    @OptionalField(key: "sku_id") var skuId: UUID?
    @OptionalField(key: "coupon_template_id") var couponTemplateId: UUID?
    @Field(key: "price_points") var pricePoints: Int64
    @Field(key: "cash_fen") var cashFen: Int64
    @Field(key: "stock_total") var stockTotal: Int
    @Field(key: "stock_remaining") var stockRemaining: Int
    @OptionalField(key: "per_member_limit") var perMemberLimit: Int?
    @OptionalField(key: "starts_at") var startsAt: Date?
    @OptionalField(key: "ends_at") var endsAt: Date?
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "sort_order") var sortOrder: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _kind, _title, _description, _imageUrl, _skuId, _couponTemplateId, _pricePoints, _cashFen, _stockTotal, _stockRemaining,
         _perMemberLimit, _startsAt, _endsAt, _enabled, _sortOrder, _createdAt, _updatedAt]
    }

    init() {}

    var itemKind: PointsMallItemKind { PointsMallItemKind(rawValue: kind) ?? .sku }

    func availability(at now: Date) -> PointsMallAvailability {
        PointsMallRules.availability(enabled: enabled, startsAt: startsAt, endsAt: endsAt, remaining: stockRemaining, now: now)
    }
}

/// Units of one item one member holds (exchanged and not returned): the per-member limit's
/// counter, moved by a conditional upsert.
final class PointsMallMemberCountModel: Model, @unchecked Sendable {
    static let schema = "points_mall_member_counts"

    @ID(key: .id) var id: UUID?

    @Field(key: "item_id") var itemId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "redeemed") var redeemed: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _itemId, _memberId, _redeemed] }

    init() {}
}

final class PointsMallRedemptionModel: Model, @unchecked Sendable {
    static let schema = "points_mall_redemptions"

    @ID(key: .id) var id: UUID?

    @Field(key: "item_id") var itemId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "request_digest") var requestDigest: String
    @Field(key: "quantity") var quantity: Int
    @Field(key: "points") var points: Int64
    @Field(key: "cash_fen") var cashFen: Int64
    @Field(key: "status") var status: String
    @OptionalField(key: "order_id") var orderId: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "returned_at") var returnedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _itemId, _memberId, _idempotencyKey, _requestDigest, _quantity, _points, _cashFen, _status, _orderId, _createdAt, _returnedAt]
    }

    init() {}
}

final class LotteryModel: Model, @unchecked Sendable {
    static let schema = "lotteries"

    @ID(key: .id) var id: UUID?

    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "cost_points") var costPoints: Int64
    @Field(key: "daily_limit") var dailyLimit: Int
    @OptionalField(key: "starts_at") var startsAt: Date?
    @OptionalField(key: "ends_at") var endsAt: Date?
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "sort_order") var sortOrder: Int
    /// The prize table new draws use (`lottery_prize_tables.version`).
    @Field(key: "table_version") var tableVersion: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _name, _description, _costPoints, _dailyLimit, _startsAt, _endsAt, _enabled, _sortOrder, _tableVersion, _createdAt, _updatedAt]
    }

    init() {}

    func availability(at now: Date) -> PointsMallAvailability {
        PointsMallRules.availability(enabled: enabled, startsAt: startsAt, endsAt: endsAt, remaining: nil, now: now)
    }
}

final class LotteryPrizeModel: Model, @unchecked Sendable {
    static let schema = "lottery_prizes"

    @ID(key: .id) var id: UUID?

    @Field(key: "lottery_id") var lotteryId: UUID
    @Field(key: "position") var position: Int
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "points") var points: Int64?
    @OptionalField(key: "sku_id") var skuId: UUID?
    @OptionalField(key: "store_id") var storeId: UUID?
    @Field(key: "weight") var weight: Int
    @OptionalField(key: "stock_total") var stockTotal: Int?
    @OptionalField(key: "stock_remaining") var stockRemaining: Int?
    @Field(key: "retired") var retired: Bool
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _lotteryId, _position, _name, _kind, _points, _skuId, _storeId, _weight, _stockTotal, _stockRemaining, _retired, _createdAt]
    }

    init() {}

    var prizeKind: LotteryPrizeKind { LotteryPrizeKind(rawValue: kind) ?? .nothing }

    var slot: LotterySlot {
        LotterySlot(prizeId: id!, name: name, kind: prizeKind, weight: weight, points: points, skuId: skuId, storeId: storeId)
    }
}

/// One version of a lottery's prize table, written once and never changed.
final class LotteryPrizeTableModel: Model, @unchecked Sendable {
    static let schema = "lottery_prize_tables"

    @ID(key: .id) var id: UUID?

    @Field(key: "lottery_id") var lotteryId: UUID
    @Field(key: "version") var version: Int
    @Field(key: "slots") var slotsJSON: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _lotteryId, _version, _slotsJSON, _createdAt] }

    init() {}

    var table: LotteryTable {
        get throws { LotteryTable(version: version, slots: try JSONText.decode([LotterySlot].self, from: slotsJSON, describing: "prize table \(version) of lottery \(lotteryId)")) }
    }
}

final class LotteryDailyCountModel: Model, @unchecked Sendable {
    static let schema = "lottery_daily_counts"

    @ID(key: .id) var id: UUID?

    @Field(key: "lottery_id") var lotteryId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "day") var day: String
    @Field(key: "draws") var draws: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _lotteryId, _memberId, _day, _draws] }

    init() {}
}

final class LotteryDrawModel: Model, @unchecked Sendable {
    static let schema = "lottery_draws"

    @ID(key: .id) var id: UUID?

    @Field(key: "lottery_id") var lotteryId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "day") var day: String
    @Field(key: "table_version") var tableVersion: Int
    /// The secure random value, 16 hex digits.
    @Field(key: "random") var random: String
    @Field(key: "drawn_slot") var drawnSlot: Int
    @Field(key: "drawn_prize_id") var drawnPrizeId: UUID
    @Field(key: "landing_slot") var landingSlot: Int
    /// The prize given (nil when the draw gave nothing).
    @OptionalField(key: "prize_id") var prizeId: UUID?
    @Field(key: "prize_kind") var prizeKind: String
    @Field(key: "prize_name") var prizeName: String
    @OptionalField(key: "points") var points: Int64?
    @OptionalField(key: "order_id") var orderId: UUID?
    @OptionalField(key: "fallback") var fallback: String?
    @Field(key: "cost_points") var costPoints: Int64
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "prize_returned_at") var prizeReturnedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _lotteryId, _memberId, _idempotencyKey, _day, _tableVersion, _random, _drawnSlot, _drawnPrizeId, _landingSlot, _prizeId, _prizeKind,
         _prizeName, _points, _orderId, _fallback, _costPoints, _createdAt, _prizeReturnedAt]
    }

    init() {}

    /// The stored random value, or nil when the row was edited into something else.
    var randomValue: UInt64? { UInt64(random, radix: 16) }
}
