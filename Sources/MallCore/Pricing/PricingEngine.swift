import Foundation

/// Prices a checkout: one pure function from a `PricingRequest` to a `PricedCheckout`.
///
/// The pipeline, each step seeing the goods left to pay after the steps before it:
///
/// 1. **Prices** — each line's unit price as `PriceResolver` resolved it (store and member
///    level), times its quantity.
/// 2. **Promotions** — by priority (then request order), each over the lines it covers across
///    the whole checkout (so a merchant's threshold counts all of its orders), an exclusive
///    group's lines going to its first promotion; gifts come out as `PricedCheckout.gifts`.
/// 3. **Coupons** — merchant coupons, then platform coupons, at most one per issuer; every
///    coupon gets an evaluation saying what it took off or why it does not apply.
/// 4. **Member level** — the level's own discount (`LevelBenefits.discountBasisPoints`) off the
///    goods left, on top of level prices. It comes after promotions and coupons so that it can
///    never cost the member a threshold they reached: with its benefits a member never pays
///    more than without them.
/// 5. **Points** — whole fen only, at most the policy's share of the goods left, never more
///    points than the member holds or asked for, and never paying for shipping.
/// 6. **Shipping** — per order by the merchant's rule: free for pickup, free when the merchant's
///    delivered goods after promotions and coupons reach its threshold (or the member level's,
///    when that is lower), else flat or by distance band. The level's discount and points do
///    not count against the threshold: both are the member's own, not the shop's discount.
/// 7. **Totals** — per order and for the checkout.
///
/// Every discount is allocated to the lines it covers in proportion to what each line still
/// costs, by `ProportionalAllocation` (largest remainder, ties to the earlier line, lines
/// ordered as in the request). Allocations sum to the discount to the fen and never exceed what
/// a line still costs, so every line, order and checkout stays at or above zero and a partial
/// refund can give back exactly a line's share.
public enum PricingEngine {
    /// The largest amount any single input or the checkout's goods may come to: ¥10 trillion.
    /// Far beyond any real cart, and low enough that no sum in the engine can overflow.
    public static let maximumAmount: Int64 = 1_000_000_000_000_000
    /// The most orders one checkout may split into.
    public static let maximumGroups = 1_000
    /// The most units of one line.
    public static let maximumQuantity = 1_000_000

    /// Prices `request`.
    ///
    /// - Throws: `ValidationFailure` listing every invalid input at once: an empty checkout or
    ///   order, a quantity below 1, a negative amount, an amount in another currency, a line of
    ///   another merchant than its order, a rule out of range, a delivery without a shipping rule
    ///   or beyond its last distance band.
    public static func price(_ request: PricingRequest) throws -> PricedCheckout {
        try PricingValidator.validate(request)
        var run = PricingRun(request: request)
        run.applyPromotions()
        run.applyCoupons()
        var shipping = run.quoteShipping()
        run.applyShippingCoupons(to: &shipping)
        run.applyLevelDiscount()
        run.applyPoints()
        return run.result(shipping: shipping)
    }
}

/// The working state of one pricing: every line of every group in one flat list, in request
/// order, with what each still costs.
private struct PricingRun {
    struct WorkingLine {
        var group: Int
        var line: CartLine
        var subtotal: Int64
        var remaining: Int64
        var allocations: [(source: DiscountSource, amount: Int64)] = []
    }

    /// A discount with each line's share, so each group's share can be summed afterwards.
    struct Applied {
        var discount: AppliedDiscount
        var shares: [(line: Int, amount: Int64)]
    }

    let request: PricingRequest
    let currency: Currency
    var lines: [WorkingLine] = []
    var applied: [Applied] = []
    var couponEvaluations: [CouponEvaluation] = []
    private var couponEvaluationsByIndex: [Int: CouponEvaluation] = [:]
    var points: PointsOutcome
    /// Promotions that paid nothing, for the explanation ("spend ¥30.00 more …").
    var notes: [String] = []
    var progress: [PromotionProgress] = []
    var gifts: [PromotionGift] = []

    init(request: PricingRequest) {
        self.request = request
        currency = request.currency
        for (groupIndex, group) in request.groups.enumerated() {
            for line in group.lines {
                // Validation has bounded the product, so it cannot overflow.
                let subtotal = line.unitPrice.minorUnits * Int64(line.quantity)
                lines.append(WorkingLine(group: groupIndex, line: line, subtotal: subtotal, remaining: subtotal))
            }
        }
        points = PointsOutcome(pointsUsed: 0, deduction: .zero(currency), description: "No points used",
                               maximumDeduction: .zero(currency), pointsForMaximum: 0)
    }

    func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: currency) }

    /// Spreads `amount` over `indices` by what each still costs and records the discount.
    /// `amount` never exceeds their sum, which keeps every line's remaining amount at or above 0.
    mutating func apply(_ amount: Int64, to indices: [Int], as discount: AppliedDiscount) {
        let shares = ProportionalAllocation.allocate(total: amount, weights: indices.map { lines[$0].remaining })
        var recorded: [(line: Int, amount: Int64)] = []
        for (index, share) in zip(indices, shares) where share > 0 {
            lines[index].remaining -= share
            lines[index].allocations.append((discount.source, share))
            recorded.append((index, share))
        }
        applied.append(Applied(discount: discount, shares: recorded))
    }

    /// Records a discount whose shares the rule decided line by line; each share is at most
    /// what its line still costs.
    mutating func applyShares(_ shares: [(index: Int, amount: Int64)], as discount: AppliedDiscount) {
        var recorded: [(line: Int, amount: Int64)] = []
        for (index, share) in shares where share > 0 {
            lines[index].remaining -= share
            lines[index].allocations.append((discount.source, share))
            recorded.append((index, share))
        }
        applied.append(Applied(discount: discount, shares: recorded))
    }

    // MARK: Member level

    mutating func applyLevelDiscount() {
        guard let benefits = request.member.benefits, benefits.discountBasisPoints > 0 else { return }
        let covered = lines.indices.filter { lines[$0].remaining > 0 }
        let goods = covered.reduce(0) { $0 + lines[$1].remaining }
        // Rounded down: never a fen more than the level promises. At most the goods, since the
        // validator keeps the rate at or below 100%.
        let amount = PricingMath.basisPoints(benefits.discountBasisPoints, of: goods)
        guard amount > 0 else { return }
        let discount = AppliedDiscount(
            source: .memberLevel, title: "Member level \(benefits.name) \(LevelRules.fold(discountBasisPoints: benefits.discountBasisPoints))",
            description: "\(PricingText.percent(benefits.discountBasisPoints)) off \(money(goods)) of goods", amount: money(amount)
        )
        apply(amount, to: covered, as: discount)
    }

    // MARK: Promotions

    /// Highest priority first, equal priorities in request order. A promotion with an exclusive
    /// group skips lines another promotion of its group already discounted or earned a gift on.
    mutating func applyPromotions() {
        let order = request.promotions.indices.sorted { a, b in
            let pa = request.promotions[a].priority, pb = request.promotions[b].priority
            return pa != pb ? pa > pb : a < b
        }
        var claimed: [Int: Set<String>] = [:]
        for promotion in order.map({ request.promotions[$0] }) where promotion.isOffered(to: request.member) {
            let covered = lines.indices.filter { index in
                promotion.covers(lines[index].line, at: request.groups[lines[index].group].storeId) && lines[index].remaining > 0
                    && !(promotion.exclusiveGroup.map { claimed[index, default: []].contains($0) } ?? false)
            }
            guard !covered.isEmpty else { continue }
            let items = covered.map { PromotedItem(remaining: lines[$0].remaining, quantity: lines[$0].line.quantity, skuId: lines[$0].line.skuId) }
            let outcome = promotion.kind.evaluate(items, currency: currency)
            progress.append(PromotionProgress(promotionId: promotion.id, name: promotion.name, discount: money(outcome.discount),
                                              description: outcome.description, hint: outcome.hint))
            if let rule = outcome.gift {
                gifts.append(PromotionGift(promotionId: promotion.id, group: lines[covered[0]].group, skuId: rule.skuId, productId: rule.productId,
                                           title: rule.title, quantity: rule.quantity, description: outcome.description))
            } else if outcome.discount == 0 {
                notes.append("\(promotion.name): \(outcome.description)" + (outcome.hint.map { "; \($0.text)" } ?? ""))
                continue
            }
            if let group = promotion.exclusiveGroup {
                for index in covered { claimed[index, default: []].insert(group) }
            }
            guard outcome.discount > 0 else { continue }
            let discount = AppliedDiscount(
                source: .promotion(promotion.id), title: promotion.name,
                description: outcome.description, amount: money(outcome.discount)
            )
            if let shares = outcome.shares {
                applyShares(Array(zip(covered, shares)), as: discount)
            } else {
                apply(outcome.discount, to: covered, as: discount)
            }
        }
    }

    // MARK: Coupons

    /// Coupons in the order they are judged: merchant coupons first, so that the platform's
    /// minimum spend is judged on what the shopper really pays the shops, the way the platform
    /// funds its coupon on top.
    var couponOrder: [Int] {
        request.coupons.indices.filter { request.coupons[$0].merchantId != nil }
            + request.coupons.indices.filter { request.coupons[$0].merchantId == nil }
    }

    /// Goods coupons; free-shipping coupons wait for the shipping quotes (`applyShippingCoupons`).
    mutating func applyCoupons() {
        var usedBySlot: [CouponIssuerSlot: UUID] = [:]
        for index in couponOrder where request.coupons[index].kind != .freeShipping {
            let coupon = request.coupons[index]
            let (status, message) = evaluate(coupon, usedBySlot: usedBySlot)
            if case .applied = status { usedBySlot[coupon.issuerSlot] = coupon.id }
            couponEvaluationsByIndex[index] = CouponEvaluation(couponId: coupon.id, title: coupon.title, status: status, message: message)
        }
    }

    /// Lines a coupon may discount: covered, and without a promotion when it does not stack.
    private func linesFor(_ coupon: Coupon) -> (covered: [Int], eligible: [Int]) {
        let covered = lines.indices.filter { coupon.covers(lines[$0].line) && coupon.takes(request.groups[lines[$0].group].storeId) }
        let eligible = coupon.stacksWithPromotions ? covered : covered.filter { index in
            !lines[index].allocations.contains { if case .promotion = $0.source { true } else { false } }
        }
        return (covered, eligible)
    }

    /// The checks every coupon passes first; nil when it may go on.
    private func precheck(_ coupon: Coupon, usedBySlot: [CouponIssuerSlot: UUID]) -> CouponRejection? {
        if let from = coupon.validFrom, request.at < from { return .notYetValid(validFrom: from) }
        if let until = coupon.validUntil, request.at >= until { return .expired(validUntil: until) }
        if let merchant = coupon.merchantId, !lines.contains(where: { $0.line.merchantId == merchant }) { return .merchantNotInCheckout }
        if let other = usedBySlot[coupon.issuerSlot] { return .anotherCouponFromSameIssuer(couponId: other) }
        let (covered, eligible) = linesFor(coupon)
        if covered.isEmpty {
            return lines.contains { coupon.covers($0.line) } ? .notAtTheseStores : .noCoveredItems
        }
        if eligible.isEmpty { return .onlyPromotedItems }
        let amount = eligible.reduce(0) { $0 + lines[$1].remaining }
        guard amount >= coupon.minimumSpend.minorUnits else {
            return .belowMinimumSpend(required: coupon.minimumSpend, covered: money(amount))
        }
        return nil
    }

    /// Applies the coupon when it can, and says what it did or why it could not.
    private mutating func evaluate(_ coupon: Coupon, usedBySlot: [CouponIssuerSlot: UUID]) -> (CouponStatus, String) {
        func reject(_ rejection: CouponRejection) -> (CouponStatus, String) { (.notApplicable(rejection), rejection.message) }
        if let rejection = precheck(coupon, usedBySlot: usedBySlot) { return reject(rejection) }
        let eligible = linesFor(coupon).eligible
        let amount = eligible.reduce(0) { $0 + lines[$1].remaining }
        var outcome = coupon.kind.evaluate(coveredAmount: amount, currency: currency)
        var targets = eligible
        if case .freeItem(let skuId) = coupon.kind {
            // The first line of the gift's SKU gives one unit: what that unit still costs there.
            guard let gift = eligible.first(where: { lines[$0].line.skuId == skuId }) else { return reject(.giftItemNotInCheckout) }
            let unit = lines[gift].line.unitPrice
            outcome = RuleOutcome(discount: min(unit.minorUnits, lines[gift].remaining),
                                  description: "one \(lines[gift].line.title) free (\(unit))")
            targets = [gift]
        }
        guard outcome.discount > 0 else { return reject(.nothingLeftToDiscount) }
        let discount = AppliedDiscount(
            source: .coupon(coupon.id), title: coupon.title,
            description: outcome.description, amount: money(outcome.discount)
        )
        apply(outcome.discount, to: targets.filter { lines[$0].remaining > 0 }, as: discount)
        return (.applied(discount: discount.amount), outcome.description)
    }

    /// Free-shipping coupons, merchant first: each waives the fee of every delivery order that
    /// holds goods it covers and still pays for shipping. What it saved is its discount; it is
    /// not spread over lines, since shipping is not part of any line.
    mutating func applyShippingCoupons(to shipping: inout [ShippingQuote]) {
        var usedBySlot: [CouponIssuerSlot: UUID] = [:]
        for index in couponOrder where request.coupons[index].kind == .freeShipping {
            let coupon = request.coupons[index]
            var status: CouponStatus
            var message: String
            if let rejection = precheck(coupon, usedBySlot: usedBySlot) {
                (status, message) = (.notApplicable(rejection), rejection.message)
            } else {
                let groups = Set(linesFor(coupon).eligible.map { lines[$0].group })
                let waived = groups.sorted().filter { shipping[$0].fee.minorUnits > 0 }
                let saved = waived.reduce(Int64(0)) { $0 + shipping[$1].fee.minorUnits }
                if saved > 0 {
                    for group in waived {
                        shipping[group] = ShippingQuote(fee: money(0), description: "Free delivery with coupon \(coupon.title) (saves \(shipping[group].fee))")
                    }
                    usedBySlot[coupon.issuerSlot] = coupon.id
                    (status, message) = (.applied(discount: money(saved)), "free delivery, saves \(money(saved))")
                } else {
                    (status, message) = (.notApplicable(.noShippingToWaive), CouponRejection.noShippingToWaive.message)
                }
            }
            couponEvaluationsByIndex[index] = CouponEvaluation(couponId: coupon.id, title: coupon.title, status: status, message: message)
        }
        couponEvaluations = request.coupons.indices.compactMap { couponEvaluationsByIndex[$0] }
    }

    // MARK: Points

    mutating func applyPoints() {
        guard let policy = request.pointsPolicy else { return }
        let payable = lines.indices.filter { lines[$0].remaining > 0 }
        let goods = payable.reduce(0) { $0 + lines[$1].remaining }
        let ceiling = PricingMath.basisPoints(policy.maximumShareBasisPoints, of: goods)
        // What the most the policy allows would take, for a shopper choosing how many to use.
        points.maximumDeduction = money(ceiling)
        points.pointsForMaximum = Self.fewestPoints(paying: ceiling, policy)

        let balance = request.member.pointsBalance
        let offered: Int64
        switch request.points {
        case .off: return
        case .upTo(let asked): offered = min(asked, balance)
        case .asMuchAsAllowed: offered = balance
        }
        guard offered > 0 else { return }

        // Points buy whole fen only: worth = offered × worth / points, rounded down. Compared in
        // full width first, since a large balance times the worth can overflow.
        let deduction: Int64
        if PricingMath.product(offered, policy.worth.minorUnits, isAtLeast: ceiling, policy.points) {
            deduction = ceiling
        } else {
            let product = offered.multipliedFullWidth(by: policy.worth.minorUnits)
            deduction = policy.points.dividingFullWidth(product).quotient
        }
        guard deduction > 0 else {
            points.description = "\(offered) points are not enough to pay a fen (\(policy.points) points = \(policy.worth))"
            return
        }
        // The fewest points that buy the deduction, which is at most `offered` because the
        // deduction was rounded down from it.
        let used = Self.fewestPoints(paying: deduction, policy)

        let limit = deduction == ceiling
            ? " (points may pay at most \(PricingText.percent(policy.maximumShareBasisPoints)) of \(money(goods)))"
            : ""
        let description = "\(used) points pay \(money(deduction)) at \(policy.points) points = \(policy.worth)\(limit)"
        points.pointsUsed = used
        points.deduction = money(deduction)
        points.description = description
        apply(deduction, to: payable, as: AppliedDiscount(source: .points, title: "Points", description: description, amount: money(deduction)))
    }

    /// ceil(amount × points / worth), saturating at `Int64.max`: goods near the engine's limit
    /// at a million points per fen need more points than any balance can hold.
    static func fewestPoints(paying amount: Int64, _ policy: PointsPolicy) -> Int64 {
        guard amount > 0 else { return 0 }
        if PricingMath.product(amount, policy.points, isAtLeast: .max, policy.worth.minorUnits) { return .max }
        let product = amount.multipliedFullWidth(by: policy.points)
        let (quotient, remainder) = policy.worth.minorUnits.dividingFullWidth(product)
        return remainder > 0 ? quotient + 1 : quotient
    }

    // MARK: Shipping

    /// Quoted after coupons and before the level's discount and points, because the
    /// free-shipping threshold looks at goods after the shop's discounts but counts neither the
    /// member's level nor their points against them.
    func quoteShipping() -> [ShippingQuote] {
        var goodsByGroup = Array(repeating: Int64(0), count: request.groups.count)
        for line in lines { goodsByGroup[line.group] += line.remaining }
        var deliveredByMerchant: [MerchantID: Int64] = [:]
        for (index, group) in request.groups.enumerated() where group.fulfilment.isDelivery {
            deliveredByMerchant[group.merchantId, default: 0] += goodsByGroup[index]
        }

        return request.groups.map { group in
            guard case .delivery(let distance) = group.fulfilment else {
                return ShippingQuote(fee: money(0), description: "Pickup at the store: no shipping fee")
            }
            // Validation guarantees a rule and a band for every delivery.
            let rule = request.shippingRules[group.merchantId]!
            let delivered = deliveredByMerchant[group.merchantId, default: 0]
            // The member level's threshold counts when it is the better deal.
            var threshold = rule.freeShippingThreshold
            var levelName: String?
            if let benefits = request.member.benefits, let level = benefits.freeShippingThreshold,
               threshold.map({ level.minorUnits < $0.minorUnits }) ?? true {
                threshold = level
                levelName = benefits.name
            }
            if let threshold, delivered >= threshold.minorUnits {
                let reached = "\(money(delivered)) of goods from this shop after discounts reaches \(threshold)"
                return ShippingQuote(
                    fee: money(0),
                    description: levelName.map { "Free delivery for member level \($0): \(reached)" } ?? "Free delivery: \(reached)"
                )
            }
            var quote: ShippingQuote
            switch rule.fee {
            case .free:
                quote = ShippingQuote(fee: money(0), description: "Free delivery from this shop")
            case .flat(let fee):
                quote = ShippingQuote(fee: fee, description: "Delivery: flat fee \(fee)")
            case .distanceBands(let bands):
                let band = bands.first { distance <= $0.upToMeters }!
                quote = ShippingQuote(
                    fee: band.fee,
                    description: "Delivery over \(PricingText.distance(distance)) (up to \(PricingText.distance(band.upToMeters))): \(band.fee)"
                )
            }
            if let threshold, quote.fee.minorUnits > 0 {
                quote.description += "; add \(money(threshold.minorUnits - delivered)) from this shop for free delivery"
            }
            return quote
        }
    }

    // MARK: Result

    func result(shipping: [ShippingQuote]) -> PricedCheckout {
        var groups: [PricedGroup] = []
        for (groupIndex, group) in request.groups.enumerated() {
            let members = lines.indices.filter { lines[$0].group == groupIndex }
            var totals = PricingTotals.zero(currency)
            var pricedLines: [PricedLine] = []
            for index in members {
                let working = lines[index]
                let allocations = working.allocations.map { LineAllocation(source: $0.source, amount: money($0.amount)) }
                let discount = working.subtotal - working.remaining
                pricedLines.append(PricedLine(
                    line: working.line, subtotal: money(working.subtotal), allocations: allocations,
                    discount: money(discount), payable: money(working.remaining)
                ))
                totals.subtotal = totals.subtotal + money(working.subtotal)
                for allocation in working.allocations {
                    switch allocation.source {
                    case .memberLevel: totals.levelDiscount = totals.levelDiscount + money(allocation.amount)
                    case .promotion: totals.promotionDiscount = totals.promotionDiscount + money(allocation.amount)
                    case .coupon: totals.couponDiscount = totals.couponDiscount + money(allocation.amount)
                    case .points: totals.pointsDeduction = totals.pointsDeduction + money(allocation.amount)
                    }
                }
            }
            totals.shippingFee = shipping[groupIndex].fee
            totals.payable = totals.goodsPayable + totals.shippingFee

            let discounts = applied.compactMap { entry -> AppliedDiscount? in
                let share = entry.shares.filter { lines[$0.line].group == groupIndex }.reduce(0) { $0 + $1.amount }
                guard share > 0 else { return nil }
                var discount = entry.discount
                discount.amount = money(share)
                return discount
            }
            groups.append(PricedGroup(
                merchantId: group.merchantId, storeId: group.storeId, fulfilment: group.fulfilment,
                lines: pricedLines, discounts: discounts, shipping: shipping[groupIndex], totals: totals
            ))
        }
        let totals = groups.reduce(PricingTotals.zero(currency)) { $0 + $1.totals }
        return PricedCheckout(
            groups: groups, discounts: applied.map(\.discount), coupons: couponEvaluations,
            points: points, totals: totals, explanation: explanation(groups: groups, totals: totals),
            promotions: progress, gifts: gifts
        )
    }

    func explanation(groups: [PricedGroup], totals: PricingTotals) -> [String] {
        var text: [String] = []
        for (number, group) in groups.enumerated() {
            let how = switch group.fulfilment {
            case .delivery(let meters): "delivery, \(PricingText.distance(meters))"
            case .pickup: "pickup at the store"
            }
            text.append("Order \(number + 1) (\(how)):")
            for priced in group.lines {
                var entry = "  \(priced.line.title) × \(priced.line.quantity) at \(priced.line.unitPrice) = \(priced.subtotal)"
                // Only a price that differs from the list price needs its reason shown.
                if priced.line.priceSteps.count > 1, let last = priced.line.priceSteps.last {
                    entry += " (\(last.description))"
                }
                text.append(entry)
            }
        }
        text.append("Goods subtotal: \(totals.subtotal)")
        for discount in applied.map(\.discount) where discount.source != .points {
            text.append("\(discount.title): -\(discount.amount) (\(discount.description))")
        }
        for gift in gifts {
            text.append("Gift: \(gift.title) × \(gift.quantity) free (\(gift.description))")
        }
        // Waived shipping is no goods discount (refunds never give it back with a line), so it
        // has a line of its own rather than a share of the coupon discount.
        for evaluation in couponEvaluations where request.coupons.contains(where: { $0.id == evaluation.couponId && $0.kind == .freeShipping }) {
            if case .applied(let saved) = evaluation.status {
                text.append("Free-shipping coupon: -\(saved) (\(evaluation.title))")
            }
        }
        for hint in progress.filter({ $0.discount.minorUnits > 0 }).compactMap({ entry in entry.hint.map { (entry.name, $0) } }) {
            text.append("\(hint.0): \(hint.1.text)")
        }
        text.append(contentsOf: notes)
        for evaluation in couponEvaluations {
            if case .notApplicable = evaluation.status {
                text.append("Coupon \(evaluation.title) not used: \(evaluation.message)")
            }
        }
        if points.pointsUsed > 0 {
            text.append("Points: -\(points.deduction) (\(points.description))")
        } else if request.points != .off, request.pointsPolicy != nil {
            text.append("Points: \(points.description)")
        }
        for (number, group) in groups.enumerated() {
            text.append("Order \(number + 1) shipping: \(group.shipping.description)")
        }
        text.append(
            "To pay: \(totals.payable) = goods \(totals.subtotal) - discounts \(totals.discount) + shipping \(totals.shippingFee)"
        )
        return text
    }
}
