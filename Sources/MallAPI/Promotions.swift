import Foundation
import MallCore

/// The kinds of promotion staff can run.
public enum PromotionKindName: String, Codable, Sendable, CaseIterable {
    /// 满减 with tiers.
    case fullReduction
    /// 每满减, optionally capped.
    case everyReduction
    /// A percentage off, from any amount (折扣) or from a threshold (满折).
    case percentOff
    /// 第N件X折.
    case nthItemOff
    /// 任选N件X元.
    case bundlePrice
    /// Spend or buy X, get a SKU free.
    case gift
    /// Special price per SKU.
    case specialPrice
}

public struct PromotionTierInput: Codable, Sendable, Equatable {
    public var thresholdFen: Int64
    public var reductionFen: Int64

    public init(thresholdFen: Int64, reductionFen: Int64) {
        self.thresholdFen = thresholdFen
        self.reductionFen = reductionFen
    }
}

public struct PromotionSpecialPriceInput: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var priceFen: Int64

    public init(skuId: UUID, priceFen: Int64) {
        self.skuId = skuId
        self.priceFen = priceFen
    }
}

/// What a promotion gives; only the fields of its `kind` are read.
public struct PromotionRuleInput: Codable, Sendable, Equatable {
    public var kind: PromotionKindName
    /// fullReduction.
    public var tiers: [PromotionTierInput]?
    /// everyReduction: `reductionFen` off every `stepFen`, at most `capFen`.
    public var stepFen: Int64?
    public var reductionFen: Int64?
    public var capFen: Int64?
    /// percentOff (from `thresholdFen` when given) and nthItemOff.
    public var basisPoints: Int?
    /// percentOff's threshold, gift's minimum spend.
    public var thresholdFen: Int64?
    /// nthItemOff's N.
    public var n: Int?
    /// bundlePrice: `count` units for `priceFen`.
    public var count: Int?
    public var priceFen: Int64?
    /// gift: the free SKU, how many, and the covered units needed.
    public var giftSkuId: UUID?
    public var giftQuantity: Int?
    public var minimumQuantity: Int?
    public var specialPrices: [PromotionSpecialPriceInput]?

    public init(kind: PromotionKindName, tiers: [PromotionTierInput]? = nil, stepFen: Int64? = nil, reductionFen: Int64? = nil, capFen: Int64? = nil,
                basisPoints: Int? = nil, thresholdFen: Int64? = nil, n: Int? = nil, count: Int? = nil, priceFen: Int64? = nil,
                giftSkuId: UUID? = nil, giftQuantity: Int? = nil, minimumQuantity: Int? = nil, specialPrices: [PromotionSpecialPriceInput]? = nil) {
        self.kind = kind
        self.tiers = tiers
        self.stepFen = stepFen
        self.reductionFen = reductionFen
        self.capFen = capFen
        self.basisPoints = basisPoints
        self.thresholdFen = thresholdFen
        self.n = n
        self.count = count
        self.priceFen = priceFen
        self.giftSkuId = giftSkuId
        self.giftQuantity = giftQuantity
        self.minimumQuantity = minimumQuantity
        self.specialPrices = specialPrices
    }
}

/// Which goods and shoppers a promotion covers; an absent list means no restriction.
public struct PromotionScopeInput: Codable, Sendable, Equatable {
    public var productIds: [UUID]?
    public var categoryIds: [UUID]?
    public var brandIds: [UUID]?
    public var storeIds: [UUID]?
    public var memberLevels: [String]?
    public var newMembersOnly: Bool?

    public init(productIds: [UUID]? = nil, categoryIds: [UUID]? = nil, brandIds: [UUID]? = nil, storeIds: [UUID]? = nil,
                memberLevels: [String]? = nil, newMembersOnly: Bool? = nil) {
        self.productIds = productIds
        self.categoryIds = categoryIds
        self.brandIds = brandIds
        self.storeIds = storeIds
        self.memberLevels = memberLevels
        self.newMembersOnly = newMembersOnly
    }
}

/// Staff create or replace a promotion (replace only before it starts). `merchantId` is the
/// merchant whose goods it covers; platform staff may leave it out for a platform promotion.
public struct PromotionInput: Codable, Sendable {
    public var name: String
    public var merchantId: UUID?
    public var rule: PromotionRuleInput
    public var scope: PromotionScopeInput?
    public var startsAt: Date
    public var endsAt: Date
    public var perMemberLimit: Int?
    public var exclusiveGroup: String?
    public var priority: Int?

    public init(name: String, merchantId: UUID? = nil, rule: PromotionRuleInput, scope: PromotionScopeInput? = nil, startsAt: Date, endsAt: Date,
                perMemberLimit: Int? = nil, exclusiveGroup: String? = nil, priority: Int? = nil) {
        self.name = name
        self.merchantId = merchantId
        self.rule = rule
        self.scope = scope
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.perMemberLimit = perMemberLimit
        self.exclusiveGroup = exclusiveGroup
        self.priority = priority
    }
}

public enum PromotionStatusName: String, Codable, Sendable {
    case scheduled, running, ended
}

public struct PromotionDTO: Codable, Sendable {
    public var id: UUID
    public var name: String
    public var merchantId: UUID?
    public var status: PromotionStatusName
    public var rule: PromotionRuleInput
    public var scope: PromotionScopeInput
    public var startsAt: Date
    public var endsAt: Date
    public var endedAt: Date?
    public var perMemberLimit: Int?
    public var exclusiveGroup: String?
    public var priority: Int

    public init(id: UUID, name: String, merchantId: UUID?, status: PromotionStatusName, rule: PromotionRuleInput, scope: PromotionScopeInput,
                startsAt: Date, endsAt: Date, endedAt: Date?, perMemberLimit: Int?, exclusiveGroup: String?, priority: Int) {
        self.id = id
        self.name = name
        self.merchantId = merchantId
        self.status = status
        self.rule = rule
        self.scope = scope
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.endedAt = endedAt
        self.perMemberLimit = perMemberLimit
        self.exclusiveGroup = exclusiveGroup
        self.priority = priority
    }
}

/// A running promotion's effect so far.
public struct PromotionStats: Codable, Sendable {
    public var promotionId: UUID
    public var orders: Int
    public var paidOrders: Int
    public var paidRevenueFen: Int64
    public var discountFen: Int64
    public var participants: Int

    public init(promotionId: UUID, orders: Int, paidOrders: Int, paidRevenueFen: Int64, discountFen: Int64, participants: Int) {
        self.promotionId = promotionId
        self.orders = orders
        self.paidOrders = paidOrders
        self.paidRevenueFen = paidRevenueFen
        self.discountFen = discountFen
        self.participants = participants
    }
}

/// An ended promotion's or coupon's effect: its influenced orders against the orders of its
/// seller (its merchant, or the whole platform; a promotion's stores when it was limited to
/// stores) paid in the same length of time just before it started.
public struct MarketingSummary: Codable, Sendable {
    /// The promotion, coupon template, flash-sale session or group-buy activity.
    public var campaignId: UUID
    public var startsAt: Date
    /// When it ended: early, or at its end.
    public var endedAt: Date
    /// The baseline is `[baselineFrom, startsAt)`.
    public var baselineFrom: Date
    public var effect: CampaignSummary

    public init(campaignId: UUID, startsAt: Date, endedAt: Date, baselineFrom: Date, effect: CampaignSummary) {
        self.campaignId = campaignId
        self.startsAt = startsAt
        self.endedAt = endedAt
        self.baselineFrom = baselineFrom
        self.effect = effect
    }
}

extension PromotionKindName {
    /// The badge product cards show for this kind.
    public var badge: PromotionBadge {
        switch self {
        case .fullReduction, .everyReduction: .fullReduction
        case .percentOff, .nthItemOff, .bundlePrice: .discount
        case .gift: .gift
        case .specialPrice: .specialPrice
        }
    }
}
