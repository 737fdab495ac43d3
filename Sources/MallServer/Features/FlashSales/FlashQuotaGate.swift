import Foundation
import NIOConcurrencyHelpers
import Vapor

/// One SKU of one session, as the gate counts it.
struct FlashGateKey: Hashable, Sendable {
    let sessionId: UUID
    let skuId: UUID
}

enum FlashGateAnswer: Sendable, Equatable {
    /// The units are held for this buyer; give them back if the purchase then fails.
    case admitted
    /// Nothing left: refuse without asking the database.
    case soldOut
    /// The gate does not know this item yet: load it from the database and ask again.
    case unknown
}

/// The fast path in front of a flash purchase: a counter per SKU per session, held outside the
/// database, so that once the quota is gone the losers are refused without a single SQL
/// statement and the database sees about as many purchases as there are units. The database
/// stays the truth (its conditional UPDATEs decide); the gate may only run ahead of it, and
/// `load` corrects it from the database. Behind a protocol so several instances can share one
/// Redis-backed gate (DECRBY/INCRBY on one key per item) instead of the in-process one.
protocol FlashQuotaGate: Sendable {
    func take(_ key: FlashGateKey, quantity: Int) async -> FlashGateAnswer
    func giveBack(_ key: FlashGateKey, quantity: Int) async
    /// Sets the units left to what the database says (when the session opens, and by the
    /// correction job); an unknown item becomes known.
    func load(_ key: FlashGateKey, remaining: Int) async
    func remaining(_ key: FlashGateKey) async -> Int?
    /// Purchases of the session refused at the gate so far (by this gate).
    func refusals(sessionId: UUID) async -> Int
}

/// The gate for one instance: one counter per item under a lock held for a dictionary lookup
/// and an addition, so a refusal costs well under a microsecond of lock time.
final class InProcessFlashQuotaGate: FlashQuotaGate {
    private struct State {
        var left: [FlashGateKey: Int] = [:]
        var refused: [UUID: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    func take(_ key: FlashGateKey, quantity: Int) async -> FlashGateAnswer {
        state.withLockedValue { state in
            guard let left = state.left[key] else { return .unknown }
            guard left >= quantity else {
                state.refused[key.sessionId, default: 0] += 1
                return .soldOut
            }
            state.left[key] = left - quantity
            return .admitted
        }
    }

    func giveBack(_ key: FlashGateKey, quantity: Int) async {
        state.withLockedValue { state in
            if let left = state.left[key] { state.left[key] = left + quantity }
        }
    }

    func load(_ key: FlashGateKey, remaining: Int) async {
        state.withLockedValue { $0.left[key] = max(0, remaining) }
    }

    func remaining(_ key: FlashGateKey) async -> Int? {
        state.withLockedValue { $0.left[key] }
    }

    func refusals(sessionId: UUID) async -> Int {
        state.withLockedValue { $0.refused[sessionId] ?? 0 }
    }
}

extension Application {
    private struct FlashQuotaGateKey: StorageKey { typealias Value = any FlashQuotaGate }

    /// Set once in `configure` (before requests arrive), so reading it needs no lock.
    var flashQuotaGate: any FlashQuotaGate {
        get { storage[FlashQuotaGateKey.self] ?? InProcessFlashQuotaGate.unconfigured }
        set { storage[FlashQuotaGateKey.self] = newValue }
    }
}

extension InProcessFlashQuotaGate {
    /// For an application `configure` did not set up (tools); shared so its counts still hold.
    static let unconfigured = InProcessFlashQuotaGate()
}
