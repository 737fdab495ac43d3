import Crypto
import CryptoExtras
import Foundation
import Testing

@testable import MallServer

// Vectors come from vectors/make_payment_vectors.py (Python `cryptography`),
// an implementation that shares no code with the Swift one. The JSON is
// committed; CI only reads it.

struct PaymentVectors: Decodable, Sendable {
    struct WeChat: Decodable, Sendable {
        struct RequestVector: Decodable, Sendable {
            var method: String
            var url: String
            var timestamp: String
            var nonce: String
            var body: String
            var message: String
            var signature: String
            var authorization: String
        }
        struct SignedMessage: Decodable, Sendable {
            var headers: [String: String]
            var body: String
            var headerList: [(String, String)] { headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
            var bodyData: Data { Data(body.utf8) }
        }
        struct PaymentExpected: Decodable, Sendable {
            var id: String
            var eventType: String
            var outTradeNo: String
            var transactionId: String
            var tradeState: String
            var successTimeUnix: Int64
            var total: Int64
            var payerTotal: Int64
            var currency: String
        }
        struct Callback: Decodable, Sendable {
            var headers: [String: String]
            var body: String
            var expected: PaymentExpected
            var message: SignedMessage { SignedMessage(headers: headers, body: body) }
        }
        struct RefundExpected: Decodable, Sendable {
            var id: String
            var eventType: String
            var outTradeNo: String
            var outRefundNo: String
            var refundId: String
            var refundStatus: String
            var total: Int64
            var refund: Int64
            var successTimeUnix: Int64
        }
        struct RefundCallback: Decodable, Sendable {
            var headers: [String: String]
            var body: String
            var expected: RefundExpected
            var message: SignedMessage { SignedMessage(headers: headers, body: body) }
        }
        struct QueryExpected: Decodable, Sendable {
            var outTradeNo: String
            var transactionId: String
            var total: Int64
            var successTimeUnix: Int64
        }
        struct QueryResponse: Decodable, Sendable {
            var status: Int
            var headers: [String: String]
            var body: String
            var expectedUrl: String
            var expected: QueryExpected
        }

        var mchid: String
        var appid: String
        var merchantSerial: String
        var apiV3Key: String
        var merchantPrivateKeyPkcs8: String
        var merchantPrivateKeyPkcs1: String
        var merchantPublicKey: String
        var platformCertificate: String
        var platformCertificateSerial: String
        var platformPublicKey: String
        var platformPublicKeyId: String
        var requestPost: RequestVector
        var requestGet: RequestVector
        var now: Int64
        var paymentCallback: Callback
        var paymentCallbackTampered: SignedMessage
        var refundCallback: RefundCallback
        var queryResponse: QueryResponse

        /// Config trusting both the platform certificate and the 微信支付公钥, as during WeChat's migration.
        func config(mchId: String? = nil, appId: String? = nil, apiV3Key: String? = nil, privateKey: String? = nil) -> WeChatPayV3Config {
            WeChatPayV3Config(
                mchId: mchId ?? mchid, appId: appId ?? appid, merchantSerialNumber: merchantSerial,
                merchantPrivateKeyPEM: privateKey ?? merchantPrivateKeyPkcs8, apiV3Key: apiV3Key ?? self.apiV3Key,
                platformKeys: [platformCertificateSerial: platformCertificate, platformPublicKeyId: platformPublicKey],
                notifyURL: "https://mall.example.com/pay/wechat/notify"
            )
        }
    }

    struct Alipay: Decodable, Sendable {
        struct PagePay: Decodable, Sendable {
            struct Inputs: Decodable, Sendable {
                var outTradeNo: String
                var amountFen: Int64
                var subject: String
                var timeExpireUnix: Int64
                var timestampUnix: Int64
            }
            var inputs: Inputs
            var params: [String: String]
            var stringToSign: String
            var sign: String
        }
        struct Form: Decodable, Sendable {
            var body: String
            var data: Data { Data(body.utf8) }
        }
        struct NotificationExpected: Decodable, Sendable {
            var outTradeNo: String
            var tradeNo: String
            var tradeStatus: String
            var totalFen: Int64
            var subject: String
            var body: String
            var gmtPaymentUnix: Int64
        }
        struct Notification: Decodable, Sendable {
            var body: String
            var expected: NotificationExpected
            var data: Data { Data(body.utf8) }
        }
        struct QueryExpected: Decodable, Sendable {
            var outTradeNo: String
            var tradeNo: String
            var totalFen: Int64
            var sendPayDateUnix: Int64
        }
        struct QueryResponse: Decodable, Sendable {
            var body: String
            var signedText: String
            var expected: QueryExpected
        }

        var appId: String
        var sellerId: String
        var notifyUrl: String
        var returnUrl: String
        var appPrivateKeyPkcs8: String
        var appPrivateKeyPkcs1Base64: String
        var appPublicKey: String
        var alipayPublicKey: String
        var alipayPublicKeyBase64: String
        var pagePay: PagePay
        var notification: Notification
        var notificationTampered: Form
        var notificationWrongAppId: Form
        var notificationBadAmount: Form
        var queryResponse: QueryResponse

        func config(privateKey: String? = nil, publicKey: String? = nil, sellerId: String? = nil) -> AlipayConfig {
            AlipayConfig(
                appId: appId, appPrivateKeyPEM: privateKey ?? appPrivateKeyPkcs8, alipayPublicKeyPEM: publicKey ?? alipayPublicKey,
                notifyURL: notifyUrl, returnURL: returnUrl, sellerId: sellerId ?? self.sellerId
            )
        }
    }

    var wechat: WeChat
    var alipay: Alipay

    private static let loaded = Result { () throws -> PaymentVectors in
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(PaymentVectors.self, from: FixtureFiles.data("payment_vectors.json"))
    }

    static func load() throws -> PaymentVectors { try loaded.get() }
}

// MARK: - Fake transport

actor RequestLog {
    private(set) var requests: [ProviderHTTPRequest] = []
    func append(_ request: ProviderHTTPRequest) { requests.append(request) }
}

/// Records every request and answers with `respond`, which may also throw to
/// fail the test from inside the "provider".
struct FakeTransport: ProviderHTTPTransport {
    let log = RequestLog()
    let respond: @Sendable (ProviderHTTPRequest) throws -> ProviderHTTPResponse

    func send(_ request: ProviderHTTPRequest) async throws -> ProviderHTTPResponse {
        await log.append(request)
        return try respond(request)
    }
}

struct FakeProviderFailure: Error, CustomStringConvertible {
    var description: String
}

// MARK: - Keys made in Swift for the fake providers

enum FakeProviderKeys {
    private static let wechat = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }
    private static let alipay = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    /// Plays WeChat's 微信支付公钥 for the fake API.
    static func weChatPlatform() throws -> _RSA.Signing.PrivateKey { try wechat.get() }
    /// Plays Alipay's platform key for the fake gateway.
    static func alipayPlatform() throws -> _RSA.Signing.PrivateKey { try alipay.get() }
}

func rsaSignBase64(_ text: String, _ key: _RSA.Signing.PrivateKey) throws -> String {
    try key.signature(for: Data(text.utf8), padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
}

func rsaVerify(_ signatureBase64: String, _ message: Data, _ key: _RSA.Signing.PublicKey) -> Bool {
    guard let raw = Data(base64Encoded: signatureBase64) else { return false }
    return key.isValidSignature(.init(rawRepresentation: raw), for: message, padding: .insecurePKCS1v1_5)
}

/// Parses JSON test bodies for field assertions.
func jsonObject(_ data: Data?) throws -> [String: Any] {
    let data = try #require(data)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func expectProviderError(_ expected: ProviderError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(expected), got success", sourceLocation: sourceLocation)
    } catch let error as ProviderError {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

/// For errors whose message text is not the point: matches the case only.
func expectProviderError(
    matching predicate: (ProviderError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected an error, got success", sourceLocation: sourceLocation)
    } catch let error as ProviderError {
        #expect(predicate(error), "unexpected \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

extension ProviderError {
    var isBadSignature: Bool { if case .badSignature = self { return true } else { return false } }
    var isMalformed: Bool { if case .malformed = self { return true } else { return false } }
    var isWrongAccount: Bool { if case .wrongAccount = self { return true } else { return false } }
    var isInvalidConfiguration: Bool { if case .invalidConfiguration = self { return true } else { return false } }
}
