import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Promotions on the storefront: the cart's discounts and hints, badges and flash prices on cards")
struct PromotionStorefrontTests {
    @Test("the cart prices each group with the running promotions: line shares sum to the group's discount, with the explanation and the next tier's hint")
    func cartShowsDiscounts() async throws {
        try await withTestApp { app in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let shop = try await CheckoutTests.shop(app)
            let tea = try await Fixtures.sku(app, code: "TEA", priceFen: 2_000, title: "乌龙茶")
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: tea.id!, storeId: shop.near.id!, quantity: 5)],
                                                                  context: MovementContext(now: testEpoch))
            }
            let tiers = try await PromotionTests.create(app, token: hq, PromotionTests.input())
            let token = try await CheckoutTests.shopper(app)
            let plain = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
                .decode(CartView.self)
            // ¥25.00: below the first tier, so nothing off yet and ¥5.00 to go.
            #expect(plain.discountFen == 0 && plain.payableFen == 2_500)
            #expect(plain.promotions.map(\.hint) == ["spend ¥5.00 more for ¥3.00 off"])

            // ¥25.00 + ¥20.00 = ¥45.00: the ¥30 tier, ¥15.00 short of the ¥60 tier.
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: tea.id!, quantity: 1))
            let cart = try await app.send(.GET, "/api/v1/cart", token: token).decode(CartView.self)
            let group = try #require(cart.groups.first)
            #expect(cart.subtotalFen == 4_500 && cart.discountFen == 300 && cart.payableFen == 4_200)
            #expect(group.discountFen == 300 && group.lines.reduce(0) { $0 + $1.discountFen } == 300)
            #expect(group.lines.allSatisfy { $0.discountFen > 0 && $0.payableFen == $0.lineTotalFen - $0.discountFen })
            #expect(group.lines.flatMap(\.discounts).allSatisfy { $0.promotionId == tiers.id && $0.name == tiers.name })
            #expect(group.promotions.map(\.discountFen) == [300])
            let promotion = try #require(cart.promotions.first)
            #expect(promotion.explanation == "Spend ¥30.00, ¥3.00 off: ¥45.00 of covered goods reaches ¥30.00")
            #expect(promotion.hint == "spend ¥15.00 more for ¥10.00 off" && promotion.missingFen == 1_500)

            let chinese = try await app.send(.GET, "/api/v1/cart", token: token, headers: ["Accept-Language": "zh-CN"]).decode(CartView.self)
            #expect(chinese.promotions.first?.hint == "再买 ¥15.00 可享减 ¥10.00", "\(chinese.promotions)")
            #expect(chinese.groups.first?.promotions.first?.explanation == "满 ¥30.00 减 ¥3.00：适用商品 ¥45.00 已满 ¥30.00")

            // The preview applies the same promotion the same way.
            let preview = try await app.send(.GET, "/api/v1/checkout/preview", token: token).decode(CheckoutPreview.self)
            #expect(preview.discountFen == 300)
        }
    }

    @Test("product lists and pages say which promotions apply and show the live flash price")
    func cardsShowBadgesAndFlashPrice() async throws {
        try await withTestApp { app in
            let sale = try await FlashSaleTests.sale(app)
            let tea = try await Fixtures.sku(app, code: "TEA", priceFen: 2_000, title: "乌龙茶")
            let otherCategory = try await Fixtures.category(app, name: "茶叶")
            _ = try await PromotionTests.create(app, token: sale.admin, PromotionTests.input())
            var gift = PromotionTests.input("满50送茶", rule: PromotionRuleInput(kind: .gift, thresholdFen: 5_000, giftSkuId: tea.id!))
            gift.scope = PromotionScopeInput(categoryIds: [otherCategory.id!])
            _ = try await PromotionTests.create(app, token: sale.admin, gift)

            let page = try await app.send(.GET, "/api/v1/products?sort=newest").decode(ListPage<ProductSummary>.self)
            let milk = try #require(page.items.first { $0.id == sale.shop.milk.productId })
            #expect(milk.badges == [.flashSale, .fullReduction])
            #expect(milk.flash == ProductFlash(sessionId: sale.session.id, skuId: sale.shop.milk.id!, priceFen: 990, endsAt: sale.session.endsAt))
            let plain = try #require(page.items.first { $0.id == tea.productId })
            #expect(plain.badges == [.fullReduction] && plain.flash == nil)

            let detail = try await app.send(.GET, "/api/v1/products/\(sale.shop.milk.productId)").decode(ProductDetail.self)
            #expect(detail.flash?.priceFen == 990)

            // Ended early: no flash price any more.
            let ended = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/end", token: sale.admin)
            #expect(ended.status == .ok, "\(ended.text)")
            let after = try await app.send(.GET, "/api/v1/products?sort=newest").decode(ListPage<ProductSummary>.self)
            #expect(after.items.first { $0.id == sale.shop.milk.productId }?.badges == [.fullReduction])
        }
    }
}

@Suite("Promotion effect summaries")
struct PromotionSummaryTests {
    @Test("an ended promotion's summary counts its paid orders net of refunds against the same length of time before it")
    func summary() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            // Before: one order paid at the epoch, inside the baseline.
            let (shop, _, before) = try await OrderDeskTests.paidOrder(app, quantity: 1, mobile: "13900000001")
            let promotion = try await PromotionTests.create(app, token: hq, PromotionTests.input(startsIn: 600))
            let early = try await app.send(.GET, "/api/v1/admin/marketing/promotions/\(promotion.id)/summary", token: hq)
            #expect(early.status == .conflict, "\(early.text)")

            clock.advance(seconds: 600)
            // During: one order reaches the ¥60 tier (¥10.00 off), one stays below every tier.
            let (_, _, promoted) = try await OrderDeskTests.paidOrder(app, quantity: 5, in: shop, mobile: "13900000002")
            let (_, _, below) = try await OrderDeskTests.paidOrder(app, quantity: 1, in: shop, mobile: "13900000003")
            #expect(promoted.discountFen == 1_000 && below.discountFen == 0)
            let payment = try #require(try await PaymentModel.query(on: app.db).filter(\.$checkoutId == promoted.checkoutId).first())
            for (amount, status) in [(Int64(500), RefundStatus.succeeded), (Int64(300), .processing)] {
                let refund = RefundModel()
                refund.paymentId = payment.id!
                refund.orderId = promoted.id
                refund.amountFen = amount
                refund.cause = "after_sales:\(amount)"
                refund.status = status.rawValue
                refund.createdAt = clock.now()
                try await refund.create(on: app.db)
            }
            clock.advance(seconds: 600)
            // Access tokens last 15 minutes of the test's clock, so staff sign in again.
            let (_, later) = try await Fixtures.staff(app, "hq.later", role: .platformAdmin, scope: .platform)
            let merchant = try await Fixtures.merchant(app, code: "TEA")
            let (_, tea) = try await Fixtures.staff(app, "tea", role: .merchantAdmin, scope: .merchant(MerchantID(merchant.id!)))
            let ended = try await app.send(.POST, "/api/v1/admin/marketing/promotions/\(promotion.id)/end", token: later)
            #expect(ended.status == .ok, "\(ended.text)")

            let summary = try await app.send(.GET, "/api/v1/admin/marketing/promotions/\(promotion.id)/summary", token: later).decode(MarketingSummary.self)
            #expect(summary.endedAt == testEpoch.addingTimeInterval(1_200) && summary.baselineFrom == testEpoch)
            let revenue = promoted.payableFen - 500
            #expect(summary.effect.orders == 1 && summary.effect.revenueFen == revenue && summary.effect.discountFen == 1_000)
            #expect(summary.effect.averageOrderFen == revenue)
            #expect(summary.effect.baselineOrders == 1 && summary.effect.baselineAverageOrderFen == before.payableFen)
            #expect(summary.effect.averageOrderChangeBasisPoints == CampaignEffect.ratio(revenue - before.payableFen, before.payableFen, scale: 10_000))
            #expect(summary.effect.costRatioBasisPoints == CampaignEffect.ratio(1_000, revenue, scale: 10_000))
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/promotions/\(promotion.id)/summary", token: tea).status == .notFound,
                    "a merchant sees only its own")
        }
    }
}

extension PromotionSummaryTests {
    @Test("an ended coupon's summary counts the orders its used coupons discounted, claims against uses, and the baseline before it")
    func couponSummary() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let (shop, _, before) = try await OrderDeskTests.paidOrder(app, quantity: 2, mobile: "13900000011")
            clock.advance(seconds: 60)
            let admin = try await PointsTests.admin(app)
            let template = try await CouponTests.template(app, admin: admin, CouponTests.cash("¥5 无门槛", off: 500))
            let buyer = try await CheckoutTests.shopper(app, mobile: "13900000012")
            let idler = try await CheckoutTests.shopper(app, mobile: "13900000013")
            let coupon = try await CouponTests.claim(app, template, token: buyer).decode(MemberCoupon.self)
            _ = try await CouponTests.claim(app, template, token: idler)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: buyer, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))
            let placed = try await app.send(.POST, "/api/v1/checkout", token: buyer, json: CheckoutInput(couponIds: [coupon.id]),
                                            headers: ["Idempotency-Key": "coupon-summary-1"]).decode(CheckoutResult.self)
            _ = try await app.send(.POST, "/api/v1/payments/\(placed.payment.id)/sandbox/complete", token: buyer)
            try await app.jobs.runDue()
            let early = try await app.send(.GET, "/api/v1/admin/marketing/coupons/\(template.id)/summary", token: admin)
            #expect(early.status == .conflict)

            clock.advance(seconds: 60)
            #expect(try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/end", token: admin).status == .ok)
            let summary = try await app.send(.GET, "/api/v1/admin/marketing/coupons/\(template.id)/summary", token: admin).decode(MarketingSummary.self)
            #expect(summary.baselineFrom == testEpoch && summary.endedAt == testEpoch.addingTimeInterval(120))
            let order = try #require(placed.orders.first)
            #expect(summary.effect.orders == 1 && summary.effect.discountFen == 500 && summary.effect.revenueFen == order.payableFen)
            #expect(summary.effect.baselineOrders == 1 && summary.effect.baselineRevenueFen == before.payableFen)
            #expect(summary.effect.claims == 2 && summary.effect.uses == 1 && summary.effect.useRateBasisPoints == 5_000)
            #expect(summary.effect.costRatioBasisPoints == CampaignEffect.ratio(500, order.payableFen, scale: 10_000))
        }
    }
}
