import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

@Suite("Coupons: store scope, editing after the start, gift and free-shipping coupons, returns after a full refund")
struct CouponTermsTests {
    typealias C = CouponTests

    static func claimAndPreview(_ app: Application, _ template: CouponTemplate, token: String) async throws -> (MemberCoupon, CheckoutCoupons.Evaluation?) {
        let coupon = try await C.claim(app, template, token: token).decode(MemberCoupon.self)
        let preview = try await app.send(.GET, "/api/v1/checkout/preview?couponIds=\(coupon.id)", token: token).decode(CheckoutPreview.self)
        return (coupon, preview.coupons?.evaluations.first { $0.memberCouponId == coupon.id })
    }

    @Test("a coupon for certain stores applies only when one of them fulfils the order; the coupon centre names them")
    func storeScope() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            var unknown = C.cash("Nowhere")
            unknown.storeIds = [UUID()]
            let refused = try await app.send(.POST, "/api/v1/admin/marketing/coupons", token: admin, json: unknown)
            #expect(refused.status == .unprocessableEntity && refused.problem?.errors?.first?.field == "storeIds", "\(refused.text)")
            #expect(try await CouponTemplateModel.query(on: app.db).count() == 0)

            var far = C.cash("Far store ¥3", off: 300)
            far.storeIds = [shop.far.id!]
            var near = C.cash("Near store ¥4", off: 400)
            near.storeIds = [shop.near.id!]
            let farTemplate = try await C.template(app, admin: admin, far)
            let nearTemplate = try await C.template(app, admin: admin, near)
            let centre = try await app.send(.GET, "/api/v1/coupons").decode([CouponTemplate].self)
            #expect(centre.first { $0.id == farTemplate.id }?.storeNames == [shop.far.name])
            #expect(centre.first { $0.id == nearTemplate.id }?.storeIds == [shop.near.id!])

            // The milk is delivered from the NEAR store (nearest with stock).
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let (farCoupon, farEvaluation) = try await Self.claimAndPreview(app, farTemplate, token: token)
            #expect(farEvaluation?.applied == false)
            #expect(farEvaluation?.message == CouponRejection.notAtTheseStores.message)
            let placed = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [farCoupon.id]),
                                            headers: ["Idempotency-Key": "store-scope-far"])
            #expect(placed.status == .unprocessableEntity, "\(placed.text)")
            #expect(try await OrderModel.query(on: app.db).count() == 0)

            let (nearCoupon, nearEvaluation) = try await Self.claimAndPreview(app, nearTemplate, token: token)
            #expect(nearEvaluation?.applied == true && nearEvaluation?.discountFen == 400)
            let paid = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [nearCoupon.id]),
                                          headers: ["Idempotency-Key": "store-scope-near"])
            #expect(paid.status == .created, "\(paid.text)")
            #expect(try paid.decode(CheckoutResult.self).orders.first?.discountFen == 400)
        }
    }

    @Test("editing: every term until the validity starts (dates only while nobody holds one); then only a larger quantity or ending it, else 409")
    func editing() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            var admin = try await PointsTests.admin(app)
            var input = CouponTemplateInput(title: "周末券", kind: .cash, amountOffFen: 500, totalQuantity: 10,
                                            validFrom: testEpoch.addingTimeInterval(3_600), validUntil: testEpoch.addingTimeInterval(3 * 86_400))
            let template = try await C.template(app, admin: admin, input)
            let token = try await CheckoutTests.shopper(app)
            #expect(try await C.claim(app, template, token: token).status == .created)
            func put(_ input: CouponTemplateInput) async throws -> APIResponse {
                try await app.send(.PUT, "/api/v1/admin/marketing/coupons/\(template.id)", token: admin, json: input)
            }

            input.title = "周末特惠券"
            input.amountOffFen = 600
            #expect(try await put(input).status == .ok, "before the start every term may change")
            var moved = input
            moved.validUntil = testEpoch.addingTimeInterval(4 * 86_400)
            let held = try await put(moved)
            #expect(held.status == .conflict && held.problem?.detail == CouponEditRefusal.validityOfHeldCoupons.message, "\(held.text)")

            clock.advance(seconds: 2 * 3_600)
            admin = try await PointsTests.login(app, "hq", staff: true)
            input.amountOffFen = 700
            let started = try await put(input)
            #expect(started.status == .conflict && started.problem?.detail == CouponEditRefusal.started.message, "\(started.text)")
            input.amountOffFen = 600
            input.totalQuantity = 5
            #expect(try await put(input).problem?.detail == CouponEditRefusal.quantityLowered(current: 10).message)
            input.totalQuantity = 50
            let raised = try await put(input)
            #expect(raised.status == .ok, "\(raised.text)")
            #expect(try raised.decode(CouponTemplate.self).totalQuantity == 50)
            let stored = try #require(try await CouponTemplateModel.find(template.id, on: app.db))
            #expect(stored.title == "周末特惠券" && stored.amountOffFen == 600 && stored.totalQuantity == 50)

            #expect(try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/end", token: admin).status == .ok)
            input.totalQuantity = 60
            #expect(try await put(input).problem?.detail == CouponEditRefusal.ended.message)
            let updates = try await AuditLogModel.query(on: app.db).filter(\.$action == "coupon.template.update").count()
            #expect(updates == 2, "refused edits leave no audit row")
        }
    }

    @Test("a gift coupon makes one unit of its SKU free only when that SKU is in the order, and the explanation says so")
    func giftCoupon() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            let other = try await Fixtures.sku(app, code: "BREAD", priceFen: 800)
            let milkGift = try await C.template(app, admin: admin, CouponTemplateInput(title: "牛奶礼品券", kind: .gift, giftSkuId: shop.milk.id!,
                                                                                    totalQuantity: 10, validDays: 7))
            let breadGift = try await C.template(app, admin: admin, CouponTemplateInput(title: "面包礼品券", kind: .gift, giftSkuId: other.id!,
                                                                                     totalQuantity: 10, validDays: 7))
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let (bread, breadEvaluation) = try await Self.claimAndPreview(app, breadGift, token: token)
            #expect(breadEvaluation?.applied == false && breadEvaluation?.message == CouponRejection.giftItemNotInCheckout.message)
            let refused = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [bread.id]),
                                             headers: ["Idempotency-Key": "gift-bread"])
            #expect(refused.status == .unprocessableEntity)

            let (milk, milkEvaluation) = try await Self.claimAndPreview(app, milkGift, token: token)
            #expect(milkEvaluation?.applied == true && milkEvaluation?.discountFen == 1_250)
            let placed = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [milk.id]),
                                            headers: ["Idempotency-Key": "gift-milk"])
            #expect(placed.status == .created, "\(placed.text)")
            let result = try placed.decode(CheckoutResult.self)
            #expect(result.orders[0].lines[0].payableFen == 1_250 && result.orders[0].lines[0].discountFen == 1_250)
            #expect(result.explanation.contains { $0.hasPrefix("牛奶礼品券: -¥12.50 (one ") }, "\(result.explanation)")
        }
    }

    @Test("a free-shipping coupon waives the fee on its own line, never as a goods discount the refunds would give back")
    func freeShipping() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            let template = try await C.template(app, admin: admin, CouponTemplateInput(title: "免运费券", kind: .freeShipping, totalQuantity: 10, validDays: 7))
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))
            let (coupon, evaluation) = try await Self.claimAndPreview(app, template, token: token)
            #expect(evaluation?.applied == true && evaluation?.discountFen == 600)
            let result = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [coupon.id]),
                                            headers: ["Idempotency-Key": "free-shipping"]).decode(CheckoutResult.self)
            let order = try #require(result.orders.first)
            #expect(order.shippingFen == 0 && order.discountFen == 0 && order.payableFen == 3_750)
            #expect(order.lines.allSatisfy { $0.discountFen == 0 && $0.payableFen == $0.unitPriceFen * Int64($0.quantity) })
            let stored = try #require(try await OrderModel.find(order.id, on: app.db))
            let priced = try JSONDecoder().decode(PricedGroup.self, from: Data(stored.pricingJSON.utf8))
            #expect(priced.totals.couponDiscount.minorUnits == 0)
            #expect(result.explanation.contains("Free-shipping coupon: -¥6.00 (免运费券)"), "\(result.explanation)")
        }
    }

    @Test("a full refund gives a returnable coupon back and lowers its template's use count exactly once, however many refunds race")
    func returnAfterFullRefund() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            var input = C.cash("可退券", off: 300)
            input.returnOnFullRefund = true
            let template = try await C.template(app, admin: admin, input)
            let token = try await CheckoutTests.shopper(app)
            let coupon = try await C.claim(app, template, token: token).decode(MemberCoupon.self)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let result = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [coupon.id]),
                                            headers: ["Idempotency-Key": "refund-return"]).decode(CheckoutResult.self)
            #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token).status == .ok)
            try await app.jobs.runDue()
            #expect(try await CouponTemplateModel.find(template.id, on: app.db)?.usedCount == 1)

            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        try await app.db.writeTransaction { tx in
                            try await CouponService(app: app, db: tx).checkoutRefunded(result.checkoutId, now: testEpoch)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await CouponTemplateModel.find(template.id, on: app.db)?.usedCount == 0)
            let returned = try #require(try await MemberCouponModel.find(coupon.id, on: app.db))
            #expect(returned.status == MemberCouponStatus.available.rawValue && returned.checkoutId == nil)
            try await C.invariants(app)
        }
    }
}
