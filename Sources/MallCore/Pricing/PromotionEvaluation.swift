import Foundation

/// What a promotion still needs to give its next reward, for "再买¥12.00减¥30" on the product
/// page and in the cart.
public struct PromotionHint: Codable, Hashable, Sendable {
    /// Goods still to add, when the next reward depends on the amount.
    public var missingAmount: Money?
    /// Units still to add, when it depends on the count.
    public var missingQuantity: Int?
    /// The reward, e.g. "¥30.00 off" or "a free Tea cup".
    public var reward: String
    /// The whole hint as a sentence, e.g. "spend ¥12.00 more for ¥30.00 off".
    public var text: String
}

/// One promotion's result in a checkout: what it gave and what the next step needs.
public struct PromotionProgress: Codable, Hashable, Sendable {
    public var promotionId: UUID
    public var name: String
    /// Zero when it did not pay out (or only gave a gift).
    public var discount: Money
    /// Why it gave what it gave, e.g. "Spend ¥200.00, ¥30.00 off: ¥236.00 of covered goods
    /// reaches ¥200.00".
    public var description: String
    public var hint: PromotionHint?
}

/// A free line a gift promotion adds to an order. The server reserves it like any line and
/// drops it with a note when the store has none left.
public struct PromotionGift: Codable, Hashable, Sendable {
    public var promotionId: UUID
    /// The index of the request's group (order) that receives it: the first order holding the
    /// covered goods.
    public var group: Int
    public var skuId: UUID
    public var productId: UUID
    public var title: String
    public var quantity: Int
    public var description: String
}

/// A covered line as a promotion sees it: what it still costs and how many units it has.
struct PromotedItem {
    var remaining: Int64
    var quantity: Int
    var skuId: UUID
}

/// A promotion's verdict on the goods it covers.
struct PromotionOutcome {
    /// The discount per covered item, when the kind decides which lines carry it (unit-based
    /// kinds); nil spreads `discount` in proportion to what each item still costs.
    var shares: [Int64]?
    var discount: Int64
    var description: String
    var hint: PromotionHint?
    var gift: PromotionGiftRule?
}

extension PromotionKind {
    /// Judges `items` (at least one) under this kind. The discount never exceeds what they
    /// still cost, and explicit shares never exceed each item's own amount.
    func evaluate(_ items: [PromotedItem], currency: Currency) -> PromotionOutcome {
        func money(_ fen: Int64) -> Money { Money(minorUnits: fen, currency: currency) }
        let amount = items.reduce(0) { $0 + $1.remaining }
        let units = items.reduce(0) { $0 + $1.quantity }
        let covered = money(amount)
        func spendHint(_ target: Money, _ reward: String) -> PromotionHint {
            let missing = money(target.minorUnits - amount)
            return PromotionHint(missingAmount: missing, missingQuantity: nil, reward: reward, text: "spend \(missing) more for \(reward)")
        }
        func unitHint(_ missing: Int, _ reward: String) -> PromotionHint {
            PromotionHint(missingAmount: nil, missingQuantity: missing, reward: reward,
                          text: missing == 1 ? "buy 1 more item for \(reward)" : "buy \(missing) more items for \(reward)")
        }
        func notReached(_ offer: String, _ hint: PromotionHint?) -> PromotionOutcome {
            PromotionOutcome(discount: 0, description: "\(offer): not reached with \(covered) of covered goods", hint: hint)
        }

        switch self {
        case .fullReduction(let tiers):
            let reached = tiers.filter { $0.threshold.minorUnits <= amount }
            let best = reached.max { a, b in
                a.threshold != b.threshold ? a.threshold < b.threshold : a.reduction < b.reduction
            }
            // The next tier is the cheapest one above the amount that gives more than now.
            let next = tiers.filter { $0.threshold.minorUnits > amount && $0.reduction > (best?.reduction ?? .zero(currency)) }
                .min { $0.threshold != $1.threshold ? $0.threshold < $1.threshold : $0.reduction > $1.reduction }
            let hint = next.map { spendHint($0.threshold, "\($0.reduction) off") }
            guard let best else {
                let offer = next.map { "Spend \($0.threshold), \($0.reduction) off" } ?? "Full reduction"
                return notReached(offer, hint)
            }
            let discount = min(best.reduction.minorUnits, amount)
            return PromotionOutcome(
                discount: discount,
                description: "Spend \(best.threshold), \(money(discount)) off: \(covered) of covered goods reaches \(best.threshold)",
                hint: hint
            )

        case .percentOff(let basisPoints):
            return PromotionOutcome(
                discount: PricingMath.basisPoints(basisPoints, of: amount),
                description: "\(PricingText.percent(basisPoints)) off \(covered) of covered goods"
            )

        case .everyReduction(let step, let reduction, let cap):
            let offer = "Every \(step) spent, \(reduction) off"
            let times = amount / step.minorUnits
            guard times > 0 else { return notReached(offer, spendHint(step, "\(reduction) off")) }
            let (product, overflow) = times.multipliedReportingOverflow(by: reduction.minorUnits)
            var discount = overflow ? amount : min(product, amount)
            var description = "\(offer): \(covered) of covered goods makes \(times) × \(step)"
            var hint: PromotionHint?
            if let cap, discount >= cap.minorUnits {
                discount = cap.minorUnits
                description += ", capped at \(cap)"
            } else if discount < amount, times < Int64.max / step.minorUnits {
                hint = spendHint(money((times + 1) * step.minorUnits), "\(reduction) more off")
            }
            return PromotionOutcome(discount: discount, description: description, hint: hint)

        case .thresholdPercentOff(let threshold, let basisPoints):
            let offer = "Spend \(threshold), \(PricingText.percent(basisPoints)) off"
            guard amount >= threshold.minorUnits else {
                return notReached(offer, spendHint(threshold, "\(PricingText.percent(basisPoints)) off"))
            }
            return PromotionOutcome(
                discount: PricingMath.basisPoints(basisPoints, of: amount),
                description: "\(offer): \(covered) of covered goods reaches \(threshold)"
            )

        case .nthItemOff(let n, let basisPoints):
            let offer = "Item \(n) at \(PricingText.percent(basisPoints)) off"
            let shares = Self.dearestFirst(items).reduce(into: Array(repeating: Int64(0), count: items.count)) { shares, run in
                // Positions are 1-based in dearest-first order; every n-th one is discounted.
                let discounted = Int64((run.start + run.count) / n - run.start / n)
                shares[run.item] = discounted * PricingMath.basisPoints(basisPoints, of: run.unit)
            }
            let discount = shares.reduce(0, +)
            let missing = n - units % n
            let hint = unitHint(missing, "\(PricingText.percent(basisPoints)) off one more item")
            guard units >= n else {
                return PromotionOutcome(discount: 0, description: "\(offer): \(units) covered \(units == 1 ? "item" : "items")", hint: hint)
            }
            return PromotionOutcome(
                shares: shares, discount: discount,
                description: "\(offer): \(units / n) of \(units) covered items discounted",
                hint: missing == n ? nil : hint
            )

        case .bundlePrice(let count, let price):
            let offer = "Any \(count) for \(price)"
            let bundles = units / count
            let missing = count - units % count
            let hint = missing == count ? nil : unitHint(missing, "one more bundle of \(count) at \(price)")
            guard bundles > 0 else { return notReached(offer, hint) }
            let shares = Self.bundleShares(items, count: count, price: price.minorUnits)
            return PromotionOutcome(
                shares: shares, discount: shares.reduce(0, +),
                description: "\(offer): \(bundles) \(bundles == 1 ? "bundle" : "bundles") of \(units) covered items",
                hint: hint
            )

        case .gift(let rule):
            let offer = "Spend \(rule.minimumSpend), get \(rule.title) × \(rule.quantity) free"
            let reward = "a free \(rule.title)"
            if amount < rule.minimumSpend.minorUnits { return notReached(offer, spendHint(rule.minimumSpend, reward)) }
            if units < rule.minimumQuantity {
                return PromotionOutcome(discount: 0, description: "\(offer): \(units) of \(rule.minimumQuantity) covered items bought",
                                        hint: unitHint(rule.minimumQuantity - units, reward))
            }
            return PromotionOutcome(discount: 0, description: "\(offer): \(covered) of covered goods reaches \(rule.minimumSpend)", gift: rule)

        case .specialPrice(let prices):
            let byId = Dictionary(prices.map { ($0.skuId, $0.price.minorUnits) }, uniquingKeysWith: min)
            let shares = items.map { item -> Int64 in
                guard let special = byId[item.skuId] else { return 0 }
                let unit = item.remaining / Int64(item.quantity)
                return unit > special ? (unit - special) * Int64(item.quantity) : 0
            }
            let discount = shares.reduce(0, +)
            return PromotionOutcome(
                shares: shares, discount: discount,
                description: "Special price: \(money(discount)) off \(covered) of covered goods"
            )
        }
    }

    /// Runs of equally priced units, dearest first (ties by item order), with their 0-based
    /// start position among all covered units. A unit costs what its item still costs divided
    /// by its quantity, rounded down, so a unit discount never exceeds the item's amount.
    static func dearestFirst(_ items: [PromotedItem]) -> [(item: Int, unit: Int64, start: Int, count: Int)] {
        let order = items.indices.sorted { a, b in
            let ua = items[a].remaining / Int64(items[a].quantity), ub = items[b].remaining / Int64(items[b].quantity)
            return ua != ub ? ua > ub : a < b
        }
        var start = 0
        return order.map { index in
            defer { start += items[index].quantity }
            return (index, items[index].remaining / Int64(items[index].quantity), start, items[index].quantity)
        }
    }

    /// Each item's share of the bundle discounts. Bundles take units dearest first; bundles
    /// within one item's run are alike and counted at once, and a bundle spanning items spreads
    /// its discount over them in proportion to what their units cost.
    static func bundleShares(_ items: [PromotedItem], count: Int, price: Int64) -> [Int64] {
        var shares = Array(repeating: Int64(0), count: items.count)
        var open: [(item: Int, value: Int64)] = []
        var openUnits = 0
        for run in dearestFirst(items) {
            var left = run.count
            if openUnits > 0 {
                let take = min(left, count - openUnits)
                open.append((run.item, run.unit * Int64(take)))
                openUnits += take
                left -= take
                if openUnits == count {
                    let value = open.reduce(0) { $0 + $1.value }
                    if value > price {
                        let parts = ProportionalAllocation.allocate(total: value - price, weights: open.map(\.value))
                        for (entry, part) in zip(open, parts) { shares[entry.item] += part }
                    }
                    open = []
                    openUnits = 0
                }
            }
            let whole = left / count
            let bundleValue = run.unit * Int64(count)
            if whole > 0, bundleValue > price { shares[run.item] += Int64(whole) * (bundleValue - price) }
            let rest = left % count
            if rest > 0 {
                open.append((run.item, run.unit * Int64(rest)))
                openUnits += rest
            }
        }
        return shares
    }
}
