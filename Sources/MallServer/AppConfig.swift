import Foundation
import Vapor

/// Everything the server reads from the environment, read once at start. A bad value stops
/// start-up with a message naming the variable.
public struct AppConfig: Sendable {
    public enum DatabaseConfig: Sendable, Equatable {
        case sqlite(path: String)
        /// `searchPath` lets tests give every case its own schema in one database.
        case postgres(url: String, searchPath: [String]?)
    }

    /// Where uploaded files go: a local folder, an S3-compatible bucket (`STORAGE_URL`), or a
    /// FastDFS cluster (`FASTDFS_TRACKERS`).
    public enum StorageConfig: Sendable, Equatable {
        case local(directory: String)
        case s3(S3Location)
        case fastDFS(FastDFSConfig)
    }

    public var database: DatabaseConfig
    public var dataDirectory: String
    public var storage: StorageConfig
    public var jwtSecret: String
    public var accessTokenTTL: Int
    public var refreshTokenTTL: Int
    public var bcryptCost: Int
    public var maxBodySize: String
    public var runsJobWorker: Bool
    public var jobPollInterval: Double
    public var loginIPMaxFailures: Int
    /// Trust `X-Forwarded-For` for the client address; only behind a proxy that sets it.
    public var trustsForwardedFor: Bool
    /// PostgreSQL connections per event loop (one loop per core).
    public var databasePoolSize: Int
    /// How long a request waits for a free PostgreSQL connection before failing.
    public var databasePoolTimeoutSeconds: Int64 = 10
    /// How long a shutdown (SIGTERM) lets requests in flight finish before the process leaves.
    public var shutdownGraceSeconds = 20
    /// The bearer token a Prometheus scraper sends for `/metrics`; nil turns `/metrics` off.
    public var metricsToken: String?
    /// Signs the sandbox gateway's notifications; the sandbox is for local use and tests.
    public var sandboxPaymentSecret: String
    public var pgDump: String
    public var pgRestore: String
    /// The salt given to Kuaidi100 when subscribing to tracking pushes; pushes are refused
    /// (404) while it is unset.
    public var kuaidi100Salt: String?
    /// Subscribing new shipments to Kuaidi100's tracking pushes: on when KUAIDI100_KEY is set.
    var kuaidi100Subscription: Kuaidi100SubscriptionConfig?
    /// The folder holding `Resources/` (templates, message catalogs) and `Public/` (CSS, JS,
    /// icons); nil: the working directory, or the package root above the executable.
    public var resourcesDirectory: String?
    /// Real payment providers, each enabled when its keys are configured (see README).
    var wechatPay: WeChatPayV3Config?
    var alipay: AlipayConfig?
    /// Redis for what several instances share (flash-sale gates, cache invalidation, login
    /// throttling); nil keeps all of it in-process, for a single instance.
    var redis: RedisConfiguration?

    /// Used only where no JWT_SECRET is given, i.e. on a developer's machine; production sets its own.
    public static let developmentJWTSecret = "chainmall-development-secret-change-me-in-production-0123456789"

    public init(database: DatabaseConfig, dataDirectory: String = "data", jwtSecret: String = AppConfig.developmentJWTSecret,
                accessTokenTTL: Int = 900, refreshTokenTTL: Int = 30 * 86_400, bcryptCost: Int = 12,
                maxBodySize: String = "1mb", runsJobWorker: Bool = true, jobPollInterval: Double = 1,
                loginIPMaxFailures: Int = 30, trustsForwardedFor: Bool = false, databasePoolSize: Int = 8, sandboxPaymentSecret: String = "chainmall-sandbox-gateway-secret", pgDump: String = "pg_dump",
                pgRestore: String = "pg_restore", storage: StorageConfig? = nil) {
        self.database = database
        self.dataDirectory = dataDirectory
        self.storage = storage ?? .local(directory: dataDirectory + "/files")
        self.jwtSecret = jwtSecret
        self.accessTokenTTL = accessTokenTTL
        self.refreshTokenTTL = refreshTokenTTL
        self.bcryptCost = bcryptCost
        self.maxBodySize = maxBodySize
        self.runsJobWorker = runsJobWorker
        self.jobPollInterval = jobPollInterval
        self.loginIPMaxFailures = loginIPMaxFailures
        self.trustsForwardedFor = trustsForwardedFor
        self.databasePoolSize = databasePoolSize
        self.sandboxPaymentSecret = sandboxPaymentSecret
        self.pgDump = pgDump
        self.pgRestore = pgRestore
    }

    public static func load(from env: [String: String] = ProcessInfo.processInfo.environment, production: Bool = false) throws -> AppConfig {
        func value(_ name: String) -> String? {
            guard let raw = env[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let raw = value(name) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                throw AppConfigError(variable: name, problem: "must be a whole number between \(range.lowerBound) and \(range.upperBound), got \"\(raw)\"")
            }
            return number
        }
        func boolean(_ name: String, default fallback: Bool) throws -> Bool {
            guard let raw = value(name)?.lowercased() else { return fallback }
            switch raw {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw AppConfigError(variable: name, problem: "must be true or false, got \"\(raw)\"")
            }
        }

        let dataDirectory = value("DATA_DIR") ?? "data"
        let database: DatabaseConfig
        if let url = value("DATABASE_URL") {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw AppConfigError(variable: "DATABASE_URL", problem: "must be a postgres:// URL; leave it unset for the embedded SQLite database")
            }
            database = .postgres(url: url, searchPath: nil)
        } else {
            database = .sqlite(path: value("SQLITE_PATH") ?? dataDirectory + "/chainmall.sqlite")
        }

        let secret = value("JWT_SECRET")
        if production && secret == nil {
            throw AppConfigError(variable: "JWT_SECRET", problem: "must be set in production (at least 32 bytes of random text)")
        }
        if let secret, secret.utf8.count < 32 {
            throw AppConfigError(variable: "JWT_SECRET", problem: "must be at least 32 bytes long")
        }
        let maxBody = (value("MAX_BODY_SIZE") ?? "1mb").lowercased()
        // Checked here because Vapor's ByteCount stops the process on anything it cannot parse.
        let digits = maxBody.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let amount = Int(digits), amount > 0, ["", "kb", "mb", "gb"].contains(String(maxBody.dropFirst(digits.count))) else {
            throw AppConfigError(variable: "MAX_BODY_SIZE", problem: "must be a size such as 512kb or 1mb")
        }
        var storage = StorageConfig.local(directory: dataDirectory + "/files")
        if let url = value("STORAGE_URL") {
            do {
                storage = .s3(try S3Location(parsing: url))
            } catch let error as S3LocationError {
                throw AppConfigError(variable: "STORAGE_URL", problem: error.problem + "; leave it unset to keep files under DATA_DIR/files")
            }
        }
        if let trackers = value("FASTDFS_TRACKERS") {
            guard value("STORAGE_URL") == nil else {
                throw AppConfigError(variable: "FASTDFS_TRACKERS", problem: "cannot be used together with STORAGE_URL; choose one file storage")
            }
            let timeout = try integer("FASTDFS_TIMEOUT_SECONDS", default: 30, range: 1...600)
            do {
                storage = .fastDFS(try FastDFSConfig(parsing: trackers, timeoutSeconds: timeout))
            } catch let error as FastDFSConfigError {
                throw AppConfigError(variable: "FASTDFS_TRACKERS", problem: error.problem)
            }
        }
        let poll = value("JOB_POLL_SECONDS").map { Double($0) } ?? 1
        guard let poll, poll >= 0.05, poll <= 3600 else {
            throw AppConfigError(variable: "JOB_POLL_SECONDS", problem: "must be a number of seconds between 0.05 and 3600")
        }

        var config = AppConfig(
            database: database,
            dataDirectory: dataDirectory,
            jwtSecret: secret ?? developmentJWTSecret,
            accessTokenTTL: try integer("ACCESS_TOKEN_TTL_SECONDS", default: 900, range: 60...86_400),
            refreshTokenTTL: try integer("REFRESH_TOKEN_TTL_DAYS", default: 30, range: 1...365) * 86_400,
            bcryptCost: try integer("BCRYPT_COST", default: 12, range: 4...16),
            maxBodySize: maxBody,
            runsJobWorker: try boolean("JOBS_ENABLED", default: true),
            jobPollInterval: poll,
            loginIPMaxFailures: try integer("LOGIN_IP_MAX_FAILURES", default: 30, range: 5...10_000),
            trustsForwardedFor: try boolean("TRUST_PROXY", default: false),
            databasePoolSize: try integer("DATABASE_POOL_SIZE", default: 8, range: 1...200),
            // The development default is in the source; in production an unset secret becomes a
            // random one, so nobody can forge a sandbox notification from reading the code.
            sandboxPaymentSecret: value("SANDBOX_PAYMENT_SECRET")
                ?? (production ? SecureToken.generate() : "chainmall-sandbox-gateway-secret"),
            pgDump: value("PG_DUMP") ?? "pg_dump",
            pgRestore: value("PG_RESTORE") ?? "pg_restore",
            storage: storage
        )
        config.shutdownGraceSeconds = try integer("SHUTDOWN_GRACE_SECONDS", default: 20, range: 1...600)
        if let token = value("METRICS_TOKEN") {
            guard token.utf8.count >= 16, token.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
                throw AppConfigError(variable: "METRICS_TOKEN", problem: "must be at least 16 printable characters without spaces")
            }
            config.metricsToken = token
        }
        config.kuaidi100Salt = value("KUAIDI100_SALT")
        config.kuaidi100Subscription = try kuaidi100SubscriptionConfig(value, salt: config.kuaidi100Salt)
        if let folder = value("RESOURCES_DIR") {
            guard FileManager.default.fileExists(atPath: folder + "/Resources/Views") else {
                throw AppConfigError(variable: "RESOURCES_DIR", problem: "must name the folder that holds Resources/Views and Public (the package root)")
            }
            config.resourcesDirectory = folder
        }
        config.wechatPay = try wechatPayConfig(value)
        config.alipay = try alipayConfig(value)
        if let url = value("REDIS_URL") {
            do {
                config.redis = try RedisConfiguration(url: url)
            } catch let error as RedisURLError {
                throw AppConfigError(variable: "REDIS_URL", problem: error.problem + "; leave it unset to keep gates, throttles and cache invalidation in-process")
            }
        }
        return config
    }
}

extension AppConfig {
    static func fileText(_ variable: String, _ value: (String) -> String?) throws -> String? {
        guard let path = value(variable) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AppConfigError(variable: variable, problem: "names a file that cannot be read: \(path)")
        }
        return text
    }

    /// A provider endpoint: https with a host, or plain http on 127.0.0.1 only, so tests can run
    /// a fake provider on this machine while a typo can never send signed calls in clear text
    /// across a network. Only the literal address counts: `localhost` goes through the hosts
    /// file and resolver, which can point it elsewhere.
    static func providerURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return nil }
        switch scheme {
        case "https": return url
        case "http": return host == "127.0.0.1" ? url : nil
        default: return nil
        }
    }

    /// Kuaidi100 subscriptions are on when KUAIDI100_KEY is set. They need the callback URL
    /// Kuaidi100 pushes to and the salt the pushes are signed with: without the salt the push
    /// endpoint refuses every push, so subscribing would only waste the account's quota.
    static func kuaidi100SubscriptionConfig(_ value: (String) -> String?, salt: String?) throws -> Kuaidi100SubscriptionConfig? {
        guard let key = value("KUAIDI100_KEY") else { return nil }
        guard (1...64).contains(key.count), key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw AppConfigError(variable: "KUAIDI100_KEY", problem: "must be the 授权 key from the Kuaidi100 console (letters and digits)")
        }
        guard salt != nil else {
            throw AppConfigError(variable: "KUAIDI100_SALT", problem: "must be set when KUAIDI100_KEY is: pushes are signed with it")
        }
        guard let callback = value("KUAIDI100_CALLBACK_URL") else {
            throw AppConfigError(variable: "KUAIDI100_CALLBACK_URL", problem: "must be set when KUAIDI100_KEY is: the public https URL of /api/v1/logistics/kuaidi100/push")
        }
        guard let url = URL(string: callback), url.scheme?.lowercased() == "https", url.host?.isEmpty == false,
              url.path.hasSuffix("/api/v1/logistics/kuaidi100/push") else {
            throw AppConfigError(variable: "KUAIDI100_CALLBACK_URL", problem: "must be an https URL ending in /api/v1/logistics/kuaidi100/push, got \"\(callback)\"")
        }
        var config = Kuaidi100SubscriptionConfig(key: key, callbackURL: callback)
        if let poll = value("KUAIDI100_POLL_URL") {
            guard let url = providerURL(poll) else {
                throw AppConfigError(variable: "KUAIDI100_POLL_URL", problem: "must be an https URL, or plain http on host 127.0.0.1 (a test server on this machine); got \"\(poll)\"")
            }
            config.pollURL = url
        }
        return config
    }

    /// WeChat Pay is on when WECHATPAY_MCH_ID is set; then every other WECHATPAY_ variable
    /// but WECHATPAY_BASE_URL is required. Keys are read from files, never from the environment.
    static func wechatPayConfig(_ value: (String) -> String?) throws -> WeChatPayV3Config? {
        guard let mchId = value("WECHATPAY_MCH_ID") else { return nil }
        func required(_ name: String) throws -> String {
            guard let text = value(name) else { throw AppConfigError(variable: name, problem: "must be set when WECHATPAY_MCH_ID is") }
            return text
        }
        guard let key = try fileText("WECHATPAY_PRIVATE_KEY_FILE", value) else {
            throw AppConfigError(variable: "WECHATPAY_PRIVATE_KEY_FILE", problem: "must name the merchant's apiclient_key.pem")
        }
        var platformKeys: [String: String] = [:]
        // serial=path pairs, comma-separated: platform certificates and/or the WeChat Pay public key.
        for pair in try required("WECHATPAY_PLATFORM_KEYS").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let text = try? String(contentsOfFile: parts[1], encoding: .utf8) else {
                throw AppConfigError(variable: "WECHATPAY_PLATFORM_KEYS", problem: "must be serial=path pairs of readable PEM files, got \"\(pair)\"")
            }
            platformKeys[parts[0]] = text
        }
        var config = WeChatPayV3Config(mchId: mchId, appId: try required("WECHATPAY_APP_ID"), merchantSerialNumber: try required("WECHATPAY_SERIAL_NO"),
                                       merchantPrivateKeyPEM: key, apiV3Key: try required("WECHATPAY_APIV3_KEY"), platformKeys: platformKeys,
                                       notifyURL: try required("WECHATPAY_NOTIFY_URL"))
        if let base = value("WECHATPAY_BASE_URL") {
            guard let url = providerURL(base) else {
                throw AppConfigError(variable: "WECHATPAY_BASE_URL", problem: "must be an https URL, or plain http on host 127.0.0.1 (a test provider on this machine); got \"\(base)\"")
            }
            config.baseURL = url
        }
        do { _ = try WeChatPayV3(config: config) } catch {
            throw AppConfigError(variable: "WECHATPAY_*", problem: "do not make a usable WeChat Pay configuration: \(error)")
        }
        return config
    }

    /// Alipay is on when ALIPAY_APP_ID is set.
    static func alipayConfig(_ value: (String) -> String?) throws -> AlipayConfig? {
        guard let appId = value("ALIPAY_APP_ID") else { return nil }
        guard let privateKey = try fileText("ALIPAY_PRIVATE_KEY_FILE", value) else {
            throw AppConfigError(variable: "ALIPAY_PRIVATE_KEY_FILE", problem: "must name the application private key file")
        }
        guard let publicKey = try fileText("ALIPAY_PUBLIC_KEY_FILE", value) else {
            throw AppConfigError(variable: "ALIPAY_PUBLIC_KEY_FILE", problem: "must name the Alipay public key file")
        }
        var config = AlipayConfig(appId: appId, appPrivateKeyPEM: privateKey, alipayPublicKeyPEM: publicKey,
                                  notifyURL: value("ALIPAY_NOTIFY_URL"), returnURL: value("ALIPAY_RETURN_URL"), sellerId: value("ALIPAY_SELLER_ID"))
        if let gateway = value("ALIPAY_GATEWAY_URL") {
            guard let url = providerURL(gateway) else {
                throw AppConfigError(variable: "ALIPAY_GATEWAY_URL", problem: "must be an https URL (the sandbox is https://openapi-sandbox.dl.alipaydev.com/gateway.do), or plain http on host 127.0.0.1 (a test gateway on this machine); got \"\(gateway)\"")
            }
            config.gatewayURL = url
        }
        do { _ = try Alipay(config: config) } catch {
            throw AppConfigError(variable: "ALIPAY_*", problem: "do not make a usable Alipay configuration: \(error)")
        }
        return config
    }
}

/// Kuaidi100's subscription API (快递100 订阅接口) as this installation uses it.
struct Kuaidi100SubscriptionConfig: Sendable, Equatable {
    /// The account's 授权 key.
    var key: String
    /// Where Kuaidi100 pushes scans: this server's /api/v1/logistics/kuaidi100/push.
    var callbackURL: String
    var pollURL = URL(string: "https://poll.kuaidi100.com/poll")!
}

public struct AppConfigError: Error, CustomStringConvertible {
    public var variable: String
    public var problem: String
    public var description: String { "Configuration error: \(variable) \(problem)" }
}

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }

    public var config: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:config:) has not run") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}
