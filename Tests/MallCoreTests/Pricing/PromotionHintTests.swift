import Foundation
import MallCore
import Testing

@Suite("Promotion hints: what is still missing for the next tier")
struct PromotionHintTests {
    typealias F = PricingFixture

    static func priced(_ amount: Int64, _ promotion: Promotion) throws -> PricedCheckout {
        let line = F.line("Oolong tea", product: F.tea, merchant: F.teaShop, quantity: 1, unit: F.fen(amount), sku: 401)
        return try PricingEngine.price(F.request(groups: [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [line])],
                                                 promotions: [promotion]))
    }

    /// Tiers as shops write them: a higher threshold gives a larger reduction. Listed shuffled,
    /// since the engine must not depend on their order.
    static func randomTiers(_ random: inout PricingTestRandom) -> [FullReductionTier] {
        let thresholds = Set((0..<Int.random(in: 1...4, using: &random)).map { _ in Int64.random(in: 100...50_000, using: &random) }).sorted()
        var reduction: Int64 = 0
        let tiers = thresholds.map { threshold in
            reduction = min(threshold, reduction + Int64.random(in: 1...3_000, using: &random))
            return FullReductionTier(threshold: F.fen(threshold), reduction: F.fen(reduction))
        }
        return tiers.shuffled(using: &random)
    }

    @Test("below every tier the hint names the first tier; between tiers the next; at the top none")
    func tierGaps() throws {
        let tiers = PromotionKindTests.tiers
        #expect(try Self.priced(8_800, tiers).promotions.first?.hint?.text == "spend ¥12.00 more for ¥10.00 off")
        #expect(try Self.priced(18_800, tiers).promotions.first?.hint?.missingAmount == F.yuan(12))
        #expect(try Self.priced(20_000, tiers).promotions.first?.hint == nil)
        let thresholdDiscount = Promotion(id: F.uuid(810), name: "满50打9折", kind: .thresholdPercentOff(threshold: F.yuan(50), basisPoints: 1_000))
        #expect(try Self.priced(4_999, thresholdDiscount).promotions.first?.hint?.text == "spend ¥0.01 more for 10% off")
        let gift = Promotion(id: F.uuid(811), name: "满99送杯", kind: .gift(PromotionGiftRule(minimumSpend: F.yuan(99), skuId: F.uuid(402),
                                                                                         productId: F.cup, title: "Tea cup")))
        #expect(try Self.priced(9_000, gift).promotions.first?.hint?.text == "spend ¥9.00 more for a free Tea cup")
    }

    @Test("property: adding exactly the missing amount earns the hinted reward, a fen less does not")
    func missingAmountIsExact() throws {
        for seed in PricingPropertyTests.seeds {
            var random = PricingTestRandom(seed: seed)
            let promotion = Promotion(id: F.uuid(812), name: "tiers", kind: .fullReduction(tiers: Self.randomTiers(&random)))
            let amount = Int64.random(in: 1...60_000, using: &random)
            let now = try Self.priced(amount, promotion)
            let discount = now.totals.promotionDiscount.minorUnits
            guard let missing = now.promotions.first?.hint?.missingAmount?.minorUnits else {
                // No hint: no tier above the amount gives more than now.
                if case .fullReduction(let tiers) = promotion.kind {
                    #expect(!tiers.contains { $0.threshold.minorUnits > amount && $0.reduction.minorUnits > discount }, "seed \(seed)")
                }
                continue
            }
            #expect(missing > 0, "seed \(seed)")
            let reached = try Self.priced(amount + missing, promotion).totals.promotionDiscount.minorUnits
            #expect(reached > discount, "seed \(seed)")
            let short = try Self.priced(amount + missing - 1, promotion).totals.promotionDiscount.minorUnits
            #expect(short == discount, "seed \(seed)")
        }
    }
}

@Suite("Product badges")
struct ProductBadgeTests {
    typealias F = PricingFixture

    static let dairy = F.uuid(901)
    static let brand = F.uuid(902)

    @Test("flash sale first, each badge once, only for promotions whose goods scope covers the product")
    func badges() {
        let reaches = [
            PromotionReach(merchantId: nil, products: .allProducts, categories: nil, brands: nil, badge: .fullReduction),
            PromotionReach(merchantId: F.teaShop, products: .allProducts, categories: [Self.dairy], brands: nil, badge: .discount),
            PromotionReach(merchantId: F.snackShop, products: .allProducts, categories: nil, brands: nil, badge: .gift),
            PromotionReach(merchantId: nil, products: .products([F.tea]), categories: nil, brands: nil, badge: .fullReduction),
        ]
        #expect(ProductBadges.badges(productId: F.tea, merchantId: F.teaShop, categoryId: Self.dairy, brandId: nil, promotions: reaches,
                                     inFlashSale: true) == [.flashSale, .fullReduction, .discount])
        #expect(ProductBadges.badges(productId: F.cup, merchantId: F.teaShop, categoryId: nil, brandId: nil, promotions: reaches,
                                     inFlashSale: false) == [.fullReduction])
    }

    @Test("property: a card shows a promotion's badge exactly when the engine would apply it to the product somewhere")
    func badgesAgreeWithTheEngine() {
        let products = [F.tea, F.cup, F.snack]
        let merchants = [F.teaShop, F.snackShop]
        let categories: [UUID?] = [nil, Self.dairy, F.uuid(903)]
        let brands: [UUID?] = [nil, Self.brand]
        let kinds: [PromotionKind] = [.fullReduction(tiers: [FullReductionTier(threshold: F.yuan(1), reduction: F.fen(1))]),
                                      .percentOff(basisPoints: 1_000), .specialPrice([SpecialPrice(skuId: F.uuid(905), price: F.yuan(5))])]
        let badgeOf: [PromotionBadge] = [.fullReduction, .discount, .specialPrice]
        for seed in PricingPropertyTests.seeds {
            var random = PricingTestRandom(seed: seed)
            let kind = Int.random(in: 0..<kinds.count, using: &random)
            let merchant = Bool.random(using: &random) ? nil : merchants.randomElement(using: &random)
            let scope: ProductScope = Bool.random(using: &random) ? .allProducts : .products(Set(products.filter { _ in Bool.random(using: &random) }))
            let category = Bool.random(using: &random) ? nil : Set(categories.compactMap { $0 }.filter { _ in Bool.random(using: &random) })
            let brand = Bool.random(using: &random) ? nil : Set(brands.compactMap { $0 }.filter { _ in Bool.random(using: &random) })
            let promotion = Promotion(id: F.uuid(904), name: "p", merchantId: merchant, products: scope, kind: kinds[kind], categories: category,
                                      brands: brand)
            let reach = PromotionReach(merchantId: merchant, products: scope, categories: category, brands: brand, badge: badgeOf[kind])
            let product = products.randomElement(using: &random)!
            let productMerchant = merchants.randomElement(using: &random)!
            let categoryId = categories.randomElement(using: &random)!
            let brandId = brands.randomElement(using: &random)!
            var line = F.line("item", product: product, merchant: productMerchant, quantity: 1, unit: F.yuan(10), sku: 905)
            line.categoryId = categoryId
            line.brandId = brandId
            let request = F.request(groups: [OrderGroup(merchantId: productMerchant, storeId: F.teaStore, fulfilment: .pickup, lines: [line])],
                                    promotions: [promotion])
            let applied = ((try? PricingEngine.price(request))?.promotions.count ?? 0) > 0
            let badges = ProductBadges.badges(productId: product, merchantId: productMerchant, categoryId: categoryId, brandId: brandId,
                                              promotions: [reach], inFlashSale: false)
            #expect(badges == (applied ? [badgeOf[kind]] : []), "seed \(seed)")
        }
    }
}
