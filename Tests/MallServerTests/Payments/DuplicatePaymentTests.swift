import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Payment callbacks: replays and second payments")
struct DuplicatePaymentTests {
    @Test("a notification replayed 100 times (25 at once) pays the order once; a second, different payment is refunded in full, once")
    func replaysAndDuplicates() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let result = try await CheckoutTests.checkout(app, token: token, key: "dup-payment-1").decode(CheckoutResult.self)

            let (body, headers) = try CheckoutTests.signedNotification(app, payment: result.payment, transactionId: "SBX-FIRST")
            // 100 deliveries, 25 at a time, as a gateway retrying from several workers would.
            var statuses: [HTTPResponseStatus] = []
            for _ in 0..<4 {
                statuses += try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                    for _ in 0..<25 {
                        group.addTask { try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: headers).status }
                    }
                    return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
                }
            }
            #expect(statuses.count == 100)
            #expect(statuses.allSatisfy { $0 == .ok })
            var order = try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: token).decode(Order.self)
            #expect(order.status == .paid)
            #expect(order.timeline.filter { $0.to == .paid }.count == 1, "paid once")
            let titles = try await NotificationModel.query(on: app.db).all().map(\.title)
            #expect(titles.filter { $0.hasPrefix("New order ") }.count == 1, "the store is told of the new order once: \(titles)")

            // The shopper pays again through another window: a different transaction.
            let (second, secondHeaders) = try CheckoutTests.signedNotification(app, payment: result.payment, transactionId: "SBX-SECOND")
            for _ in 0..<5 {
                #expect(try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: second, headers: secondHeaders).status == .ok)
            }
            let refunds = try await RefundModel.query(on: app.db).all()
            #expect(refunds.count == 1, "one refund however often the second payment is reported")
            #expect(refunds.first?.amountFen == result.payableFen)
            #expect(refunds.first?.transactionId == "SBX-SECOND")
            #expect(refunds.first?.cause == "duplicate_payment:SBX-SECOND")
            try await app.jobs.runDue()
            #expect(try await RefundModel.find(refunds.first?.id, on: app.db)?.status == "succeeded")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            #expect(payment.status == "paid", "the first payment still pays the order")
            #expect(payment.refundedFen == 0)
            #expect(payment.providerTransactionId == "SBX-FIRST")
            order = try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: token).decode(Order.self)
            #expect(order.status == .paid)
            #expect(order.refundedFen == 0)
            #expect(order.timeline.last?.note?.contains("SBX-SECOND") == true, "the timeline says a second payment came and went back")
        }
    }

    @Test("a double click on the sandbox pay page books one transaction; the second click is refused")
    func doubleClick() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let result = try await CheckoutTests.checkout(app, token: token, key: "dup-click-1").decode(CheckoutResult.self)
            let clicks = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(clicks.sorted { $0.code < $1.code } == [.ok, .conflict])
            try await app.jobs.runDue()
            #expect(try await PaymentModel.find(result.payment.id, on: app.db)?.status == "paid")
            #expect(try await RefundModel.query(on: app.db).count() == 0, "nothing to refund: one transaction only")
        }
    }
}

@Suite("The sandbox gateway's hosted pay page")
struct SandboxPayPageTests {
    @Test("the signed link shows the amount and the SANDBOX label; paying there pays the order once; a forged link is refused")
    func hostedPage() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let result = try await CheckoutTests.checkout(app, token: token, key: "hosted-page-1").decode(CheckoutResult.self)
            let link = result.payment.payUrl
            #expect(link.hasPrefix("/sandbox/pay/\(result.payment.id.uuidString)?sig="))

            let page = try await app.send(.GET, link)
            #expect(page.status == .ok)
            #expect(page.headers.contentType == .html)
            #expect(page.text.contains("¥31.00"))
            #expect(page.text.contains("SANDBOX"))
            #expect(page.text.contains(result.orders[0].number))
            #expect(page.headers.first(name: "Content-Security-Policy")?.contains("default-src 'none'") == true)
            let forged = String(link.dropLast(4)) + "0000"
            #expect(try await app.send(.GET, forged).status == .notFound)

            let sig = String(link.split(separator: "=").last!)
            let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]
            let paid = try await app.send(.POST, "/sandbox/pay/\(result.payment.id.uuidString)", raw: "sig=\(sig)", headers: form)
            #expect(paid.text.contains("支付成功"))
            #expect(!paid.text.contains("<form"), "nothing left to pay")
            try await app.jobs.runDue()
            #expect(try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: token).decode(Order.self).status == .paid)
            let again = try await app.send(.POST, "/sandbox/pay/\(result.payment.id.uuidString)", raw: "sig=\(sig)", headers: form)
            #expect(again.text.contains("already paid"))
            #expect(try await RefundModel.query(on: app.db).count() == 0)
        }
    }
}

@Suite("A switched-off sandbox")
struct SandboxSwitchedOffTests {
    @Test("with payments.sandboxEnabled off, nothing can be paid through the sandbox: not its page, its API or its notifications")
    func sandboxOff() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let result = try await CheckoutTests.checkout(app, token: token, key: "sandbox-off-1").decode(CheckoutResult.self)
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            #expect(try await app.send(.PATCH, "/api/v1/admin/settings", token: admin,
                                       json: SettingsUpdate(values: ["payments.sandboxEnabled": .boolean(false)])).status == .ok)

            #expect(try await app.send(.GET, "/api/v1/payments/providers").decode([PaymentProviderInfo].self).isEmpty)
            #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token).status == .forbidden)
            #expect(try await app.send(.GET, result.payment.payUrl).status == .forbidden)
            let (body, headers) = try CheckoutTests.signedNotification(app, payment: result.payment, transactionId: "SBX-OFF")
            #expect(try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: headers).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token,
                                       json: PaymentStartInput(provider: "sandbox")).problem?.errors?.first?.field == "provider")
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "pending_payment")
            #expect(try await PaymentModel.find(result.payment.id, on: app.db)?.status == "pending")
        }
    }
}
