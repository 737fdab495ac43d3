import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Order totals and printable slips")
struct OrderReportTests {
    @Test("totals by status, store and day count what each scope may see; lost orders do not count as sales")
    func totals() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let (shop, _, paid) = try await OrderDeskTests.paidOrder(app, quantity: 2)
            let (_, nearClerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            #expect(try await app.send(.POST, "/api/v1/admin/orders/\(paid.id)/accept", token: nearClerk).status == .ok)
            clock.advance(seconds: 86_400)
            // A second shopper's order is left unpaid until it expires.
            let other = try await CheckoutTests.shopper(app, mobile: "13900000031")
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: other, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let unpaid = try await CheckoutTests.checkout(app, token: other, key: "totals-unpaid").decode(CheckoutResult.self)
            clock.advance(seconds: 3_600)
            try await app.jobs.runDue()
            #expect(try await OrderModel.find(unpaid.orders[0].id, on: app.db)?.status == "expired")

            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let (_, farClerk) = try await Fixtures.staff(app, "far.clerk", role: .storeClerk, scope: .store(shop.far.storeID))
            let totals = try await app.send(.GET, "/api/v1/admin/orders/totals", token: admin).decode(OrderTotals.self)
            #expect(totals.byStatus.map(\.key) == ["accepted", "expired"])
            #expect(totals.byStatus.first?.payableFen == paid.payableFen)
            #expect(totals.byStatus.first?.label == "accepted by the store")
            let chinese = try await app.send(.GET, "/api/v1/admin/orders/totals", token: admin, headers: ["Accept-Language": "zh-CN"]).decode(OrderTotals.self)
            #expect(chinese.byStatus.map(\.label) == ["门店已接单", "超时未付款，已关闭"])
            #expect(totals.byStore.map(\.label) == ["Store NEAR"])
            #expect(totals.byStore.first?.orders == 1)
            #expect(totals.byDay.map(\.key) == ["2026-11-27"], "only the paid order is a sale, on its Shanghai day")
            #expect(totals.byDay.first?.payableFen == paid.payableFen)

            let scoped = try await app.send(.GET, "/api/v1/admin/orders/totals", token: farClerk).decode(OrderTotals.self)
            #expect(scoped.byStatus.isEmpty, "the far store's clerk sees none of the near store's orders")
            let bad = try await app.send(.GET, "/api/v1/admin/orders/totals?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", token: admin)
            #expect(bad.problem?.errors?.first?.field == "from")
        }
    }

    @Test("sales by store and day are net of refunds that went through; a refund still processing does not count yet")
    func totalsNetOfRefunds() async throws {
        try await withTestApp { app in
            let (_, _, order) = try await OrderDeskTests.paidOrder(app, quantity: 2)
            let payment = try #require(try await PaymentModel.query(on: app.db).filter(\.$checkoutId == order.checkoutId).first())
            for (amount, status) in [(Int64(105), "succeeded"), (Int64(200), "processing")] {
                let refund = RefundModel()
                refund.paymentId = payment.id!
                refund.orderId = order.id
                refund.amountFen = amount
                refund.cause = "after_sales:\(UUID())"
                refund.status = status
                refund.createdAt = Date()
                try await refund.create(on: app.db)
            }
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let totals = try await app.send(.GET, "/api/v1/admin/orders/totals?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z", token: admin)
                .decode(OrderTotals.self)
            #expect(totals.byDay.first?.payableFen == order.payableFen - 105)
            #expect(totals.byStore.first?.payableFen == order.payableFen - 105)
            #expect(totals.byStatus.first?.payableFen == order.payableFen, "the status row still shows what the orders cost")
        }
    }

    @Test("the packing slip prints the order for A4 or an 80 mm receipt, escapes every value and runs no script")
    func packingSlip() async throws {
        try await withTestApp { app in
            let (shop, _, order) = try await OrderDeskTests.paidOrder(app, quantity: 2)
            try await ProductModel.query(on: app.db).set(\.$title, to: "<script>alert(1)</script>鲜牛奶").update()
            try await OrderLineModel.query(on: app.db).set(\.$title, to: "<script>alert(1)</script>鲜牛奶").update()
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            let (_, farClerk) = try await Fixtures.staff(app, "far.clerk", role: .storeClerk, scope: .store(shop.far.storeID))

            let a4 = try await app.send(.GET, "/api/v1/admin/orders/\(order.id)/slip", token: clerk)
            #expect(a4.status == .ok)
            #expect(a4.headers.contentType == .html)
            #expect(a4.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(a4.text.contains("size: A4"))
            #expect(a4.text.contains(order.number))
            #expect(a4.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;鲜牛奶"))
            #expect(!a4.text.contains("<script>"))
            #expect(a4.text.contains("¥\(YuanText.format(fen: order.payableFen))"))
            #expect(a4.text.contains("王小明"), "the recipient is on the slip")
            #expect(a4.text.contains("<svg"), "the order number as a QR code")

            let receipt = try await app.send(.GET, "/api/v1/admin/orders/\(order.id)/slip?format=receipt", token: clerk)
            #expect(receipt.text.contains("size: 80mm auto"))
            #expect(receipt.text.contains("width: 72mm"))
            #expect(try await app.send(.GET, "/api/v1/admin/orders/\(order.id)/slip?format=a5", token: clerk).problem?.errors?.first?.field == "format")
            #expect(try await app.send(.GET, "/api/v1/admin/orders/\(order.id)/slip", token: farClerk).status == .forbidden)
        }
    }
}
