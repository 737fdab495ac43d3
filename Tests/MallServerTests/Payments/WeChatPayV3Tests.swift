import Crypto
import CryptoExtras
import Foundation
import Testing

@testable import MallServer

@Suite("WeChat Pay v3 — vectors from the independent Python implementation")
struct WeChatPayV3VectorTests {
    let v: PaymentVectors.WeChat

    init() throws { v = try PaymentVectors.load().wechat }

    @Test("request Authorization header equals Python's (PKCS#8 and PKCS#1 keys, POST and GET)", arguments: [false, true])
    func requestSignature(pkcs1: Bool) throws {
        let wechat = try WeChatPayV3(config: v.config(privateKey: pkcs1 ? v.merchantPrivateKeyPkcs1 : nil))
        for vector in [v.requestPost, v.requestGet] {
            let timestamp = try #require(Int64(vector.timestamp))
            let message = WeChatPayV3.signatureMessage(
                method: vector.method, pathAndQuery: vector.url, timestamp: timestamp, nonce: vector.nonce, body: Data(vector.body.utf8)
            )
            #expect(String(decoding: message, as: UTF8.self) == vector.message)
            let header = try wechat.authorization(
                method: vector.method, pathAndQuery: vector.url, body: Data(vector.body.utf8), timestamp: timestamp, nonce: vector.nonce
            )
            #expect(header == vector.authorization)
        }
    }

    @Test("payment callback (platform-certificate serial) verifies and decrypts to the transaction")
    func paymentCallback() throws {
        let wechat = try WeChatPayV3(config: v.config())
        let cb = v.paymentCallback
        let note = try wechat.paymentNotification(
            headers: cb.message.headerList, body: cb.message.bodyData, now: Date(timeIntervalSince1970: Double(v.now))
        )
        #expect(note.id == cb.expected.id)
        #expect(note.eventType == cb.expected.eventType)
        #expect(note.summary == "支付成功")
        let t = note.resource
        #expect(t.mchId == v.mchid)
        #expect(t.appId == v.appid)
        #expect(t.outTradeNo == cb.expected.outTradeNo)
        #expect(t.transactionId == cb.expected.transactionId)
        #expect(t.tradeState == cb.expected.tradeState)
        #expect(t.tradeStateDescription == "支付成功")
        #expect(t.totalFen == cb.expected.total)
        #expect(t.payerTotalFen == cb.expected.payerTotal)
        #expect(t.currency == cb.expected.currency)
        #expect(t.successTime == Date(timeIntervalSince1970: Double(cb.expected.successTimeUnix)))
        #expect(t.status == ProviderTradeStatus(
            outTradeNo: cb.expected.outTradeNo, transactionId: cb.expected.transactionId, amountFen: 8888, state: .paid,
            paidAt: Date(timeIntervalSince1970: Double(cb.expected.successTimeUnix)), providerState: "SUCCESS"
        ))
    }

    @Test("refund callback (微信支付公钥 PUB_KEY_ID serial) verifies and decrypts to the refund")
    func refundCallback() throws {
        let wechat = try WeChatPayV3(config: v.config())
        let cb = v.refundCallback
        #expect(cb.headers["Wechatpay-Serial"] == v.platformPublicKeyId)
        let note = try wechat.refundNotification(
            headers: cb.message.headerList, body: cb.message.bodyData, now: Date(timeIntervalSince1970: Double(v.now))
        )
        #expect(note.id == cb.expected.id)
        #expect(note.eventType == cb.expected.eventType)
        let r = note.resource
        #expect(r.mchId == v.mchid)
        #expect(r.outTradeNo == cb.expected.outTradeNo)
        #expect(r.outRefundNo == cb.expected.outRefundNo)
        #expect(r.refundId == cb.expected.refundId)
        #expect(r.refundStatus == cb.expected.refundStatus)
        #expect(r.totalFen == cb.expected.total)
        #expect(r.refundFen == cb.expected.refund)
        #expect(r.payerRefundFen == 1800)
        #expect(r.userReceivedAccount == "招商银行信用卡0403")
        #expect(r.successTime == Date(timeIntervalSince1970: Double(cb.expected.successTimeUnix)))
        #expect(r.result == ProviderRefundResult(
            outRefundNo: cb.expected.outRefundNo, refundId: cb.expected.refundId, amountFen: 1888, state: .succeeded, providerState: "SUCCESS"
        ))
    }

    @Test("header names are matched case-insensitively (proxies lower-case them)")
    func lowerCasedHeaders() throws {
        let wechat = try WeChatPayV3(config: v.config())
        let headers = v.paymentCallback.message.headerList.map { ($0.0.lowercased(), $0.1) }
        let note = try wechat.paymentNotification(
            headers: headers, body: v.paymentCallback.message.bodyData, now: Date(timeIntervalSince1970: Double(v.now))
        )
        #expect(note.resource.outTradeNo == "CM20240601001")
    }

    @Test("tampered callback body is refused")
    func tamperedBody() async throws {
        let wechat = try WeChatPayV3(config: v.config())
        let m = v.paymentCallbackTampered
        await expectProviderError(matching: \.isBadSignature) {
            _ = try wechat.paymentNotification(headers: m.headerList, body: m.bodyData, now: Date(timeIntervalSince1970: Double(v.now)))
        }
    }

    @Test("unknown Wechatpay-Serial is refused as unknownSigningKey")
    func unknownSerial() async throws {
        let wechat = try WeChatPayV3(config: v.config())
        var headers = v.paymentCallback.headers
        headers["Wechatpay-Serial"] = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
        let message = PaymentVectors.WeChat.SignedMessage(headers: headers, body: v.paymentCallback.body)
        await expectProviderError(.unknownSigningKey("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")) {
            _ = try wechat.paymentNotification(headers: message.headerList, body: message.bodyData, now: Date(timeIntervalSince1970: Double(v.now)))
        }
    }

    @Test("a known serial naming the wrong key fails the signature check")
    func serialOfOtherKey() async throws {
        // Trust only the certificate, but register the merchant's public key under the PUB_KEY_ID serial.
        var config = v.config()
        config.platformKeys = [v.platformCertificateSerial: v.platformCertificate, v.platformPublicKeyId: v.merchantPublicKey]
        let wechat = try WeChatPayV3(config: config)
        await expectProviderError(matching: \.isBadSignature) {
            _ = try wechat.refundNotification(
                headers: v.refundCallback.message.headerList, body: v.refundCallback.message.bodyData,
                now: Date(timeIntervalSince1970: Double(v.now))
            )
        }
    }

    @Test("replay window: ±300 s accepted, ±301 s refused", arguments: [(300, true), (-300, true), (301, false), (-301, false)])
    func replayWindow(offset: Int64, accepted: Bool) async throws {
        let wechat = try WeChatPayV3(config: v.config())
        let m = v.paymentCallback.message
        let timestampText = try #require(m.headers["Wechatpay-Timestamp"])
        let timestamp = try #require(Int64(timestampText))
        let now = Date(timeIntervalSince1970: Double(timestamp + offset))
        if accepted {
            #expect(try wechat.paymentNotification(headers: m.headerList, body: m.bodyData, now: now).resource.totalFen == 8888)
        } else {
            await expectProviderError(.staleTimestamp(timestamp)) {
                _ = try wechat.paymentNotification(headers: m.headerList, body: m.bodyData, now: now)
            }
        }
    }

    @Test("callback for another mchid or appid is refused")
    func wrongAccount() async throws {
        let m = v.paymentCallback.message
        let now = Date(timeIntervalSince1970: Double(v.now))
        let otherMch = try WeChatPayV3(config: v.config(mchId: "1900000999"))
        await expectProviderError(.wrongAccount("mchid \(v.mchid)")) {
            _ = try otherMch.paymentNotification(headers: m.headerList, body: m.bodyData, now: now)
        }
        let otherApp = try WeChatPayV3(config: v.config(appId: "wx0000000000000000"))
        await expectProviderError(.wrongAccount("appid \(v.appid)")) {
            _ = try otherApp.paymentNotification(headers: m.headerList, body: m.bodyData, now: now)
        }
        await expectProviderError(.wrongAccount("mchid \(v.mchid)")) {
            _ = try otherMch.refundNotification(
                headers: v.refundCallback.message.headerList, body: v.refundCallback.message.bodyData, now: now
            )
        }
    }

    @Test("a different APIv3 key cannot open the resource")
    func wrongApiV3Key() async throws {
        let wechat = try WeChatPayV3(config: v.config(apiV3Key: String(repeating: "k", count: 32)))
        let m = v.paymentCallback.message
        await expectProviderError(.decryptionFailed) {
            _ = try wechat.paymentNotification(headers: m.headerList, body: m.bodyData, now: Date(timeIntervalSince1970: Double(v.now)))
        }
    }

    @Test("a refund callback is not accepted as a payment callback")
    func wrongNotificationKind() async throws {
        let wechat = try WeChatPayV3(config: v.config())
        let m = v.refundCallback.message
        await expectProviderError(matching: \.isMalformed) {
            _ = try wechat.paymentNotification(headers: m.headerList, body: m.bodyData, now: Date(timeIntervalSince1970: Double(v.now)))
        }
    }

    @Test("configuration is validated up front")
    func configValidation() async throws {
        await expectProviderError(matching: \.isInvalidConfiguration) { _ = try WeChatPayV3(config: v.config(apiV3Key: "short-key")) }
        await expectProviderError(matching: \.isInvalidConfiguration) {
            _ = try WeChatPayV3(config: v.config(apiV3Key: String(repeating: "x", count: 33)))
        }
        await expectProviderError(matching: \.isInvalidConfiguration) {
            _ = try WeChatPayV3(config: v.config(privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
        }
        var misfiled = v.config()
        misfiled.platformKeys = ["1234ABCD": v.platformCertificate]
        await expectProviderError(matching: \.isInvalidConfiguration) { _ = try WeChatPayV3(config: misfiled) }
        var httpNotify = v.config()
        httpNotify.notifyURL = "http://mall.example.com/notify"
        await expectProviderError(matching: \.isInvalidConfiguration) { _ = try WeChatPayV3(config: httpNotify) }

        // Serial spelling differences (case, leading zero) still find the certificate.
        var relabelled = v.config()
        relabelled.platformKeys = ["0" + v.platformCertificateSerial.lowercased(): v.platformCertificate]
        let wechat = try WeChatPayV3(config: relabelled)
        #expect(wechat.publicKeyId == nil)
        let m = v.paymentCallback.message
        #expect(try wechat.paymentNotification(headers: m.headerList, body: m.bodyData, now: Date(timeIntervalSince1970: Double(v.now))).id
            == v.paymentCallback.expected.id)
    }

    @Test("查询订单 through a transport replaying Python's signed response")
    func queryReplay() async throws {
        let q = v.queryResponse
        let transport = FakeTransport { _ in
            ProviderHTTPResponse(status: q.status, headers: q.headers.map { ($0.key, $0.value) }, body: Data(q.body.utf8))
        }
        let client = try WeChatPayV3Client(
            config: v.config(), transport: transport,
            clock: { [now = v.now] in Date(timeIntervalSince1970: Double(now)) }, makeNonce: { "NONCE0000000000000000000000000001" }
        )
        let status = try await client.queryOrder(outTradeNo: q.expected.outTradeNo)
        #expect(status == ProviderTradeStatus(
            outTradeNo: q.expected.outTradeNo, transactionId: q.expected.transactionId, amountFen: q.expected.total,
            state: .paid, paidAt: Date(timeIntervalSince1970: Double(q.expected.successTimeUnix)), providerState: "SUCCESS"
        ))
        let sent = try #require(await transport.log.requests.first)
        #expect(sent.method == "GET")
        #expect(sent.url.absoluteString == q.expectedUrl)
        #expect(sent.body == nil)
        // The PUB_KEY_ID is announced so WeChat signs answers with the public key during migration.
        #expect(sent.header("wechatpay-serial") == v.platformPublicKeyId)
    }

    @Test("callback answers")
    func callbackReplies() throws {
        #expect(WeChatPayCallbackReply.success.status == 204)
        #expect(WeChatPayCallbackReply.success.body.isEmpty)
        let failure = WeChatPayCallbackReply.failure("验签失败", status: 401)
        #expect(failure.status == 401)
        #expect(failure.contentType == "application/json")
        let body = try jsonObject(failure.body)
        #expect(body["code"] as? String == "FAIL")
        #expect(body["message"] as? String == "验签失败")
        #expect(WeChatPayCallbackReply.failure("x").status == 500)
    }
}

/// Drives the API client against a fake WeChat that checks our Authorization
/// header with the merchant *public* key and signs its answers with a platform
/// key generated here.
@Suite("WeChat Pay v3 — API client against a fake WeChat")
struct WeChatPayV3ClientTests {
    static let platformSerial = "PUB_KEY_ID_0100000000000000000000000000000042"
    static let fixedNow: Int64 = 1_717_214_400
    static let nonce = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

    let v: PaymentVectors.WeChat
    let merchantPublicKey: _RSA.Signing.PublicKey
    let platformKey: _RSA.Signing.PrivateKey

    init() throws {
        v = try PaymentVectors.load().wechat
        merchantPublicKey = try _RSA.Signing.PublicKey(pemRepresentation: v.merchantPublicKey)
        platformKey = try FakeProviderKeys.weChatPlatform()
    }

    func makeClient(_ respond: @escaping @Sendable (ProviderHTTPRequest) throws -> ProviderHTTPResponse) throws -> (WeChatPayV3Client, FakeTransport) {
        var config = v.config()
        config.platformKeys = [Self.platformSerial: platformKey.publicKey.pemRepresentation]
        let transport = FakeTransport(respond: respond)
        let client = try WeChatPayV3Client(
            config: config, transport: transport,
            clock: { Date(timeIntervalSince1970: Double(Self.fixedNow)) }, makeNonce: { Self.nonce }
        )
        return (client, transport)
    }

    /// What WeChat does first: check the merchant's signature over the request as sent.
    static func checkAuthorization(_ request: ProviderHTTPRequest, merchantKey: _RSA.Signing.PublicKey, mchId: String, serial: String) throws {
        guard let header = request.header("Authorization"), header.hasPrefix("WECHATPAY2-SHA256-RSA2048 ") else {
            throw FakeProviderFailure(description: "no WECHATPAY2 Authorization header")
        }
        var fields: [String: String] = [:]
        for part in header.dropFirst("WECHATPAY2-SHA256-RSA2048 ".count).split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw FakeProviderFailure(description: "bad field \(part)") }
            fields[String(kv[0])] = String(kv[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        guard fields["mchid"] == mchId, fields["serial_no"] == serial, fields["timestamp"] == String(fixedNow),
              fields["nonce_str"] == nonce, let signature = fields["signature"]
        else { throw FakeProviderFailure(description: "Authorization fields \(fields)") }
        let pathAndQuery = String(request.url.absoluteString.dropFirst("https://api.mch.weixin.qq.com".count))
        var message = Data("\(request.method)\n\(pathAndQuery)\n\(fixedNow)\n\(nonce)\n".utf8)
        message.append(request.body ?? Data())
        message.append(0x0A)
        guard rsaVerify(signature, message, merchantKey) else {
            throw FakeProviderFailure(description: "request signature does not verify with the merchant public key")
        }
        guard request.header("User-Agent")?.isEmpty == false, request.header("Accept") == "application/json" else {
            throw FakeProviderFailure(description: "missing User-Agent/Accept")
        }
    }

    /// A WeChat answer signed over `timestamp\nnonce\nbody\n`.
    static func signedResponse(
        status: Int, body: String, key: _RSA.Signing.PrivateKey, serial: String = platformSerial, timestamp: Int64 = fixedNow + 1
    ) throws -> ProviderHTTPResponse {
        let responseNonce = "RESPONSE-NONCE-0001"
        let signature = try rsaSignBase64("\(timestamp)\n\(responseNonce)\n\(body)\n", key)
        return ProviderHTTPResponse(
            status: status,
            headers: [
                ("Wechatpay-Timestamp", String(timestamp)), ("Wechatpay-Nonce", responseNonce), ("Wechatpay-Signature", signature),
                ("Wechatpay-Serial", serial), ("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"),
                ("Content-Type", "application/json"),
            ],
            body: Data(body.utf8)
        )
    }

    @Test("Native下单 sends the documented body and returns code_url")
    func nativeOrder() async throws {
        let (mchid, serial, merchantKey, platformKey) = (v.mchid, v.merchantSerial, merchantPublicKey, platformKey)
        let (client, transport) = try makeClient { request in
            try Self.checkAuthorization(request, merchantKey: merchantKey, mchId: mchid, serial: serial)
            return try Self.signedResponse(status: 200, body: #"{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}"#, key: platformKey)
        }
        let expiresAt = Date(timeIntervalSince1970: Double(Self.fixedNow + 1800))
        let codeURL = try await client.createNativeOrder(
            outTradeNo: "CM20240601001", description: "ChainMall 订单 CM20240601001", amountFen: 8888, expiresAt: expiresAt
        )
        #expect(codeURL == "weixin://wxpay/bizpayurl?pr=p4lpSuKzz")

        let sent = try #require(await transport.log.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url.absoluteString == "https://api.mch.weixin.qq.com/v3/pay/transactions/native")
        #expect(sent.header("content-type") == "application/json")
        #expect(sent.header("Wechatpay-Serial") == Self.platformSerial)
        let body = try jsonObject(sent.body)
        #expect(body["appid"] as? String == v.appid)
        #expect(body["mchid"] as? String == v.mchid)
        #expect(body["description"] as? String == "ChainMall 订单 CM20240601001")
        #expect(body["out_trade_no"] as? String == "CM20240601001")
        #expect(body["time_expire"] as? String == "2024-06-01T12:30:00+08:00")
        #expect(body["notify_url"] as? String == "https://mall.example.com/pay/wechat/notify")
        #expect(body["attach"] == nil)
        let amount = try #require(body["amount"] as? [String: Any])
        #expect(amount["total"] as? Int == 8888)
        #expect(amount["currency"] as? String == "CNY")
    }

    @Test("关闭订单: 204 with an empty signed body")
    func closeOrder() async throws {
        let (mchid, serial, merchantKey, platformKey) = (v.mchid, v.merchantSerial, merchantPublicKey, platformKey)
        let (client, transport) = try makeClient { request in
            try Self.checkAuthorization(request, merchantKey: merchantKey, mchId: mchid, serial: serial)
            return try Self.signedResponse(status: 204, body: "", key: platformKey)
        }
        try await client.closeOrder(outTradeNo: "CM2024|06*01")
        let sent = try #require(await transport.log.requests.first)
        #expect(sent.method == "POST")
        // Path segments are percent-encoded, and the signature covers the encoded form.
        #expect(sent.url.absoluteString == "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/CM2024%7C06%2A01/close")
        #expect(try jsonObject(sent.body)["mchid"] as? String == v.mchid)
    }

    @Test("申请退款 maps status", arguments: [
        ("SUCCESS", ProviderRefundResult.State.succeeded), ("PROCESSING", .processing), ("ABNORMAL", .failed), ("CLOSED", .failed),
    ])
    func refund(status: String, expected: ProviderRefundResult.State) async throws {
        let (mchid, serial, merchantKey, platformKey) = (v.mchid, v.merchantSerial, merchantPublicKey, platformKey)
        let (client, transport) = try makeClient { request in
            try Self.checkAuthorization(request, merchantKey: merchantKey, mchId: mchid, serial: serial)
            let body = """
            {"refund_id":"50000000382019052709732678859","out_refund_no":"RF20240601001","transaction_id":"4200002024060112345678901234",\
            "out_trade_no":"CM20240601001","channel":"ORIGINAL","user_received_account":"招商银行信用卡0403",\
            "create_time":"2024-06-01T13:00:00+08:00","status":"\(status)","funds_account":"AVAILABLE",\
            "amount":{"total":8888,"refund":1888,"payer_total":8800,"payer_refund":1800,"settlement_refund":1888,\
            "settlement_total":8888,"discount_refund":88,"currency":"CNY"}}
            """
            return try Self.signedResponse(status: 200, body: body, key: platformKey)
        }
        let result = try await client.refund(
            outTradeNo: "CM20240601001", outRefundNo: "RF20240601001", amountFen: 1888, totalFen: 8888, reason: "买家申请退款"
        )
        #expect(result == ProviderRefundResult(
            outRefundNo: "RF20240601001", refundId: "50000000382019052709732678859", amountFen: 1888, state: expected, providerState: status
        ))
        let sent = try #require(await transport.log.requests.first)
        #expect(sent.url.absoluteString == "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds")
        let body = try jsonObject(sent.body)
        #expect(body["out_trade_no"] as? String == "CM20240601001")
        #expect(body["out_refund_no"] as? String == "RF20240601001")
        #expect(body["reason"] as? String == "买家申请退款")
        #expect(body["notify_url"] as? String == "https://mall.example.com/pay/wechat/notify")
        let amount = try #require(body["amount"] as? [String: Any])
        #expect(amount["refund"] as? Int == 1888)
        #expect(amount["total"] as? Int == 8888)
        #expect(amount["currency"] as? String == "CNY")
    }

    @Test("查询单笔退款 and 查询订单 (NOTPAY) through the fake")
    func queries() async throws {
        let (mchid, serial, merchantKey, platformKey) = (v.mchid, v.merchantSerial, merchantPublicKey, platformKey)
        let appid = v.appid
        let (client, transport) = try makeClient { request in
            try Self.checkAuthorization(request, merchantKey: merchantKey, mchId: mchid, serial: serial)
            if request.url.path.hasPrefix("/v3/refund/") {
                return try Self.signedResponse(status: 200, body: """
                {"refund_id":"5000","out_refund_no":"RF1","status":"PROCESSING","amount":{"total":100,"refund":40,"currency":"CNY"}}
                """, key: platformKey)
            }
            return try Self.signedResponse(status: 200, body: """
            {"appid":"\(appid)","mchid":"\(mchid)","out_trade_no":"CM1","trade_state":"NOTPAY","trade_state_desc":"订单未支付",\
            "amount":{"total":100,"currency":"CNY"}}
            """, key: platformKey)
        }
        #expect(try await client.queryRefund(outRefundNo: "RF1")
            == ProviderRefundResult(outRefundNo: "RF1", refundId: "5000", amountFen: 40, state: .processing, providerState: "PROCESSING"))
        #expect(try await client.queryOrder(outTradeNo: "CM1")
            == ProviderTradeStatus(outTradeNo: "CM1", transactionId: nil, amountFen: 100, state: .pending, paidAt: nil, providerState: "NOTPAY"))
        let urls = await transport.log.requests.map(\.url.absoluteString)
        #expect(urls == [
            "https://api.mch.weixin.qq.com/v3/refund/domestic/refunds/RF1",
            "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/CM1?mchid=\(mchid)",
        ])
    }

    @Test("error answers become ProviderError.rejected")
    func errorMapping() async throws {
        let platformKey = platformKey
        let (client, _) = try makeClient { request in
            if request.url.path.hasSuffix("/close") {
                return ProviderHTTPResponse(status: 502, headers: [], body: Data("<html>Bad Gateway</html>".utf8))
            }
            return try Self.signedResponse(status: 404, body: #"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#, key: platformKey)
        }
        await expectProviderError(.rejected(status: 404, code: "ORDER_NOT_EXIST", message: "订单不存在")) {
            _ = try await client.queryOrder(outTradeNo: "CM404")
        }
        await expectProviderError(.rejected(status: 502, code: "HTTP_502", message: "<html>Bad Gateway</html>")) {
            try await client.closeOrder(outTradeNo: "CM502")
        }
    }

    @Test("answers that are forged, from an unknown key, or stale are refused")
    func responseVerification() async throws {
        let forger = try _RSA.Signing.PrivateKey(pemRepresentation: v.merchantPrivateKeyPkcs8)
        let platformKey = platformKey
        let body = #"{"code_url":"weixin://wxpay/bizpayurl?pr=evil"}"#

        let (forged, _) = try makeClient { _ in try Self.signedResponse(status: 200, body: body, key: forger) }
        await expectProviderError(matching: \.isBadSignature) {
            _ = try await forged.createNativeOrder(outTradeNo: "A", description: "d", amountFen: 1, expiresAt: Date(timeIntervalSince1970: 0))
        }

        let (unknown, _) = try makeClient { _ in try Self.signedResponse(status: 200, body: body, key: platformKey, serial: "PUB_KEY_ID_OTHER") }
        await expectProviderError(.unknownSigningKey("PUB_KEY_ID_OTHER")) {
            _ = try await unknown.createNativeOrder(outTradeNo: "A", description: "d", amountFen: 1, expiresAt: Date(timeIntervalSince1970: 0))
        }

        let (stale, _) = try makeClient { _ in try Self.signedResponse(status: 200, body: body, key: platformKey, timestamp: Self.fixedNow - 600) }
        await expectProviderError(.staleTimestamp(Self.fixedNow - 600)) {
            _ = try await stale.createNativeOrder(outTradeNo: "A", description: "d", amountFen: 1, expiresAt: Date(timeIntervalSince1970: 0))
        }

        let (unsigned, _) = try makeClient { _ in ProviderHTTPResponse(status: 200, headers: [], body: Data(body.utf8)) }
        await expectProviderError(matching: \.isBadSignature) {
            _ = try await unsigned.createNativeOrder(outTradeNo: "A", description: "d", amountFen: 1, expiresAt: Date(timeIntervalSince1970: 0))
        }
    }
}
