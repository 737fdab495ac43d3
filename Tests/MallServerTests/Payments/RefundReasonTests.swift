import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// WeChat Pay shows a refund's `reason` to the payer, so what we send there is a sentence the
/// shopper understands, never our internal cause code. (Cancellations are checked in
/// ProviderCheckoutTests, on the way through WeChat Pay and Alipay.)
@Suite("Refund reasons sent to providers")
struct RefundReasonTests {
    /// A WeChat that takes every refund at once and keeps what it was sent.
    static func refundingWeChat(_ wechat: ProviderCheckoutTests.WeChatSide, at now: Date) -> FakeTransport {
        FakeTransport { request in
            try wechat.checkSigned(request)
            guard request.method == "POST", request.url.path == "/v3/refund/domestic/refunds" else {
                throw FakeProviderFailure(description: "unexpected \(request.method) \(request.url)")
            }
            let body = try jsonObject(request.body)
            let amount = body["amount"] as? [String: Any] ?? [:]
            let answer: [String: Any] = ["refund_id": "50300000012026112700077", "out_refund_no": body["out_refund_no"] ?? "",
                                         "out_trade_no": body["out_trade_no"] ?? "", "status": "SUCCESS", "create_time": "2026-11-27T18:10:00+08:00",
                                         "amount": ["total": amount["total"] ?? 0, "refund": amount["refund"] ?? 0, "currency": "CNY"]]
            return try wechat.signedAnswer(String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self), at: now)
        }
    }

    static func sentReasons(_ transport: FakeTransport) async throws -> [String] {
        try await transport.log.requests.map { try jsonObject($0.body)["reason"] as? String ?? "(none)" }
    }

    @Test("a second payment for a paid order goes back to WeChat with the reason 重复支付退款, not duplicate_payment:<transaction>")
    func duplicatePayment() async throws {
        let wechat = try ProviderCheckoutTests.WeChatSide()
        try await withTestApp(adjust: { $0.wechatPay = wechat.config }) { app in
            let now = app.clock.now()
            let transport = Self.refundingWeChat(wechat, at: now)
            app.providerTransport = transport
            let (_, _, result) = try await ProviderCheckoutTests.placeOrder(app, key: "wechat-duplicate-reason")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "4200000001202611270000000101", provider: "wechat", at: now)

            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "4200000001202611270000000102", provider: "wechat", at: now)
            try await app.jobs.runDue()

            #expect(try await Self.sentReasons(transport) == ["重复支付退款"])
            #expect(try await RefundModel.query(on: app.db).first()?.status == "succeeded")
        }
    }

    @Test("an after-sales refund goes to WeChat as 售后退款：<the case number the shopper was given>")
    func afterSales() async throws {
        let wechat = try ProviderCheckoutTests.WeChatSide()
        try await withTestApp(adjust: { $0.wechatPay = wechat.config }) { app in
            let now = app.clock.now()
            let transport = Self.refundingWeChat(wechat, at: now)
            app.providerTransport = transport
            let (shop, shopper, result) = try await ProviderCheckoutTests.placeOrder(app, key: "wechat-after-sales-reason")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "4200000001202611270000000201", provider: "wechat", at: now)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            let orderId = result.orders[0].id
            for step in ["accept", "pick"] {
                #expect(try await AfterSalesTests.staffPost(app, "orders/\(orderId)/\(step)", token: clerk).status == .ok)
            }
            #expect(try await AfterSalesTests.staffPost(app, "orders/\(orderId)/ship", token: clerk,
                                                        json: ShipmentInput(carrier: "sf", trackingNumber: "SF1234500077")).status == .ok)
            let shipped = try await app.send(.GET, "/api/v1/orders/\(orderId)", token: shopper).decode(Order.self)
            let shipment = try #require(shipped.shipments.first)
            #expect(try await AfterSalesTests.staffPost(app, "shipments/\(shipment.id)/events", token: clerk,
                                                        json: TrackingEventInput(description: "已签收", state: .delivered)).status == .ok)
            let opened = try await app.send(.POST, "/api/v1/orders/\(orderId)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: shipped.lines[0].id, quantity: 1)],
                                                                  reason: .damaged, description: "一瓶漏了"))
            let request = try opened.decode(AfterSalesInfo.self)

            #expect(try await AfterSalesTests.staffPost(app, "after-sales/\(request.id)/approve", token: clerk).status == .ok)
            try await app.jobs.runDue()

            #expect(try await Self.sentReasons(transport) == ["售后退款：\(request.number)"])
            #expect(try await app.send(.GET, "/api/v1/after-sales/\(request.id)", token: shopper).decode(AfterSalesInfo.self).status == .refunded)
        }
    }
}
