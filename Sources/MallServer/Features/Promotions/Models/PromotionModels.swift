import Fluent
import Foundation

/// A promotion run by the platform (`merchantId` nil) or a merchant. `rule` and `scope` hold
/// the staff's input as JSON (`PromotionRuleInput`, `PromotionScopeInput`); the service turns
/// them into the core's `Promotion` for pricing.
final class PromotionModel: Model, @unchecked Sendable {
    static let schema = "promotions"

    @ID(key: .id) var id: UUID?

    @OptionalField(key: "merchant_id") var merchantId: UUID?
    @Field(key: "name") var name: String
    @Field(key: "kind") var kind: String
    @Field(key: "rule") var rule: String
    @Field(key: "scope") var scope: String
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "per_member_limit") var perMemberLimit: Int?
    @OptionalField(key: "exclusive_group") var exclusiveGroup: String?
    @Field(key: "priority") var priority: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _merchantId, _name, _kind, _rule, _scope, _startsAt, _endsAt, _endedAt, _perMemberLimit, _exclusiveGroup, _priority,
         _createdAt, _updatedAt]
    }

    init() {}
}

/// How many orders of one member used one promotion: the per-member limit's counter.
final class PromotionMemberUseModel: Model, @unchecked Sendable {
    static let schema = "promotion_member_uses"

    @ID(key: .id) var id: UUID?

    @Field(key: "promotion_id") var promotionId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "uses") var uses: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _promotionId, _memberId, _uses] }

    init() {}
}

/// One order a promotion gave something on, with that order's share of the discount.
final class PromotionOrderModel: Model, @unchecked Sendable {
    static let schema = "promotion_orders"

    @ID(key: .id) var id: UUID?

    @Field(key: "promotion_id") var promotionId: UUID
    @Field(key: "order_id") var orderId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "discount_fen") var discountFen: Int64
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _promotionId, _orderId, _memberId, _discountFen, _createdAt] }

    init() {}
}
