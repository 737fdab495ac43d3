import Foundation
import Testing
@testable import MallServer

@Suite("Configuration")
struct AppConfigTests {
    @Test("defaults give the embedded SQLite database under data/")
    func defaults() throws {
        let config = try AppConfig.load(from: [:])
        #expect(config.database == .sqlite(path: "data/chainmall.sqlite"))
        #expect(config.accessTokenTTL == 900)
        #expect(config.maxBodySize == "1mb")
        #expect(config.jwtSecret.utf8.count >= 32)
    }

    @Test("DATABASE_URL switches to PostgreSQL")
    func postgres() throws {
        let config = try AppConfig.load(from: ["DATABASE_URL": "postgres://mall:mall@127.0.0.1:5432/mall"])
        #expect(config.database == .postgres(url: "postgres://mall:mall@127.0.0.1:5432/mall", searchPath: nil))
    }

    @Test("a bad value names its variable", arguments: [
        ("DATABASE_URL", "mysql://x"), ("MAX_BODY_SIZE", "lots"), ("MAX_BODY_SIZE", "10tb"), ("BCRYPT_COST", "3"),
        ("JWT_SECRET", "short"), ("JOBS_ENABLED", "maybe"), ("JOB_POLL_SECONDS", "0"), ("ACCESS_TOKEN_TTL_SECONDS", "x"),
    ])
    func rejects(variable: String, value: String) {
        do {
            _ = try AppConfig.load(from: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as AppConfigError {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// A complete WeChat Pay and Alipay configuration, keys written to files from the payment
    /// vectors, so one variable at a time can be varied.
    static func withProviderEnvironment(_ body: ([String: String]) throws -> Void) throws {
        let vectors = try PaymentVectors.load()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chainmall-tests/config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String, _ text: String) throws -> String {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        try body([
            "WECHATPAY_MCH_ID": vectors.wechat.mchid, "WECHATPAY_APP_ID": vectors.wechat.appid,
            "WECHATPAY_SERIAL_NO": vectors.wechat.merchantSerial, "WECHATPAY_APIV3_KEY": vectors.wechat.apiV3Key,
            "WECHATPAY_PRIVATE_KEY_FILE": try file("apiclient_key.pem", vectors.wechat.merchantPrivateKeyPkcs8),
            "WECHATPAY_PLATFORM_KEYS": "\(vectors.wechat.platformPublicKeyId)=\(try file("wechatpay_pub.pem", vectors.wechat.platformPublicKey))",
            "WECHATPAY_NOTIFY_URL": "https://mall.example.com/api/v1/payments/wechat/notify",
            "ALIPAY_APP_ID": vectors.alipay.appId,
            "ALIPAY_PRIVATE_KEY_FILE": try file("alipay_app_key.pem", vectors.alipay.appPrivateKeyPkcs8),
            "ALIPAY_PUBLIC_KEY_FILE": try file("alipay_pub.pem", vectors.alipay.alipayPublicKey),
            "ALIPAY_NOTIFY_URL": "https://mall.example.com/api/v1/payments/alipay/notify",
        ])
    }

    @Test("provider endpoints: https anywhere, plain http only on 127.0.0.1 (a test provider on this machine)", arguments: [
        ("WECHATPAY_BASE_URL", "https://api2.mch.weixin.qq.com"), ("WECHATPAY_BASE_URL", "http://127.0.0.1:18080"),
        ("ALIPAY_GATEWAY_URL", "https://openapi-sandbox.dl.alipaydev.com/gateway.do"), ("ALIPAY_GATEWAY_URL", "http://127.0.0.1:18080/gateway.do"),
    ])
    func providerURLAccepted(variable: String, value: String) throws {
        try Self.withProviderEnvironment { environment in
            let config = try AppConfig.load(from: environment.merging([variable: value]) { $1 })
            let loaded = variable == "WECHATPAY_BASE_URL" ? config.wechatPay?.baseURL : config.alipay?.gatewayURL
            #expect(loaded?.absoluteString == value)
        }
    }

    @Test("a provider endpoint in clear text elsewhere is refused, and the message says what is allowed", arguments: [
        ("WECHATPAY_BASE_URL", "http://api.mch.weixin.qq.com"), ("WECHATPAY_BASE_URL", "http://localhost:18080"),
        ("WECHATPAY_BASE_URL", "ftp://127.0.0.1/"), ("WECHATPAY_BASE_URL", "api.mch.weixin.qq.com"),
        ("ALIPAY_GATEWAY_URL", "http://openapi.alipay.com/gateway.do"), ("ALIPAY_GATEWAY_URL", "http://10.0.0.8/gateway.do"),
        ("ALIPAY_GATEWAY_URL", "ftp://127.0.0.1/gateway.do"),
    ])
    func providerURLRefused(variable: String, value: String) throws {
        try Self.withProviderEnvironment { environment in
            do {
                _ = try AppConfig.load(from: environment.merging([variable: value]) { $1 })
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as AppConfigError {
                #expect(error.variable == variable)
                #expect(error.description.contains("https"), "\(error)")
                #expect(error.description.contains("plain http on host 127.0.0.1"), "\(error)")
            }
        }
    }

    @Test("Kuaidi100 subscriptions are off without KUAIDI100_KEY and on with a key, the salt and an https callback")
    func kuaidi100Subscription() throws {
        #expect(try AppConfig.load(from: ["KUAIDI100_SALT": "salt-2026"]).kuaidi100Subscription == nil)
        let on = try AppConfig.load(from: ["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_SALT": "salt-2026",
                                           "KUAIDI100_CALLBACK_URL": "https://mall.example.com/api/v1/logistics/kuaidi100/push"])
        #expect(on.kuaidi100Subscription == Kuaidi100SubscriptionConfig(key: "AbCd1234", callbackURL: "https://mall.example.com/api/v1/logistics/kuaidi100/push"))
        #expect(on.kuaidi100Subscription?.pollURL.absoluteString == "https://poll.kuaidi100.com/poll")
        let local = try AppConfig.load(from: ["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_SALT": "salt-2026",
                                              "KUAIDI100_CALLBACK_URL": "https://mall.example.com/api/v1/logistics/kuaidi100/push",
                                              "KUAIDI100_POLL_URL": "http://127.0.0.1:18081/poll"])
        #expect(local.kuaidi100Subscription?.pollURL.absoluteString == "http://127.0.0.1:18081/poll")
    }

    @Test("a bad Kuaidi100 setting names its variable", arguments: [
        (["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_CALLBACK_URL": "https://mall.example.com/api/v1/logistics/kuaidi100/push"], "KUAIDI100_SALT"),
        (["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_SALT": "s"], "KUAIDI100_CALLBACK_URL"),
        (["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_SALT": "s", "KUAIDI100_CALLBACK_URL": "http://mall.example.com/api/v1/logistics/kuaidi100/push"], "KUAIDI100_CALLBACK_URL"),
        (["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_SALT": "s", "KUAIDI100_CALLBACK_URL": "https://mall.example.com/kuaidi100"], "KUAIDI100_CALLBACK_URL"),
        (["KUAIDI100_KEY": "key with spaces", "KUAIDI100_SALT": "s", "KUAIDI100_CALLBACK_URL": "https://mall.example.com/api/v1/logistics/kuaidi100/push"], "KUAIDI100_KEY"),
        (["KUAIDI100_KEY": "AbCd1234", "KUAIDI100_SALT": "s", "KUAIDI100_CALLBACK_URL": "https://mall.example.com/api/v1/logistics/kuaidi100/push",
          "KUAIDI100_POLL_URL": "http://poll.kuaidi100.com/poll"], "KUAIDI100_POLL_URL"),
    ])
    func kuaidi100Refused(environment: [String: String], variable: String) {
        do {
            _ = try AppConfig.load(from: environment)
            Issue.record("\(environment) was accepted")
        } catch let error as AppConfigError {
            #expect(error.variable == variable)
            #expect(error.description.contains(variable))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("production refuses the development JWT secret")
    func production() {
        #expect(throws: AppConfigError.self) { try AppConfig.load(from: [:], production: true) }
    }
}
