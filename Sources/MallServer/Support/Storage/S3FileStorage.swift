import Foundation
import Vapor

/// Where an S3-compatible bucket is and how to sign for it, parsed from `STORAGE_URL`:
///
///     s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?region=REGION][&tls=true|false]
///
/// - Access key and secret are percent-encoded where they hold URL syntax (`/` → `%2F`,
///   `+` → `%2B`, `@` → `%40`, `:` → `%3A`).
/// - Requests use path-style addressing, `https://HOST:PORT/BUCKET/KEY`, which MinIO, Ceph RGW
///   and AWS all accept and which needs no wildcard DNS.
/// - `region` is the signing region, `us-east-1` when absent (MinIO's default too).
/// - HTTPS unless the host is the loopback interface (`127.0.0.1`, `localhost`, `::1`), where a
///   development server usually speaks plain HTTP; `tls=true` forces HTTPS there. Plain HTTP to
///   any other host is refused: the bucket's credentials and files would cross the network in
///   the clear.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int?
    public var usesTLS: Bool
    public var bucket: String
    public var region: String
    public var accessKeyId: String
    public var secretAccessKey: String

    public init(host: String, port: Int? = nil, usesTLS: Bool, bucket: String, region: String = "us-east-1",
                accessKeyId: String, secretAccessKey: String) {
        self.host = host
        self.port = port
        self.usesTLS = usesTLS
        self.bucket = bucket
        self.region = region
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
    }

    /// Throws `S3LocationError` saying what is wrong with the URL (never echoing the secret).
    public init(parsing text: String) throws {
        guard text.lowercased().hasPrefix("s3://") else {
            throw S3LocationError("must be an s3:// URL such as s3://ACCESS_KEY:SECRET@host:9000/bucket?region=us-east-1")
        }
        guard let components = URLComponents(string: text) else { throw S3LocationError("is not a valid URL") }
        guard let user = components.user, !user.isEmpty, let password = components.password, !password.isEmpty else {
            throw S3LocationError("must carry the access key and secret as s3://ACCESS_KEY:SECRET@host/bucket")
        }
        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw S3LocationError("must name the storage server's host") }
        var segments = Array(components.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst())
        if segments.count == 2, segments[1].isEmpty { segments.removeLast() } // s3://…/bucket/
        guard segments.count == 1, let bucket = segments.first.map(String.init), Self.isValidBucketName(bucket) else {
            throw S3LocationError("must name one bucket as its path (3–63 lower-case letters, digits, '.' or '-'), e.g. s3://KEY:SECRET@host/chainmall")
        }
        var region = "us-east-1"
        var tls: Bool?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "region":
                guard let value = item.value, !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                    throw S3LocationError("has an invalid region; use a name such as us-east-1")
                }
                region = value
            case "tls":
                switch item.value?.lowercased() {
                case "true", "1": tls = true
                case "false", "0": tls = false
                default: throw S3LocationError("must give tls as true or false")
                }
            default:
                throw S3LocationError("has an unknown option \"\(item.name)\" (known: region, tls)")
            }
        }
        let loopback = Self.isLoopback(host)
        if tls == false && !loopback {
            throw S3LocationError("may use plain HTTP (tls=false) only for 127.0.0.1 or localhost; other hosts need HTTPS")
        }
        if let port = components.port, !(1...65_535).contains(port) { throw S3LocationError("has an invalid port") }
        self.init(host: host.lowercased(), port: components.port, usesTLS: tls ?? !loopback, bucket: bucket, region: region,
                  accessKeyId: user, secretAccessKey: password)
    }

    static func isLoopback(_ host: String) -> Bool {
        ["127.0.0.1", "localhost", "::1"].contains(host.lowercased())
    }

    /// Bucket naming rules shared by AWS and MinIO, which path-style URLs rely on.
    static func isValidBucketName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(name.count), name.allSatisfy({ allowed.contains($0) }), let first = name.first, let last = name.last else {
            return false
        }
        return (first.isLetter || first.isNumber) && (last.isLetter || last.isNumber)
    }

    /// The Host header, and the authority of every request URL: the port is left out when it is
    /// the scheme's default, as HTTP clients and signers do.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        guard let port, port != (usesTLS ? 443 : 80) else { return name }
        return "\(name):\(port)"
    }

    var baseURL: String { (usesTLS ? "https://" : "http://") + hostHeader }

    /// The secret stays out of logs and error messages.
    public var description: String {
        "s3://\(accessKeyId):***@\(hostHeader)/\(bucket)?region=\(region)\(usesTLS ? "" : "&tls=false")"
    }
}

public struct S3LocationError: Error, CustomStringConvertible {
    public var problem: String
    init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

/// Files in an S3-compatible bucket, over the application's HTTP client, signed with SigV4.
struct S3FileStorage: FileStorage {
    let location: S3Location
    let client: any Client
    let logger: Logger
    let signer: SigV4Signer
    /// Signatures carry the wall-clock time, which the server checks against its own (AWS allows
    /// 15 minutes of skew). That is why this is the system clock and not the app's `MallClock`,
    /// which tests pin to a fixed day.
    let now: @Sendable () -> Date

    init(location: S3Location, client: any Client, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.location = location
        self.client = client
        self.logger = logger
        self.signer = SigV4Signer(accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey, region: location.region)
        self.now = now
    }

    func put(key: String, data: Data, contentType: String) async throws {
        let key = try FileStorageKey.validate(key)
        // Content-Type is signed and always sent: some S3 servers (moto among them) drop the body
        // of a PUT that has none.
        let response = try await send(.PUT, path: objectPath(key), headers: [("Content-Type", contentType)], body: data, operation: "storing \(key)")
        guard response.status == .ok else { throw rejection(response, operation: "storing \(key)") }
    }

    func get(key: String) async throws -> Data? {
        let key = try FileStorageKey.validate(key)
        let response = try await send(.GET, path: objectPath(key), operation: "reading \(key)")
        switch response.status {
        case .ok: return response.body.map { Data(buffer: $0) } ?? Data()
        case .notFound: return nil
        default: throw rejection(response, operation: "reading \(key)")
        }
    }

    func get(key: String, offset: Int, length: Int) async throws -> Data? {
        let key = try FileStorageKey.validate(key)
        guard offset >= 0, length > 0 else { throw FileStorageError.invalidRange }
        let (last, overflow) = offset.addingReportingOverflow(length - 1)
        let range = "bytes=\(offset)-\(overflow ? Int.max : last)"
        let response = try await send(.GET, path: objectPath(key), headers: [("Range", range)], operation: "reading \(key)")
        switch response.status {
        case .partialContent: return response.body.map { Data(buffer: $0) } ?? Data()
        // A server that ignores Range sends the whole object.
        case .ok:
            let whole = response.body.map { Data(buffer: $0) } ?? Data()
            return whole.count > offset ? whole.subdata(in: offset..<min(whole.count, overflow ? Int.max : last + 1)) : Data()
        case .rangeNotSatisfiable: return Data()
        case .notFound: return nil
        default: throw rejection(response, operation: "reading \(key)")
        }
    }

    func delete(key: String) async throws {
        let key = try FileStorageKey.validate(key)
        let response = try await send(.DELETE, path: objectPath(key), operation: "deleting \(key)")
        guard [.noContent, .ok, .notFound].contains(response.status) else { throw rejection(response, operation: "deleting \(key)") }
    }

    /// Creates the bucket; one that already exists and is ours counts as created. Operators
    /// usually create buckets themselves; tests and first-time set-ups use this.
    func createBucket() async throws {
        var headers: [(name: String, value: String)] = []
        var body: Data?
        if location.region != "us-east-1" {
            // Outside us-east-1 the region must be named in the body (S3 CreateBucket API).
            headers.append(("Content-Type", "application/xml"))
            body = Data("""
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(location.region)</LocationConstraint></CreateBucketConfiguration>
                """.utf8)
        }
        let response = try await send(.PUT, path: "/" + location.bucket, headers: headers, body: body, operation: "creating bucket \(location.bucket)")
        if response.status == .ok { return }
        let (code, _) = Self.errorDetails(response)
        if response.status == .conflict && code == "BucketAlreadyOwnedByYou" { return }
        throw rejection(response, operation: "creating bucket \(location.bucket)")
    }

    func objectPath(_ key: String) -> String { "/\(location.bucket)/\(key)" }

    private func send(_ method: HTTPMethod, path: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
                      operation: String) async throws -> ClientResponse {
        let payload = body ?? Data()
        let signature = signer.sign(
            SigV4Signer.Message(method: method.rawValue, host: location.hostHeader, path: path, headers: headers,
                                payloadSHA256: SigV4Signer.sha256Hex(payload)),
            at: now())
        var httpHeaders = HTTPHeaders(headers.map { ($0.name, $0.value) })
        httpHeaders.replaceOrAdd(name: .host, value: location.hostHeader)
        for (name, value) in signature.headers { httpHeaders.replaceOrAdd(name: name, value: value) }
        var request = ClientRequest(method: method, url: URI(string: location.baseURL + SigV4Signer.uriEncode(path, keepSlash: true)),
                                    headers: httpHeaders, body: body.map { ByteBuffer(data: $0) })
        request.timeout = .seconds(30)
        do {
            return try await client.send(request).get()
        } catch {
            logger.error("file storage \(location) unreachable while \(operation): \(String(reflecting: error))")
            throw FileStorageError.unavailable(operation: operation, reason: String(describing: error))
        }
    }

    private func rejection(_ response: ClientResponse, operation: String) -> FileStorageError {
        let (code, message) = Self.errorDetails(response)
        logger.error("file storage \(location) answered \(response.status.code) \(code ?? "-") while \(operation): \(message ?? "")")
        return .rejected(operation: operation, status: response.status.code, code: code, message: message)
    }

    /// S3 errors are `<Error><Code>…</Code><Message>…</Message></Error>`; only those two are read.
    static func errorDetails(_ response: ClientResponse) -> (code: String?, message: String?) {
        guard let body = response.body.map({ String(buffer: $0) }) else { return (nil, nil) }
        func element(_ name: String) -> String? {
            guard let start = body.range(of: "<\(name)>"), let end = body.range(of: "</\(name)>", range: start.upperBound..<body.endIndex) else {
                return nil
            }
            return String(body[start.upperBound..<end.lowerBound])
        }
        return (element("Code"), element("Message"))
    }
}
