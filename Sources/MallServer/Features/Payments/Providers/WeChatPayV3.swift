import Crypto
import CryptoExtras
import Foundation
import X509

// WeChat Pay API v3 (微信支付 APIv3), direct-merchant (直连商户) mode, Native (QR) payment.
// Doc names referenced below: 签名生成, 签名验证, 回调报文解密, Native下单, 查询订单,
// 关闭订单, 申请退款, 查询单笔退款, 支付通知, 退款结果通知, 微信支付公钥.

struct WeChatPayV3Config: Sendable {
    var mchId: String
    var appId: String
    /// Serial of the merchant API certificate (apiclient_cert.pem) that pairs with the private key.
    var merchantSerialNumber: String
    /// apiclient_key.pem: PKCS#8 as issued; PKCS#1 is accepted too.
    var merchantPrivateKeyPEM: String
    /// The 32-character APIv3 key set in the merchant portal; used raw as the AES-256 key.
    var apiV3Key: String
    /// Verification keys by serial. A value is either a platform certificate
    /// (`BEGIN CERTIFICATE`, keyed by its hex serial) or a 微信支付公钥
    /// (`BEGIN PUBLIC KEY`, keyed by its `PUB_KEY_ID_...` id). While migrating
    /// from certificates to the public key, WeChat signs callbacks with either,
    /// so configure both.
    var platformKeys: [String: String]
    var baseURL: URL
    /// `notify_url` sent with orders and refunds; WeChat requires https and no query string.
    var notifyURL: String

    init(
        mchId: String,
        appId: String,
        merchantSerialNumber: String,
        merchantPrivateKeyPEM: String,
        apiV3Key: String,
        platformKeys: [String: String],
        baseURL: URL = URL(string: "https://api.mch.weixin.qq.com")!,
        notifyURL: String
    ) {
        self.mchId = mchId
        self.appId = appId
        self.merchantSerialNumber = merchantSerialNumber
        self.merchantPrivateKeyPEM = merchantPrivateKeyPEM
        self.apiV3Key = apiV3Key
        self.platformKeys = platformKeys
        self.baseURL = baseURL
        self.notifyURL = notifyURL
    }
}

// MARK: - Pure protocol steps

/// Validated key material plus the pure protocol steps: no I/O, no clock, no
/// randomness — time and nonces are parameters.
struct WeChatPayV3: Sendable {
    static let signatureScheme = "WECHATPAY2-SHA256-RSA2048"
    /// 签名验证 asks merchants to refuse responses/callbacks whose timestamp is
    /// more than 5 minutes from local time, against replays.
    static let replayWindowSeconds: Int64 = 300

    let config: WeChatPayV3Config
    private let merchantKey: _RSA.Signing.PrivateKey
    private let verificationKeys: [String: _RSA.Signing.PublicKey]
    private let aesKey: SymmetricKey
    /// The configured 微信支付公钥 id, if any. Sent as `Wechatpay-Serial` on
    /// requests because, during the certificate→public-key migration, WeChat
    /// chooses the key that signs a *response* from that request header.
    let publicKeyId: String?

    init(config: WeChatPayV3Config) throws {
        for (name, value) in [("mchId", config.mchId), ("appId", config.appId), ("merchantSerialNumber", config.merchantSerialNumber)]
        where value.isEmpty {
            throw ProviderError.invalidConfiguration("WeChat Pay \(name) is empty")
        }
        // 回调报文解密: AEAD_AES_256_GCM keyed directly with the APIv3 key bytes,
        // so anything but exactly 32 bytes can never decrypt a callback.
        let keyBytes = Array(config.apiV3Key.utf8)
        guard keyBytes.count == 32 else {
            throw ProviderError.invalidConfiguration(
                "WeChat Pay apiV3Key must be exactly 32 bytes (got \(keyBytes.count)); copy it from 账户中心 > API安全 > APIv3密钥"
            )
        }
        guard config.notifyURL.hasPrefix("https://"), !config.notifyURL.contains("?") else {
            throw ProviderError.invalidConfiguration("WeChat Pay notifyURL must be https and carry no query string")
        }
        guard !config.platformKeys.isEmpty else {
            throw ProviderError.invalidConfiguration("WeChat Pay needs at least one platform certificate or 微信支付公钥")
        }
        self.config = config
        self.aesKey = SymmetricKey(data: keyBytes)
        self.merchantKey = try ProviderRSA.privateKey(config.merchantPrivateKeyPEM, what: "WeChat Pay merchant private key")

        var keys: [String: _RSA.Signing.PublicKey] = [:]
        var publicKeyId: String?
        for (serial, pem) in config.platformKeys {
            let normalized = Self.normalizedSerial(serial)
            if pem.contains("BEGIN CERTIFICATE") {
                let certificate: Certificate
                do {
                    certificate = try Certificate(pemEncoded: pem)
                } catch {
                    throw ProviderError.invalidConfiguration("WeChat Pay platform certificate \(serial) is not a readable PEM certificate")
                }
                guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
                    throw ProviderError.invalidConfiguration("WeChat Pay platform certificate \(serial) does not hold an RSA key")
                }
                // A mislabelled certificate would make every callback fail as
                // "unknown serial"; catch it at start-up instead.
                let certificateSerial = certificate.serialNumber.bytes.map { byte in
                    let hex = String(byte, radix: 16, uppercase: true)
                    return byte < 16 ? "0" + hex : hex
                }.joined()
                guard Self.normalizedSerial(certificateSerial) == normalized else {
                    throw ProviderError.invalidConfiguration(
                        "WeChat Pay platform certificate configured as \(serial) has serial \(certificateSerial)"
                    )
                }
                keys[normalized] = key
            } else {
                keys[normalized] = try ProviderRSA.publicKey(pem, what: "WeChat Pay public key \(serial)")
                if serial.hasPrefix("PUB_KEY_ID_") { publicKeyId = serial }
            }
        }
        self.verificationKeys = keys
        self.publicKeyId = publicKeyId
    }

    /// Serials are hex; WeChat prints them upper-case without leading zeros,
    /// while certificate tools may print lower case or a DER sign byte.
    static func normalizedSerial(_ serial: String) -> String {
        let upper = serial.trimmingCharacters(in: .whitespaces).uppercased()
        let stripped = upper.drop { $0 == "0" }
        return stripped.isEmpty ? "0" : String(stripped)
    }

    // MARK: Request signing (签名生成)

    /// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` — every line, including
    /// the (possibly empty) body line, ends with `\n`. The URL part is the
    /// path and query exactly as sent, without scheme and host.
    static func signatureMessage(method: String, pathAndQuery: String, timestamp: Int64, nonce: String, body: Data) -> Data {
        var message = Data("\(method)\n\(pathAndQuery)\n\(timestamp)\n\(nonce)\n".utf8)
        message.append(body)
        message.append(0x0A)
        return message
    }

    /// The `Authorization` header value for one request.
    func authorization(method: String, pathAndQuery: String, body: Data, timestamp: Int64, nonce: String) throws -> String {
        let message = Self.signatureMessage(method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, body: body)
        let signature = try ProviderRSA.sign(message, with: merchantKey)
        return "\(Self.signatureScheme) mchid=\"\(config.mchId)\",nonce_str=\"\(nonce)\",signature=\"\(signature)\","
            + "timestamp=\"\(timestamp)\",serial_no=\"\(config.merchantSerialNumber)\""
    }

    // MARK: Response / callback verification (签名验证)

    /// Verifies `Wechatpay-*` headers over `TIMESTAMP\nNONCE\nBODY\n` using the
    /// key named by `Wechatpay-Serial`. `body` must be the raw received bytes.
    /// WeChat also sends deliberate "signature probe" callbacks whose signature
    /// starts with `WECHATPAY/SIGNTEST/`; they fail here, which is what WeChat
    /// expects to see.
    func verify(headers: [(String, String)], body: Data, now: Date) throws {
        guard let timestampText = providerHeader("Wechatpay-Timestamp", in: headers),
              let nonce = providerHeader("Wechatpay-Nonce", in: headers),
              let signature = providerHeader("Wechatpay-Signature", in: headers),
              let serial = providerHeader("Wechatpay-Serial", in: headers)
        else { throw ProviderError.badSignature("missing Wechatpay-Timestamp/Nonce/Signature/Serial header") }
        if let scheme = providerHeader("Wechatpay-Signature-Type", in: headers), scheme != Self.signatureScheme {
            throw ProviderError.badSignature("unsupported Wechatpay-Signature-Type \(scheme)")
        }
        guard let key = verificationKeys[Self.normalizedSerial(serial)] else {
            throw ProviderError.unknownSigningKey(serial)
        }
        guard !timestampText.isEmpty, timestampText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let timestamp = Int64(timestampText)
        else { throw ProviderError.malformed("Wechatpay-Timestamp '\(timestampText)'") }

        var message = Data("\(timestampText)\n\(nonce)\n".utf8)
        message.append(body)
        message.append(0x0A)
        guard ProviderRSA.isValid(signatureBase64: signature, for: message, key: key) else {
            throw ProviderError.badSignature("Wechatpay-Signature does not verify with key \(serial)")
        }
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        guard abs(nowSeconds - timestamp) <= Self.replayWindowSeconds else {
            throw ProviderError.staleTimestamp(timestamp)
        }
    }

    // MARK: Callbacks (支付通知 / 退款结果通知 / 回调报文解密)

    /// The `resource` object of a callback.
    struct EncryptedResource: Decodable, Sendable, Equatable {
        var algorithm: String
        var ciphertext: String
        var nonce: String
        var associatedData: String?
        var originalType: String?
    }

    /// AEAD_AES_256_GCM: key = APIv3 key bytes, nonce = the 12-character nonce
    /// string's bytes, AAD = `associated_data` (may be absent = empty),
    /// ciphertext = base64(ciphertext ‖ 16-byte tag).
    func decrypt(_ resource: EncryptedResource) throws -> Data {
        guard resource.algorithm == "AEAD_AES_256_GCM" else {
            throw ProviderError.malformed("resource algorithm \(resource.algorithm)")
        }
        guard let combined = Data(base64Encoded: resource.ciphertext), combined.count >= 16 else {
            throw ProviderError.malformed("resource ciphertext is not base64 or too short")
        }
        let nonceBytes = Array(resource.nonce.utf8)
        guard nonceBytes.count == 12 else { throw ProviderError.malformed("resource nonce must be 12 bytes") }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonceBytes),
                ciphertext: combined.prefix(combined.count - 16),
                tag: combined.suffix(16)
            )
            return try AES.GCM.open(box, using: aesKey, authenticating: Array((resource.associatedData ?? "").utf8))
        } catch {
            throw ProviderError.decryptionFailed
        }
    }

    /// Verifies, decrypts and checks a 支付通知 (`TRANSACTION.SUCCESS`).
    /// Callers must still compare `outTradeNo` and `totalFen` with their own order.
    func paymentNotification(headers: [(String, String)], body: Data, now: Date) throws -> WeChatPayNotification<WeChatPayTransaction> {
        let (envelope, plaintext) = try openNotification(headers: headers, body: body, now: now, originalType: "transaction")
        let transaction = try WeChatPayTransaction(decoding: plaintext, what: "transaction resource")
        try checkAccount(mchId: transaction.mchId, appId: transaction.appId)
        return WeChatPayNotification(id: envelope.id, eventType: envelope.eventType, summary: envelope.summary, resource: transaction)
    }

    /// Verifies, decrypts and checks a 退款结果通知 (`REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`).
    /// The refund resource carries `mchid` but no `appid`.
    func refundNotification(headers: [(String, String)], body: Data, now: Date) throws -> WeChatPayNotification<WeChatPayRefund> {
        let (envelope, plaintext) = try openNotification(headers: headers, body: body, now: now, originalType: "refund")
        let refund = try WeChatPayRefund(decoding: plaintext, what: "refund resource")
        guard let mchId = refund.mchId else { throw ProviderError.malformed("refund resource without mchid") }
        try checkAccount(mchId: mchId, appId: nil)
        return WeChatPayNotification(id: envelope.id, eventType: envelope.eventType, summary: envelope.summary, resource: refund)
    }

    func checkAccount(mchId: String?, appId: String?) throws {
        if let mchId, mchId != config.mchId { throw ProviderError.wrongAccount("mchid \(mchId)") }
        if let appId, appId != config.appId { throw ProviderError.wrongAccount("appid \(appId)") }
    }

    private struct Envelope: Decodable {
        var id: String
        var eventType: String
        var resourceType: String?
        var summary: String?
        var resource: EncryptedResource
    }

    private func openNotification(headers: [(String, String)], body: Data, now: Date, originalType: String) throws -> (Envelope, Data) {
        // Verify before parsing: nothing from an unauthenticated body is trusted.
        try verify(headers: headers, body: body, now: now)
        let envelope = try ProviderJSON.decode(Envelope.self, from: body, what: "WeChat Pay notification", snakeCase: true)
        if let type = envelope.resourceType, type != "encrypt-resource" {
            throw ProviderError.malformed("resource_type \(type)")
        }
        if let type = envelope.resource.originalType, type != originalType {
            throw ProviderError.malformed("expected a \(originalType) notification, got \(type)")
        }
        return (envelope, try decrypt(envelope.resource))
    }
}

/// A verified and decrypted callback.
struct WeChatPayNotification<Resource: Sendable & Equatable>: Sendable, Equatable {
    /// Unique per notification; WeChat re-sends the same id until answered, so use it to de-duplicate.
    var id: String
    var eventType: String
    var summary: String?
    var resource: Resource
}

/// A transaction as in 支付通知 and the 查询订单 response.
struct WeChatPayTransaction: Sendable, Equatable {
    var mchId: String
    var appId: String
    var outTradeNo: String
    var transactionId: String?
    /// SUCCESS, REFUND, NOTPAY, CLOSED, REVOKED, USERPAYING, PAYERROR.
    var tradeState: String
    var tradeStateDescription: String?
    var successTime: Date?
    /// Order amount in fen (`amount.total`); absent in some unpaid query answers.
    var totalFen: Int64?
    /// What the payer actually paid after coupons (`amount.payer_total`).
    var payerTotalFen: Int64?
    var currency: String?

    var status: ProviderTradeStatus {
        let state: ProviderTradeStatus.State
        switch tradeState {
        case "SUCCESS": state = .paid
        // REFUND = "转入退款": paid, then fully or partly refunded.
        case "REFUND": state = .refunded
        case "CLOSED", "REVOKED": state = .closed
        case "PAYERROR": state = .failed
        // NOTPAY, USERPAYING and any state added later: no money has moved that we know of.
        default: state = .pending
        }
        return ProviderTradeStatus(
            outTradeNo: outTradeNo, transactionId: transactionId, amountFen: totalFen ?? 0,
            state: state, paidAt: successTime, providerState: tradeState
        )
    }

    private struct Wire: Decodable {
        struct Amount: Decodable {
            var total: Int64?
            var payerTotal: Int64?
            var currency: String?
        }
        var mchid: String
        var appid: String
        var outTradeNo: String
        var transactionId: String?
        var tradeState: String
        var tradeStateDesc: String?
        var successTime: String?
        var amount: Amount?
    }

    init(decoding data: Data, what: String) throws {
        let wire = try ProviderJSON.decode(Wire.self, from: data, what: what, snakeCase: true)
        var successTime: Date?
        if let text = wire.successTime, !text.isEmpty {
            guard let date = ProviderTime.parseRFC3339(text) else { throw ProviderError.malformed("success_time '\(text)'") }
            successTime = date
        }
        if wire.tradeState == "SUCCESS" || wire.tradeState == "REFUND" {
            guard wire.amount?.total != nil else { throw ProviderError.malformed("\(what): paid transaction without amount.total") }
        }
        self.init(
            mchId: wire.mchid, appId: wire.appid, outTradeNo: wire.outTradeNo, transactionId: wire.transactionId,
            tradeState: wire.tradeState, tradeStateDescription: wire.tradeStateDesc, successTime: successTime,
            totalFen: wire.amount?.total, payerTotalFen: wire.amount?.payerTotal, currency: wire.amount?.currency
        )
    }

    init(
        mchId: String, appId: String, outTradeNo: String, transactionId: String?, tradeState: String,
        tradeStateDescription: String?, successTime: Date?, totalFen: Int64?, payerTotalFen: Int64?, currency: String?
    ) {
        self.mchId = mchId
        self.appId = appId
        self.outTradeNo = outTradeNo
        self.transactionId = transactionId
        self.tradeState = tradeState
        self.tradeStateDescription = tradeStateDescription
        self.successTime = successTime
        self.totalFen = totalFen
        self.payerTotalFen = payerTotalFen
        self.currency = currency
    }
}

/// A refund as in 退款结果通知 (`refund_status`) and the 申请退款 / 查询单笔退款 responses (`status`).
struct WeChatPayRefund: Sendable, Equatable {
    /// Present in callbacks only.
    var mchId: String?
    var outTradeNo: String?
    var transactionId: String?
    var outRefundNo: String
    var refundId: String
    /// SUCCESS, PROCESSING, ABNORMAL, CLOSED.
    var refundStatus: String
    var successTime: Date?
    var totalFen: Int64
    var refundFen: Int64
    var payerRefundFen: Int64?
    var userReceivedAccount: String?

    var result: ProviderRefundResult {
        let state: ProviderRefundResult.State
        switch refundStatus {
        case "SUCCESS": state = .succeeded
        // ABNORMAL: the money could not reach the payer (e.g. card closed) and
        // needs 发起异常退款 or manual handling; CLOSED: WeChat closed the refund.
        case "ABNORMAL", "CLOSED": state = .failed
        default: state = .processing
        }
        return ProviderRefundResult(
            outRefundNo: outRefundNo, refundId: refundId, amountFen: refundFen, state: state, providerState: refundStatus
        )
    }

    private struct Wire: Decodable {
        struct Amount: Decodable {
            var total: Int64
            var refund: Int64
            var payerRefund: Int64?
        }
        var mchid: String?
        var outTradeNo: String?
        var transactionId: String?
        var outRefundNo: String
        var refundId: String
        var status: String?
        var refundStatus: String?
        var successTime: String?
        var userReceivedAccount: String?
        var amount: Amount
    }

    init(decoding data: Data, what: String) throws {
        let wire = try ProviderJSON.decode(Wire.self, from: data, what: what, snakeCase: true)
        // The callback names the field refund_status, the API answers name it status.
        guard let status = wire.refundStatus ?? wire.status else { throw ProviderError.malformed("\(what) without status") }
        var successTime: Date?
        if let text = wire.successTime, !text.isEmpty {
            guard let date = ProviderTime.parseRFC3339(text) else { throw ProviderError.malformed("success_time '\(text)'") }
            successTime = date
        }
        mchId = wire.mchid
        outTradeNo = wire.outTradeNo
        transactionId = wire.transactionId
        outRefundNo = wire.outRefundNo
        refundId = wire.refundId
        refundStatus = status
        self.successTime = successTime
        totalFen = wire.amount.total
        refundFen = wire.amount.refund
        payerRefundFen = wire.amount.payerRefund
        userReceivedAccount = wire.userReceivedAccount
    }
}

/// What to answer a WeChat callback. 支付通知: HTTP 200 or 204 means received
/// (no body needed); any 4xx/5xx with `{"code":"FAIL","message":...}` makes
/// WeChat retry later. Answer success only after the result is durably stored.
struct WeChatPayCallbackReply: Sendable, Equatable {
    var status: Int
    var contentType: String?
    var body: Data

    static let success = WeChatPayCallbackReply(status: 204, contentType: nil, body: Data())

    /// The message of every failure answer we send: the FAIL shape with a 4XX/5XX status is all
    /// WeChat needs to send the notification again, and a callback is unauthenticated until
    /// verified, so whoever posted it learns nothing about our keys, accounts or clock. The
    /// details go to our log.
    static let genericFailureMessage = "失败"

    /// A failure answer with `genericFailureMessage`.
    static func refused(status: Int) -> WeChatPayCallbackReply {
        failure(genericFailureMessage, status: status)
    }

    static func failure(_ message: String, status: Int = 500) -> WeChatPayCallbackReply {
        struct Body: Encodable { var code = "FAIL"; var message: String }
        let text = (try? ProviderJSON.encode(Body(message: message))) ?? #"{"code":"FAIL","message":"FAIL"}"#
        return WeChatPayCallbackReply(status: status, contentType: "application/json", body: Data(text.utf8))
    }
}

// MARK: - API client

/// Calls the v3 API through a transport. Every 2xx answer is signature-checked
/// before it is parsed. Error answers (4xx/5xx) become `ProviderError.rejected`
/// without a signature check: some gateway-level errors are unsigned, and a
/// rejection never moves money, so trusting it cannot cause a wrong payment state.
struct WeChatPayV3Client: Sendable {
    let wechat: WeChatPayV3
    let transport: any ProviderHTTPTransport
    let clock: @Sendable () -> Date
    let makeNonce: @Sendable () -> String
    var userAgent = "ChainMall-PayKit/1.0"

    init(
        config: WeChatPayV3Config,
        transport: any ProviderHTTPTransport,
        clock: @escaping @Sendable () -> Date = { Date() },
        makeNonce: @escaping @Sendable () -> String = WeChatPayV3Client.randomNonce
    ) throws {
        self.wechat = try WeChatPayV3(config: config)
        self.transport = transport
        self.clock = clock
        self.makeNonce = makeNonce
    }

    /// 32 characters from [0-9A-Z], as in the 签名生成 examples.
    static func randomNonce() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    private var config: WeChatPayV3Config { wechat.config }

    /// Native下单: returns `code_url`, the content of the QR code shown to the shopper.
    func createNativeOrder(outTradeNo: String, description: String, amountFen: Int64, expiresAt: Date, attach: String? = nil) async throws -> String {
        struct Amount: Encodable { var total: Int64; var currency = "CNY" }
        struct Body: Encodable {
            var appid: String
            var mchid: String
            var description: String
            var outTradeNo: String
            var timeExpire: String
            var attach: String?
            var notifyUrl: String
            var amount: Amount
        }
        guard amountFen > 0 else { throw ProviderError.malformed("amount must be positive") }
        let body = Body(
            appid: config.appId, mchid: config.mchId, description: description, outTradeNo: outTradeNo,
            timeExpire: ProviderTime.rfc3339China(expiresAt), attach: attach, notifyUrl: config.notifyURL,
            amount: Amount(total: amountFen)
        )
        let response = try await call("POST", "/v3/pay/transactions/native", body: body)
        struct Answer: Decodable { var codeUrl: String }
        return try ProviderJSON.decode(Answer.self, from: response.body, what: "Native下单 response", snakeCase: true).codeUrl
    }

    /// 查询订单 by out_trade_no. An unknown order is `rejected(404, "ORDER_NOT_EXIST", …)`.
    func queryOrder(outTradeNo: String) async throws -> ProviderTradeStatus {
        let path = "/v3/pay/transactions/out-trade-no/\(ProviderPercentEncoding.encode(outTradeNo))"
            + "?mchid=\(ProviderPercentEncoding.encode(config.mchId))"
        let response = try await call("GET", path, body: Optional<Never>.none)
        let transaction = try WeChatPayTransaction(decoding: response.body, what: "查询订单 response")
        try wechat.checkAccount(mchId: transaction.mchId, appId: transaction.appId)
        guard transaction.outTradeNo == outTradeNo else {
            throw ProviderError.malformed("查询订单 answered for \(transaction.outTradeNo)")
        }
        return transaction.status
    }

    /// 关闭订单: WeChat answers 204 with an empty (still signed) body.
    func closeOrder(outTradeNo: String) async throws {
        struct Body: Encodable { var mchid: String }
        let path = "/v3/pay/transactions/out-trade-no/\(ProviderPercentEncoding.encode(outTradeNo))/close"
        _ = try await call("POST", path, body: Body(mchid: config.mchId))
    }

    /// 申请退款. `totalFen` is the original order amount, which WeChat requires
    /// and checks. Re-sending the same `outRefundNo` is idempotent.
    func refund(outTradeNo: String, outRefundNo: String, amountFen: Int64, totalFen: Int64, reason: String?) async throws -> ProviderRefundResult {
        struct Amount: Encodable { var refund: Int64; var total: Int64; var currency = "CNY" }
        struct Body: Encodable {
            var outTradeNo: String
            var outRefundNo: String
            var reason: String?
            var notifyUrl: String
            var amount: Amount
        }
        guard amountFen > 0, amountFen <= totalFen else { throw ProviderError.malformed("refund amount out of range") }
        let body = Body(
            outTradeNo: outTradeNo, outRefundNo: outRefundNo, reason: reason, notifyUrl: config.notifyURL,
            amount: Amount(refund: amountFen, total: totalFen)
        )
        let response = try await call("POST", "/v3/refund/domestic/refunds", body: body)
        return try WeChatPayRefund(decoding: response.body, what: "申请退款 response").result
    }

    /// 查询单笔退款 by out_refund_no.
    func queryRefund(outRefundNo: String) async throws -> ProviderRefundResult {
        let path = "/v3/refund/domestic/refunds/\(ProviderPercentEncoding.encode(outRefundNo))"
        let response = try await call("GET", path, body: Optional<Never>.none)
        return try WeChatPayRefund(decoding: response.body, what: "查询单笔退款 response").result
    }

    private func call<Body: Encodable>(_ method: String, _ pathAndQuery: String, body: Body?) async throws -> ProviderHTTPResponse {
        let bodyData = try body.map { Data(try ProviderJSON.encode($0, snakeCase: true).utf8) }
        return try await send(method, pathAndQuery, bodyData: bodyData)
    }

    private struct ErrorBody: Decodable {
        var code: String
        var message: String?
    }

    private func send(_ method: String, _ pathAndQuery: String, bodyData: Data?) async throws -> ProviderHTTPResponse {
        let timestamp = Int64(clock().timeIntervalSince1970.rounded(.down))
        let authorization = try wechat.authorization(
            method: method, pathAndQuery: pathAndQuery, body: bodyData ?? Data(), timestamp: timestamp, nonce: makeNonce()
        )
        var base = config.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + pathAndQuery) else { throw ProviderError.malformed("URL \(pathAndQuery)") }

        // User-Agent is mandatory for APIv3: requests without one are refused.
        var headers = [("Authorization", authorization), ("Accept", "application/json"), ("User-Agent", userAgent)]
        if bodyData != nil { headers.append(("Content-Type", "application/json")) }
        if let id = wechat.publicKeyId { headers.append(("Wechatpay-Serial", id)) }

        let response = try await transport.send(ProviderHTTPRequest(method: method, url: url, headers: headers, body: bodyData))
        guard (200..<300).contains(response.status) else {
            if let error = try? JSONDecoder().decode(ErrorBody.self, from: response.body) {
                throw ProviderError.rejected(status: response.status, code: error.code, message: error.message ?? "")
            }
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw ProviderError.rejected(status: response.status, code: "HTTP_\(response.status)", message: text)
        }
        try wechat.verify(headers: response.headers, body: response.body, now: clock())
        return response
    }
}
