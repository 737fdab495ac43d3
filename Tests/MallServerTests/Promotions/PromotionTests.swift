import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Promotions: staff, public list, checkout and per-member limits")
struct PromotionTests {
    static let tiers = PromotionRuleInput(kind: .fullReduction, tiers: [
        PromotionTierInput(thresholdFen: 3_000, reductionFen: 300), PromotionTierInput(thresholdFen: 6_000, reductionFen: 1_000),
    ])

    static func input(_ name: String = "满30减3 满60减10", rule: PromotionRuleInput = tiers, merchantId: UUID? = nil, startsIn: TimeInterval = -60,
                      limit: Int? = nil) -> PromotionInput {
        PromotionInput(name: name, merchantId: merchantId, rule: rule, startsAt: testEpoch.addingTimeInterval(startsIn),
                       endsAt: testEpoch.addingTimeInterval(86_400), perMemberLimit: limit)
    }

    static func create(_ app: Application, token: String, _ input: PromotionInput) async throws -> PromotionDTO {
        let response = try await app.send(.POST, "/api/v1/admin/marketing/promotions", token: token, json: input)
        #expect(response.status == .created, "\(response.text)")
        return try response.decode(PromotionDTO.self)
    }

    @Test("staff create with checked input, edit only before the start, end early and copy, all audited; merchants see only their own")
    func staffLifecycle() async throws {
        try await withTestApp { app in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let merchant = try await Fixtures.merchant(app, code: "TEA")
            let (_, tea) = try await Fixtures.staff(app, "tea", role: .merchantAdmin, scope: .merchant(MerchantID(merchant.id!)))

            var bad = Self.input(rule: PromotionRuleInput(kind: .nthItemOff, n: 1))
            bad.endsAt = bad.startsAt
            let refused = try await app.send(.POST, "/api/v1/admin/marketing/promotions", token: hq, json: bad)
            #expect(refused.status == .unprocessableEntity)
            #expect(Set(refused.problem?.errors?.map(\.field) ?? []) == ["endsAt", "rule.basisPoints"], "\(refused.text)")
            let badRange = try await app.send(.POST, "/api/v1/admin/marketing/promotions", token: hq,
                                              json: Self.input(rule: PromotionRuleInput(kind: .nthItemOff, basisPoints: 20_000, n: 1)))
            #expect(Set(badRange.problem?.errors?.map(\.field) ?? []) == ["rule.n", "rule.basisPoints"], "\(badRange.text)")
            #expect(try await PromotionModel.query(on: app.db).count() == 0, "a refused request leaves no rows")

            let running = try await Self.create(app, token: hq, Self.input())
            #expect(running.status == .running)
            let edit = try await app.send(.PUT, "/api/v1/admin/marketing/promotions/\(running.id)", token: hq, json: Self.input("改名"))
            #expect(edit.status == .conflict && edit.problem?.detail?.contains("has not started") == true)

            let later = try await Self.create(app, token: tea, Self.input("Tea week", merchantId: merchant.id!, startsIn: 3_600))
            #expect(later.status == .scheduled)
            let edited = try await app.send(.PUT, "/api/v1/admin/marketing/promotions/\(later.id)", token: tea,
                                            json: Self.input("Tea week 2", merchantId: merchant.id!, startsIn: 3_600))
            #expect(try edited.decode(PromotionDTO.self).name == "Tea week 2")
            let forPlatform = try await app.send(.POST, "/api/v1/admin/marketing/promotions", token: tea, json: Self.input())
            #expect(forPlatform.status == .forbidden, "a merchant cannot run a platform promotion")
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/promotions/\(running.id)", token: tea).status == .notFound)
            let theirs = try await app.send(.GET, "/api/v1/admin/marketing/promotions", token: tea).decode(ListPage<PromotionDTO>.self)
            #expect(theirs.items.map(\.name) == ["Tea week 2"])
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/promotions?status=running", token: hq).decode(ListPage<PromotionDTO>.self).items.map(\.id) == [running.id])

            let ended = try await app.send(.POST, "/api/v1/admin/marketing/promotions/\(running.id)/end", token: hq).decode(PromotionDTO.self)
            #expect(ended.status == .ended && ended.endedAt == testEpoch)
            #expect(try await app.send(.POST, "/api/v1/admin/marketing/promotions/\(running.id)/end", token: hq).status == .conflict)
            let copy = try await app.send(.POST, "/api/v1/admin/marketing/promotions/\(running.id)/copy", token: hq)
            #expect(copy.status == .created)
            let copied = try copy.decode(PromotionDTO.self)
            #expect(copied.status == .scheduled && copied.rule == Self.tiers && copied.id != running.id)

            let actions = try await AuditLogModel.query(on: app.db).filter(\.$targetType == "promotion").sort(\.$createdAt).all().map(\.action)
            #expect(actions.sorted() == ["promotion.create", "promotion.create", "promotion.create", "promotion.end", "promotion.update"])
        }
    }

    /// A ¥9.00 towel, the gift of the tests' 满50送毛巾, two of them in stock at `store`.
    static func towel(_ app: Application, stockedAt store: StoreModel) async throws -> SKUModel {
        let towel = try await Fixtures.sku(app, code: "TOWEL", priceFen: 900)
        try await app.db.writeTransaction { db in
            try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: towel.id!, storeId: store.id!, quantity: 2)],
                                                              context: MovementContext(now: testEpoch))
        }
        return towel
    }

    @Test("checkout prices a tiered 满减 and adds the gift line reserved from the store; the public list shows them; the preview agrees")
    func checkoutWithGift() async throws {
        try await withTestApp { app in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let shop = try await CheckoutTests.shop(app)
            let towel = try await Self.towel(app, stockedAt: shop.near)
            let tiered = try await Self.create(app, token: hq, Self.input())
            _ = try await Self.create(app, token: hq, Self.input("满50送毛巾", rule: PromotionRuleInput(kind: .gift, thresholdFen: 5_000, giftSkuId: towel.id!)))

            let listed = try await app.send(.GET, "/api/v1/promotions?productId=\(shop.milk.productId)").decode([PromotionDTO].self)
            #expect(Set(listed.map(\.name)) == ["满30减3 满60减10", "满50送毛巾"])
            #expect(try await app.send(.GET, "/api/v1/promotions?productId=nope").status == .unprocessableEntity)

            let token = try await CheckoutTests.shopper(app)
            // 5 × ¥12.50 = ¥62.50: the ¥60 tier and the gift.
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 5))
            let preview = try await app.send(.GET, "/api/v1/checkout/preview", token: token).decode(CheckoutPreview.self)
            #expect(preview.discountFen == 1_000)
            #expect(preview.explanation.contains("满30减3 满60减10: -¥10.00 (Spend ¥60.00, ¥10.00 off: ¥62.50 of covered goods reaches ¥60.00)"))
            #expect(preview.explanation.contains { $0.hasPrefix("Gift: ") && $0.contains("× 1 free") })
            let chinese = try await app.send(.GET, "/api/v1/checkout/preview", token: token, headers: ["Accept-Language": "zh-CN"]).decode(CheckoutPreview.self)
            #expect(chinese.explanation.contains { $0.contains("满 ¥60.00 减 ¥10.00") }, "\(chinese.explanation)")

            let placed = try await CheckoutTests.checkout(app, token: token, key: "promo-checkout-1")
            #expect(placed.status == .created, "\(placed.text)")
            let result = try placed.decode(CheckoutResult.self)
            let order = try #require(result.orders.first)
            #expect(order.discountFen == 1_000)
            let gift = try #require(order.lines.first { $0.skuId == towel.id! })
            #expect(gift.quantity == 1 && gift.payableFen == 0 && gift.unitPriceFen == 0)
            #expect(order.lines.first { $0.skuId == shop.milk.id! }?.payableFen == 5_250)
            #expect(try await Fixtures.level(app, sku: towel, store: shop.near) == StockLevel(onHand: 2, reserved: 1))
            try await Fixtures.expectLedgerMatchesProjection(app)

            let stats = try await app.send(.GET, "/api/v1/admin/marketing/promotions/\(tiered.id)/stats", token: hq).decode(PromotionStats.self)
            #expect(stats.orders == 1 && stats.discountFen == 1_000 && stats.participants == 1 && stats.paidOrders == 0)
        }
    }

    @Test("a gift the store does not have is left out with a note")
    func giftOutOfStock() async throws {
        try await withTestApp { app in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let shop = try await CheckoutTests.shop(app)
            let towel = try await Fixtures.sku(app, code: "TOWEL", priceFen: 900)
            _ = try await Self.create(app, token: hq, Self.input("满10送毛巾", rule: PromotionRuleInput(kind: .gift, thresholdFen: 1_000, giftSkuId: towel.id!)))
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let placed = try await CheckoutTests.checkout(app, token: token, key: "promo-checkout-2")
            let result = try placed.decode(CheckoutResult.self)
            #expect(result.orders.first?.lines.count == 1)
            #expect(result.explanation.contains { $0.hasPrefix("Gift ") && $0.hasSuffix("is out of stock at the fulfilling store and was left out") })
        }
    }

    @Test("a member limited to one use gets it once: later checkouts price without it, and 10 concurrent uses count exactly one")
    func perMemberLimit() async throws {
        try await withTestApp { app in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let shop = try await CheckoutTests.shop(app)
            let once = try await Self.create(app, token: hq, Self.input(limit: 1))
            let token = try await CheckoutTests.shopper(app)
            let memberId = try await MemberLevelTests.memberId(app)

            let first = try await MemberLevelTests.checkout(app, shop, token: token, quantity: 3)
            #expect(try first.decode(CheckoutResult.self).orders.first?.discountFen == 300)
            let second = try await MemberLevelTests.checkout(app, shop, token: token, quantity: 3)
            #expect(try second.decode(CheckoutResult.self).orders.first?.discountFen == 0, "the limit is used up")
            // Cancelling the first order unpaid gives the use back, once however often it is closed.
            let firstOrder = try #require(try first.decode(CheckoutResult.self).orders.first)
            #expect(try await app.send(.POST, "/api/v1/orders/\(firstOrder.id)/cancel", token: token).status == .ok)
            #expect(try await PromotionMemberUseModel.query(on: app.db).filter(\.$memberId == memberId).first()?.uses == 0)
            let third = try await MemberLevelTests.checkout(app, shop, token: token, quantity: 3)
            #expect(try third.decode(CheckoutResult.self).orders.first?.discountFen == 300, "usable again after the cancellation")

            // Concurrent checkouts that all priced before any committed: the counter lets one through.
            let other = try await Fixtures.member(app, mobile: "13900139000").member.id
            let priced = try PricingEngine.price(PricingRequest(at: testEpoch, groups: [OrderGroup(
                merchantId: SelfOperatedMerchant.id, storeId: StoreID(shop.near.id!), fulfilment: .pickup,
                lines: [CartLine(skuId: shop.milk.id!, productId: shop.milk.productId, merchantId: SelfOperatedMerchant.id, title: "Milk",
                                 quantity: 3, unitPrice: Money(minorUnits: 1_250))])],
                promotions: try await PromotionService.usable(memberId: other, at: testEpoch, on: app.db)))
            #expect(priced.totals.promotionDiscount == Money(minorUnits: 300))
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            try await app.db.writeTransaction { tx in
                                try await PromotionService.recordUses(priced, gifts: [], orderIds: [], memberId: other, now: testEpoch, on: tx)
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let uses = try await PromotionMemberUseModel.query(on: app.db).filter(\.$promotionId == once.id).filter(\.$memberId == other).first()
            #expect(uses?.uses == 1)
            #expect(try await PromotionMemberUseModel.query(on: app.db).filter(\.$memberId == memberId).first()?.uses == 1)
        }
    }
}
