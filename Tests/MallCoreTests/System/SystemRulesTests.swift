import MallCore
import Testing

@Suite("Settings and job retries")
struct SystemRulesTests {
    @Test("settings fall back to defaults and validate new values")
    func settings() throws {
        let resolved = SettingsCatalog.resolve(stored: ["order.unpaidTimeoutMinutes": .integer(45), "inventory.lowStockThreshold": .integer(-5)])
        #expect(resolved.integer(.unpaidOrderTimeoutMinutes) == 45)
        #expect(resolved.integer(.lowStockThreshold) == 10, "an invalid stored value falls back to the default")
        #expect(resolved.timeZone.identifier == "Asia/Shanghai")
        #expect(throws: ValidationFailure.self) { try SettingKey.shopTimeZone.definition.validate(.string("Mars/Olympus")) }
        #expect(throws: ValidationFailure.self) { try SettingKey.unpaidOrderTimeoutMinutes.definition.validate(.string("30")) }
        #expect(throws: ValidationFailure.self) { try SettingKey.unpaidOrderTimeoutMinutes.definition.validate(.integer(0)) }
        #expect(try SettingKey.shopName.definition.validate(.string("  鲜生活 ")) == .string("鲜生活"))
    }

    @Test("retries back off exponentially up to a ceiling, then the job is dead")
    func retryPolicy() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelaySeconds: 10, maxDelaySeconds: 60)
        #expect(policy.decide(afterFailedAttempt: 1) == .retry(afterSeconds: 10))
        #expect(policy.decide(afterFailedAttempt: 2) == .retry(afterSeconds: 20))
        #expect(policy.decide(afterFailedAttempt: 3) == .retry(afterSeconds: 40))
        #expect(policy.decide(afterFailedAttempt: 4) == .retry(afterSeconds: 60))
        #expect(policy.decide(afterFailedAttempt: 5) == .dead)
        #expect(RetryPolicy(maxAttempts: 100, baseDelaySeconds: 10, maxDelaySeconds: 3600).decide(afterFailedAttempt: 80) == .retry(afterSeconds: 3600))
    }

    @Test func moneyFormatting() {
        #expect(Money(minorUnits: 1230).description == "¥12.30")
        #expect(Money(minorUnits: -5).description == "-¥0.05")
        #expect((Money(minorUnits: 100) + Money(minorUnits: 1)).minorUnits == 101)
    }
}
