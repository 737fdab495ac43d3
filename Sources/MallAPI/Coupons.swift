import Foundation

/// What a coupon template gives.
public enum CouponTemplateKind: String, Codable, Sendable, CaseIterable {
    /// 无门槛: a fixed amount off, no minimum.
    case cash
    /// 满减券: a fixed amount off from a minimum spend.
    case threshold
    /// 折扣券: a share off, optionally capped.
    case percentage
    /// 免运费.
    case freeShipping = "free_shipping"
    /// 礼品券: one unit of a given SKU free.
    case gift
}

/// A template as staff enter it. Amounts in fen; a validity is either fixed dates
/// (`validFrom` + `validUntil`) or `validDays` after the claim.
public struct CouponTemplateInput: Codable, Sendable {
    public var title: String
    public var kind: CouponTemplateKind
    /// The issuing merchant; nil for a platform (HQ) coupon.
    public var merchantId: UUID?
    public var amountOffFen: Int64?
    public var minimumSpendFen: Int64?
    public var percentOffBasisPoints: Int?
    public var capFen: Int64?
    public var giftSkuId: UUID?
    /// Scope: products, categories and brands it covers; all empty for every product.
    public var productIds: [UUID]?
    public var categoryIds: [UUID]?
    public var brandIds: [UUID]?
    /// Only goods fulfilled by these stores (delivered from them or picked up there); empty or
    /// left out for every store.
    public var storeIds: [UUID]?
    public var memberLevels: [String]?
    public var newMembersOnly: Bool?
    public var stacksWithPromotions: Bool?
    public var returnOnFullRefund: Bool?
    public var totalQuantity: Int
    public var perMemberLimit: Int?
    public var validFrom: Date?
    public var validUntil: Date?
    public var validDays: Int?
    public var claimStartsAt: Date?
    public var claimEndsAt: Date?
    /// Shown in the coupon centre; false for coupons only issued or redeemed by code.
    public var claimable: Bool?

    public init(title: String, kind: CouponTemplateKind, merchantId: UUID? = nil, amountOffFen: Int64? = nil, minimumSpendFen: Int64? = nil,
                percentOffBasisPoints: Int? = nil, capFen: Int64? = nil, giftSkuId: UUID? = nil, productIds: [UUID]? = nil,
                categoryIds: [UUID]? = nil, brandIds: [UUID]? = nil, storeIds: [UUID]? = nil, memberLevels: [String]? = nil, newMembersOnly: Bool? = nil,
                stacksWithPromotions: Bool? = nil, returnOnFullRefund: Bool? = nil, totalQuantity: Int, perMemberLimit: Int? = nil,
                validFrom: Date? = nil, validUntil: Date? = nil, validDays: Int? = nil, claimStartsAt: Date? = nil, claimEndsAt: Date? = nil,
                claimable: Bool? = nil) {
        self.title = title
        self.kind = kind
        self.merchantId = merchantId
        self.amountOffFen = amountOffFen
        self.minimumSpendFen = minimumSpendFen
        self.percentOffBasisPoints = percentOffBasisPoints
        self.capFen = capFen
        self.giftSkuId = giftSkuId
        self.productIds = productIds
        self.categoryIds = categoryIds
        self.brandIds = brandIds
        self.storeIds = storeIds
        self.memberLevels = memberLevels
        self.newMembersOnly = newMembersOnly
        self.stacksWithPromotions = stacksWithPromotions
        self.returnOnFullRefund = returnOnFullRefund
        self.totalQuantity = totalQuantity
        self.perMemberLimit = perMemberLimit
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.validDays = validDays
        self.claimStartsAt = claimStartsAt
        self.claimEndsAt = claimEndsAt
        self.claimable = claimable
    }
}

public struct CouponTemplate: Codable, Sendable, Equatable {
    public var id: UUID
    public var title: String
    public var kind: CouponTemplateKind
    public var merchantId: UUID?
    public var amountOffFen: Int64?
    public var minimumSpendFen: Int64
    public var percentOffBasisPoints: Int?
    public var capFen: Int64?
    public var giftSkuId: UUID?
    public var productIds: [UUID]
    public var categoryIds: [UUID]
    public var brandIds: [UUID]
    /// The stores whose orders it is for; empty for every store.
    public var storeIds: [UUID]
    /// Those stores' names, for the shopper ("only at …").
    public var storeNames: [String]
    public var memberLevels: [String]?
    public var newMembersOnly: Bool
    public var stacksWithPromotions: Bool
    public var returnOnFullRefund: Bool
    public var totalQuantity: Int
    public var claimedCount: Int
    public var usedCount: Int
    public var perMemberLimit: Int
    public var validFrom: Date?
    public var validUntil: Date?
    public var validDays: Int?
    public var claimStartsAt: Date?
    public var claimEndsAt: Date?
    public var endedAt: Date?
    public var claimable: Bool
    /// How many the signed-in member holds from it (claimed, any status); nil for others.
    public var claimedByMe: Int?

    public init(id: UUID, title: String, kind: CouponTemplateKind, merchantId: UUID? = nil, amountOffFen: Int64? = nil,
                    minimumSpendFen: Int64, percentOffBasisPoints: Int? = nil, capFen: Int64? = nil, giftSkuId: UUID? = nil,
                    productIds: [UUID], categoryIds: [UUID], brandIds: [UUID], storeIds: [UUID] = [], storeNames: [String] = [],
                    memberLevels: [String]? = nil, newMembersOnly: Bool,
                    stacksWithPromotions: Bool, returnOnFullRefund: Bool, totalQuantity: Int, claimedCount: Int, usedCount: Int,
                    perMemberLimit: Int, validFrom: Date? = nil, validUntil: Date? = nil, validDays: Int? = nil,
                    claimStartsAt: Date? = nil, claimEndsAt: Date? = nil, endedAt: Date? = nil, claimable: Bool, claimedByMe: Int? = nil) {
        self.id = id
        self.title = title
        self.kind = kind
        self.merchantId = merchantId
        self.amountOffFen = amountOffFen
        self.minimumSpendFen = minimumSpendFen
        self.percentOffBasisPoints = percentOffBasisPoints
        self.capFen = capFen
        self.giftSkuId = giftSkuId
        self.productIds = productIds
        self.categoryIds = categoryIds
        self.brandIds = brandIds
        self.storeIds = storeIds
        self.storeNames = storeNames
        self.memberLevels = memberLevels
        self.newMembersOnly = newMembersOnly
        self.stacksWithPromotions = stacksWithPromotions
        self.returnOnFullRefund = returnOnFullRefund
        self.totalQuantity = totalQuantity
        self.claimedCount = claimedCount
        self.usedCount = usedCount
        self.perMemberLimit = perMemberLimit
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.validDays = validDays
        self.claimStartsAt = claimStartsAt
        self.claimEndsAt = claimEndsAt
        self.endedAt = endedAt
        self.claimable = claimable
        self.claimedByMe = claimedByMe
    }
}

public enum MemberCouponState: String, Codable, Sendable, CaseIterable {
    case available, locked, used, expired
}

/// A coupon a member holds.
public struct MemberCoupon: Codable, Sendable, Equatable {
    public var id: UUID
    public var templateId: UUID
    public var title: String
    public var kind: CouponTemplateKind
    public var merchantId: UUID?
    public var amountOffFen: Int64?
    public var minimumSpendFen: Int64
    public var percentOffBasisPoints: Int?
    public var capFen: Int64?
    public var status: MemberCouponState
    public var validFrom: Date
    public var validUntil: Date
    public var claimedAt: Date
    public var usedAt: Date?
    public var checkoutId: UUID?
    /// How it came: claim, issue, code, points_mall, or birthday:<year>.
    public var source: String

    public init(id: UUID, templateId: UUID, title: String, kind: CouponTemplateKind, merchantId: UUID? = nil, amountOffFen: Int64? = nil,
                    minimumSpendFen: Int64, percentOffBasisPoints: Int? = nil, capFen: Int64? = nil, status: MemberCouponState,
                    validFrom: Date, validUntil: Date, claimedAt: Date, usedAt: Date? = nil, checkoutId: UUID? = nil, source: String) {
        self.id = id
        self.templateId = templateId
        self.title = title
        self.kind = kind
        self.merchantId = merchantId
        self.amountOffFen = amountOffFen
        self.minimumSpendFen = minimumSpendFen
        self.percentOffBasisPoints = percentOffBasisPoints
        self.capFen = capFen
        self.status = status
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.claimedAt = claimedAt
        self.usedAt = usedAt
        self.checkoutId = checkoutId
        self.source = source
    }
}

public struct CouponCodeRedemptionInput: Codable, Sendable {
    public var code: String
    public init(code: String) { self.code = code }
}

/// Whom to give a template's coupons to: member ids and/or mobile numbers (at most 1,000 in all).
public struct CouponIssueInput: Codable, Sendable {
    public var memberIds: [UUID]?
    public var mobiles: [String]?
    public init(memberIds: [UUID]? = nil, mobiles: [String]? = nil) {
        self.memberIds = memberIds
        self.mobiles = mobiles
    }
}

public struct CouponIssueResult: Codable, Sendable, Equatable {
    public var issued: Int
    /// Each recipient that got nothing, with the reason.
    public var skipped: [String]

    public init(issued: Int, skipped: [String]) {
        self.issued = issued
        self.skipped = skipped
    }
}

/// A batch of codes: `count` single-use codes, or one shared `code` usable `quota` times (once
/// per member).
public struct CouponCodeBatchInput: Codable, Sendable {
    public var count: Int?
    public var code: String?
    public var quota: Int?
    public init(count: Int? = nil, code: String? = nil, quota: Int? = nil) {
        self.count = count
        self.code = code
        self.quota = quota
    }
}

public struct CouponCode: Codable, Sendable, Equatable {
    public var code: String
    public var shared: Bool
    public var quota: Int
    public var redeemed: Int
    public var batchId: UUID

    public init(code: String, shared: Bool, quota: Int, redeemed: Int, batchId: UUID) {
        self.code = code
        self.shared = shared
        self.quota = quota
        self.redeemed = redeemed
        self.batchId = batchId
    }
}

/// The coupons at checkout: what the member could use, what the best combination is, and what
/// was applied to this preview.
public struct CheckoutCoupons: Codable, Sendable, Equatable {
    public struct Evaluation: Codable, Sendable, Equatable {
        public var memberCouponId: UUID
        public var applied: Bool
        public var discountFen: Int64
        public var message: String

        public init(memberCouponId: UUID, applied: Bool, discountFen: Int64, message: String) {
            self.memberCouponId = memberCouponId
            self.applied = applied
            self.discountFen = discountFen
            self.message = message
        }
    }
    public var usable: [MemberCoupon]
    public var best: [UUID]
    public var chosen: [UUID]
    public var evaluations: [Evaluation]

    public init(usable: [MemberCoupon], best: [UUID], chosen: [UUID], evaluations: [Evaluation]) {
        self.usable = usable
        self.best = best
        self.chosen = chosen
        self.evaluations = evaluations
    }
}
