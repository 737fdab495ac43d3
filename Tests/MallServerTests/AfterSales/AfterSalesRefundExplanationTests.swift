import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("After-sales refunds explained")
struct AfterSalesRefundExplanationTests {
    @Test("each refund splits into the returned units' price less their coupon share, matching what was refunded; the returns add up to the line")
    func couponShares() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            let template = try await CouponTests.template(app, admin: admin, CouponTests.cash("¥2 无门槛", off: 200))
            let shopper = try await CheckoutTests.shopper(app)
            let coupon = try await CouponTests.claim(app, template, token: shopper).decode(MemberCoupon.self)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))
            let result = try await app.send(.POST, "/api/v1/checkout", token: shopper, json: CheckoutInput(couponIds: [coupon.id]),
                                            headers: ["Idempotency-Key": "explained-refund"]).decode(CheckoutResult.self)
            _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: shopper)
            try await app.jobs.runDue()
            let order = result.orders[0]
            let (_, manager) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            for step in ["accept", "pick"] { _ = try await AfterSalesTests.staffPost(app, "orders/\(order.id)/\(step)", token: manager) }
            _ = try await AfterSalesTests.staffPost(app, "orders/\(order.id)/ship", token: manager,
                                                    json: ShipmentInput(carrier: Carrier.storeCourierCode, courierName: "李师傅", courierPhone: "13700001111"))
            _ = try await AfterSalesTests.staffPost(app, "orders/\(order.id)/delivered", token: manager)
            let line = order.lines[0]
            #expect(line.payableFen == 3_550 && line.discountFen == 200)

            var requested: [Int64] = []
            var opened: [AfterSalesInfo] = []
            for units in [1, 2] {
                clock.advance(seconds: 60)
                let info = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                              json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: units)],
                                                                    reason: .changedMind, description: "买多了")).decode(AfterSalesInfo.self)
                requested.append(info.requestedRefundFen)
                opened.append(info)
            }
            // The API carries the same breakdown on each case's line, for the shopper and for staff.
            let first = RefundBreakdownInfo(goodsFen: 1_249, levelDiscountFen: 0, promotionDiscountFen: 0, couponDiscountFen: 66, pointsDeductionFen: 0,
                                            refundFen: 1_183)
            #expect(opened[0].lines.map(\.breakdown) == [first], "\(opened[0].lines)")
            let second = try await app.send(.GET, "/api/v1/after-sales/\(opened[1].id)", token: shopper).decode(AfterSalesInfo.self)
            let rest = try #require(second.lines.first?.breakdown)
            #expect(rest.goodsFen == 2_501 && rest.couponDiscountFen == 134 && rest.refundFen == 2_367 && rest.refundFen == second.lines[0].refundFen)
            let staffList = try await app.send(.GET, "/api/v1/admin/after-sales", token: manager).decode(ListPage<AfterSalesInfo>.self)
            #expect(Set(staffList.items.flatMap(\.lines).compactMap(\.breakdown)) == [first, rest], "\(staffList.items)")
            let withdrawn = try await app.send(.POST, "/api/v1/after-sales/\(opened[1].id)/cancel", token: shopper).decode(AfterSalesInfo.self)
            #expect(withdrawn.lines.allSatisfy { $0.breakdown == nil }, "a withdrawn case gives nothing back")
            _ = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                   json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 2)], reason: .changedMind, description: "买多了"))
            let model = try #require(try await OrderModel.find(order.id, on: app.db))
            let cases = try await AfterSalesCaseModel.query(on: app.db).filter(\.$status != AfterSalesStatus.cancelled.rawValue).sort(\.$createdAt).all()
            let explained = try await AfterSalesRefundExplanation.forOrder(model, on: app.db)
            let steps = try cases.map { try #require(explained[$0.id!]?.first).breakdown }
            #expect(steps.map(\.refund.minorUnits) == requested, "the explanation explains the amounts refunded")
            #expect(steps[1] == RefundBreakdown(goods: Money(minorUnits: 2_501), levelDiscount: .zero(), promotionDiscount: .zero(),
                                                couponDiscount: Money(minorUnits: 134), pointsDeduction: .zero(), refund: Money(minorUnits: 2_367)))
            #expect(steps[0] == RefundBreakdown(goods: Money(minorUnits: 1_249), levelDiscount: .zero(), promotionDiscount: .zero(),
                                                couponDiscount: Money(minorUnits: 66), pointsDeduction: .zero(), refund: Money(minorUnits: 1_183)))
            #expect(steps.reduce(Int64(0)) { $0 + $1.goods.minorUnits } == 3_750)
            #expect(steps.reduce(Int64(0)) { $0 + $1.couponDiscount.minorUnits } == 200)
            #expect(steps.reduce(Int64(0)) { $0 + $1.refund.minorUnits } == 3_550)
        }
    }
}
