import Crypto
import CryptoExtras
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// What happens when a provider's answer or notification cannot be trusted: operators find the
/// provider and the reason in the log (a wrong platform key, a clock out of step, someone in
/// between), while shoppers and whoever posted a notification learn nothing of our keys,
/// accounts or clock.
@Suite("Payment providers: untrusted answers and notifications")
struct ProviderVerificationTests {
    /// A WeChat answer signed by `key` under `serial` at `time`: the three things a verifier checks.
    static func weChatAnswer(_ body: String, key: _RSA.Signing.PrivateKey, serial: String, at time: Date) throws -> ProviderHTTPResponse {
        let timestamp = Int64(time.timeIntervalSince1970)
        let nonce = "ANSWERNONCE0001"
        return ProviderHTTPResponse(status: 200, headers: [
            ("Wechatpay-Timestamp", String(timestamp)), ("Wechatpay-Nonce", nonce),
            ("Wechatpay-Signature", try rsaSignBase64("\(timestamp)\n\(nonce)\n\(body)\n", key)),
            ("Wechatpay-Serial", serial), ("Content-Type", "application/json"),
        ], body: Data(body.utf8))
    }

    enum BadAnswer: String, CaseIterable, Sendable {
        case forgedSignature, unknownSerial, staleTimestamp
    }

    @Test("a WeChat Pay answer that fails verification is a 502 for the shopper and a warning naming the provider and the reason",
          arguments: BadAnswer.allCases)
    func weChatAnswerFailsVerification(_ bad: BadAnswer) async throws {
        let wechat = try ProviderCheckoutTests.WeChatSide()
        let forger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let unknownSerial = "PUB_KEY_ID_0100000000000000000000000000000077"
        try await withTestApp(adjust: { $0.wechatPay = wechat.config }) { app in
            let capture = LogCapture()
            capture.install(on: app)
            let now = app.clock.now()
            app.providerTransport = FakeTransport { request in
                try wechat.checkSigned(request)
                let body = #"{"code_url":"weixin://wxpay/bizpayurl?pr=Forged"}"#
                switch bad {
                case .forgedSignature: return try Self.weChatAnswer(body, key: forger, serial: ProviderCheckoutTests.wechatSerial, at: now)
                case .unknownSerial: return try Self.weChatAnswer(body, key: wechat.platformKey, serial: unknownSerial, at: now)
                case .staleTimestamp: return try Self.weChatAnswer(body, key: wechat.platformKey, serial: ProviderCheckoutTests.wechatSerial,
                                                                   at: now.addingTimeInterval(-600))
                }
            }
            let (_, token, result) = try await ProviderCheckoutTests.placeOrder(app, key: "wechat-bad-answer-\(bad.rawValue)")

            let started = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token, json: PaymentStartInput(provider: "wechat"))

            #expect(started.status == .badGateway)
            #expect(started.text.contains("weixin://") == false, "nothing from an unverified answer reaches the shopper")
            let warnings = capture.entries(.warning).filter { $0.metadata["provider"] == "wechat" }
            #expect(warnings.count == 1, "\(capture.all)")
            let line = try #require(warnings.first).description
            #expect(line.contains("wechat"))
            #expect(line.contains("Native下单"))
            switch bad {
            case .forgedSignature: #expect(line.contains("bad signature"), "\(line)")
            case .unknownSerial: #expect(line.contains(unknownSerial), "\(line)")
            case .staleTimestamp: #expect(line.contains(String(Int64(now.timeIntervalSince1970) - 600)) && line.contains("replay window"), "\(line)")
            }
        }
    }

    @Test("an Alipay refund answer with a forged sign is retried, and the warning names Alipay and the reason")
    func alipayAnswerFailsVerification() async throws {
        let vectors = try PaymentVectors.load().alipay
        let alipayKey = try FakeProviderKeys.alipayPlatform()
        let forger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let appPublicKey = try _RSA.Signing.PublicKey(pemRepresentation: vectors.appPublicKey)
        try await withTestApp(adjust: { $0.alipay = vectors.config(publicKey: alipayKey.publicKey.pemRepresentation, sellerId: "") }) { app in
            let capture = LogCapture()
            capture.install(on: app)
            app.providerTransport = FakeTransport { request in
                let (method, biz) = try AlipayClientTests.checkRequest(request, appKey: appPublicKey)
                guard method == "alipay.trade.refund" else { throw FakeProviderFailure(description: "unexpected \(method)") }
                return try AlipayClientTests.gatewayAnswer(method: method, inner: #"{"code":"10000","msg":"Success","fund_change":"Y","out_trade_no":"\#(biz["out_trade_no"] as? String ?? "")","refund_fee":"31.00"}"#, key: forger)
            }
            let (_, token, result) = try await ProviderCheckoutTests.placeOrder(app, key: "alipay-bad-answer")
            _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token, json: PaymentStartInput(provider: "alipay"))
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "2026112722001400000000000077", provider: "alipay", at: app.clock.now())

            _ = try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token)
            try await app.jobs.runDue()

            #expect(try await RefundModel.query(on: app.db).first()?.status == "pending", "a forged success is not taken as a refund")
            let warning = try #require(capture.entries(.warning).first { $0.metadata["provider"] == "alipay" }, "\(capture.all)")
            #expect(warning.description.contains("alipay.trade.refund"))
            #expect(warning.description.contains("does not verify with the Alipay public key"))
        }
    }

    enum BadNotification: String, CaseIterable, Sendable {
        case tampered, unknownSerial, staleTimestamp, otherMerchant
    }

    @Test("a WeChat Pay notification that fails verification gets WeChat's FAIL shape with a generic message; the detail is only in the log",
          arguments: BadNotification.allCases)
    func weChatNotificationRefused(_ bad: BadNotification) async throws {
        let wechat = try ProviderCheckoutTests.WeChatSide()
        let unknownSerial = "PUB_KEY_ID_0100000000000000000000000000000042"
        try await withTestApp(adjust: { $0.wechatPay = wechat.config }) { app in
            let capture = LogCapture()
            capture.install(on: app)
            let now = app.clock.now()
            let (_, _, result) = try await ProviderCheckoutTests.placeOrder(app, key: "wechat-bad-notify-\(bad.rawValue)")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            let resource: [String: Any] = [
                "mchid": bad == .otherMerchant ? "1900000999" : wechat.vectors.mchid, "appid": wechat.vectors.appid,
                "out_trade_no": payment.outTradeNo, "transaction_id": "4200000001202611270000000042", "trade_type": "NATIVE",
                "trade_state": "SUCCESS", "success_time": "2026-11-27T18:01:00+08:00",
                "amount": ["total": 3_100, "payer_total": 3_100, "currency": "CNY"],
            ]
            let signedAt = bad == .staleTimestamp ? now.addingTimeInterval(-3_600) : now
            let (body, signedHeaders) = try wechat.notification(event: "TRANSACTION.SUCCESS", resourceType: "transaction", resource: resource,
                                                                at: signedAt, tamper: bad == .tampered)
            var headers = signedHeaders
            if bad == .unknownSerial { headers.replaceOrAdd(name: "Wechatpay-Serial", value: unknownSerial) }

            let answer = try await app.send(.POST, "/api/v1/payments/wechat/notify", raw: body, headers: headers)

            #expect(answer.status == .unauthorized, "a 4XX: WeChat sends the notification again")
            #expect(answer.headers.contentType == .json)
            let reply = try jsonObject(Data(buffer: answer.body))
            #expect(reply.count == 2 && reply["code"] as? String == "FAIL" && reply["message"] as? String == "失败", "\(answer.text)")
            for secret in [unknownSerial, ProviderCheckoutTests.wechatSerial, "1900000999", wechat.vectors.mchid, String(Int64(signedAt.timeIntervalSince1970))] {
                #expect(!answer.text.contains(secret), "the answer must not reveal \(secret)")
            }
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "pending_payment")
            let logged = try #require(capture.entries(.warning).first { $0.metadata["provider"] == "wechat" }, "\(capture.all)").description
            switch bad {
            case .tampered: #expect(logged.contains("does not verify"), "\(logged)")
            case .unknownSerial: #expect(logged.contains(unknownSerial), "\(logged)")
            case .staleTimestamp: #expect(logged.contains(String(Int64(signedAt.timeIntervalSince1970))), "\(logged)")
            case .otherMerchant: #expect(logged.contains("mchid 1900000999"), "\(logged)")
            }
        }
    }

    @Test("an Alipay notification with a forged sign is answered with the bare word failure; the detail is only in the log")
    func alipayNotificationRefused() async throws {
        let vectors = try PaymentVectors.load().alipay
        let config = vectors.config(publicKey: try FakeProviderKeys.alipayPlatform().publicKey.pemRepresentation, sellerId: "")
        try await withTestApp(adjust: { $0.alipay = config }) { app in
            let capture = LogCapture()
            capture.install(on: app)
            let (_, _, result) = try await ProviderCheckoutTests.placeOrder(app, key: "alipay-bad-notify")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            var params = ["notify_id": "ac05099524730693a8b330c5ecf72da9042", "notify_type": "trade_status_sync", "notify_time": "2026-11-27 18:02:05",
                          "app_id": vectors.appId, "charset": "utf-8", "version": "1.0", "out_trade_no": payment.outTradeNo,
                          "trade_no": "2026112722001400000000000042", "trade_status": "TRADE_SUCCESS", "total_amount": "31.00",
                          "gmt_payment": "2026-11-27 18:02:00"]
            params["sign"] = try rsaSignBase64(Alipay.signContent(params, excluding: ["sign", "sign_type"]), try _RSA.Signing.PrivateKey(keySize: .bits2048))
            params["sign_type"] = "RSA2"

            let answer = try await app.send(.POST, "/api/v1/payments/alipay/notify", raw: Alipay.formEncode(params),
                                            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"])

            #expect(answer.text == "failure", "anything but success makes Alipay retry; nothing else is said")
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "pending_payment")
            let logged = try #require(capture.entries(.warning).first { $0.metadata["provider"] == "alipay" }, "\(capture.all)").description
            #expect(logged.contains("does not verify with the Alipay public key"), "\(logged)")
        }
    }

    @Test("a genuine notification we cannot record yet (another transaction is completing the payment) gets the provider's failure answer, so it comes again, not a problem document")
    func notificationNotRecordedYet() async throws {
        let wechat = try ProviderCheckoutTests.WeChatSide()
        let vectors = try PaymentVectors.load().alipay
        let alipayKey = try FakeProviderKeys.alipayPlatform()
        let alipay = vectors.config(publicKey: alipayKey.publicKey.pemRepresentation, sellerId: "")
        try await withTestApp(adjust: { $0.wechatPay = wechat.config; $0.alipay = alipay }) { app in
            let capture = LogCapture()
            capture.install(on: app)
            let (_, token, result) = try await ProviderCheckoutTests.placeOrder(app, key: "notify-while-sandbox-completes")
            // The shopper also paid in the sandbox; its notification is still on its way (the job has not run).
            #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token).status == .ok)
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))

            let resource: [String: Any] = [
                "mchid": wechat.vectors.mchid, "appid": wechat.vectors.appid, "out_trade_no": payment.outTradeNo,
                "transaction_id": "4200000001202611270000000301", "trade_type": "NATIVE", "trade_state": "SUCCESS",
                "success_time": "2026-11-27T18:01:00+08:00", "amount": ["total": 3_100, "payer_total": 3_100, "currency": "CNY"],
            ]
            let (body, headers) = try wechat.notification(event: "TRANSACTION.SUCCESS", resourceType: "transaction", resource: resource, at: app.clock.now())
            let weChatAnswer = try await app.send(.POST, "/api/v1/payments/wechat/notify", raw: body, headers: headers)
            #expect(weChatAnswer.status == .internalServerError)
            let reply = try jsonObject(Data(buffer: weChatAnswer.body))
            #expect(reply.count == 2 && reply["code"] as? String == "FAIL" && reply["message"] as? String == "失败", "\(weChatAnswer.text)")

            var params = ["notify_id": "ac05099524730693a8b330c5ecf72da9301", "notify_type": "trade_status_sync", "notify_time": "2026-11-27 18:02:05",
                          "app_id": vectors.appId, "charset": "utf-8", "version": "1.0", "out_trade_no": payment.outTradeNo,
                          "trade_no": "2026112722001400000000000301", "trade_status": "TRADE_SUCCESS", "total_amount": "31.00",
                          "gmt_payment": "2026-11-27 18:02:00"]
            params["sign"] = try rsaSignBase64(Alipay.signContent(params, excluding: ["sign", "sign_type"]), alipayKey)
            params["sign_type"] = "RSA2"
            let alipayAnswer = try await app.send(.POST, "/api/v1/payments/alipay/notify", raw: Alipay.formEncode(params),
                                                  headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"])
            #expect(alipayAnswer.text == "failure")

            #expect(try await PaymentModel.find(payment.id, on: app.db)?.status == "pending")
            let errors = capture.entries(.error).filter { $0.metadata["provider"] != nil }
            #expect(errors.compactMap { $0.metadata["provider"]?.description }.sorted() == ["alipay", "wechat"], "\(capture.all)")
            #expect(errors.allSatisfy { $0.message.contains("being completed by another transaction") }, "\(errors)")
        }
    }
}
