import Crypto
import CryptoExtras
import Foundation

// Alipay open platform (支付宝开放平台), public-key mode (公钥模式, not 公钥证书模式),
// RSA2 = SHA256withRSA. Doc names referenced below: 签名 / 自行实现签名, 异步通知验签,
// 同步响应验签, alipay.trade.page.pay, alipay.trade.wap.pay, alipay.trade.query,
// alipay.trade.refund, alipay.trade.fastpay.refund.query, alipay.trade.close.

struct AlipayConfig: Sendable {
    var appId: String
    /// 应用私钥: PKCS#8 or PKCS#1 PEM, or the bare base64 line Alipay's key tool prints.
    var appPrivateKeyPEM: String
    /// 支付宝公钥 (not the 应用公钥): PEM or bare base64 as shown in the console.
    var alipayPublicKeyPEM: String
    var gatewayURL: URL
    /// Where Alipay posts 异步通知 for page/wap payments.
    var notifyURL: String?
    /// Where the shopper's browser returns after paying (page/wap only; not proof of payment).
    var returnURL: String?
    /// The merchant's 2088… PID; when set, notifications for another seller are refused.
    var sellerId: String?

    init(
        appId: String,
        appPrivateKeyPEM: String,
        alipayPublicKeyPEM: String,
        gatewayURL: URL = URL(string: "https://openapi.alipay.com/gateway.do")!,
        notifyURL: String? = nil,
        returnURL: String? = nil,
        sellerId: String? = nil
    ) {
        self.appId = appId
        self.appPrivateKeyPEM = appPrivateKeyPEM
        self.alipayPublicKeyPEM = alipayPublicKeyPEM
        self.gatewayURL = gatewayURL
        self.notifyURL = notifyURL
        self.returnURL = returnURL
        self.sellerId = sellerId
    }
}

// MARK: - Pure protocol steps

/// Validated keys plus the pure protocol steps: no I/O, no clock.
struct Alipay: Sendable {
    static let successCode = "10000"

    let config: AlipayConfig
    private let appKey: _RSA.Signing.PrivateKey
    private let alipayKey: _RSA.Signing.PublicKey

    init(config: AlipayConfig) throws {
        guard !config.appId.isEmpty else { throw ProviderError.invalidConfiguration("Alipay appId is empty") }
        self.config = config
        self.appKey = try ProviderRSA.privateKey(config.appPrivateKeyPEM, what: "Alipay app private key")
        self.alipayKey = try ProviderRSA.publicKey(config.alipayPublicKeyPEM, what: "Alipay public key")
    }

    // MARK: Signing (签名)

    /// The text both sides sign: parameters with non-empty values, minus
    /// `excluding`, sorted by key (byte order), joined as raw `k=v&k=v` —
    /// values are *not* URL-encoded here.
    static func signContent(_ params: [String: String], excluding: Set<String>) -> String {
        params
            .filter { !excluding.contains($0.key) && !$0.value.isEmpty }
            .sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    /// RSA2 signature of a request. Unlike notification verification,
    /// request signing keeps `sign_type` in the signed text; only `sign` is left out.
    func sign(_ params: [String: String]) throws -> String {
        try ProviderRSA.sign(Data(Self.signContent(params, excluding: ["sign"]).utf8), with: appKey)
    }

    /// The common parameters (公共请求参数) plus `sign` for one call.
    func signedParameters(method: String, bizContent: String, timestamp: Date, extra: [String: String] = [:]) throws -> [String: String] {
        var params = extra
        params["app_id"] = config.appId
        params["method"] = method
        params["format"] = "JSON"
        params["charset"] = "utf-8"
        params["sign_type"] = "RSA2"
        params["timestamp"] = ProviderTime.alipayChina(timestamp)
        params["version"] = "1.0"
        params["biz_content"] = bizContent
        params["sign"] = try sign(params)
        return params
    }

    /// `application/x-www-form-urlencoded` / query encoding of the signed
    /// parameters, keys sorted so the output is reproducible.
    static func formEncode(_ params: [String: String]) -> String {
        params.sorted { $0.key < $1.key }
            .map { "\(ProviderPercentEncoding.encode($0.key))=\(ProviderPercentEncoding.encode($0.value))" }
            .joined(separator: "&")
    }

    private struct PayBizContent: Encodable {
        var outTradeNo: String
        var productCode: String
        var totalAmount: String
        var subject: String
        var timeExpire: String
        var quitUrl: String?
    }

    /// alipay.trade.page.pay (电脑网站支付): the signed GET URL to redirect the shopper to.
    func pagePayURL(outTradeNo: String, amountFen: Int64, subject: String, expiresAt: Date, timestamp: Date) throws -> URL {
        let biz = PayBizContent(
            outTradeNo: outTradeNo, productCode: "FAST_INSTANT_TRADE_PAY", totalAmount: ProviderMoney.yuan(fromFen: amountFen),
            subject: subject, timeExpire: ProviderTime.alipayChina(expiresAt)
        )
        return try payURL(method: "alipay.trade.page.pay", biz: biz, amountFen: amountFen, timestamp: timestamp)
    }

    /// alipay.trade.wap.pay (手机网站支付); `quitURL` is where 「返回商家」 leads mid-payment.
    func wapPayURL(outTradeNo: String, amountFen: Int64, subject: String, expiresAt: Date, quitURL: String?, timestamp: Date) throws -> URL {
        let biz = PayBizContent(
            outTradeNo: outTradeNo, productCode: "QUICK_WAP_WAY", totalAmount: ProviderMoney.yuan(fromFen: amountFen),
            subject: subject, timeExpire: ProviderTime.alipayChina(expiresAt), quitUrl: quitURL
        )
        return try payURL(method: "alipay.trade.wap.pay", biz: biz, amountFen: amountFen, timestamp: timestamp)
    }

    private func payURL(method: String, biz: PayBizContent, amountFen: Int64, timestamp: Date) throws -> URL {
        guard amountFen > 0 else { throw ProviderError.malformed("amount must be positive") }
        var extra: [String: String] = [:]
        if let notify = config.notifyURL { extra["notify_url"] = notify }
        if let back = config.returnURL { extra["return_url"] = back }
        let params = try signedParameters(
            method: method, bizContent: try ProviderJSON.encode(biz, snakeCase: true), timestamp: timestamp, extra: extra
        )
        return try gatewayURL(query: Self.formEncode(params))
    }

    func gatewayURL(query: String) throws -> URL {
        let base = config.gatewayURL.absoluteString
        guard let url = URL(string: base + (base.contains("?") ? "&" : "?") + query) else {
            throw ProviderError.malformed("gateway URL")
        }
        return url
    }

    // MARK: Asynchronous notifications (异步通知验签)

    /// Decodes a form body into parameters. Duplicate keys are refused: the
    /// signed text and the parsed values could otherwise disagree.
    static func parseForm(_ body: Data) throws -> [String: String] {
        guard let text = String(data: body, encoding: .utf8) else { throw ProviderError.malformed("form body is not UTF-8") }
        var params: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try ProviderPercentEncoding.decodeFormComponent(parts[0])
            let value = parts.count > 1 ? try ProviderPercentEncoding.decodeFormComponent(parts[1]) : ""
            guard params.updateValue(value, forKey: key) == nil else {
                throw ProviderError.malformed("duplicate form field \(key)")
            }
        }
        return params
    }

    /// Verifies an 异步通知 and extracts the trade fields. The signed text is
    /// built from *decoded* values, without `sign` and `sign_type`.
    /// Answer with `AlipayNotificationReply` afterwards; de-duplicate on `notifyId`
    /// and still compare `outTradeNo`/`totalAmountFen` with the stored order.
    func verifyNotification(body: Data) throws -> AlipayNotification {
        let params = try Self.parseForm(body)
        guard let signature = params["sign"], !signature.isEmpty else {
            throw ProviderError.badSignature("notification without sign")
        }
        if let type = params["sign_type"], type != "RSA2" {
            throw ProviderError.badSignature("unsupported sign_type \(type)")
        }
        let content = Self.signContent(params, excluding: ["sign", "sign_type"])
        guard ProviderRSA.isValid(signatureBase64: signature, for: Data(content.utf8), key: alipayKey) else {
            throw ProviderError.badSignature("notification sign does not verify with the Alipay public key")
        }
        // The notification uses the charset of the original request; values
        // were decoded as UTF-8 above, which is only right for utf-8.
        if let charset = params["charset"], charset.lowercased() != "utf-8" {
            throw ProviderError.malformed("notification charset \(charset)")
        }
        guard params["app_id"] == config.appId else {
            throw ProviderError.wrongAccount("app_id \(params["app_id"] ?? "(none)")")
        }
        if let seller = config.sellerId, let got = params["seller_id"], got != seller {
            throw ProviderError.wrongAccount("seller_id \(got)")
        }
        return try AlipayNotification(verified: params)
    }

    // MARK: Synchronous responses (同步响应验签)

    /// Checks a gateway answer and returns the raw text of its
    /// `<method_with_underscores>_response` object. The signature covers that
    /// object's exact bytes as they appear in the body, so the text is cut
    /// out, never re-serialised. Gateway-level failures may come as
    /// `error_response`, sometimes unsigned; those only ever become `rejected`.
    func verifiedResponse(method: String, status: Int, body: Data) throws -> Data {
        guard status == 200 else {
            throw ProviderError.rejected(status: status, code: "HTTP_\(status)", message: String(decoding: body.prefix(200), as: UTF8.self))
        }
        let members = try RawJSON.topLevelMembers(of: body)
        let key = method.replacingOccurrences(of: ".", with: "_") + "_response"
        guard let range = members[key] ?? members["error_response"] else {
            throw ProviderError.malformed("Alipay response without \(key)")
        }
        let raw = body[range]
        var signature: String?
        if let signRange = members["sign"] {
            signature = try ProviderJSON.decode(String.self, from: Data(body[signRange]), what: "Alipay response sign")
        }
        let head = try ProviderJSON.decode(ResponseHead.self, from: Data(raw), what: "Alipay \(key)", snakeCase: true)

        if let signature {
            guard ProviderRSA.isValid(signatureBase64: signature, for: raw, key: alipayKey) else {
                throw ProviderError.badSignature("\(key) sign does not verify with the Alipay public key")
            }
        } else if head.code == Self.successCode {
            throw ProviderError.badSignature("unsigned successful \(key)")
        }
        guard head.code == Self.successCode else {
            throw ProviderError.rejected(status: status, code: head.subCode ?? head.code, message: head.subMsg ?? head.msg ?? "")
        }
        return Data(raw)
    }

    private struct ResponseHead: Decodable {
        var code: String
        var msg: String?
        var subCode: String?
        var subMsg: String?
    }
}

/// A verified 异步通知.
struct AlipayNotification: Sendable, Equatable {
    var notifyId: String
    var notifyType: String?
    var appId: String
    var outTradeNo: String
    var tradeNo: String
    /// WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED, TRADE_CLOSED.
    var tradeStatus: String
    var totalAmountFen: Int64
    var receiptAmountFen: Int64?
    /// Cumulative refunded amount; present when the notification is about a refund.
    var refundFeeFen: Int64?
    /// The refund's out_request_no, for refund notifications.
    var outBizNo: String?
    var gmtPayment: Date?
    var sellerId: String?
    var subject: String?
    /// All decoded parameters, for audit logs.
    var parameters: [String: String]

    var status: ProviderTradeStatus {
        let state: ProviderTradeStatus.State
        switch tradeStatus {
        // TRADE_FINISHED: paid and past the refund period.
        case "TRADE_SUCCESS", "TRADE_FINISHED": state = .paid
        // A full refund also ends in TRADE_CLOSED; refund_fee tells it apart
        // from an unpaid trade that timed out.
        case "TRADE_CLOSED": state = (refundFeeFen ?? 0) > 0 ? .refunded : .closed
        default: state = .pending
        }
        return ProviderTradeStatus(
            outTradeNo: outTradeNo, transactionId: tradeNo, amountFen: totalAmountFen,
            state: state, paidAt: gmtPayment, providerState: tradeStatus
        )
    }

    init(verified params: [String: String]) throws {
        func required(_ key: String) throws -> String {
            guard let value = params[key], !value.isEmpty else { throw ProviderError.malformed("notification without \(key)") }
            return value
        }
        func amount(_ key: String) throws -> Int64? {
            guard let text = params[key], !text.isEmpty else { return nil }
            return try ProviderMoney.fen(fromYuan: text)
        }
        notifyId = try required("notify_id")
        notifyType = params["notify_type"]
        appId = try required("app_id")
        outTradeNo = try required("out_trade_no")
        tradeNo = try required("trade_no")
        tradeStatus = try required("trade_status")
        totalAmountFen = try ProviderMoney.fen(fromYuan: try required("total_amount"))
        receiptAmountFen = try amount("receipt_amount")
        refundFeeFen = try amount("refund_fee")
        outBizNo = params["out_biz_no"]
        if let text = params["gmt_payment"], !text.isEmpty {
            guard let date = ProviderTime.parseAlipay(text) else { throw ProviderError.malformed("gmt_payment '\(text)'") }
            gmtPayment = date
        }
        sellerId = params["seller_id"]
        subject = params["subject"]
        parameters = params
    }
}

/// The plain-text answer Alipay expects to a notification: exactly `success`
/// stops the retries (up to 8 over about 25 hours); anything else, e.g. `failure`, asks for a retry.
enum AlipayNotificationReply: String, Sendable {
    case success
    case failure

    var contentType: String { "text/plain; charset=utf-8" }
    var body: Data { Data(rawValue.utf8) }
}

// MARK: - API client

/// Calls the gateway through a transport: POST form, signed; answers are verified
/// with `Alipay.verifiedResponse` before use.
struct AlipayClient: Sendable {
    let alipay: Alipay
    let transport: any ProviderHTTPTransport
    let clock: @Sendable () -> Date

    init(config: AlipayConfig, transport: any ProviderHTTPTransport, clock: @escaping @Sendable () -> Date = { Date() }) throws {
        self.alipay = try Alipay(config: config)
        self.transport = transport
        self.clock = clock
    }

    func pagePayURL(outTradeNo: String, amountFen: Int64, subject: String, expiresAt: Date) throws -> URL {
        try alipay.pagePayURL(outTradeNo: outTradeNo, amountFen: amountFen, subject: subject, expiresAt: expiresAt, timestamp: clock())
    }

    func wapPayURL(outTradeNo: String, amountFen: Int64, subject: String, expiresAt: Date, quitURL: String?) throws -> URL {
        try alipay.wapPayURL(
            outTradeNo: outTradeNo, amountFen: amountFen, subject: subject, expiresAt: expiresAt, quitURL: quitURL, timestamp: clock()
        )
    }

    /// alipay.trade.query. Before the shopper opens the cashier the trade does
    /// not exist yet at Alipay: that is `rejected(code: "ACQ.TRADE_NOT_EXIST")`,
    /// which callers should read as "still pending". TRADE_CLOSED here does not
    /// say whether it closed unpaid or after a full refund.
    func queryTrade(outTradeNo: String) async throws -> ProviderTradeStatus {
        struct Biz: Encodable { var outTradeNo: String }
        struct Answer: Decodable {
            var outTradeNo: String
            var tradeNo: String?
            var tradeStatus: String
            var totalAmount: AlipayAmount
            var sendPayDate: String?
        }
        let answer = try await call("alipay.trade.query", Biz(outTradeNo: outTradeNo), as: Answer.self)
        guard answer.outTradeNo == outTradeNo else { throw ProviderError.malformed("query answered for \(answer.outTradeNo)") }
        var paidAt: Date?
        if let text = answer.sendPayDate, !text.isEmpty {
            guard let date = ProviderTime.parseAlipay(text) else { throw ProviderError.malformed("send_pay_date '\(text)'") }
            paidAt = date
        }
        let state: ProviderTradeStatus.State
        switch answer.tradeStatus {
        case "TRADE_SUCCESS", "TRADE_FINISHED": state = .paid
        case "TRADE_CLOSED": state = .closed
        default: state = .pending
        }
        return ProviderTradeStatus(
            outTradeNo: answer.outTradeNo, transactionId: answer.tradeNo, amountFen: answer.totalAmount.fen,
            state: state, paidAt: paidAt, providerState: answer.tradeStatus
        )
    }

    /// alipay.trade.refund. `outRequestNo` identifies this refund (required for
    /// partial refunds, always sent so retries are idempotent). Success is
    /// `fund_change == "Y"`; "N" also answers a retry of a refund that already
    /// went through, so then the refund query decides.
    func refund(outTradeNo: String, outRequestNo: String, amountFen: Int64, reason: String?) async throws -> ProviderRefundResult {
        struct Biz: Encodable {
            var outTradeNo: String
            var refundAmount: String
            var outRequestNo: String
            var refundReason: String?
        }
        struct Answer: Decodable {
            var outTradeNo: String?
            var tradeNo: String?
            var fundChange: String?
        }
        guard amountFen > 0 else { throw ProviderError.malformed("refund amount must be positive") }
        let biz = Biz(outTradeNo: outTradeNo, refundAmount: ProviderMoney.yuan(fromFen: amountFen), outRequestNo: outRequestNo, refundReason: reason)
        let answer = try await call("alipay.trade.refund", biz, as: Answer.self)
        if answer.fundChange == "Y" {
            return ProviderRefundResult(outRefundNo: outRequestNo, refundId: nil, amountFen: amountFen, state: .succeeded, providerState: "fund_change=Y")
        }
        let queried = try await queryRefund(outTradeNo: outTradeNo, outRequestNo: outRequestNo)
        return queried.state == .succeeded ? queried
            : ProviderRefundResult(outRefundNo: outRequestNo, refundId: nil, amountFen: amountFen, state: .processing, providerState: queried.providerState)
    }

    /// alipay.trade.fastpay.refund.query. code 10000 only means the query ran:
    /// the refund succeeded when `refund_status` is REFUND_SUCCESS; no status means
    /// not (yet) refunded — retry the refund with the same out_request_no.
    func queryRefund(outTradeNo: String, outRequestNo: String) async throws -> ProviderRefundResult {
        struct Biz: Encodable { var outTradeNo: String; var outRequestNo: String }
        struct Answer: Decodable {
            var outRequestNo: String?
            var refundAmount: AlipayAmount?
            var refundStatus: String?
        }
        let answer = try await call("alipay.trade.fastpay.refund.query", Biz(outTradeNo: outTradeNo, outRequestNo: outRequestNo), as: Answer.self)
        if let echoed = answer.outRequestNo, echoed != outRequestNo {
            throw ProviderError.malformed("refund query answered for \(echoed)")
        }
        let succeeded = answer.refundStatus == "REFUND_SUCCESS"
        return ProviderRefundResult(
            outRefundNo: outRequestNo, refundId: nil, amountFen: answer.refundAmount?.fen ?? 0,
            state: succeeded ? .succeeded : .processing, providerState: answer.refundStatus
        )
    }

    /// alipay.trade.close. Only trades in WAIT_BUYER_PAY can be closed; a trade
    /// the shopper never opened is `rejected(code: "ACQ.TRADE_NOT_EXIST")`,
    /// which for our purpose also means it can no longer be paid once `time_expire` passes.
    func closeTrade(outTradeNo: String) async throws {
        struct Biz: Encodable { var outTradeNo: String }
        struct Answer: Decodable { var outTradeNo: String? }
        _ = try await call("alipay.trade.close", Biz(outTradeNo: outTradeNo), as: Answer.self)
    }

    private func call<Biz: Encodable, Answer: Decodable>(_ method: String, _ biz: Biz, as: Answer.Type) async throws -> Answer {
        let params = try alipay.signedParameters(
            method: method, bizContent: try ProviderJSON.encode(biz, snakeCase: true), timestamp: clock()
        )
        let request = ProviderHTTPRequest(
            method: "POST",
            url: try alipay.gatewayURL(query: "charset=utf-8"),
            headers: [("Content-Type", "application/x-www-form-urlencoded;charset=utf-8"), ("Accept", "application/json")],
            body: Data(Alipay.formEncode(params).utf8)
        )
        let response = try await transport.send(request)
        let raw = try alipay.verifiedResponse(method: method, status: response.status, body: response.body)
        return try ProviderJSON.decode(Answer.self, from: raw, what: "\(method) response", snakeCase: true)
    }
}

/// An Alipay money field. Documented as a yuan string ("88.88"); a JSON
/// number is tolerated via its exact decimal text, never via Double.
struct AlipayAmount: Decodable, Sendable, Equatable {
    var fen: Int64

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            fen = try ProviderMoney.fen(fromYuan: text)
        } else {
            let decimal = try container.decode(Decimal.self)
            fen = try ProviderMoney.fen(fromYuan: "\(decimal)")
        }
    }
}

// MARK: - Raw JSON slicing

/// Finds top-level members of a JSON object *as byte ranges*, so a signature
/// can be checked over the exact text the provider sent. Handles strings
/// (with escapes) containing braces, quotes or the word "sign".
enum RawJSON {
    static func topLevelMembers(of data: Data) throws -> [String: Range<Data.Index>] {
        let bytes = [UInt8](data)
        let base = data.startIndex
        var i = 0
        func fail(_ why: String) -> ProviderError { .malformed("response JSON: \(why)") }
        func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }
        func skipString() throws {
            i += 1
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\\"): i += 2
                case UInt8(ascii: "\""): i += 1; return
                default: i += 1
                }
            }
            throw fail("unterminated string")
        }
        func skipValue() throws {
            guard i < bytes.count else { throw fail("missing value") }
            switch bytes[i] {
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                repeat {
                    guard i < bytes.count else { throw fail("unbalanced brackets") }
                    switch bytes[i] {
                    case UInt8(ascii: "\""): try skipString(); continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                    default: break
                    }
                    i += 1
                } while depth > 0
            default:
                let start = i
                while i < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) {
                    i += 1
                }
                guard i > start else { throw fail("empty value") }
            }
        }

        var members: [String: Range<Data.Index>] = [:]
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { throw fail("not an object") }
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return members }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyStart = i
            try skipString()
            let key = try ProviderJSON.decode(String.self, from: Data(bytes[keyStart..<i]), what: "response key")
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            let valueStart = i
            try skipValue()
            guard members.updateValue((base + valueStart)..<(base + i), forKey: key) == nil else {
                throw fail("duplicate member \(key)")
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unterminated object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            guard bytes[i] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            return members
        }
    }
}
