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

    @Test("production refuses the development JWT secret")
    func production() {
        #expect(throws: AppConfigError.self) { try AppConfig.load(from: [:], production: true) }
    }
}
