import Crypto
import CryptoExtras
import Foundation

// Shared plumbing for the payment-provider protocol code (WeChatPayV3.swift,
// Alipay.swift). Nothing here knows about Vapor: the server adapts its HTTP
// client to `ProviderHTTPTransport`, and tests plug in a fake.

// MARK: - Transport

/// One outbound call to a provider. Headers are an ordered list because the
/// protocol code signs exact bytes and never needs a dictionary's merging rules.
struct ProviderHTTPRequest: Sendable {
    var method: String
    var url: URL
    var headers: [(String, String)]
    var body: Data?

    /// First header with this name, compared case-insensitively.
    func header(_ name: String) -> String? { providerHeader(name, in: headers) }
}

/// A provider's answer. `body` must be the raw bytes off the wire: both
/// providers sign the body text as sent, so a decoded-and-re-encoded body
/// will not verify.
struct ProviderHTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data

    /// First header with this name, compared case-insensitively.
    func header(_ name: String) -> String? { providerHeader(name, in: headers) }
}

/// Sends a request and returns the raw response; must not follow redirects or
/// alter the body. Non-2xx statuses are returned, not thrown: the protocol code
/// maps them to `ProviderError.rejected`.
protocol ProviderHTTPTransport: Sendable {
    func send(_ request: ProviderHTTPRequest) async throws -> ProviderHTTPResponse
}

/// Case-insensitive lookup used for responses and for inbound callback headers
/// (HTTP field names are case-insensitive; proxies often lower-case them).
func providerHeader(_ name: String, in headers: [(String, String)]) -> String? {
    let wanted = name.lowercased()
    return headers.first { $0.0.lowercased() == wanted }?.1
}

// MARK: - Errors and results

enum ProviderError: Error, Equatable {
    /// A signature did not verify, or was missing or not decodable.
    case badSignature(String)
    /// Signed with a key we have not configured (WeChat `Wechatpay-Serial`).
    case unknownSigningKey(String)
    /// A signed timestamp outside the replay window; the value is the offending Unix time.
    case staleTimestamp(Int64)
    /// Structurally wrong input (JSON, form, amount text, dates, headers).
    case malformed(String)
    /// Authentic, but addressed to another merchant or app (mchid/appid/app_id/seller_id).
    case wrongAccount(String)
    /// The provider answered with an error (HTTP 4xx/5xx for WeChat, `code != 10000` for Alipay).
    case rejected(status: Int, code: String, message: String)
    /// AES-256-GCM authentication failed (wrong APIv3 key or tampered resource).
    case decryptionFailed
    /// Keys or settings that cannot work, found when building a client.
    case invalidConfiguration(String)
}

extension ProviderError: CustomStringConvertible {
    /// For operators' logs only: it can name key serials, account ids and timestamps, so it
    /// never goes back to a caller (shoppers see `ProblemConvertible.detail`, providers a
    /// fixed failure answer).
    var description: String {
        switch self {
        case .badSignature(let why): "bad signature: \(why)"
        case .unknownSigningKey(let serial): "signed with key \(serial), which is not configured (check the platform keys)"
        case .staleTimestamp(let timestamp): "signed timestamp \(timestamp) is outside the replay window (a replay, or a clock off by minutes)"
        case .malformed(let why): "malformed: \(why)"
        case .wrongAccount(let why): "addressed to another account: \(why)"
        case .rejected(let status, let code, let message): "refused with HTTP \(status) \(code): \(message)"
        case .decryptionFailed: "the resource does not decrypt with the APIv3 key (a wrong key or a tampered body)"
        case .invalidConfiguration(let why): "invalid configuration: \(why)"
        }
    }

    /// True when an answer or callback could not be trusted: its signature, signing key,
    /// timestamp, encryption or addressee is wrong. That is how a wrong platform key, a
    /// clock out of step or someone in between shows itself, so operators must see it.
    var isVerificationFailure: Bool {
        switch self {
        case .badSignature, .unknownSigningKey, .staleTimestamp, .wrongAccount, .decryptionFailed: true
        case .malformed, .rejected, .invalidConfiguration: false
        }
    }
}

/// Provider-neutral view of a payment, as returned by queries and notifications.
struct ProviderTradeStatus: Sendable, Equatable {
    enum State: Sendable, Equatable {
        case pending
        case paid
        case closed
        case refunded
        /// WeChat `PAYERROR`: the attempt failed; the order may still be paid by a new attempt.
        case failed
    }

    var outTradeNo: String
    var transactionId: String?
    var amountFen: Int64
    var state: State
    var paidAt: Date?
    /// The provider's own status word, kept for logs and audits.
    var providerState: String
}

/// Provider-neutral view of a refund.
struct ProviderRefundResult: Sendable, Equatable {
    enum State: Sendable, Equatable {
        case processing
        case succeeded
        case failed
    }

    var outRefundNo: String
    var refundId: String?
    var amountFen: Int64
    var state: State
    var providerState: String?
}

// MARK: - Money

/// Amounts are Int64 fen everywhere; providers that speak yuan (Alipay) get
/// exact decimal text, never a floating-point value.
enum ProviderMoney {
    /// "88.88" → 8888. Accepts 1–15 integer digits and at most two decimals;
    /// refuses signs, blanks, exponents and a third decimal rather than rounding.
    static func fen(fromYuan text: String) throws -> Int64 {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 15,
              whole.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let yuan = Int64(whole)
        else { throw ProviderError.malformed("amount '\(text)'") }
        var fen: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count),
                  fraction.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let value = Int64(fraction)
            else { throw ProviderError.malformed("amount '\(text)'") }
            fen = fraction.count == 1 ? value * 10 : value
        }
        return yuan * 100 + fen
    }

    /// 8888 → "88.88"; 5 → "0.05".
    static func yuan(fromFen fen: Int64) -> String {
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return (fen < 0 ? "-" : "") + "\(magnitude / 100)." + (cents < 10 ? "0" : "") + "\(cents)"
    }
}

// MARK: - Time

/// Both providers write wall-clock times in China Standard Time. China has had
/// no DST since 1991, so a fixed +08:00 offset is exact and avoids depending on
/// the server's tz database.
enum ProviderTime {
    static let chinaOffsetSeconds: Int64 = 8 * 3600

    /// `2024-06-01T12:30:00+08:00` (WeChat `time_expire`, RFC 3339).
    static func rfc3339China(_ date: Date) -> String {
        let f = fields(of: date)
        return "\(f.date)T\(f.time)+08:00"
    }

    /// `2024-06-01 12:30:00` in Asia/Shanghai (Alipay `timestamp`, `time_expire`).
    static func alipayChina(_ date: Date) -> String {
        let f = fields(of: date)
        return "\(f.date) \(f.time)"
    }

    /// RFC 3339 with `Z` or `±HH:MM`, optional fractional seconds (WeChat `success_time`).
    static func parseRFC3339(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let base = civilSeconds(b)
        else { return nil }
        var i = 19
        var fraction = 0.0
        if b[i] == UInt8(ascii: ".") {
            var scale = 0.1
            i += 1
            let start = i
            while i < b.count, let d = digit(b[i]) {
                fraction += Double(d) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        let offset: Int64
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
            offset = 0
        } else {
            guard i + 6 == b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"),
                  b[i + 3] == UInt8(ascii: ":"),
                  let hh = number(b, i + 1, 2), let mm = number(b, i + 4, 2), hh < 24, mm < 60
            else { return nil }
            offset = (b[i] == UInt8(ascii: "-") ? -1 : 1) * (hh * 3600 + mm * 60)
        }
        return Date(timeIntervalSince1970: Double(base - offset) + fraction)
    }

    /// `yyyy-MM-dd HH:mm:ss` read as Asia/Shanghai (Alipay `gmt_payment`, `send_pay_date`).
    static func parseAlipay(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 19, b[10] == UInt8(ascii: " "), let base = civilSeconds(b) else {
            return nil
        }
        return Date(timeIntervalSince1970: Double(base - chinaOffsetSeconds))
    }

    private static func fields(of date: Date) -> (date: String, time: String) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down)) + chinaOffsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return (
            "\(paddedYear)-\(two(m))-\(two(d))",
            "\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))"
        )
    }

    /// Seconds since the epoch for `yyyy-MM-dd?HH:mm:ss` (any separator at index 10) at offset zero.
    private static func civilSeconds(_ b: [UInt8]) -> Int64? {
        guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let y = number(b, 0, 4), let mo = number(b, 5, 2), let d = number(b, 8, 2),
              let h = number(b, 11, 2), let mi = number(b, 14, 2), let s = number(b, 17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        let days = self.days(fromCivil: y, mo, d)
        // Refuse 31 February and friends instead of silently rolling over.
        guard civil(fromDays: days) == (y, mo, d) else { return nil }
        return days * 86_400 + h * 3600 + mi * 60 + s
    }

    private static func digit(_ c: UInt8) -> Int64? {
        c >= 0x30 && c <= 0x39 ? Int64(c - 0x30) : nil
    }

    private static func number(_ b: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start + count <= b.count else { return nil }
        var value: Int64 = 0
        for i in start..<(start + count) {
            guard let d = digit(b[i]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    // Proleptic Gregorian day counting (H. Hinnant's days_from_civil / civil_from_days).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

// MARK: - Encoding helpers

enum ProviderPercentEncoding {
    /// RFC 3986 unreserved characters only, so the result is safe in a path
    /// segment, a query and a form body alike.
    static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// Decodes one `application/x-www-form-urlencoded` component: `+` is a
    /// space, `%XX` are UTF-8 bytes. Broken escapes or invalid UTF-8 throw.
    static func decodeFormComponent<S: StringProtocol>(_ text: S) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let hi = iterator.next().flatMap(hexValue), let lo = iterator.next().flatMap(hexValue) else {
                    throw ProviderError.malformed("bad percent escape in form data")
                }
                bytes.append(hi << 4 | lo)
            default:
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw ProviderError.malformed("form data is not UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

// MARK: - RSA (SHA256withRSA, PKCS#1 v1.5)

/// Both providers use SHA256withRSA with PKCS#1 v1.5 padding ("RSA2" at
/// Alipay, "WECHATPAY2-SHA256-RSA2048" at WeChat). swift-crypto labels that
/// padding "insecure" only because PSS is preferred for new designs; it is the
/// padding the providers mandate.
enum ProviderRSA {
    /// Accepts PKCS#8 (`BEGIN PRIVATE KEY`, WeChat's apiclient_key.pem), PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`), or a bare base64 DER line as Alipay's key tool prints it.
    static func privateKey(_ text: String, what: String) throws -> _RSA.Signing.PrivateKey {
        do {
            if text.contains("-----BEGIN") {
                return try _RSA.Signing.PrivateKey(pemRepresentation: text)
            }
            return try _RSA.Signing.PrivateKey(derRepresentation: try bareBase64(text))
        } catch {
            throw ProviderError.invalidConfiguration("\(what): not a readable RSA-2048+ private key")
        }
    }

    /// Accepts `BEGIN PUBLIC KEY` (SPKI), `BEGIN RSA PUBLIC KEY` (PKCS#1) or bare base64 DER
    /// (how the Alipay console shows 支付宝公钥).
    static func publicKey(_ text: String, what: String) throws -> _RSA.Signing.PublicKey {
        do {
            if text.contains("-----BEGIN") {
                return try _RSA.Signing.PublicKey(pemRepresentation: text)
            }
            return try _RSA.Signing.PublicKey(derRepresentation: try bareBase64(text))
        } catch {
            throw ProviderError.invalidConfiguration("\(what): not a readable RSA-2048+ public key")
        }
    }

    /// Base64 signature over the UTF-8/bytes of `message`.
    static func sign(_ message: some DataProtocol, with key: _RSA.Signing.PrivateKey) throws -> String {
        try key.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
    }

    static func isValid(signatureBase64: String, for message: some DataProtocol, key: _RSA.Signing.PublicKey) -> Bool {
        guard let raw = Data(base64Encoded: signatureBase64) else { return false }
        return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: raw), for: message, padding: .insecurePKCS1v1_5)
    }

    private static func bareBase64(_ text: String) throws -> Data {
        let compact = text.filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: compact) else { throw ProviderError.malformed("key is not base64") }
        return der
    }
}

// MARK: - JSON

enum ProviderJSON {
    /// Deterministic, compact JSON. `/` is left unescaped because Alipay signs
    /// `biz_content` as text and other implementations do not escape it.
    /// `snakeCase` maps Swift `outTradeNo` to the wire's `out_trade_no`.
    static func encode<T: Encodable>(_ value: T, snakeCase: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        let data = try encoder.encode(value)
        guard let text = String(data: data, encoding: .utf8) else { throw ProviderError.malformed("JSON encoding") }
        return text
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String, snakeCase: Bool = false) throws -> T {
        let decoder = JSONDecoder()
        if snakeCase { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            throw ProviderError.malformed("\(what): \(Self.describe(error))")
        } catch {
            throw ProviderError.malformed("\(what): not JSON")
        }
    }

    /// Names the failing field without echoing payload values into logs.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            return "missing field \(prefix.isEmpty ? "" : prefix + ".")\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context))"
        case .dataCorrupted(let context):
            return "invalid JSON at \(path(context))"
        @unknown default:
            return "undecodable"
        }
    }
}
