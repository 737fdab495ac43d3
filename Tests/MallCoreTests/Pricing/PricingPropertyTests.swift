import Foundation
import MallCore
import Testing

/// Invariants of the engine over many generated checkouts. Each checkout comes from its own
/// seed, so a failure message's seed reproduces it alone.
@Suite("Pricing engine properties")
struct PricingPropertyTests {
    typealias F = PricingFixture

    static let seeds: [UInt64] = Array(1...600)

    @Test("totals never negative, allocations fen-exact, groups sum to the checkout, same input same output")
    func invariants() throws {
        for seed in Self.seeds {
            let request = Self.randomRequest(seed: seed)
            let priced = try PricingEngine.price(request)
            let again = try PricingEngine.price(request)
            #expect(priced == again, "seed \(seed)")
            try Self.checkInvariants(priced, request: request, seed: seed)
        }
    }

    @Test("a member never pays more with their level's benefits than without them")
    func levelBenefitsNeverCost() throws {
        for seed in Self.seeds {
            var request = Self.randomRequest(seed: seed)
            guard request.member.benefits != nil else { continue }
            let with = try PricingEngine.price(request)
            request.member.benefits = nil
            let without = try PricingEngine.price(request)
            #expect(with.totals.payable <= without.totals.payable, "seed \(seed)")
            #expect(with.totals.shippingFee <= without.totals.shippingFee, "seed \(seed)")
        }
    }

    @Test("pricing ignores the order of the shipping-rule dictionary and of sets")
    func determinismAcrossRebuiltRequests() throws {
        for seed in Self.seeds.prefix(100) {
            // Rebuilding the request from the same seed gives equal but separately hashed
            // dictionaries and sets; the output must not notice.
            #expect(try PricingEngine.price(Self.randomRequest(seed: seed)) == PricingEngine.price(Self.randomRequest(seed: seed)), "seed \(seed)")
        }
    }

    static func checkInvariants(_ priced: PricedCheckout, request: PricingRequest, seed: UInt64) throws {
        let zero = Money.zero()
        #expect(priced.groups.count == request.groups.count, "seed \(seed)")

        var perSource: [DiscountSource: Int64] = [:]
        for (group, input) in zip(priced.groups, request.groups) {
            let totals = group.totals
            #expect(totals.payable >= zero, "seed \(seed)")
            #expect(totals.goodsPayable >= zero, "seed \(seed)")
            #expect(totals.payable == totals.subtotal - totals.discount + totals.shippingFee, "seed \(seed)")
            #expect(group.lines.map(\.line) == input.lines, "seed \(seed)")
            if input.fulfilment == .pickup { #expect(totals.shippingFee == zero, "seed \(seed)") }

            // Lines add up to the order, to the fen.
            #expect(group.lines.reduce(zero) { $0 + $1.subtotal } == totals.subtotal, "seed \(seed)")
            let lineAllocations = group.lines.flatMap(\.allocations)
            #expect(lineAllocations.reduce(zero) { $0 + $1.amount } == totals.discount, "seed \(seed)")
            #expect(group.discounts.reduce(zero) { $0 + $1.amount } == totals.discount, "seed \(seed)")
            for discount in group.discounts {
                let allocated = lineAllocations.filter { $0.source == discount.source }.reduce(zero) { $0 + $1.amount }
                #expect(allocated == discount.amount, "seed \(seed)")
                perSource[discount.source, default: 0] += discount.amount.minorUnits
            }

            for line in group.lines {
                // A discount never takes a line below zero.
                #expect(line.payable >= zero && line.discount <= line.subtotal, "seed \(seed)")
                #expect(line.subtotal - line.discount == line.payable, "seed \(seed)")
                #expect(line.allocations.allSatisfy { $0.amount > zero }, "seed \(seed)")
                #expect(line.subtotal.minorUnits == line.line.unitPrice.minorUnits * Int64(line.line.quantity), "seed \(seed)")
            }
        }

        // Groups add up to the checkout, and every discount's shares to the whole discount.
        #expect(priced.groups.reduce(PricingTotals.zero(.cny)) { $0 + $1.totals } == priced.totals, "seed \(seed)")
        for discount in priced.discounts {
            #expect(perSource[discount.source] == discount.amount.minorUnits, "seed \(seed)")
        }
        #expect(perSource.count == priced.discounts.count, "seed \(seed)")
        #expect(priced.totals.payable >= zero, "seed \(seed)")

        // No coupon gives more than it promises.
        #expect(priced.coupons.count == request.coupons.count, "seed \(seed)")
        for (evaluation, coupon) in zip(priced.coupons, request.coupons) {
            guard case .applied(let amount) = evaluation.status else { continue }
            switch coupon.kind {
            case .amountOff(let off): #expect(amount <= off, "seed \(seed)")
            case .percentOff(_, let cap): if let cap { #expect(amount <= cap, "seed \(seed)") }
            case .freeShipping: #expect(amount <= priced.totals.shippingFee + amount, "seed \(seed)")
            case .freeItem(let skuId):
                let unit = request.groups.flatMap(\.lines).first { $0.skuId == skuId }?.unitPrice
                #expect(unit.map { amount <= $0 } ?? false, "seed \(seed)")
            }
        }

        // Points: within balance and request, and within the policy's share of the goods left.
        let points = priced.points
        #expect(points.pointsUsed >= 0 && points.pointsUsed <= request.member.pointsBalance, "seed \(seed)")
        if case .upTo(let asked) = request.points { #expect(points.pointsUsed <= asked, "seed \(seed)") }
        if let policy = request.pointsPolicy, points.pointsUsed > 0 {
            let goodsBeforePoints = priced.totals.goodsPayable.minorUnits + points.deduction.minorUnits
            // Products in full width: the extreme-value tests reach amounts whose products overflow.
            #expect(wide(points.deduction.minorUnits, 10_000) <= wide(goodsBeforePoints, Int64(policy.maximumShareBasisPoints)), "seed \(seed)")
            // The points used are worth at least the deduction, and one point fewer is not.
            #expect(wide(points.pointsUsed, policy.worth.minorUnits) >= wide(points.deduction.minorUnits, policy.points), "seed \(seed)")
            #expect(wide(points.pointsUsed - 1, policy.worth.minorUnits) < wide(points.deduction.minorUnits, policy.points), "seed \(seed)")
        }
        #expect(priced.totals.pointsDeduction == points.deduction, "seed \(seed)")
        #expect(points.maximumDeduction.minorUnits >= points.deduction.minorUnits, "seed \(seed)")

        // The level's discount: exactly its rate of the goods left after promotions and coupons,
        // rounded down.
        let levelDiscount = priced.totals.levelDiscount.minorUnits
        let afterShop = priced.totals.subtotal.minorUnits - priced.totals.promotionDiscount.minorUnits - priced.totals.couponDiscount.minorUnits
        if let benefits = request.member.benefits {
            let product = afterShop.multipliedFullWidth(by: Int64(benefits.discountBasisPoints))
            #expect(levelDiscount == Int64(10_000).dividingFullWidth(product).quotient, "seed \(seed)")
            // Its threshold frees delivery once the shop's delivered goods, before the level's
            // discount and points, reach it.
            if let threshold = benefits.freeShippingThreshold {
                var delivered: [MerchantID: Int64] = [:]
                for (group, input) in zip(priced.groups, request.groups) where input.fulfilment != .pickup {
                    delivered[input.merchantId, default: 0] += group.totals.subtotal.minorUnits - group.totals.promotionDiscount.minorUnits
                        - group.totals.couponDiscount.minorUnits
                }
                for (group, input) in zip(priced.groups, request.groups) where input.fulfilment != .pickup {
                    if delivered[input.merchantId, default: 0] >= threshold.minorUnits { #expect(group.totals.shippingFee == zero, "seed \(seed)") }
                }
            }
        } else {
            #expect(levelDiscount == 0, "seed \(seed)")
        }
    }

    /// `a × b` without overflow, as a pair that compares like the product.
    static func wide(_ a: Int64, _ b: Int64) -> (Int64, UInt64) {
        let product = a.multipliedFullWidth(by: b)
        return (product.high, product.low)
    }

    // MARK: Generator

    static func randomRequest(seed: UInt64) -> PricingRequest {
        var random = PricingTestRandom(seed: seed)
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        func fen(_ range: ClosedRange<Int64>) -> Money { Money(minorUnits: Int64.random(in: range, using: &random)) }

        let merchants = (0..<Int.random(in: 1...3, using: &random)).map { MerchantID(F.uuid(1_000 + $0)) }
        let products = (0..<6).map { F.uuid(2_000 + $0) }
        var rules: [MerchantID: ShippingRule] = [:]
        for merchant in merchants {
            let fee: ShippingFee = switch Int.random(in: 0..<3, using: &random) {
            case 0: .free
            case 1: .flat(fen(0...1_500))
            default: .distanceBands([
                DistanceBand(upToMeters: 2_000, fee: fen(0...800)),
                DistanceBand(upToMeters: 6_000, fee: fen(800...1_500)),
                DistanceBand(upToMeters: 15_000, fee: fen(1_500...3_000)),
            ])
            }
            rules[merchant] = ShippingRule(fee: fee, freeShippingThreshold: chance(60) ? fen(0...30_000) : nil)
        }

        var groups: [OrderGroup] = []
        var sku = 0
        for (m, merchant) in merchants.enumerated() {
            for s in 0..<Int.random(in: 1...3, using: &random) {
                let lines = (0..<Int.random(in: 1...4, using: &random)).map { _ -> CartLine in
                    sku += 1
                    // Small prices and zero prices happen: gifts, clearance, one-fen test SKUs.
                    let unit = chance(10) ? fen(0...3) : fen(1...50_000)
                    return CartLine(
                        skuId: F.uuid(3_000 + sku), productId: products.randomElement(using: &random)!, merchantId: merchant,
                        title: "SKU \(sku)", quantity: Int.random(in: 1...5, using: &random), unitPrice: unit
                    )
                }
                let fulfilment: Fulfilment = chance(30) ? .pickup : .delivery(distanceMeters: Int.random(in: 0...15_000, using: &random))
                groups.append(OrderGroup(merchantId: merchant, storeId: StoreID(F.uuid(4_000 + m * 10 + s)), fulfilment: fulfilment, lines: lines))
            }
        }
        groups.shuffle(using: &random)

        func scope() -> ProductScope {
            chance(50) ? .allProducts : .products(Set(products.filter { _ in chance(40) }))
        }
        let promotions = (0..<Int.random(in: 0...5, using: &random)).map { p -> Promotion in
            let skus = (1...max(sku, 1)).map { F.uuid(3_000 + $0) }
            let kind: PromotionKind = switch Int.random(in: 0..<8, using: &random) {
            case 0: .fullReduction(tiers: (0..<Int.random(in: 1...3, using: &random)).map { _ in
                    FullReductionTier(threshold: fen(0...60_000), reduction: fen(1...20_000))
                })
            case 1: .percentOff(basisPoints: Int.random(in: 1...10_000, using: &random))
            case 2: .everyReduction(step: fen(1...20_000), reduction: fen(1...5_000), cap: chance(50) ? fen(1...30_000) : nil)
            case 3: .thresholdPercentOff(threshold: fen(0...60_000), basisPoints: Int.random(in: 1...10_000, using: &random))
            case 4: .nthItemOff(n: Int.random(in: 2...4, using: &random), basisPoints: Int.random(in: 1...10_000, using: &random))
            case 5: .bundlePrice(count: Int.random(in: 2...4, using: &random), price: fen(0...60_000))
            case 6: .gift(PromotionGiftRule(minimumSpend: fen(0...40_000), minimumQuantity: Int.random(in: 1...4, using: &random),
                                            skuId: F.uuid(7_000 + p), productId: F.uuid(7_100 + p), title: "Gift \(p)"))
            default: .specialPrice(skus.filter { _ in chance(40) }.map { SpecialPrice(skuId: $0, price: fen(0...30_000)) }
                                   + [SpecialPrice(skuId: skus[0], price: fen(0...30_000))])
            }
            return Promotion(
                id: F.uuid(5_000 + p), name: "Promotion \(p)", merchantId: chance(50) ? merchants.randomElement(using: &random) : nil,
                products: scope(), memberLevels: chance(20) ? ["gold"] : nil, kind: kind,
                exclusiveGroup: chance(50) ? ["A", "B"].randomElement(using: &random) : nil, priority: Int.random(in: 0...2, using: &random)
            )
        }
        let coupons = (0..<Int.random(in: 0...4, using: &random)).map { c -> Coupon in
            let kind: CouponKind = switch Int.random(in: 0..<8, using: &random) {
            case 0..<3: .amountOff(fen(1...30_000))
            case 3..<6: .percentOff(basisPoints: Int.random(in: 1...10_000, using: &random), cap: chance(50) ? fen(1...10_000) : nil)
            case 6: .freeShipping
            default: .freeItem(skuId: F.uuid(3_000 + Int.random(in: 1...max(1, sku), using: &random)))
            }
            let issuer: MerchantID? = chance(50) ? (chance(90) ? merchants.randomElement(using: &random) : MerchantID(F.uuid(1_999))) : nil
            return Coupon(
                id: F.uuid(6_000 + c), title: "Coupon \(c)", merchantId: issuer, products: scope(),
                minimumSpend: chance(50) ? fen(0...80_000) : Money.zero(), kind: kind,
                validFrom: chance(10) ? F.now.addingTimeInterval(60) : nil,
                validUntil: chance(10) ? F.now : nil, stacksWithPromotions: chance(70)
            )
        }
        let redemption: PointsRedemption = switch Int.random(in: 0..<3, using: &random) {
        case 0: .off
        case 1: .upTo(Int64.random(in: 0...100_000, using: &random))
        default: .asMuchAsAllowed
        }
        let policy = chance(80)
            ? PointsPolicy(points: Int64.random(in: 1...300, using: &random), worth: fen(1...200), maximumShareBasisPoints: Int.random(in: 0...10_000, using: &random))
            : nil
        let level = chance(50) ? "gold" : nil
        let balance = Int64.random(in: 0...200_000, using: &random)
        let benefits = chance(50)
            ? LevelBenefits(name: "金卡", discountBasisPoints: chance(20) ? 0 : Int.random(in: 1...10_000, using: &random),
                            freeShippingThreshold: chance(50) ? fen(0...30_000) : nil)
            : nil
        return PricingRequest(
            at: F.now,
            member: PricingMember(level: level, pointsBalance: balance, benefits: benefits),
            groups: groups, promotions: promotions, coupons: coupons, points: redemption,
            pointsPolicy: policy, shippingRules: rules
        )
    }
}
