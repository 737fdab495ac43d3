import Foundation
import MallCore
import Testing

@Suite("Pricing engine: member level benefits")
struct PricingLevelTests {
    typealias F = PricingFixture

    static let gold = LevelBenefits(name: "金卡", discountBasisPoints: 500, freeShippingThreshold: F.yuan(49))

    @Test("the level's discount comes off the goods left after promotions and coupons, allocated to the lines fen-exact, and explained")
    func discount() throws {
        let groups = [
            OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_200), lines: [F.teaLine, F.cupLine]),
            OrderGroup(merchantId: F.snackShop, storeId: F.snackStore, fulfilment: .pickup, lines: [F.snackLine]),
        ]
        let priced = try PricingEngine.price(F.request(groups: groups, promotions: [F.teaFullReduction],
                                                       member: PricingMember(level: "gold", benefits: Self.gold)))
        // 满100减20 takes the tea shop's ¥120 to ¥100; 5% of ¥100 + ¥30 is ¥6.50, by what each line still costs.
        #expect(priced.allocations(of: .memberLevel) == [[375, 125], [150]])
        #expect(priced.totals.levelDiscount == F.fen(650))
        #expect(priced.totals.discount == F.fen(2_650))
        #expect(priced.discounts.map(\.source) == [.promotion(F.teaFullReduction.id), .memberLevel], "in pipeline order")
        #expect(priced.explanation.contains("Member level 金卡 95折: -¥6.50 (5% off ¥130.00 of goods)"), "\(priced.explanation)")
        #expect(priced.group(0).discounts.last == AppliedDiscount(source: .memberLevel, title: "Member level 金卡 95折",
                                                                   description: "5% off ¥130.00 of goods", amount: F.fen(500)))
    }

    @Test("a threshold the member reached stays reached: the level's discount comes after it and never costs free delivery")
    func neverCostsAThreshold() throws {
        // ¥120 of tea reaches 满100减20, and the ¥100 left reaches the shop's ¥99 free delivery;
        // 5% off after that (¥95 left) undoes neither.
        let tea = F.line("Oolong tea 250 g", product: F.tea, merchant: F.teaShop, quantity: 1, unit: F.yuan(120), sku: 401)
        let groups = [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_200), lines: [tea])]
        let member = PricingMember(level: "gold", benefits: LevelBenefits(name: "金卡", discountBasisPoints: 500))
        let priced = try PricingEngine.price(F.request(groups: groups, promotions: [F.teaFullReduction], member: member))
        #expect(priced.totals.promotionDiscount == F.yuan(20))
        #expect(priced.totals.levelDiscount == F.yuan(5))
        #expect(priced.totals.shippingFee == F.fen(0))
        #expect(priced.totals.payable == F.yuan(95))
        let plain = try PricingEngine.price(F.request(groups: groups, promotions: [F.teaFullReduction]))
        #expect(plain.totals.payable == F.yuan(100))
    }

    @Test("the level's free-delivery threshold counts when it is lower than the shop's, and says so")
    func freeDelivery() throws {
        let cups = F.line("Tea cup", product: F.cup, merchant: F.teaShop, quantity: 2, unit: F.yuan(30), sku: 402)
        let groups = [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_200), lines: [cups])]
        let priced = try PricingEngine.price(F.request(groups: groups, member: PricingMember(level: "gold", benefits: Self.gold)))
        #expect(priced.totals.shippingFee == F.fen(0))
        #expect(priced.group(0).shipping.description == "Free delivery for member level 金卡: ¥60.00 of goods from this shop after discounts reaches ¥49.00")
        #expect(priced.totals.payable == F.yuan(57))

        let short = F.line("Tea cup", product: F.cup, merchant: F.teaShop, quantity: 1, unit: F.yuan(30), sku: 402)
        let under = try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_200), lines: [short])],
                                                      member: PricingMember(level: "gold", benefits: Self.gold)))
        #expect(under.group(0).shipping.description == "Delivery over 3.2 km (up to 5 km): ¥8.00; add ¥19.00 from this shop for free delivery")

        // A level threshold above the shop's changes nothing.
        let higher = LevelBenefits(name: "银卡", discountBasisPoints: 0, freeShippingThreshold: F.yuan(200))
        let tea = try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .delivery(distanceMeters: 3_200),
                                                                        lines: [F.teaLine, F.cupLine])],
                                                    member: PricingMember(level: "silver", benefits: higher)))
        #expect(tea.group(0).shipping.description == "Free delivery: ¥120.00 of goods from this shop after discounts reaches ¥99.00")
        #expect(tea.discounts.isEmpty, "a level without a discount adds no line")
    }

    @Test("points are capped on the goods left after the level's discount; the preview learns the most points could pay")
    func points() throws {
        let groups = [OrderGroup(merchantId: F.snackShop, storeId: F.snackStore, fulfilment: .pickup, lines: [F.snackLine])]
        let member = PricingMember(level: "gold", pointsBalance: 10_000, benefits: LevelBenefits(name: "金卡", discountBasisPoints: 1_000))
        let priced = try PricingEngine.price(F.request(groups: groups, member: member, points: .asMuchAsAllowed))
        // ¥30 less 10% is ¥27; half of it, ¥13.50, is 1350 points.
        #expect(priced.points.pointsUsed == 1_350 && priced.points.deduction == F.fen(1_350))
        #expect(priced.points.maximumDeduction == F.fen(1_350) && priced.points.pointsForMaximum == 1_350)
        let off = try PricingEngine.price(F.request(groups: groups, member: member))
        #expect(off.points.pointsUsed == 0 && off.points.maximumDeduction == F.fen(1_350), "the cap is known without using points")
    }
}
