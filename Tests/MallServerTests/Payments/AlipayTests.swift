import Crypto
import CryptoExtras
import Foundation
import Testing

@testable import MallServer

@Suite("Alipay RSA2 — vectors from the independent Python implementation")
struct AlipayVectorTests {
    let v: PaymentVectors.Alipay

    init() throws { v = try PaymentVectors.load().alipay }

    @Test("request sign equals Python's for the same parameters (PKCS#8 PEM and bare base64 PKCS#1 keys)", arguments: [false, true])
    func requestSignature(bareKey: Bool) throws {
        let alipay = try Alipay(config: v.config(privateKey: bareKey ? v.appPrivateKeyPkcs1Base64 : nil))
        #expect(Alipay.signContent(v.pagePay.params, excluding: ["sign"]) == v.pagePay.stringToSign)
        #expect(try alipay.sign(v.pagePay.params) == v.pagePay.sign)
        // `sign` itself never enters the signed text.
        var withSign = v.pagePay.params
        withSign["sign"] = "whatever"
        #expect(try alipay.sign(withSign) == v.pagePay.sign)
    }

    @Test("pagePayURL rebuilds Python's parameters and sign from the order inputs")
    func pagePayURL() throws {
        let alipay = try Alipay(config: v.config())
        let inputs = v.pagePay.inputs
        let url = try alipay.pagePayURL(
            outTradeNo: inputs.outTradeNo, amountFen: inputs.amountFen, subject: inputs.subject,
            expiresAt: Date(timeIntervalSince1970: Double(inputs.timeExpireUnix)),
            timestamp: Date(timeIntervalSince1970: Double(inputs.timestampUnix))
        )
        #expect(url.absoluteString.hasPrefix("https://openapi.alipay.com/gateway.do?"))
        let query = try #require(url.query(percentEncoded: true))
        var params = try Alipay.parseForm(Data(query.utf8))
        #expect(params.removeValue(forKey: "sign") == v.pagePay.sign)
        #expect(params == v.pagePay.params)
        // Nothing in the query is left raw that a browser could re-interpret.
        #expect(!query.contains(" ") && !query.contains("+") && !query.contains("/"))
    }

    @Test("wapPayURL uses alipay.trade.wap.pay with QUICK_WAP_WAY and quit_url")
    func wapPayURL() throws {
        let alipay = try Alipay(config: v.config())
        let url = try alipay.wapPayURL(
            outTradeNo: "CM1", amountFen: 5, subject: "小件", expiresAt: Date(timeIntervalSince1970: 1_717_216_200),
            quitURL: "https://mall.example.com/cart", timestamp: Date(timeIntervalSince1970: 1_717_214_400)
        )
        let params = try Alipay.parseForm(Data(try #require(url.query(percentEncoded: true)).utf8))
        #expect(params["method"] == "alipay.trade.wap.pay")
        #expect(params["timestamp"] == "2024-06-01 12:00:00")
        let biz = try jsonObject(Data(try #require(params["biz_content"]).utf8))
        #expect(biz["product_code"] as? String == "QUICK_WAP_WAY")
        #expect(biz["total_amount"] as? String == "0.05")
        #expect(biz["time_expire"] as? String == "2024-06-01 12:30:00")
        #expect(biz["quit_url"] as? String == "https://mall.example.com/cart")
        let appKey = try _RSA.Signing.PublicKey(pemRepresentation: v.appPublicKey)
        let signature = try #require(params["sign"])
        #expect(rsaVerify(signature, Data(Alipay.signContent(params, excluding: ["sign"]).utf8), appKey))
    }

    @Test("async notification verifies; +, %XX and Chinese text decode; amount is exact fen")
    func notification() throws {
        for publicKey in [v.alipayPublicKey, v.alipayPublicKeyBase64] {
            let alipay = try Alipay(config: v.config(publicKey: publicKey))
            let n = try alipay.verifyNotification(body: v.notification.data)
            let e = v.notification.expected
            #expect(n.outTradeNo == e.outTradeNo)
            #expect(n.tradeNo == e.tradeNo)
            #expect(n.tradeStatus == e.tradeStatus)
            #expect(n.totalAmountFen == e.totalFen)
            #expect(n.receiptAmountFen == 8888)
            #expect(n.refundFeeFen == nil)
            #expect(n.subject == e.subject)
            #expect(n.subject == "ChainMall 订单 A+B 100% 满意")
            #expect(n.parameters["body"] == e.body)
            #expect(n.parameters["passback_params"] == "")
            #expect(n.parameters["fund_bill_list"] == #"[{"amount":"88.88","fundChannel":"ALIPAYACCOUNT"}]"#)
            #expect(n.appId == v.appId)
            #expect(n.sellerId == v.sellerId)
            #expect(n.notifyId == "2024060100222120512006880500000001")
            #expect(n.gmtPayment == Date(timeIntervalSince1970: Double(e.gmtPaymentUnix)))
            #expect(n.status == ProviderTradeStatus(
                outTradeNo: e.outTradeNo, transactionId: e.tradeNo, amountFen: 8888, state: .paid,
                paidAt: Date(timeIntervalSince1970: Double(e.gmtPaymentUnix)), providerState: "TRADE_SUCCESS"
            ))
        }
    }

    @Test("tampered amount, foreign app_id, bad amount text, foreign seller and RSA1 are refused")
    func notificationRefusals() async throws {
        let alipay = try Alipay(config: v.config())
        await expectProviderError(matching: \.isBadSignature) { _ = try alipay.verifyNotification(body: v.notificationTampered.data) }
        await expectProviderError(.wrongAccount("app_id 2021000999999999")) {
            _ = try alipay.verifyNotification(body: v.notificationWrongAppId.data)
        }
        await expectProviderError(.malformed("amount '88.888'")) { _ = try alipay.verifyNotification(body: v.notificationBadAmount.data) }

        let otherSeller = try Alipay(config: v.config(sellerId: "2088000000000000"))
        await expectProviderError(.wrongAccount("seller_id \(v.sellerId)")) { _ = try otherSeller.verifyNotification(body: v.notification.data) }

        let rsa1 = v.notification.body.replacingOccurrences(of: "sign_type=RSA2", with: "sign_type=RSA")
        await expectProviderError(matching: \.isBadSignature) { _ = try alipay.verifyNotification(body: Data(rsa1.utf8)) }

        let duplicated = v.notification.body + "&total_amount=0.01"
        await expectProviderError(matching: \.isMalformed) { _ = try alipay.verifyNotification(body: Data(duplicated.utf8)) }

        let unsigned = v.notification.body.split(separator: "&").filter { !$0.hasPrefix("sign=") }.joined(separator: "&")
        await expectProviderError(matching: \.isBadSignature) { _ = try alipay.verifyNotification(body: Data(unsigned.utf8)) }
    }

    @Test("the response object is sliced from the raw body, byte for byte")
    func rawSlicing() throws {
        let body = Data(v.queryResponse.body.utf8)
        let members = try RawJSON.topLevelMembers(of: body)
        let range = try #require(members["alipay_trade_query_response"])
        #expect(String(decoding: body[range], as: UTF8.self) == v.queryResponse.signedText)
        #expect(Set(members.keys) == ["alipay_trade_query_response", "sign"])

        let tricky = Data(#"  {"a" : {"s":"}\"{[","n":[1,{"x":"]"}]} , "sign":"Zm9v","b":-1.5e3,"c":null}"#.utf8)
        let parts = try RawJSON.topLevelMembers(of: tricky)
        #expect(parts.mapValues { String(decoding: tricky[$0], as: UTF8.self) } == [
            "a": #"{"s":"}\"{[","n":[1,{"x":"]"}]}"#, "sign": #""Zm9v""#, "b": "-1.5e3", "c": "null",
        ])
        #expect(throws: ProviderError.self) { try RawJSON.topLevelMembers(of: Data(#"{"a":{"b":1}"#.utf8)) }
        #expect(throws: ProviderError.self) { try RawJSON.topLevelMembers(of: Data(#"{"a":1,"a":2}"#.utf8)) }
    }

    @Test("alipay.trade.query through a transport replaying Python's signed response")
    func queryReplay() async throws {
        let appPublicKey = try _RSA.Signing.PublicKey(pemRepresentation: v.appPublicKey)
        let responseBody = v.queryResponse.body
        let appId = v.appId
        let transport = FakeTransport { request in
            let params = try Alipay.parseForm(request.body ?? Data())
            guard let signature = params["sign"],
                  rsaVerify(signature, Data(Alipay.signContent(params, excluding: ["sign"]).utf8), appPublicKey)
            else { throw FakeProviderFailure(description: "request sign does not verify with the app public key") }
            guard params["app_id"] == appId, params["method"] == "alipay.trade.query", params["sign_type"] == "RSA2",
                  params["charset"] == "utf-8", params["format"] == "JSON", params["version"] == "1.0",
                  params["timestamp"] == "2024-06-01 12:10:00", params["biz_content"] == #"{"out_trade_no":"CM20240601002"}"#
            else { throw FakeProviderFailure(description: "unexpected params \(params)") }
            return ProviderHTTPResponse(status: 200, headers: [("Content-Type", "text/html;charset=utf-8")], body: Data(responseBody.utf8))
        }
        let client = try AlipayClient(config: v.config(), transport: transport, clock: { Date(timeIntervalSince1970: 1_717_215_000) })
        let status = try await client.queryTrade(outTradeNo: "CM20240601002")
        let e = v.queryResponse.expected
        #expect(status == ProviderTradeStatus(
            outTradeNo: e.outTradeNo, transactionId: e.tradeNo, amountFen: e.totalFen, state: .paid,
            paidAt: Date(timeIntervalSince1970: Double(e.sendPayDateUnix)), providerState: "TRADE_SUCCESS"
        ))
        let sent = try #require(await transport.log.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url.absoluteString == "https://openapi.alipay.com/gateway.do?charset=utf-8")
        #expect(sent.header("content-type") == "application/x-www-form-urlencoded;charset=utf-8")
    }

    @Test("a response re-signed over re-serialised JSON does not verify")
    func responseMustBeRaw() async throws {
        // Python signed text with \uXXXX escapes; the same object re-encoded
        // with raw UTF-8 is equal as JSON but not as bytes.
        let alipay = try Alipay(config: v.config())
        let raw = v.queryResponse.signedText
        let object = try JSONSerialization.jsonObject(with: Data(raw.utf8))
        let reencoded = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        #expect(reencoded != raw)
        let signRange = try #require(try RawJSON.topLevelMembers(of: Data(v.queryResponse.body.utf8))["sign"])
        let sign = String(decoding: Data(v.queryResponse.body.utf8)[signRange], as: UTF8.self)
        let forged = #"{"alipay_trade_query_response":"# + reencoded + #","sign":"# + sign + "}"
        await expectProviderError(matching: \.isBadSignature) {
            _ = try alipay.verifiedResponse(method: "alipay.trade.query", status: 200, body: Data(forged.utf8))
        }
        #expect(try alipay.verifiedResponse(method: "alipay.trade.query", status: 200, body: Data(v.queryResponse.body.utf8))
            == Data(raw.utf8))
    }
}

/// Drives the client against a fake gateway that checks our request sign with
/// the app *public* key and signs answers with a platform key generated here.
@Suite("Alipay — API client against a fake gateway")
struct AlipayClientTests {
    let v: PaymentVectors.Alipay
    let appPublicKey: _RSA.Signing.PublicKey
    let platformKey: _RSA.Signing.PrivateKey

    init() throws {
        v = try PaymentVectors.load().alipay
        appPublicKey = try _RSA.Signing.PublicKey(pemRepresentation: v.appPublicKey)
        platformKey = try FakeProviderKeys.alipayPlatform()
    }

    /// One gateway answer: `{"<method>_response":{...},"sign":"..."}` with the sign over the inner text.
    static func gatewayAnswer(method: String, inner: String, key: _RSA.Signing.PrivateKey?, responseKey: String? = nil) throws -> ProviderHTTPResponse {
        let name = responseKey ?? method.replacingOccurrences(of: ".", with: "_") + "_response"
        var body = #"{""# + name + #"":"# + inner
        if let key { body += #","sign":""# + (try rsaSignBase64(inner, key)) + #"""# }
        body += "}"
        return ProviderHTTPResponse(status: 200, headers: [("Content-Type", "text/html;charset=utf-8")], body: Data(body.utf8))
    }

    /// Checks our request and returns (method, biz_content object).
    static func checkRequest(_ request: ProviderHTTPRequest, appKey: _RSA.Signing.PublicKey) throws -> (String, [String: Any]) {
        let params = try Alipay.parseForm(request.body ?? Data())
        guard let signature = params["sign"], rsaVerify(signature, Data(Alipay.signContent(params, excluding: ["sign"]).utf8), appKey) else {
            throw FakeProviderFailure(description: "request sign does not verify with the app public key")
        }
        guard let method = params["method"], let biz = params["biz_content"],
              let object = try JSONSerialization.jsonObject(with: Data(biz.utf8)) as? [String: Any]
        else { throw FakeProviderFailure(description: "request without method/biz_content") }
        return (method, object)
    }

    func makeClient(
        publicKey: String? = nil, _ respond: @escaping @Sendable (String, [String: Any]) throws -> ProviderHTTPResponse
    ) throws -> (AlipayClient, FakeTransport) {
        let appKey = appPublicKey
        let transport = FakeTransport { request in
            let (method, biz) = try Self.checkRequest(request, appKey: appKey)
            return try respond(method, biz)
        }
        let config = v.config(publicKey: publicKey ?? platformKey.publicKey.pemRepresentation)
        return (try AlipayClient(config: config, transport: transport, clock: { Date(timeIntervalSince1970: 1_717_215_000) }), transport)
    }

    @Test("refund with fund_change Y succeeds without a follow-up query")
    func refundFundChanged() async throws {
        let key = platformKey
        let (client, transport) = try makeClient { method, biz in
            guard method == "alipay.trade.refund", biz["out_trade_no"] as? String == "CM1", biz["refund_amount"] as? String == "18.88",
                  biz["out_request_no"] as? String == "RF1", biz["refund_reason"] as? String == "七天无理由"
            else { throw FakeProviderFailure(description: "unexpected \(method) \(biz)") }
            return try Self.gatewayAnswer(method: method, inner: """
            {"code":"10000","msg":"Success","buyer_logon_id":"159****5620","fund_change":"Y","gmt_refund_pay":"2024-06-01 13:00:00",\
            "out_trade_no":"CM1","refund_fee":"18.88","trade_no":"2024060122001446880500000001"}
            """, key: key)
        }
        let result = try await client.refund(outTradeNo: "CM1", outRequestNo: "RF1", amountFen: 1888, reason: "七天无理由")
        #expect(result == ProviderRefundResult(outRefundNo: "RF1", refundId: nil, amountFen: 1888, state: .succeeded, providerState: "fund_change=Y"))
        #expect(await transport.log.requests.count == 1)
    }

    @Test("refund with fund_change N is settled by alipay.trade.fastpay.refund.query", arguments: [true, false])
    func refundNeedsQuery(refundSucceeded: Bool) async throws {
        let key = platformKey
        let (client, transport) = try makeClient { method, biz in
            switch method {
            case "alipay.trade.refund":
                return try Self.gatewayAnswer(method: method, inner: #"{"code":"10000","msg":"Success","fund_change":"N","out_trade_no":"CM1","refund_fee":"18.88"}"#, key: key)
            case "alipay.trade.fastpay.refund.query":
                guard biz["out_trade_no"] as? String == "CM1", biz["out_request_no"] as? String == "RF1" else {
                    throw FakeProviderFailure(description: "unexpected query \(biz)")
                }
                let inner = refundSucceeded
                    ? #"{"code":"10000","msg":"Success","out_request_no":"RF1","out_trade_no":"CM1","refund_amount":"18.88","refund_status":"REFUND_SUCCESS","total_amount":"88.88"}"#
                    : #"{"code":"10000","msg":"Success","out_trade_no":"CM1"}"#
                return try Self.gatewayAnswer(method: method, inner: inner, key: key)
            default:
                throw FakeProviderFailure(description: "unexpected \(method)")
            }
        }
        let result = try await client.refund(outTradeNo: "CM1", outRequestNo: "RF1", amountFen: 1888, reason: nil)
        if refundSucceeded {
            #expect(result == ProviderRefundResult(outRefundNo: "RF1", refundId: nil, amountFen: 1888, state: .succeeded, providerState: "REFUND_SUCCESS"))
        } else {
            #expect(result == ProviderRefundResult(outRefundNo: "RF1", refundId: nil, amountFen: 1888, state: .processing, providerState: nil))
        }
        #expect(await transport.log.requests.count == 2)
    }

    @Test("close sends out_trade_no; business errors become rejected with sub_code")
    func closeAndErrors() async throws {
        let key = platformKey
        let (client, _) = try makeClient { method, biz in
            if biz["out_trade_no"] as? String == "CM-open" {
                return try Self.gatewayAnswer(method: method, inner: #"{"code":"10000","msg":"Success","out_trade_no":"CM-open","trade_no":"2024"}"#, key: key)
            }
            return try Self.gatewayAnswer(method: method, inner: """
            {"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}
            """, key: key)
        }
        try await client.closeTrade(outTradeNo: "CM-open")
        await expectProviderError(.rejected(status: 200, code: "ACQ.TRADE_NOT_EXIST", message: "交易不存在")) {
            try await client.closeTrade(outTradeNo: "CM-missing")
        }
        await expectProviderError(.rejected(status: 200, code: "ACQ.TRADE_NOT_EXIST", message: "交易不存在")) {
            _ = try await client.queryTrade(outTradeNo: "CM-missing")
        }
    }

    @Test("gateway error_response without sign is a rejection; HTTP errors too")
    func gatewayErrors() async throws {
        let (client, _) = try makeClient { method, _ in
            if method == "alipay.trade.close" {
                return ProviderHTTPResponse(status: 502, headers: [], body: Data("Bad Gateway".utf8))
            }
            return try Self.gatewayAnswer(method: method, inner: """
            {"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}
            """, key: nil, responseKey: "error_response")
        }
        await expectProviderError(.rejected(status: 200, code: "isv.invalid-signature", message: "验签出错")) {
            _ = try await client.queryTrade(outTradeNo: "CM1")
        }
        await expectProviderError(.rejected(status: 502, code: "HTTP_502", message: "Bad Gateway")) {
            try await client.closeTrade(outTradeNo: "CM1")
        }
    }

    @Test("forged or unsigned successful answers are refused")
    func forgedAnswers() async throws {
        let forger = try _RSA.Signing.PrivateKey(pemRepresentation: v.appPrivateKeyPkcs8)
        let success = #"{"code":"10000","msg":"Success","out_trade_no":"CM1","trade_no":"T1","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}"#
        for key in [forger, nil] as [_RSA.Signing.PrivateKey?] {
            let (client, _) = try makeClient { method, _ in try Self.gatewayAnswer(method: method, inner: success, key: key) }
            await expectProviderError(matching: \.isBadSignature) { _ = try await client.queryTrade(outTradeNo: "CM1") }
        }
        // A valid answer for a different method (response key) is not accepted either.
        let key = platformKey
        let (client, _) = try makeClient { _, _ in try Self.gatewayAnswer(method: "alipay.trade.refund", inner: success, key: key) }
        await expectProviderError(matching: \.isMalformed) { _ = try await client.queryTrade(outTradeNo: "CM1") }
    }

    @Test("query states and a numeric amount", arguments: [
        ("WAIT_BUYER_PAY", ProviderTradeStatus.State.pending), ("TRADE_CLOSED", .closed), ("TRADE_FINISHED", .paid),
    ])
    func queryStates(tradeStatus: String, expected: ProviderTradeStatus.State) async throws {
        let key = platformKey
        let (client, _) = try makeClient { method, _ in
            try Self.gatewayAnswer(method: method, inner: """
            {"code":"10000","msg":"Success","out_trade_no":"CM1","trade_no":"T1","trade_status":"\(tradeStatus)","total_amount":0.1}
            """, key: key)
        }
        #expect(try await client.queryTrade(outTradeNo: "CM1")
            == ProviderTradeStatus(outTradeNo: "CM1", transactionId: "T1", amountFen: 10, state: expected, paidAt: nil, providerState: tradeStatus))
    }
}

@Suite("Money and time text")
struct ProviderTextTests {
    @Test("yuan text → fen", arguments: [
        ("0.01", 1), ("88.88", 8888), ("88.8", 8880), ("88", 8800), ("0", 0), ("100000.00", 10_000_000), ("999999999999999.99", 99_999_999_999_999_999),
    ] as [(String, Int64)])
    func parsesYuan(text: String, fen: Int64) throws {
        #expect(try ProviderMoney.fen(fromYuan: text) == fen)
    }

    @Test("malformed yuan text is refused", arguments: ["", "88.888", "-1.00", "+1", "1e3", " 1.00", "1.00 ", ".5", "5.", "1,000.00", "１.00", "NaN", "1000000000000000"])
    func refusesYuan(text: String) {
        #expect(throws: ProviderError.malformed("amount '\(text)'")) { try ProviderMoney.fen(fromYuan: text) }
    }

    @Test("fen → yuan text")
    func formatsYuan() {
        #expect(ProviderMoney.yuan(fromFen: 1) == "0.01")
        #expect(ProviderMoney.yuan(fromFen: 10) == "0.10")
        #expect(ProviderMoney.yuan(fromFen: 8888) == "88.88")
        #expect(ProviderMoney.yuan(fromFen: 10_000_000) == "100000.00")
    }

    @Test("China-time formatting and parsing")
    func times() {
        let t = Date(timeIntervalSince1970: 1_717_216_200) // 2024-06-01 04:30:00 UTC
        #expect(ProviderTime.rfc3339China(t) == "2024-06-01T12:30:00+08:00")
        #expect(ProviderTime.alipayChina(t) == "2024-06-01 12:30:00")
        #expect(ProviderTime.alipayChina(Date(timeIntervalSince1970: 1_704_038_400)) == "2024-01-01 00:00:00") // 2023-12-31T16:00Z
        #expect(ProviderTime.parseRFC3339("2024-06-01T12:30:00+08:00") == t)
        #expect(ProviderTime.parseRFC3339("2024-06-01T04:30:00Z") == t)
        #expect(ProviderTime.parseRFC3339("2024-06-01T04:30:00.250Z") == Date(timeIntervalSince1970: 1_717_216_200.25))
        #expect(ProviderTime.parseRFC3339("2024-05-31T23:30:00-05:00") == t)
        #expect(ProviderTime.parseAlipay("2024-06-01 12:30:00") == t)
        #expect(ProviderTime.parseAlipay("2024-02-30 12:30:00") == nil)
        #expect(ProviderTime.parseAlipay("2024-06-01T12:30:00") == nil)
        #expect(ProviderTime.parseRFC3339("2024-06-01T12:30:00") == nil)
        #expect(ProviderTime.parseRFC3339("2024-06-01T12:30:00+0800") == nil)
    }

    @Test("form component decoding")
    func formDecoding() throws {
        #expect(try ProviderPercentEncoding.decodeFormComponent("A%2BB+100%25+%E4%B8%AD") == "A+B 100% 中")
        #expect(throws: ProviderError.self) { try ProviderPercentEncoding.decodeFormComponent("100%") }
        #expect(throws: ProviderError.self) { try ProviderPercentEncoding.decodeFormComponent("%ZZ") }
        #expect(throws: ProviderError.self) { try ProviderPercentEncoding.decodeFormComponent("%E4%B8") }
        #expect(ProviderPercentEncoding.encode("a b+c/中~") == "a%20b%2Bc%2F%E4%B8%AD~")
    }
}
