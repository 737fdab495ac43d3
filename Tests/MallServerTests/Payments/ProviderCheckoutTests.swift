import Crypto
import CryptoExtras
import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Real providers wired into checkout: a fake WeChat and a fake Alipay answer our API calls
/// (checking our signatures), and the tests play each provider's notification with keys made
/// here, so every byte on the wire follows the published protocol.
@Suite("Checkout with WeChat Pay and Alipay")
struct ProviderCheckoutTests {
    static let wechatSerial = "PUB_KEY_ID_0100000000000000000000000000000099"

    struct WeChatSide {
        let vectors: PaymentVectors.WeChat
        let platformKey: _RSA.Signing.PrivateKey
        let merchantPublicKey: _RSA.Signing.PublicKey

        init() throws {
            vectors = try PaymentVectors.load().wechat
            platformKey = try FakeProviderKeys.weChatPlatform()
            merchantPublicKey = try _RSA.Signing.PublicKey(pemRepresentation: vectors.merchantPublicKey)
        }

        var config: WeChatPayV3Config {
            var config = vectors.config()
            config.platformKeys = [ProviderCheckoutTests.wechatSerial: platformKey.publicKey.pemRepresentation]
            config.notifyURL = "https://mall.example.com/api/v1/payments/wechat/notify"
            return config
        }

        /// WeChat's first step on every call: our Authorization header must verify with the
        /// merchant public key over the request exactly as sent.
        func checkSigned(_ request: ProviderHTTPRequest) throws {
            guard let header = request.header("Authorization"), header.hasPrefix("WECHATPAY2-SHA256-RSA2048 ") else {
                throw FakeProviderFailure(description: "no Authorization")
            }
            var fields: [String: String] = [:]
            for part in header.dropFirst("WECHATPAY2-SHA256-RSA2048 ".count).split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                fields[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            let path = String(request.url.absoluteString.dropFirst("https://api.mch.weixin.qq.com".count))
            var message = Data("\(request.method)\n\(path)\n\(fields["timestamp"] ?? "")\n\(fields["nonce_str"] ?? "")\n".utf8)
            message.append(request.body ?? Data())
            message.append(0x0A)
            guard fields["mchid"] == vectors.mchid, let signature = fields["signature"], rsaVerify(signature, message, merchantPublicKey) else {
                throw FakeProviderFailure(description: "request signature does not verify")
            }
        }

        func signedAnswer(_ body: String, status: Int = 200, at now: Date) throws -> ProviderHTTPResponse {
            let timestamp = Int64(now.timeIntervalSince1970)
            let nonce = "ANSWER" + UUID().uuidString.prefix(8)
            return ProviderHTTPResponse(status: status, headers: [
                ("Wechatpay-Timestamp", String(timestamp)), ("Wechatpay-Nonce", nonce),
                ("Wechatpay-Signature", try rsaSignBase64("\(timestamp)\n\(nonce)\n\(body)\n", platformKey)),
                ("Wechatpay-Serial", ProviderCheckoutTests.wechatSerial), ("Content-Type", "application/json"),
            ], body: Data(body.utf8))
        }

        /// A notification as WeChat sends it: the resource encrypted with the APIv3 key, the
        /// whole body signed with the platform key.
        func notification(event: String, resourceType: String, resource: [String: Any], at now: Date, tamper: Bool = false) throws -> (String, HTTPHeaders) {
            let plain = try JSONSerialization.data(withJSONObject: resource)
            let nonce = "n" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(11)
            let sealed = try AES.GCM.seal(plain, using: SymmetricKey(data: Data(vectors.apiV3Key.utf8)),
                                          nonce: AES.GCM.Nonce(data: Data(nonce.utf8)), authenticating: Data(resourceType.utf8))
            let envelope: [String: Any] = [
                "id": UUID().uuidString, "create_time": "2026-11-27T18:00:00+08:00", "event_type": event, "resource_type": "encrypt-resource",
                "summary": "通知", "resource": ["algorithm": "AEAD_AES_256_GCM", "ciphertext": (sealed.ciphertext + sealed.tag).base64EncodedString(),
                                              "associated_data": resourceType, "original_type": resourceType, "nonce": nonce],
            ]
            var body = String(decoding: try JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys]), as: UTF8.self)
            let timestamp = String(Int64(now.timeIntervalSince1970))
            let signature = try rsaSignBase64("\(timestamp)\n\(nonce)\n\(body)\n", platformKey)
            if tamper { body = body.replacingOccurrences(of: "通知", with: "通知!") }
            return (body, ["Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce, "Wechatpay-Signature": signature,
                           "Wechatpay-Serial": ProviderCheckoutTests.wechatSerial, "Content-Type": "application/json"])
        }
    }

    static func placeOrder(_ app: Application, key: String) async throws -> (CheckoutTests.Shop, String, CheckoutResult) {
        let shop = try await CheckoutTests.shop(app)
        let token = try await CheckoutTests.shopper(app)
        _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
        let result = try await CheckoutTests.checkout(app, token: token, key: key).decode(CheckoutResult.self)
        return (shop, token, result)
    }

    @Test("WeChat Pay: QR code from Native下单, signed and encrypted notifications, replay-safe, forged and short-paid ones refused, refunds to PROCESSING then SUCCESS")
    func weChatPay() async throws {
        let wechat = try WeChatSide()
        try await withTestApp(adjust: { $0.wechatPay = wechat.config }) { app in
            let now = app.clock.now()
            app.providerTransport = FakeTransport { request in
                try wechat.checkSigned(request)
                let body = try jsonObject(request.body ?? Data("{}".utf8))
                switch (request.method, request.url.path) {
                case ("POST", "/v3/pay/transactions/native"):
                    guard body["notify_url"] as? String == "https://mall.example.com/api/v1/payments/wechat/notify",
                          (body["amount"] as? [String: Any])?["total"] as? Int == 3_100 else { throw FakeProviderFailure(description: "native body \(body)") }
                    return try wechat.signedAnswer(#"{"code_url":"weixin://wxpay/bizpayurl?pr=ChainMall1"}"#, at: now)
                case ("POST", "/v3/refund/domestic/refunds"):
                    let amount = body["amount"] as? [String: Any] ?? [:]
                    guard amount["refund"] as? Int == 3_100, amount["total"] as? Int == 3_100 else { throw FakeProviderFailure(description: "refund body \(body)") }
                    // WeChat shows the reason to the payer: a sentence, not our cause code.
                    guard body["reason"] as? String == "订单已取消，全额退款" else { throw FakeProviderFailure(description: "refund reason \(body)") }
                    let answer: [String: Any] = ["refund_id": "50300000012026112700001", "out_refund_no": body["out_refund_no"] ?? "",
                                                 "out_trade_no": body["out_trade_no"] ?? "", "transaction_id": "4200000001202611270000000001",
                                                 "status": "PROCESSING", "create_time": "2026-11-27T18:10:00+08:00",
                                                 "amount": ["total": 3_100, "refund": 3_100, "payer_total": 3_100, "payer_refund": 3_100, "currency": "CNY"]]
                    return try wechat.signedAnswer(String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self), at: now)
                default:
                    throw FakeProviderFailure(description: "unexpected \(request.method) \(request.url)")
                }
            }
            let (shop, token, result) = try await Self.placeOrder(app, key: "wechat-checkout-1")
            #expect(result.payableFen == 3_100)
            let providers = try await app.send(.GET, "/api/v1/payments/providers").decode([PaymentProviderInfo].self)
            #expect(providers.map(\.code) == ["wechat", "sandbox"])

            let started = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token, json: PaymentStartInput(provider: "wechat"))
            let start = try started.decode(PaymentStart.self)
            #expect(start.qrContent == "weixin://wxpay/bizpayurl?pr=ChainMall1")
            #expect(start.qrSvg?.hasPrefix("<svg") == true, "the shopper scans a QR code drawn by the server")
            #expect(start.payment.provider == "wechat")
            #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token,
                                       json: PaymentStartInput(provider: "alipay")).problem?.errors?.first?.field == "provider", "Alipay is not configured")

            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            func transaction(total: Int) -> [String: Any] {
                ["mchid": wechat.vectors.mchid, "appid": wechat.vectors.appid, "out_trade_no": payment.outTradeNo,
                 "transaction_id": "4200000001202611270000000001", "trade_type": "NATIVE", "trade_state": "SUCCESS",
                 "trade_state_desc": "支付成功", "success_time": "2026-11-27T18:01:00+08:00",
                 "amount": ["total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"], "payer": ["openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"]]
            }
            // Short-paid: signed correctly, but for less than the order. Logged, order untouched.
            let (short, shortHeaders) = try wechat.notification(event: "TRANSACTION.SUCCESS", resourceType: "transaction", resource: transaction(total: 100), at: now)
            #expect(try await app.send(.POST, "/api/v1/payments/wechat/notify", raw: short, headers: shortHeaders).status == .badRequest)
            // Forged: the body changed after signing.
            let (forged, forgedHeaders) = try wechat.notification(event: "TRANSACTION.SUCCESS", resourceType: "transaction", resource: transaction(total: 3_100), at: now, tamper: true)
            let refused = try await app.send(.POST, "/api/v1/payments/wechat/notify", raw: forged, headers: forgedHeaders)
            #expect(refused.status == .unauthorized)
            #expect(refused.text.contains(#""code":"FAIL""#))
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "pending_payment")

            let (good, goodHeaders) = try wechat.notification(event: "TRANSACTION.SUCCESS", resourceType: "transaction", resource: transaction(total: 3_100), at: now)
            for _ in 0..<3 {
                #expect(try await app.send(.POST, "/api/v1/payments/wechat/notify", raw: good, headers: goodHeaders).status == .noContent)
            }
            var order = try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: token).decode(Order.self)
            #expect(order.status == .paid)
            #expect(order.timeline.filter { $0.to == .paid }.count == 1)
            #expect(try await PaymentModel.find(payment.id, on: app.db)?.providerTransactionId == "4200000001202611270000000001")

            // The shopper cancels: the refund goes to WeChat, which answers PROCESSING, then notifies SUCCESS.
            order = try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token).decode(Order.self)
            #expect(order.status == .cancelled)
            try await app.jobs.runDue()
            let refund = try #require(try await RefundModel.query(on: app.db).first())
            #expect(refund.status == "processing")
            #expect(refund.providerRefundId == "50300000012026112700001")
            let refundResource: [String: Any] = [
                "mchid": wechat.vectors.mchid, "out_trade_no": payment.outTradeNo, "transaction_id": "4200000001202611270000000001",
                "out_refund_no": refund.outRefundNo, "refund_id": "50300000012026112700001", "refund_status": "SUCCESS",
                "success_time": "2026-11-27T18:12:00+08:00", "user_received_account": "招商银行信用卡0403",
                "amount": ["total": 3_100, "refund": 3_100, "payer_total": 3_100, "payer_refund": 3_100],
            ]
            let (refunded, refundedHeaders) = try wechat.notification(event: "REFUND.SUCCESS", resourceType: "refund", resource: refundResource, at: now)
            #expect(try await app.send(.POST, "/api/v1/payments/wechat/notify", raw: refunded, headers: refundedHeaders).status == .noContent)
            #expect(try await RefundModel.find(refund.id, on: app.db)?.status == "succeeded")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 0)
        }
    }

    @Test("a refund WeChat refuses is marked failed, HQ is told, and staff send it again once")
    func refusedRefundIsRetried() async throws {
        let wechat = try WeChatSide()
        try await withTestApp(adjust: { $0.wechatPay = wechat.config }) { app in
            let now = app.clock.now()
            let refuse = ManagedAtomicFlag()
            refuse.set()
            app.providerTransport = FakeTransport { request in
                try wechat.checkSigned(request)
                guard request.url.path == "/v3/refund/domestic/refunds" else { throw FakeProviderFailure(description: "unexpected \(request.url)") }
                let body = try jsonObject(request.body)
                if refuse.isSet {
                    return ProviderHTTPResponse(status: 403, headers: [("Content-Type", "application/json")],
                                                body: Data(#"{"code":"NOT_ENOUGH","message":"基本账户余额不足"}"#.utf8))
                }
                let answer: [String: Any] = ["refund_id": "50300000012026112700009", "out_refund_no": body["out_refund_no"] ?? "",
                                             "out_trade_no": body["out_trade_no"] ?? "", "status": "SUCCESS", "create_time": "2026-11-27T18:10:00+08:00",
                                             "amount": ["total": 3_100, "refund": 3_100, "payer_total": 3_100, "payer_refund": 3_100, "currency": "CNY"]]
                return try wechat.signedAnswer(String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self), at: now)
            }
            let (_, token, result) = try await Self.placeOrder(app, key: "wechat-refund-retry")
            _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token, json: PaymentStartInput(provider: "wechat"))
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "4200000001202611270000000009", provider: "wechat", at: now)
            _ = try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token)
            try await app.jobs.runDue()

            let failed = try #require(try await RefundModel.query(on: app.db).first())
            #expect(failed.status == "failed", "a 4xx refusal is final, not retried by the job forever")
            var money = try #require(try await PaymentModel.find(payment.id, on: app.db))
            #expect(money.refundedFen == 0, "the refused amount is given back to the payment")
            #expect(try await NotificationModel.query(on: app.db).all().contains { $0.title == "Refund failed" })

            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let listed = try await app.send(.GET, "/api/v1/admin/refunds?status=failed", token: admin).decode(ListPage<RefundInfo>.self)
            #expect(listed.items.map(\.id) == [failed.id!])
            #expect(listed.items.first?.provider == "wechat")
            refuse.clear()
            let retried = try await app.send(.POST, "/api/v1/admin/refunds/\(failed.id!)/retry", token: admin).decode(RefundInfo.self)
            #expect(retried.status == "pending")
            #expect(try await app.send(.POST, "/api/v1/admin/refunds/\(failed.id!)/retry", token: admin).status == .conflict, "one retry per failure")
            try await app.jobs.runDue()
            #expect(try await RefundModel.find(retried.id, on: app.db)?.status == "succeeded")
            #expect(try await RefundModel.find(failed.id, on: app.db)?.status == "retried")
            money = try #require(try await PaymentModel.find(payment.id, on: app.db))
            #expect(money.refundedFen == 3_100)
            #expect(money.status == "refunded")
            let shopperView = try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: token).decode(Order.self)
            #expect(shopperView.refundedFen == 3_100, "the refused refund and its retry count once")
        }
    }

    @Test("Alipay: a signed cashier URL; a lost notification is caught by the reconciliation job; replayed and forged notifications; refunds with fund_change")
    func alipay() async throws {
        let vectors = try PaymentVectors.load().alipay
        let alipayKey = try FakeProviderKeys.alipayPlatform()
        let appPublicKey = try _RSA.Signing.PublicKey(pemRepresentation: vectors.appPublicKey)
        let config = vectors.config(publicKey: alipayKey.publicKey.pemRepresentation, sellerId: "")
        try await withTestApp(adjust: { $0.alipay = config }) { app in
            let paid = ManagedAtomicFlag()
            app.providerTransport = FakeTransport { request in
                let (method, biz) = try AlipayClientTests.checkRequest(request, appKey: appPublicKey)
                let outTradeNo = biz["out_trade_no"] as? String ?? ""
                switch method {
                case "alipay.trade.query":
                    let inner = paid.isSet
                        ? #"{"code":"10000","msg":"Success","out_trade_no":"\#(outTradeNo)","trade_no":"2026112722001400000000000001","trade_status":"TRADE_SUCCESS","total_amount":"31.00","send_pay_date":"2026-11-27 18:02:00"}"#
                        : #"{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}"#
                    return try AlipayClientTests.gatewayAnswer(method: method, inner: inner, key: alipayKey)
                case "alipay.trade.refund":
                    guard biz["refund_amount"] as? String == "31.00", biz["out_request_no"] != nil,
                          biz["refund_reason"] as? String == "订单已取消，全额退款" else { throw FakeProviderFailure(description: "refund \(biz)") }
                    return try AlipayClientTests.gatewayAnswer(method: method, inner: #"{"code":"10000","msg":"Success","fund_change":"Y","out_trade_no":"\#(outTradeNo)","refund_fee":"31.00","trade_no":"2026112722001400000000000001"}"#, key: alipayKey)
                default:
                    throw FakeProviderFailure(description: "unexpected \(method)")
                }
            }
            let (_, token, result) = try await Self.placeOrder(app, key: "alipay-checkout-1")
            let start = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/start", token: token,
                                           json: PaymentStartInput(provider: "alipay")).decode(PaymentStart.self)
            let url = try #require(start.payUrl.flatMap(URLComponents.init(string:)))
            #expect(url.host == "openapi.alipay.com")
            let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(query["method"] == "alipay.trade.page.pay")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            let biz = try jsonObject(Data((query["biz_content"] ?? "").utf8))
            #expect(biz["out_trade_no"] as? String == payment.outTradeNo)
            #expect(biz["total_amount"] as? String == "31.00")
            #expect(rsaVerify(query["sign"] ?? "", Data(Alipay.signContent(query, excluding: ["sign"]).utf8), appPublicKey), "signed with the app key")

            // The shopper pays, but the notification never arrives: the reconciliation job asks.
            let clock = app.clock as! ManualClock
            clock.advance(seconds: 120)
            try await app.jobs.enqueue(PaymentReconciliation.job, payload: ["run": 1], on: app.db)
            try await app.jobs.runDue()
            #expect(try await PaymentModel.find(payment.id, on: app.db)?.status == "pending", "not paid yet: nothing changes")
            paid.set()
            try await app.jobs.enqueue(PaymentReconciliation.job, payload: ["run": 2], on: app.db)
            try await app.jobs.runDue()
            #expect(try await PaymentModel.find(payment.id, on: app.db)?.status == "paid")
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "paid")

            // The late notification is then a replay; a forged one is refused.
            var params = ["notify_id": "ac05099524730693a8b330c5ecf72da9786", "notify_type": "trade_status_sync", "notify_time": "2026-11-27 18:02:05",
                          "app_id": vectors.appId, "charset": "utf-8", "version": "1.0", "out_trade_no": payment.outTradeNo,
                          "trade_no": "2026112722001400000000000001", "trade_status": "TRADE_SUCCESS", "total_amount": "31.00",
                          "subject": "链城商城 订单 鲜奶+酸奶 100%", "gmt_payment": "2026-11-27 18:02:00"]
            func form(_ params: [String: String], key: _RSA.Signing.PrivateKey) throws -> String {
                var signed = params
                signed["sign"] = try rsaSignBase64(Alipay.signContent(params, excluding: ["sign", "sign_type"]), key)
                signed["sign_type"] = "RSA2"
                return Alipay.formEncode(signed)
            }
            let formHeaders: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"]
            let replay = try await app.send(.POST, "/api/v1/payments/alipay/notify", raw: try form(params, key: alipayKey), headers: formHeaders)
            #expect(replay.text == "success")
            let forger = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            params["total_amount"] = "0.01"
            let forged = try await app.send(.POST, "/api/v1/payments/alipay/notify", raw: try form(params, key: forger), headers: formHeaders)
            #expect(forged.text == "failure")
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.lifecycle.timeline.filter { $0.to == .paid }.count == 1)

            _ = try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token)
            try await app.jobs.runDue()
            let refund = try #require(try await RefundModel.query(on: app.db).first())
            #expect(refund.status == "succeeded", "fund_change Y: the money went back at once")
            #expect(try await PaymentModel.find(payment.id, on: app.db)?.status == "refunded")
        }
    }
}

/// A flag the fake provider reads across tasks.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
    func clear() { lock.withLock { value = false } }
}
