import Foundation

/// A price planned ahead: from `effectiveFrom` on it replaces the list price, in one store or,
/// with `storeId` nil, in every store.
public struct ScheduledPrice: Codable, Hashable, Sendable {
    public var price: Money
    public var effectiveFrom: Date
    /// nil means every store.
    public var storeId: StoreID?

    public init(price: Money, effectiveFrom: Date, storeId: StoreID? = nil) {
        self.price = price
        self.effectiveFrom = effectiveFrom
        self.storeId = storeId
    }
}

/// What members of one level pay for the product.
public struct MemberLevelPrice: Codable, Hashable, Sendable {
    public var level: String
    /// Share of the price paid, in basis points: 9500 means members pay 95%.
    public var discountBasisPoints: Int
    /// A set member price; when present it overrides the percentage.
    public var fixedPrice: Money?

    public init(level: String, discountBasisPoints: Int = 10_000, fixedPrice: Money? = nil) {
        self.level = level
        self.discountBasisPoints = discountBasisPoints
        self.fixedPrice = fixedPrice
    }
}

/// Everything known about one SKU's prices. `storeOverride` is the static price of the store
/// being asked about; the caller loads it for that store.
public struct PriceInput: Hashable, Sendable {
    public var basePrice: Money
    public var storeOverride: Money?
    public var scheduled: [ScheduledPrice]
    public var memberLevelPrices: [MemberLevelPrice]

    public init(basePrice: Money, storeOverride: Money? = nil, scheduled: [ScheduledPrice] = [], memberLevelPrices: [MemberLevelPrice] = []) {
        self.basePrice = basePrice
        self.storeOverride = storeOverride
        self.scheduled = scheduled
        self.memberLevelPrices = memberLevelPrices
    }
}

/// One rule that set the price, with a sentence saying why, so staff and shoppers can see how
/// a price came about.
public struct PriceStep: Codable, Hashable, Sendable {
    /// "base", "scheduled", "store" or "member".
    public var rule: String
    /// An English sentence, e.g. "Store price ¥12.50 replaces the list price".
    public var description: String
    /// The price after this step.
    public var price: Money

    public init(rule: String, description: String, price: Money) {
        self.rule = rule
        self.description = description
        self.price = price
    }
}

/// The price to charge and the steps that led to it; `price` always equals the last step's.
public struct PriceQuote: Codable, Hashable, Sendable {
    public var price: Money
    public var steps: [PriceStep]

    public init(price: Money, steps: [PriceStep]) {
        self.price = price
        self.steps = steps
    }
}

/// Works out the unit price of an SKU for a store, a member level and an instant.
public enum PriceResolver {
    /// Applies the rules in order, each replacing the price so far:
    ///
    /// 1. **base** — the list price.
    /// 2. **scheduled** — among schedules in effect (`effectiveFrom <= instant`), one for this
    ///    store beats any for all stores, even a more recent one: a store that planned its own
    ///    price has decided for itself. Within the same scope the latest start wins; two that
    ///    start at the same instant resolve to the lower price, whatever their order.
    /// 3. **store** — the store's static price, unless a schedule for this store is in effect
    ///    (that is the store's newer decision). It beats a schedule for all stores, being the
    ///    more specific rule. Applies only when `storeId` is given.
    /// 4. **member** — for the first entry matching `memberLevel`: its fixed price, or else the
    ///    price so far times the basis points, rounded half up to the fen. A member rule that
    ///    would raise the price is ignored, so members never pay more than other shoppers.
    ///
    /// Prices never go below zero. Prices in another currency than the list price are ignored,
    /// since they cannot be compared with it. The result depends only on the arguments, not on
    /// the order of the lists.
    public static func resolve(_ input: PriceInput, storeId: StoreID?, memberLevel: String?, at instant: Date) -> PriceQuote {
        let currency = input.basePrice.currency
        var steps: [PriceStep] = []
        func apply(_ rule: String, _ description: String, _ price: Money) {
            steps.append(PriceStep(rule: rule, description: description, price: price))
        }

        var price = nonNegative(input.basePrice)
        if input.basePrice.minorUnits < 0 {
            apply("base", "List price \(input.basePrice) is negative and counts as \(price)", price)
        } else {
            apply("base", "List price \(price)", price)
        }
        var replaced = "the list price"

        let inEffect = input.scheduled.filter { $0.effectiveFrom <= instant && $0.price.currency == currency }
        let forThisStore = storeId.flatMap { id in latest(inEffect.filter { $0.storeId == id }) }
        if let schedule = forThisStore ?? latest(inEffect.filter { $0.storeId == nil }) {
            price = nonNegative(schedule.price)
            let scope = schedule.storeId == nil ? "for all stores" : "for this store"
            apply("scheduled", "Scheduled price \(price) \(scope) since \(schedule.effectiveFrom.formatted(.iso8601)) replaces \(replaced)", price)
            replaced = "the scheduled price"
        }

        if storeId != nil, forThisStore == nil, let override = input.storeOverride, override.currency == currency {
            price = nonNegative(override)
            apply("store", "Store price \(price) replaces \(replaced)", price)
        }

        if let memberLevel, let rule = input.memberLevelPrices.first(where: { $0.level == memberLevel }),
           let (memberPrice, how) = memberPrice(rule, from: price), memberPrice <= price {
            apply("member", "Member level \(memberLevel) \(how)", memberPrice)
            price = memberPrice
        }

        return PriceQuote(price: price, steps: steps)
    }

    private static func latest(_ schedules: [ScheduledPrice]) -> ScheduledPrice? {
        schedules.min { a, b in
            a.effectiveFrom != b.effectiveFrom ? a.effectiveFrom > b.effectiveFrom : a.price.minorUnits < b.price.minorUnits
        }
    }

    private static func memberPrice(_ rule: MemberLevelPrice, from price: Money) -> (Money, String)? {
        if let fixed = rule.fixedPrice {
            guard fixed.currency == price.currency else { return nil }
            let memberPrice = nonNegative(fixed)
            return (memberPrice, "pays the fixed price \(memberPrice) instead of \(price)")
        }
        // Above 100% the rule could only raise the price, and the arithmetic could overflow.
        guard rule.discountBasisPoints <= 10_000 else { return nil }
        let minorUnits = share(of: price.minorUnits, basisPoints: rule.discountBasisPoints)
        let memberPrice = Money(minorUnits: minorUnits, currency: price.currency)
        return (memberPrice, "pays \(percent(rule.discountBasisPoints)) of \(price): \(memberPrice)")
    }

    /// `minorUnits × basisPoints / 10 000`, rounded half up, in full width so that no price is
    /// large enough to overflow. Only called with a non-negative price and at most 10 000.
    private static func share(of minorUnits: Int64, basisPoints: Int) -> Int64 {
        guard basisPoints > 0, minorUnits > 0 else { return 0 }
        let product = minorUnits.multipliedFullWidth(by: Int64(basisPoints))
        let (quotient, remainder) = Int64(10_000).dividingFullWidth(product)
        return remainder >= 5_000 ? quotient + 1 : quotient
    }

    /// 9500 → "95%", 9550 → "95.5%", 9525 → "95.25%".
    private static func percent(_ basisPoints: Int) -> String {
        let whole = basisPoints / 100, fraction = abs(basisPoints % 100)
        let sign = basisPoints < 0 && whole == 0 ? "-" : ""
        switch fraction {
        case 0: return "\(sign)\(whole)%"
        case let f where f.isMultiple(of: 10): return "\(sign)\(whole).\(f / 10)%"
        case let f where f < 10: return "\(sign)\(whole).0\(f)%"
        default: return "\(sign)\(whole).\(fraction)%"
        }
    }

    private static func nonNegative(_ money: Money) -> Money {
        money.minorUnits < 0 ? Money(minorUnits: 0, currency: money.currency) : money
    }
}
