import Foundation
import MallCore
import Testing

@Suite("Pricing engine")
struct PricingEngineTests {
    typealias F = PricingFixture

    /// Tea shop delivers 3.2 km (tea ¥90 + cup ¥30), snack shop is picked up (¥30).
    private var twoShops: [OrderGroup] {
        [
            OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_200), lines: [F.teaLine, F.cupLine]),
            OrderGroup(merchantId: F.snackShop, storeId: F.snackStore, fulfilment: .pickup, lines: [F.snackLine]),
        ]
    }

    @Test("two shops: full reduction, shop and platform coupons, points and a distance band")
    func fullPipeline() throws {
        let request = F.request(
            groups: twoShops, promotions: [F.teaFullReduction], coupons: [F.platformCoupon, F.teaCoupon],
            member: PricingMember(level: "gold", pointsBalance: 1_000), points: .upTo(800)
        )

        let priced = try PricingEngine.price(request)

        // 满100减20 on the tea shop's ¥120: 15 + 5 by line amount.
        #expect(priced.allocations(of: .promotion(F.teaFullReduction.id)) == [[1_500, 500], [0]])
        // The shop coupon goes first although listed second: ¥10 over ¥75 + ¥25.
        #expect(priced.allocations(of: .coupon(F.teaCoupon.id)) == [[750, 250], [0]])
        // Platform: 10% of ¥120 is ¥12, capped at ¥5, over 67.50 / 22.50 / 30.00.
        #expect(priced.allocations(of: .coupon(F.platformCoupon.id)) == [[281, 94], [125]])
        // 800 points = ¥8 over 64.69 / 21.56 / 28.75.
        #expect(priced.allocations(of: .points) == [[450, 150], [200]])
        #expect(priced.points.pointsUsed == 800)
        #expect(priced.points.deduction == F.yuan(8))

        // ¥120 before discounts would ship free; ¥86.25 after them does not: 3.2 km pays ¥8.
        let tea = priced.group(0)
        #expect(tea.shipping.fee == F.yuan(8))
        #expect(tea.shipping.description == "Delivery over 3.2 km (up to 5 km): ¥8.00; add ¥12.75 from this shop for free delivery")
        #expect(tea.totals.subtotal == F.yuan(120))
        #expect(tea.totals.promotionDiscount == F.yuan(20))
        #expect(tea.totals.couponDiscount == F.fen(1_375))
        #expect(tea.totals.pointsDeduction == F.yuan(6))
        #expect(tea.totals.payable == F.fen(8_825))
        #expect(tea.lines.map(\.payable) == [F.fen(6_019), F.fen(2_006)])

        let snacks = priced.group(1)
        #expect(snacks.shipping.fee == F.yuan(0))
        #expect(snacks.totals.payable == F.fen(2_675))
        #expect(snacks.discounts.map(\.title) == ["10% off, up to ¥5", "Points"])

        #expect(priced.totals.payable == F.yuan(115))
        #expect(priced.totals.discount == F.fen(4_300))
        #expect(priced.coupons.map(\.status) == [.applied(discount: F.yuan(5)), .applied(discount: F.yuan(10))])
        #expect(priced.explanation.contains("满100减20: -¥20.00 (Spend ¥100.00, ¥20.00 off: ¥120.00 of covered goods reaches ¥100.00)"))
        #expect(priced.explanation.contains("Order 1 (delivery, 3.2 km):"))
        #expect(priced.explanation.contains("Points: -¥8.00 (800 points pay ¥8.00 at 100 points = ¥1.00)"))
        #expect(priced.explanation.contains("Order 2 shipping: Pickup at the store: no shipping fee"))
        #expect(priced.explanation.last == "To pay: ¥115.00 = goods ¥150.00 - discounts ¥43.00 + shipping ¥8.00")
    }

    @Test("free delivery once the shop's goods after discounts reach the threshold")
    func freeShippingThreshold() throws {
        let tea = OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 800), lines: [F.teaLine, F.cupLine])

        // ¥120 − ¥20 = ¥100 ≥ ¥99: free.
        let reached = try PricingEngine.price(F.request(groups: [tea], promotions: [F.teaFullReduction]))
        #expect(reached.group(0).shipping.fee == F.yuan(0))
        #expect(reached.group(0).shipping.description == "Free delivery: ¥100.00 of goods from this shop after discounts reaches ¥99.00")

        // The coupon takes it to ¥90: the 800 m band's ¥5 is due again.
        let crossed = try PricingEngine.price(F.request(groups: [tea], promotions: [F.teaFullReduction], coupons: [F.teaCoupon]))
        #expect(crossed.group(0).shipping.fee == F.yuan(5))
        #expect(crossed.totals.payable == F.yuan(95))
    }

    @Test("points do not cost the shopper free delivery")
    func pointsKeepFreeShipping() throws {
        let tea = OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 800), lines: [F.teaLine, F.cupLine])
        let priced = try PricingEngine.price(F.request(
            groups: [tea], member: PricingMember(pointsBalance: 5_000), points: .upTo(5_000)
        ))
        #expect(priced.points.deduction == F.yuan(50))
        #expect(priced.group(0).shipping.fee == F.yuan(0))
        #expect(priced.totals.payable == F.yuan(70))
    }

    @Test("pickup pays no fee where delivery pays its band")
    func pickupVersusDelivery() throws {
        let lines = [F.cupLine]
        let pickup = try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: lines)]))
        let near = try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_000), lines: lines)]))
        let far = try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 9_999), lines: lines)]))

        #expect(pickup.totals.shippingFee == F.yuan(0))
        #expect(pickup.totals.payable == F.yuan(30))
        #expect(near.totals.shippingFee == F.yuan(5))
        #expect(far.totals.shippingFee == F.yuan(12))
        #expect(far.group(0).shipping.description.hasPrefix("Delivery over 9.9 km (up to 10 km): ¥12.00"))
    }

    @Test("a shop split over two stores keeps its promotion and free delivery")
    func splitByStore() throws {
        let groups = [
            OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 1_000), lines: [F.teaLine]),
            OrderGroup(merchantId: F.teaShop, storeId: F.teaWarehouse, fulfilment: .delivery(distanceMeters: 4_000), lines: [F.cupLine]),
        ]
        let priced = try PricingEngine.price(F.request(groups: groups, promotions: [F.teaFullReduction]))

        // Neither store alone reaches ¥100, together they do.
        #expect(priced.group(0).totals.promotionDiscount == F.yuan(15))
        #expect(priced.group(1).totals.promotionDiscount == F.yuan(5))
        #expect(priced.group(0).discounts.map(\.amount) == [F.yuan(15)])
        #expect(priced.discounts.map(\.amount) == [F.yuan(20)])
        #expect(priced.totals.shippingFee == F.yuan(0))
    }

    @Test("coupons that do not apply say why")
    func couponRejections() throws {
        let later = F.now.addingTimeInterval(86_400), earlier = F.now.addingTimeInterval(-86_400)
        var expired = F.teaCoupon
        expired.id = F.uuid(611); expired.validUntil = F.now
        var notYet = F.teaCoupon
        notYet.id = F.uuid(612); notYet.validFrom = later; notYet.validUntil = later.addingTimeInterval(86_400)
        let otherShop = Coupon(id: F.uuid(613), title: "Fruit shop ¥3", merchantId: MerchantID(F.uuid(199)), minimumSpend: F.yuan(0), kind: .amountOff(F.yuan(3)))
        let teaOnly = Coupon(id: F.uuid(614), title: "Tea ¥5", merchantId: F.teaShop, products: .products([F.tea]), minimumSpend: F.yuan(0), kind: .amountOff(F.yuan(5)), validFrom: earlier)
        var secondShopCoupon = teaOnly
        secondShopCoupon.id = F.uuid(615)
        let teapots = Coupon(id: F.uuid(616), title: "Teapots ¥50", products: .products([F.uuid(399)]), minimumSpend: F.yuan(0), kind: .amountOff(F.yuan(50)))
        let bigSpend = Coupon(id: F.uuid(617), title: "¥30 off ¥200", minimumSpend: F.yuan(200), kind: .amountOff(F.yuan(30)))

        let priced = try PricingEngine.price(F.request(
            groups: twoShops, coupons: [expired, notYet, otherShop, teaOnly, secondShopCoupon, teapots, bigSpend]
        ))

        #expect(priced.coupons.map(\.status) == [
            .notApplicable(.expired(validUntil: F.now)),
            .notApplicable(.notYetValid(validFrom: later)),
            .notApplicable(.merchantNotInCheckout),
            .applied(discount: F.yuan(5)),
            .notApplicable(.anotherCouponFromSameIssuer(couponId: teaOnly.id)),
            .notApplicable(.noCoveredItems),
            .notApplicable(.belowMinimumSpend(required: F.yuan(200), covered: F.yuan(145))),
        ])
        #expect(priced.coupons[6].message == "needs ¥200.00 of covered goods, the checkout has ¥145.00; add ¥55.00 more")
        #expect(priced.explanation.contains("Coupon ¥30 off ¥200 not used: needs ¥200.00 of covered goods, the checkout has ¥145.00; add ¥55.00 more"))
        // Only the tea line carries the tea coupon.
        #expect(priced.allocations(of: .coupon(teaOnly.id)) == [[500, 0], [0]])
    }

    @Test("member-level prices from PriceResolver flow through, and member promotions need the level")
    func memberLevels() throws {
        let input = PriceInput(basePrice: F.yuan(50), memberLevelPrices: [MemberLevelPrice(level: "gold", discountBasisPoints: 9_000)])
        let quote = PriceResolver.resolve(input, storeId: F.teaStore, memberLevel: "gold", at: F.now)
        let line = CartLine(skuId: F.uuid(410), productId: F.tea, merchantId: F.teaShop, title: "Pu'er cake", quantity: 2, quote: quote)
        let goldOnly = Promotion(id: F.uuid(520), name: "Gold week 5% off", memberLevels: ["gold"], kind: .percentOff(basisPoints: 500))
        let group = OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [line])

        let gold = try PricingEngine.price(F.request(groups: [group], promotions: [goldOnly], member: PricingMember(level: "gold")))
        let guest = try PricingEngine.price(F.request(groups: [group], promotions: [goldOnly]))

        #expect(gold.group(0).lines[0].subtotal == F.yuan(90))
        #expect(gold.group(0).lines[0].line.priceSteps == quote.steps)
        #expect(gold.totals.promotionDiscount == F.fen(450))
        #expect(guest.totals.promotionDiscount == F.yuan(0))
        #expect(gold.explanation.contains("  Pu'er cake × 2 at ¥45.00 = ¥90.00 (Member level gold pays 90% of ¥50.00: ¥45.00)"))
    }

    @Test("the best full-reduction tier counts; a percentage covers only its products")
    func promotionKinds() throws {
        let tiers = Promotion(id: F.uuid(530), name: "满减", merchantId: F.teaShop, kind: .fullReduction(tiers: [
            FullReductionTier(threshold: F.yuan(200), reduction: F.yuan(50)),
            FullReductionTier(threshold: F.yuan(50), reduction: F.yuan(5)),
            FullReductionTier(threshold: F.yuan(100), reduction: F.yuan(15)),
        ]))
        let cupsOff = Promotion(id: F.uuid(531), name: "Cups 15% off", products: .products([F.cup]), kind: .percentOff(basisPoints: 1_500))
        let priced = try PricingEngine.price(F.request(groups: twoShops, promotions: [tiers, cupsOff]))

        #expect(priced.discounts.map(\.amount) == [F.yuan(15), F.fen(393)])
        // 15% of the cup's remaining ¥26.25 is ¥3.9375, rounded down.
        #expect(priced.allocations(of: .promotion(cupsOff.id)) == [[0, 393], [0]])

        let notReached = try PricingEngine.price(F.request(groups: [twoShops[1]], promotions: [F.teaFullReduction, tiers]))
        #expect(notReached.discounts.isEmpty)
        let snackOnly = OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [F.cupLine])
        let hint = try PricingEngine.price(F.request(groups: [snackOnly], promotions: [F.teaFullReduction]))
        #expect(hint.explanation.contains("满100减20: Spend ¥100.00, ¥20.00 off: not reached with ¥30.00 of covered goods; spend ¥70.00 more for ¥20.00 off"))
    }

    @Test("points buy whole fen, within the share, the balance and the request")
    func pointsLimits() throws {
        let group = OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [F.cupLine])
        func price(_ policy: PointsPolicy, balance: Int64, _ redemption: PointsRedemption) throws -> PointsOutcome {
            var request = F.request(groups: [group], member: PricingMember(pointsBalance: balance), points: redemption)
            request.pointsPolicy = policy
            return try PricingEngine.price(request).points
        }

        // Half of ¥30 at most, whatever the balance.
        let capped = try price(F.pointsPolicy, balance: 100_000, .asMuchAsAllowed)
        #expect(capped.pointsUsed == 1_500)
        #expect(capped.deduction == F.yuan(15))
        // No more than the balance even when asking for more.
        #expect(try price(F.pointsPolicy, balance: 300, .upTo(1_000)).pointsUsed == 300)
        // 150 points = ¥1: 100 points buy 66 fen, and only the 99 points that buys are taken.
        let odd = try price(PointsPolicy(points: 150, worth: F.yuan(1), maximumShareBasisPoints: 10_000), balance: 1_000, .upTo(100))
        #expect(odd.deduction == F.fen(66))
        #expect(odd.pointsUsed == 99)
        // Too few points for one fen use none.
        let none = try price(PointsPolicy(points: 150, worth: F.yuan(1), maximumShareBasisPoints: 10_000), balance: 1, .asMuchAsAllowed)
        #expect(none.pointsUsed == 0)
        #expect(try price(F.pointsPolicy, balance: 1_000, .off).pointsUsed == 0)
    }

    @Test("invalid input is rejected with every problem at once")
    func validation() {
        var zeroQuantity = F.teaLine
        zeroQuantity.quantity = 0
        var negative = F.cupLine
        negative.unitPrice = F.fen(-1)
        var dollars = F.snackLine
        dollars.unitPrice = Money(minorUnits: 100, currency: .usd)
        let groups = [
            OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 12_000), lines: [zeroQuantity, negative]),
            OrderGroup(merchantId: F.teaShop, storeId: F.snackStore, fulfilment: .pickup, lines: [dollars]),
            OrderGroup(merchantId: F.snackShop, storeId: F.snackStore, fulfilment: .pickup, lines: []),
        ]

        #expect(throws: ValidationFailure([
            FieldError(field: "groups[0].lines[0].quantity", message: "must be at least 1"),
            FieldError(field: "groups[0].lines[1].unitPrice", message: "must not be negative"),
            FieldError(field: "groups[0].fulfilment.distanceMeters", message: "is beyond the merchant's delivery range of 10000 m"),
            FieldError(field: "groups[1].lines[0].merchantId", message: "must be the order's merchant"),
            FieldError(field: "groups[1].lines[0].unitPrice", message: "must be in CNY, not USD"),
            FieldError(field: "groups[2].lines", message: "must contain at least one line"),
        ])) {
            try PricingEngine.price(F.request(groups: groups))
        }

        #expect(throws: ValidationFailure(field: "groups[0].fulfilment", message: "is a delivery but the merchant has no shipping rule")) {
            try PricingEngine.price(F.request(groups: Array(twoShops.prefix(1)), shippingRules: [:]))
        }
        #expect(throws: ValidationFailure(field: "groups", message: "must contain at least one order")) {
            try PricingEngine.price(F.request(groups: []))
        }
        var huge = F.cupLine
        huge.unitPrice = Money(minorUnits: PricingEngine.maximumAmount)
        huge.quantity = PricingEngine.maximumQuantity
        #expect(throws: ValidationFailure(field: "groups[0].lines[0]", message: "comes to more than ¥10000000000000.00")) {
            try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [huge])]))
        }
        let badCoupon = Coupon(id: F.uuid(690), title: "Bad", minimumSpend: F.yuan(0), kind: .percentOff(basisPoints: 0, cap: F.yuan(0)))
        #expect(throws: ValidationFailure([
            FieldError(field: "coupons[0].basisPoints", message: "must be between 1 and 10000"),
            FieldError(field: "coupons[0].cap", message: "must be more than zero"),
        ])) {
            try PricingEngine.price(F.request(groups: twoShops, coupons: [badCoupon]))
        }
    }
}
