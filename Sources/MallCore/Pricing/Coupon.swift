import Foundation

/// A coupon the shopper holds and chose to use at checkout. Whether it belongs to the shopper
/// and is unused is the server's business; the engine decides whether it applies to this cart.
///
/// At most one coupon per issuer applies: one per merchant (店铺券) plus one from the platform
/// (平台券). Merchant coupons go first, then the platform's, each judged on the goods left after
/// the promotions and the coupons before it.
public struct Coupon: Codable, Hashable, Sendable {
    public var id: UUID
    /// The shopper-facing title, e.g. "¥10 off ¥99".
    public var title: String
    /// The issuing merchant, whose lines alone it covers; nil for a platform coupon.
    public var merchantId: MerchantID?
    public var products: ProductScope
    /// Only goods fulfilled by these stores (delivered from them or picked up there); nil for
    /// every store.
    public var stores: Set<StoreID>?
    /// The least the covered goods must come to (after promotions); zero for no minimum.
    public var minimumSpend: Money
    public var kind: CouponKind
    /// First instant it can be used; nil for no start.
    public var validFrom: Date?
    /// First instant it can no longer be used; nil for no end.
    public var validUntil: Date?
    /// False for a coupon "not combinable with promotions" (不与促销同享): it then covers only
    /// lines no promotion discounted.
    public var stacksWithPromotions: Bool

    public init(
        id: UUID, title: String, merchantId: MerchantID? = nil, products: ProductScope = .allProducts, stores: Set<StoreID>? = nil,
        minimumSpend: Money, kind: CouponKind, validFrom: Date? = nil, validUntil: Date? = nil,
        stacksWithPromotions: Bool = true
    ) {
        self.id = id
        self.title = title
        self.merchantId = merchantId
        self.products = products
        self.stores = stores
        self.minimumSpend = minimumSpend
        self.kind = kind
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.stacksWithPromotions = stacksWithPromotions
    }

    /// Goods coupons and free-shipping coupons are counted apart: a shopper may use one of each
    /// per issuer, the way 运费券 sit beside 店铺券 in Chinese malls.
    public var issuerSlot: CouponIssuerSlot {
        CouponIssuerSlot(merchantId: merchantId, waivesShipping: kind == .freeShipping)
    }

    func covers(_ line: CartLine) -> Bool {
        (merchantId == nil || merchantId == line.merchantId) && products.covers(line.productId)
    }

    func takes(_ store: StoreID) -> Bool {
        stores?.contains(store) ?? true
    }
}

/// What a coupon takes off the goods it covers, never more than they come to.
public enum CouponKind: Codable, Hashable, Sendable {
    /// A fixed amount off, e.g. ¥10.
    case amountOff(Money)
    /// A share off in basis points (1000 = 10% off), rounded down to the fen, at most `cap`.
    case percentOff(basisPoints: Int, cap: Money?)
    /// 免运费: the shipping fee of every delivery order holding goods it covers.
    case freeShipping
    /// 礼品券: one unit of this SKU free, when it is in the checkout among the covered goods.
    case freeItem(skuId: UUID)
}

/// Which "one coupon per issuer" rule a coupon falls under.
public struct CouponIssuerSlot: Hashable, Sendable, Comparable {
    public var merchantId: MerchantID?
    public var waivesShipping: Bool

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.merchantId?.rawValue.uuidString ?? "", lhs.waivesShipping ? 1 : 0) < (rhs.merchantId?.rawValue.uuidString ?? "", rhs.waivesShipping ? 1 : 0)
    }
}

/// What became of one coupon the shopper chose.
public struct CouponEvaluation: Codable, Hashable, Sendable {
    public var couponId: UUID
    public var title: String
    public var status: CouponStatus
    /// A sentence for the shopper, e.g. "needs ¥99.00 of covered goods, the cart has ¥80.00".
    public var message: String

    public init(couponId: UUID, title: String, status: CouponStatus, message: String) {
        self.couponId = couponId
        self.title = title
        self.status = status
        self.message = message
    }
}

public enum CouponStatus: Codable, Hashable, Sendable {
    case applied(discount: Money)
    case notApplicable(CouponRejection)
}

/// Why a coupon does not apply, precise enough for the shopper to act on it.
public enum CouponRejection: Codable, Hashable, Sendable {
    case notYetValid(validFrom: Date)
    case expired(validUntil: Date)
    /// The issuing merchant sells nothing in this checkout.
    case merchantNotInCheckout
    /// None of the checkout's lines is a product the coupon covers.
    case noCoveredItems
    /// The goods it covers are fulfilled by stores it is not for.
    case notAtTheseStores
    case belowMinimumSpend(required: Money, covered: Money)
    /// Another coupon of the same issuer already applies; one per issuer.
    case anotherCouponFromSameIssuer(couponId: UUID)
    /// Earlier discounts already took the covered goods down to (nearly) nothing.
    case nothingLeftToDiscount
    /// Not combinable with promotions, and every covered item already has one.
    case onlyPromotedItems
    /// A free-shipping coupon, and no delivery it covers charges for shipping.
    case noShippingToWaive
    /// A gift coupon whose SKU is not among the covered goods of this checkout.
    case giftItemNotInCheckout

    /// The reason in plain English.
    public var message: String {
        switch self {
        case .notYetValid(let from): "can be used from \(from.formatted(.iso8601))"
        case .expired(let until): "expired at \(until.formatted(.iso8601))"
        case .merchantNotInCheckout: "is for a shop with nothing in this checkout"
        case .noCoveredItems: "covers none of the items in this checkout"
        case .notAtTheseStores: "is only for orders fulfilled by certain stores, and no store of this checkout is one of them"
        case .belowMinimumSpend(let required, let covered):
            "needs \(required) of covered goods, the checkout has \(covered); add \(required - covered) more"
        case .anotherCouponFromSameIssuer: "cannot be combined with another coupon from the same issuer"
        case .nothingLeftToDiscount: "has nothing left to discount after the other discounts"
        case .onlyPromotedItems: "cannot be combined with promotions, and every item it covers already has one"
        case .noShippingToWaive: "waives shipping, and nothing it covers is charged for shipping"
        case .giftItemNotInCheckout: "gives an item that is not in this checkout; add it to use the coupon"
        }
    }
}

extension CouponKind {
    func evaluate(coveredAmount amount: Int64, currency: Currency) -> RuleOutcome {
        let covered = Money(minorUnits: amount, currency: currency)
        switch self {
        case .amountOff(let off):
            let discount = min(off.minorUnits, amount)
            return RuleOutcome(discount: discount, description: "\(off) off \(covered) of covered goods")
        case .percentOff(let basisPoints, let cap):
            let share = PricingMath.basisPoints(basisPoints, of: amount)
            let capped = cap.map { min(share, $0.minorUnits) } ?? share
            let capText = cap.map { capped < share ? ", capped at \($0)" : " (at most \($0))" } ?? ""
            return RuleOutcome(
                discount: capped,
                description: "\(PricingText.percent(basisPoints)) off \(covered) of covered goods\(capText)"
            )
        case .freeShipping, .freeItem:
            // Judged by the engine, which knows the shipping quotes and the gift's unit price.
            return RuleOutcome(discount: 0, description: "")
        }
    }
}
