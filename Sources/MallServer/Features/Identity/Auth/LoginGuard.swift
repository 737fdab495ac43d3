import Foundation
import MallCore
import Vapor

/// Wraps a password check with throttling per account and per client address. The check is
/// refused before the password is even compared once a limit is reached, so guessing stops.
enum LoginGuard {
    static func attempt<T: Sendable>(_ req: Request, account: String, verify: () async throws -> T?) async throws -> T {
        let settings = try await SettingsService.resolved(on: req.db)
        let window = TimeInterval(settings.integer(.loginLockMinutes) * 60)
        let accountKey = "account:" + account
        let ipKey = "ip:" + req.clientIP
        let limits = [
            LoginThrottle.Limit(key: accountKey, maxFailures: settings.integer(.loginMaxFailures)),
            LoginThrottle.Limit(key: ipKey, maxFailures: req.application.config.loginIPMaxFailures),
        ]
        let throttle = req.application.loginThrottle
        if let wait = await throttle.retryAfter(limits, window: window, now: req.now) {
            let minutes = max(1, (wait + 59) / 60)
            throw MallError.tooManyRequests("Too many failed sign-in attempts. Try again in \(minutes) minute\(minutes == 1 ? "" : "s").",
                                            retryAfterSeconds: wait)
        }
        guard let result = try await verify() else {
            await throttle.recordFailure(keys: [accountKey, ipKey], window: window, now: req.now)
            throw MallError.unauthorized("The login or password is wrong.")
        }
        await throttle.reset(key: accountKey)
        return result
    }

    /// Compared against when the account does not exist, so a wrong username costs the same
    /// time as a wrong password and does not reveal which accounts exist.
    static func dummyHash(_ req: Request) async throws -> String {
        try await req.password.async.hash("not-a-real-password-0")
    }
}
