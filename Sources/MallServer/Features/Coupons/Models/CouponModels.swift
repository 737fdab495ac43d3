import Fluent
import Foundation
import MallAPI
import MallCore

/// A coupon template, the platform's (no merchant) or a merchant's. Its counters move only by
/// conditional UPDATEs in `CouponService`.
final class CouponTemplateModel: Model, @unchecked Sendable {
    static let schema = "coupon_templates"

    @ID(key: .id) var id: UUID?

    @OptionalField(key: "merchant_id") var merchantId: UUID?
    @Field(key: "title") var title: String
    @Field(key: "kind") var kind: String
    @OptionalField(key: "amount_off_fen") var amountOffFen: Int64?
    @Field(key: "minimum_spend_fen") var minimumSpendFen: Int64
    @OptionalField(key: "percent_off_basis_points") var percentOffBasisPoints: Int?
    @OptionalField(key: "cap_fen") var capFen: Int64?
    @OptionalField(key: "gift_sku_id") var giftSkuId: UUID?
    /// JSON `CouponScope`.
    @Field(key: "scope") var scope: String
    /// JSON array of level codes; nil for every level.
    @OptionalField(key: "member_levels") var memberLevels: String?
    @Field(key: "new_members_only") var newMembersOnly: Bool
    @Field(key: "stacks_with_promotions") var stacksWithPromotions: Bool
    @Field(key: "return_on_full_refund") var returnOnFullRefund: Bool
    @Field(key: "total_quantity") var totalQuantity: Int
    @Field(key: "claimed_count") var claimedCount: Int
    @Field(key: "used_count") var usedCount: Int
    @Field(key: "per_member_limit") var perMemberLimit: Int
    @OptionalField(key: "valid_from") var validFrom: Date?
    @OptionalField(key: "valid_until") var validUntil: Date?
    @OptionalField(key: "valid_days") var validDays: Int?
    @OptionalField(key: "claim_starts_at") var claimStartsAt: Date?
    @OptionalField(key: "claim_ends_at") var claimEndsAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @Field(key: "claimable") var claimable: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _merchantId, _title, _kind, _amountOffFen, _minimumSpendFen, _percentOffBasisPoints, _capFen, _giftSkuId, _scope, _memberLevels,
         _newMembersOnly, _stacksWithPromotions, _returnOnFullRefund, _totalQuantity, _claimedCount, _usedCount, _perMemberLimit, _validFrom,
         _validUntil, _validDays, _claimStartsAt, _claimEndsAt, _endedAt, _claimable, _createdAt, _updatedAt]
    }

    init() {}

    var owner: ResourceOwner { merchantId.map { .merchant(MerchantID($0)) } ?? .platform }
}

/// Coupons one member claimed from one template: the per-member limit's counter.
final class CouponMemberCountModel: Model, @unchecked Sendable {
    static let schema = "coupon_member_counts"

    @ID(key: .id) var id: UUID?

    @Field(key: "template_id") var templateId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "claimed") var claimed: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _templateId, _memberId, _claimed] }

    init() {}
}

/// A coupon a member holds; its status moves by `MemberCouponEvent`s.
final class MemberCouponModel: Model, @unchecked Sendable {
    static let schema = "member_coupons"

    @ID(key: .id) var id: UUID?

    @Field(key: "template_id") var templateId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "status") var status: String
    @Field(key: "source") var source: String
    @Field(key: "valid_from") var validFrom: Date
    @Field(key: "valid_until") var validUntil: Date
    @OptionalField(key: "checkout_id") var checkoutId: UUID?
    @Field(key: "claimed_at") var claimedAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _templateId, _memberId, _status, _source, _validFrom, _validUntil, _checkoutId, _claimedAt, _usedAt, _updatedAt] }

    init() {}
}

/// A redeemable code: single-use (quota 1) or shared (quota n, once per member).
final class CouponCodeModel: Model, @unchecked Sendable {
    static let schema = "coupon_codes"

    @ID(key: .id) var id: UUID?

    @Field(key: "template_id") var templateId: UUID
    @Field(key: "batch_id") var batchId: UUID
    @Field(key: "code") var code: String
    @Field(key: "shared") var shared: Bool
    @Field(key: "quota") var quota: Int
    @Field(key: "redeemed") var redeemed: Int
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _templateId, _batchId, _code, _shared, _quota, _redeemed, _createdAt] }

    init() {}
}

final class CouponCodeRedemptionModel: Model, @unchecked Sendable {
    static let schema = "coupon_code_redemptions"

    @ID(key: .id) var id: UUID?

    @Field(key: "code_id") var codeId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "member_coupon_id") var memberCouponId: UUID
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _codeId, _memberId, _memberCouponId, _createdAt] }

    init() {}
}
