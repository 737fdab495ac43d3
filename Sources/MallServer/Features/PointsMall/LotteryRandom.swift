import Foundation
import Vapor

/// Where lottery draws get their random values: 64 uniformly random bits per draw.
protocol LotteryRandomSource: Sendable {
    func next() -> UInt64
}

/// The system's cryptographically secure generator (`getrandom(2)` on Linux, `arc4random` on
/// Apple platforms): nobody can predict or steer a draw from earlier ones.
struct SecureLotteryRandom: LotteryRandomSource {
    func next() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}

extension Application {
    private struct LotteryRandomKey: StorageKey { typealias Value = any LotteryRandomSource }

    /// Tests replace it with fixed values to force a prize; the server always draws securely.
    var lotteryRandom: any LotteryRandomSource {
        get { storage[LotteryRandomKey.self] ?? SecureLotteryRandom() }
        set { storage[LotteryRandomKey.self] = newValue }
    }
}
