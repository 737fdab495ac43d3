import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests, written against the published specification:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html and
/// the S3 specifics in https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html.
/// Checked byte for byte against botocore's `S3SigV4Auth` (Tests/vectors/make_sigv4_vectors.py).
///
/// S3 differs from other services in two ways that matter here: the object path is URI-encoded
/// once (other services encode it twice) and is never normalised, and the payload hash is both
/// signed and sent as `x-amz-content-sha256`.
struct SigV4Signer: Sendable {
    var accessKeyId: String
    var secretAccessKey: String
    var region: String
    var service: String = "s3"

    /// What gets signed. `path` is the object path as written (`/bucket/商品 图.jpg`), not yet
    /// encoded; `headers` are the headers that will be sent, apart from the ones the signer adds.
    struct Message: Sendable {
        var method: String
        /// The Host header: host name, plus `:port` unless it is the scheme's default.
        var host: String
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        /// Lower-case hex SHA-256 of the body (of the empty string when there is none).
        var payloadSHA256: String
    }

    struct Signature: Sendable, Equatable {
        var canonicalRequest: String
        var stringToSign: String
        var signedHeaders: String
        var signature: String
        var authorization: String
        var amzDate: String
        var payloadSHA256: String

        /// Headers to send on top of the message's own (and `Host`).
        var headers: [(name: String, value: String)] {
            [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadSHA256), ("Authorization", authorization)]
        }
    }

    /// Hop-by-hop and proxy-rewritten headers are never signed: something between us and the
    /// server may change them. The same list botocore keeps.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    func sign(_ message: Message, at date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"

        // Header names lower-cased; repeated headers joined with commas in the order given; values
        // trimmed with inner runs of white space folded to one space ("Trimall").
        var headers: [String: [String]] = [:]
        for (name, value) in message.headers {
            let lower = name.lowercased()
            guard !Self.unsignedHeaders.contains(lower), lower != "x-amz-date", lower != "x-amz-content-sha256" else { continue }
            headers[lower, default: []].append(Self.trimAll(value))
        }
        if headers["host"] == nil { headers["host"] = [message.host] }
        headers["x-amz-date"] = [amzDate]
        headers["x-amz-content-sha256"] = [message.payloadSHA256]
        let names = headers.keys.sorted(by: Self.byteOrder)
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let canonicalQuery = message.query
            .map { (Self.uriEncode($0.name, keepSlash: false), Self.uriEncode($0.value, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? Self.byteOrder($0.1, $1.1) : Self.byteOrder($0.0, $1.0) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")

        let canonicalRequest = [
            message.method.uppercased(),
            Self.uriEncode(message.path, keepSlash: true),
            canonicalQuery,
            canonicalHeaders,
            signedHeaders,
            message.payloadSHA256,
        ].joined(separator: "\n")

        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.sha256Hex(Data(canonicalRequest.utf8))].joined(separator: "\n")

        // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))

        return Signature(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signedHeaders: signedHeaders,
            signature: signature,
            authorization: "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
            amzDate: amzDate,
            payloadSHA256: message.payloadSHA256
        )
    }

    /// RFC 3986 percent-encoding as SigV4 defines it: every byte of the UTF-8 form except the
    /// unreserved `A–Z a–z 0–9 - . _ ~` becomes `%XX` in upper-case hex; `/` is kept in paths.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                result.append("/")
            default:
                result.append("%")
                result.unicodeScalars.append(upperHexDigits[Int(byte >> 4)])
                result.unicodeScalars.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return result
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    static func sha256Hex<D: DataProtocol>(_ data: D) -> String { hex(SHA256.hash(data: data)) }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var result = ""
        for byte in bytes {
            result.unicodeScalars.append(lowerHexDigits[Int(byte >> 4)])
            result.unicodeScalars.append(lowerHexDigits[Int(byte & 0x0F)])
        }
        return result
    }

    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Canonical lists sort by byte value, as the services compare them.
    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    private static let upperHexDigits = Array("0123456789ABCDEF".unicodeScalars)
    private static let lowerHexDigits = Array("0123456789abcdef".unicodeScalars)
}
