import Fluent
import Foundation
import MallAPI
import MallCore

/// A member level HQ defined: conditions over the rolling window and rights, as data.
final class MemberLevelModel: Model, @unchecked Sendable {
    static let schema = "member_levels"

    @ID(key: .id) var id: UUID?

    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "rank") var rank: Int
    @OptionalField(key: "description") var levelDescription: String?
    @OptionalField(key: "min_spend_fen") var minimumSpendFen: Int64?
    @OptionalField(key: "min_orders") var minimumOrders: Int?
    @OptionalField(key: "min_points") var minimumPointsEarned: Int64?
    @Field(key: "match_all") var matchAll: Bool
    @Field(key: "discount_bp") var discountBasisPoints: Int
    @Field(key: "points_multiplier_bp") var pointsMultiplierBasisPoints: Int
    @OptionalField(key: "free_shipping_threshold_fen") var freeShippingThresholdFen: Int64?
    @Field(key: "priority_minutes") var priorityMinutes: Int
    @Field(key: "birthday_points") var birthdayPoints: Int64
    @OptionalField(key: "birthday_coupon_id") var birthdayCouponId: UUID?
    @Field(key: "exclusive_service") var exclusiveService: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _code, _name, _rank, _levelDescription, _minimumSpendFen, _minimumOrders, _minimumPointsEarned, _matchAll, _discountBasisPoints,
         _pointsMultiplierBasisPoints, _freeShippingThresholdFen, _priorityMinutes, _birthdayPoints, _birthdayCouponId, _exclusiveService,
         _createdAt, _updatedAt]
    }

    init() {}

    var conditions: LevelConditions {
        get {
            LevelConditions(minimumSpendFen: minimumSpendFen, minimumOrders: minimumOrders, minimumPointsEarned: minimumPointsEarned,
                            matchAll: matchAll)
        }
        set {
            minimumSpendFen = newValue.minimumSpendFen
            minimumOrders = newValue.minimumOrders
            minimumPointsEarned = newValue.minimumPointsEarned
            matchAll = newValue.matchAll
        }
    }

    var rights: LevelRights {
        get {
            LevelRights(discountBasisPoints: discountBasisPoints, pointsMultiplierBasisPoints: pointsMultiplierBasisPoints,
                        freeShippingThresholdFen: freeShippingThresholdFen, priorityMinutes: priorityMinutes, birthdayPoints: birthdayPoints,
                        birthdayCouponId: birthdayCouponId, exclusiveService: exclusiveService)
        }
        set {
            discountBasisPoints = newValue.discountBasisPoints
            pointsMultiplierBasisPoints = newValue.pointsMultiplierBasisPoints
            freeShippingThresholdFen = newValue.freeShippingThresholdFen
            priorityMinutes = newValue.priorityMinutes
            birthdayPoints = newValue.birthdayPoints
            birthdayCouponId = newValue.birthdayCouponId
            exclusiveService = newValue.exclusiveService
        }
    }

    var rule: LevelRule { LevelRule(code: code, rank: rank, conditions: conditions) }

    func dto(memberCount: Int? = nil) -> MemberLevel {
        MemberLevel(id: id!, code: code, name: name, rank: rank, description: levelDescription, conditions: conditions, rights: rights,
                    memberCount: memberCount)
    }

    /// Every level, lowest rank first.
    static func ladder(on db: any Database) async throws -> [MemberLevelModel] {
        try await query(on: db).sort(\.$rank).all()
    }
}

/// A member's standing against their level: since when they hold it and since when they no
/// longer meet it. One row per member, also the row level changes lock.
final class MemberLevelStateModel: Model, @unchecked Sendable {
    static let schema = "member_level_states"

    @ID(key: .id) var id: UUID?

    @Field(key: "member_id") var memberId: UUID
    @OptionalField(key: "since") var since: Date?
    @OptionalField(key: "below_since") var belowSince: Date?
    @OptionalField(key: "evaluated_at") var evaluatedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _memberId, _since, _belowSince, _evaluatedAt] }

    init() {}
}

/// One change of a member's level: from, to, why and when.
final class MemberLevelChangeModel: Model, @unchecked Sendable {
    static let schema = "member_level_changes"

    @ID(key: .id) var id: UUID?

    @Field(key: "member_id") var memberId: UUID
    @OptionalField(key: "from_level") var fromLevel: String?
    @OptionalField(key: "to_level") var toLevel: String?
    @Field(key: "reason") var reason: String
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "actor_staff_id") var actorStaffId: UUID?
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _memberId, _fromLevel, _toLevel, _reason, _note, _actorStaffId, _createdAt] }

    init() {}

    func dto(names: [String: String]) -> MemberLevelChange {
        MemberLevelChange(id: id!, fromLevel: fromLevel, fromName: fromLevel.flatMap { names[$0] }, toLevel: toLevel,
                          toName: toLevel.flatMap { names[$0] }, reason: LevelChangeReason(rawValue: reason) ?? .manual, note: note,
                          createdAt: createdAt)
    }
}

/// One order line's share of the points its checkout spent, and what of it came back.
final class OrderLinePointsModel: Model, @unchecked Sendable {
    static let schema = "order_line_points"

    @ID(key: .id) var id: UUID?

    @Field(key: "order_id") var orderId: UUID
    @Field(key: "order_line_id") var orderLineId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "points_spent") var pointsSpent: Int64
    @Field(key: "deduction_fen") var deductionFen: Int64
    @Field(key: "points_returned") var pointsReturned: Int64
    @OptionalField(key: "return_expires_at") var returnExpiresAt: Date?
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _orderId, _orderLineId, _memberId, _pointsSpent, _deductionFen, _pointsReturned, _returnExpiresAt, _createdAt] }

    init() {}
}

/// What a completed order earned the member, and what refunds after completion took back.
final class OrderRewardModel: Model, @unchecked Sendable {
    static let schema = "order_rewards"

    @ID(key: .id) var id: UUID?

    @Field(key: "order_id") var orderId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "completed_at") var completedAt: Date
    @Field(key: "paid_goods_fen") var paidGoodsFen: Int64
    @Field(key: "refunded_goods_fen") var refundedGoodsFen: Int64
    @Field(key: "points_earned") var pointsEarned: Int64
    @Field(key: "multiplier_bp") var multiplierBasisPoints: Int
    @Field(key: "points_clawed_back") var pointsClawedBack: Int64

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _orderId, _memberId, _completedAt, _paidGoodsFen, _refundedGoodsFen, _pointsEarned, _multiplierBasisPoints, _pointsClawedBack]
    }

    init() {}
}
