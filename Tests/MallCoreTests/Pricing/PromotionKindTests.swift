import Foundation
import MallCore
import Testing

@Suite("Promotions: kinds, stacking and explanations")
struct PromotionKindTests {
    typealias F = PricingFixture

    static let tiers = Promotion(id: F.uuid(800), name: "满100减10 满200减30", kind: .fullReduction(tiers: [
        FullReductionTier(threshold: F.yuan(100), reduction: F.yuan(10)),
        FullReductionTier(threshold: F.yuan(200), reduction: F.yuan(30)),
    ]))

    static func checkout(_ lines: [CartLine], store: StoreID = F.teaStore) -> [OrderGroup] {
        [OrderGroup(merchantId: F.teaShop, storeId: store, fulfilment: .pickup, lines: lines)]
    }

    static func tea(_ quantity: Int, unit: Money = F.yuan(45), sku: Int = 401) -> CartLine {
        F.line("Oolong tea", product: F.tea, merchant: F.teaShop, quantity: quantity, unit: unit, sku: sku)
    }

    @Test("staff must write 满减 tiers that rise together: a higher threshold, a larger reduction")
    func tiersRise() {
        func errors(_ pairs: [(Int64, Int64)]) -> [String: String] {
            var collector = FieldErrorCollector()
            let tiers = pairs.map { FullReductionTier(threshold: F.yuan($0.0), reduction: F.yuan($0.1)) }
            PromotionRuleLimits.checkAuthoring(.fullReduction(tiers: tiers), path: "rule", into: &collector)
            return Dictionary(collector.errors.map { ($0.field, $0.message) }, uniquingKeysWith: { first, _ in first })
        }
        #expect(errors([(100, 10), (200, 30)]).isEmpty)
        #expect(errors([(100, 50), (150, 10)]) == ["rule.tiers[1].reduction": "must be larger than the tier before it: spending more must never earn less"])
        #expect(errors([(200, 30), (100, 10)]) == ["rule.tiers[1].threshold": "must be higher than the tier before it"])
        #expect(errors([(100, 10), (100, 20)]).keys.sorted() == ["rule.tiers[1].threshold"])
        var none = FieldErrorCollector()
        PromotionRuleLimits.checkAuthoring(.percentOff(basisPoints: 9_000), path: "rule", into: &none)
        #expect(none.errors.isEmpty)
    }

    @Test("a tiered 满减 explains the tier reached and what the next tier needs")
    func tieredFullReduction() throws {
        // ¥188.00: the ¥100 tier, ¥12.00 short of the ¥200 tier.
        let lower = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(4, unit: F.yuan(47))]), promotions: [Self.tiers]))
        #expect(lower.totals.promotionDiscount == F.yuan(10))
        let progress = try #require(lower.promotions.first)
        #expect(progress.description == "Spend ¥100.00, ¥10.00 off: ¥188.00 of covered goods reaches ¥100.00")
        #expect(progress.hint?.missingAmount == F.yuan(12))
        #expect(progress.hint?.text == "spend ¥12.00 more for ¥30.00 off")
        #expect(lower.explanation.contains("满100减10 满200减30: spend ¥12.00 more for ¥30.00 off"))

        let upper = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(4, unit: F.yuan(59))]), promotions: [Self.tiers]))
        #expect(upper.promotions.first?.description == "Spend ¥200.00, ¥30.00 off: ¥236.00 of covered goods reaches ¥200.00")
        #expect(upper.promotions.first?.hint == nil)
        #expect(upper.totals.promotionDiscount == F.yuan(30))
    }

    @Test("每满减 counts every full step and stops at its cap")
    func everyReduction() throws {
        let every = Promotion(id: F.uuid(801), name: "每满100减10", kind: .everyReduction(step: F.yuan(100), reduction: F.yuan(10), cap: F.yuan(25)))
        let two = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(5)]), promotions: [every]))
        #expect(two.totals.promotionDiscount == F.yuan(20))
        #expect(two.promotions.first?.hint?.text == "spend ¥75.00 more for ¥10.00 more off")
        let capped = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(10)]), promotions: [every]))
        #expect(capped.totals.promotionDiscount == F.yuan(25))
        #expect(capped.promotions.first?.description == "Every ¥100.00 spent, ¥10.00 off: ¥450.00 of covered goods makes 4 × ¥100.00, capped at ¥25.00")
    }

    @Test("第二件半价 halves the cheaper unit of each pair and charges it to that line")
    func secondHalfPrice() throws {
        let half = Promotion(id: F.uuid(802), name: "第二件半价", kind: .nthItemOff(n: 2, basisPoints: 5_000))
        // Units dearest first: 45, 45, 45, 30 → the 2nd (tea) and 4th (cup) are halved.
        let priced = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(3), F.cupLine]), promotions: [half]))
        #expect(priced.allocations(of: .promotion(half.id)) == [[2_250, 1_500]])
        #expect(priced.promotions.first?.description == "Item 2 at 50% off: 2 of 4 covered items discounted")
        let single = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(1)]), promotions: [half]))
        #expect(single.totals.promotionDiscount == F.yuan(0))
        #expect(single.promotions.first?.hint?.missingQuantity == 1)
    }

    @Test("任选3件99元 bundles the dearest units and leaves the rest at their price")
    func bundle() throws {
        let bundle = Promotion(id: F.uuid(803), name: "任选3件99元", kind: .bundlePrice(count: 3, price: F.yuan(99)))
        // 45, 45, 45 → ¥99 (¥36 off); the cup stays at ¥30, one unit towards the next bundle.
        let priced = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(3), F.cupLine]), promotions: [bundle]))
        #expect(priced.totals.promotionDiscount == F.yuan(36))
        #expect(priced.allocations(of: .promotion(bundle.id)) == [[3_600, 0]])
        #expect(priced.promotions.first?.hint?.missingQuantity == 2)
        // A bundle across lines: 45, 45, 30 → ¥120 − ¥99 = ¥21 split by value.
        let mixed = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(2), F.cupLine]), promotions: [bundle]))
        #expect(mixed.allocations(of: .promotion(bundle.id)) == [[1_575, 525]])
    }

    @Test("a gift comes out as a free line of the order holding the covered goods")
    func gift() throws {
        let rule = PromotionGiftRule(minimumSpend: F.yuan(100), skuId: F.uuid(450), productId: F.uuid(350), title: "Tea towel")
        let gift = Promotion(id: F.uuid(804), name: "满100送茶巾", kind: .gift(rule))
        let reached = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(3)]), promotions: [gift]))
        #expect(reached.gifts.map(\.skuId) == [F.uuid(450)])
        #expect(reached.gifts.first?.group == 0)
        #expect(reached.totals.discount == F.yuan(0))
        #expect(reached.explanation.contains("Gift: Tea towel × 1 free (Spend ¥100.00, get Tea towel × 1 free: ¥135.00 of covered goods reaches ¥100.00)"))
        let short = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(2)]), promotions: [gift]))
        #expect(short.gifts.isEmpty)
        #expect(short.promotions.first?.hint?.text == "spend ¥10.00 more for a free Tea towel")
    }

    @Test("a special price lowers only its SKU, never raises it")
    func specialPrice() throws {
        let special = Promotion(id: F.uuid(805), name: "特价", kind: .specialPrice([
            SpecialPrice(skuId: F.uuid(401), price: F.yuan(39)), SpecialPrice(skuId: F.uuid(402), price: F.yuan(35)),
        ]))
        let priced = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(2), F.cupLine]), promotions: [special]))
        #expect(priced.allocations(of: .promotion(special.id)) == [[1_200, 0]])
    }

    @Test("scope: categories, brands, stores, member levels and new members")
    func scope() throws {
        let category = F.uuid(900), brand = F.uuid(901)
        var tea = Self.tea(3)
        tea.categoryId = category
        var cup = F.cupLine
        cup.brandId = brand
        let byCategory = Promotion(id: F.uuid(806), name: "Tea 10% off", kind: .percentOff(basisPoints: 1_000), categories: [category])
        let byBrand = Promotion(id: F.uuid(807), name: "Brand 10% off", kind: .percentOff(basisPoints: 1_000), brands: [brand])
        let priced = try PricingEngine.price(F.request(groups: Self.checkout([tea, cup]), promotions: [byCategory, byBrand]))
        #expect(priced.allocations(of: .promotion(byCategory.id)) == [[1_350, 0]])
        #expect(priced.allocations(of: .promotion(byBrand.id)) == [[0, 300]])

        let storeOnly = Promotion(id: F.uuid(808), name: "Store", kind: .percentOff(basisPoints: 1_000), stores: [F.teaWarehouse])
        #expect(try PricingEngine.price(F.request(groups: Self.checkout([tea]), promotions: [storeOnly])).discounts.isEmpty)
        #expect(try PricingEngine.price(F.request(groups: Self.checkout([tea], store: F.teaWarehouse), promotions: [storeOnly])).discounts.count == 1)

        let newcomers = Promotion(id: F.uuid(809), name: "New", kind: .percentOff(basisPoints: 1_000), newMembersOnly: true)
        #expect(try PricingEngine.price(F.request(groups: Self.checkout([tea]), promotions: [newcomers])).discounts.isEmpty)
        let fresh = PricingMember(isNewMember: true)
        #expect(try PricingEngine.price(F.request(groups: Self.checkout([tea]), promotions: [newcomers], member: fresh)).discounts.count == 1)
    }

    @Test("an exclusive group gives each line to its highest-priority promotion; others stack")
    func stacking() throws {
        let low = Promotion(id: F.uuid(810), name: "Low", kind: .percentOff(basisPoints: 1_000), exclusiveGroup: "site", priority: 1)
        let high = Promotion(id: F.uuid(811), name: "High", products: .products([F.tea]), kind: .percentOff(basisPoints: 2_000),
                             exclusiveGroup: "site", priority: 5)
        let stacks = Promotion(id: F.uuid(812), name: "Stacks", kind: .fullReduction(tiers: [FullReductionTier(threshold: F.yuan(1), reduction: F.yuan(1))]))
        let priced = try PricingEngine.price(F.request(groups: Self.checkout([Self.tea(2), F.cupLine]), promotions: [low, stacks, high]))
        #expect(priced.discounts.map(\.title) == ["High", "Low", "Stacks"])
        #expect(priced.allocations(of: .promotion(high.id)) == [[1_800, 0]])
        #expect(priced.allocations(of: .promotion(low.id)) == [[0, 300]])
    }

    @Test("for random carts no line carries two promotions of one exclusive group, gifts land in an existing order")
    func exclusivityProperty() throws {
        for seed in PricingPropertyTests.seeds {
            let request = PricingPropertyTests.randomRequest(seed: seed)
            let priced = try PricingEngine.price(request)
            let groupOf = Dictionary(request.promotions.map { ($0.id, $0.exclusiveGroup) }, uniquingKeysWith: { a, _ in a })
            for line in priced.groups.flatMap(\.lines) {
                let groups = line.allocations.compactMap { allocation -> String? in
                    guard case .promotion(let id) = allocation.source else { return nil }
                    return groupOf[id] ?? nil
                }
                #expect(groups.count == Set(groups).count, "seed \(seed)")
            }
            #expect(priced.gifts.allSatisfy { request.groups.indices.contains($0.group) }, "seed \(seed)")
            #expect(priced.promotions.allSatisfy { $0.discount.minorUnits >= 0 }, "seed \(seed)")
        }
    }
}

@Suite("Promotion schedule")
struct PromotionScheduleTests {
    typealias F = PricingFixture

    @Test("the window is half-open, an early end closes it, and limits count uses")
    func phases() {
        let start = F.now, end = F.now.addingTimeInterval(3_600)
        #expect(PromotionSchedule.phase(startsAt: start, endsAt: end, endedAt: nil, at: start.addingTimeInterval(-1)) == .scheduled)
        #expect(PromotionSchedule.phase(startsAt: start, endsAt: end, endedAt: nil, at: start) == .running)
        #expect(PromotionSchedule.phase(startsAt: start, endsAt: end, endedAt: nil, at: end) == .ended)
        #expect(PromotionSchedule.phase(startsAt: start, endsAt: end, endedAt: start.addingTimeInterval(10), at: start.addingTimeInterval(10)) == .ended)
        #expect(PromotionSchedule.allows(used: 0, limit: 1))
        #expect(!PromotionSchedule.allows(used: 1, limit: 1))
        #expect(PromotionSchedule.allows(used: 99, limit: nil))
    }

    @Test("usable promotions come out running, within limit, by priority then id")
    func usable() {
        func promotion(_ n: Int, priority: Int) -> Promotion {
            Promotion(id: F.uuid(n), name: "P\(n)", kind: .percentOff(basisPoints: 100), priority: priority)
        }
        let start = F.now.addingTimeInterval(-60), end = F.now.addingTimeInterval(60)
        let usable = PromotionSchedule.usable([
            (promotion(3, priority: 0), start, end, nil, nil, 0),
            (promotion(2, priority: 0), start, end, nil, 1, 0),
            (promotion(1, priority: 0), start, end, nil, 1, 1),
            (promotion(4, priority: 9), start, end, nil, nil, 0),
            (promotion(5, priority: 9), end, end.addingTimeInterval(60), nil, nil, 0),
        ], at: F.now)
        #expect(usable.map(\.name) == ["P4", "P2", "P3"])
    }
}

@Suite("Promotions and after-sales refunds")
struct PromotionRefundTests {
    typealias F = PricingFixture

    @Test("a return that drops the order below its tier refunds the line's allocated amount, never what the goods listed at")
    func returnBelowThreshold() throws {
        // ¥118 of tea + ¥100 of cups = ¥218 reaches the ¥200 tier: ¥30 off, split by amount.
        let tea = F.line("Oolong tea", product: F.tea, merchant: F.teaShop, quantity: 2, unit: F.yuan(59), sku: 401)
        let cups = F.line("Tea cup", product: F.cup, merchant: F.teaShop, quantity: 4, unit: F.yuan(25), sku: 402)
        let priced = try PricingEngine.price(F.request(groups: PromotionKindTests.checkout([tea, cups]), promotions: [PromotionKindTests.tiers]))
        let lines = priced.groups[0].lines
        #expect(lines.map(\.payable) == [F.fen(10_176), F.fen(8_624)])
        // Returning every cup leaves ¥118, below the tier; the refund is what the cups paid.
        let refund = try AfterSalesRefund.amount(linePayable: lines[1].payable, lineQuantity: 4, earlierUnits: 0, units: 4)
        #expect(refund == F.fen(8_624))
        #expect(refund < lines[1].subtotal)
    }

    @Test("for random promoted carts, any sequence of partial returns refunds each line exactly what it paid, never more")
    func partialReturnsProperty() throws {
        for seed in PricingPropertyTests.seeds.prefix(200) {
            var random = PricingTestRandom(seed: seed &+ 77)
            let priced = try PricingEngine.price(PricingPropertyTests.randomRequest(seed: seed))
            var paid = Money.zero(), refunded = Money.zero()
            for line in priced.groups.flatMap(\.lines) {
                var returned = 0, lineRefund = Money.zero()
                while returned < line.line.quantity {
                    let units = Int.random(in: 1...(line.line.quantity - returned), using: &random)
                    lineRefund = lineRefund + (try AfterSalesRefund.amount(linePayable: line.payable, lineQuantity: line.line.quantity,
                                                                          earlierUnits: returned, units: units))
                    returned += units
                    #expect(lineRefund <= line.payable, "seed \(seed)")
                }
                #expect(lineRefund == line.payable, "seed \(seed)")
                paid = paid + line.payable
                refunded = refunded + lineRefund
            }
            #expect(refunded == priced.totals.goodsPayable && refunded <= paid, "seed \(seed)")
        }
    }
}
