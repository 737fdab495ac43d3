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
    /// The member already holds `held` of the `limit` (bought or being bought): refuse without
    /// asking the database.
    case limitReached(limit: Int, held: Int)
    /// The gate does not know this item yet: load it from the database and ask again.
    case unknown
}

/// What the gate starts an item from: the units left, the session's per-member limit and, when
/// known, what each member has bought so far.
struct FlashGateState: Sendable, Equatable {
    var remaining: Int
    var perMemberLimit: Int
    var bought: [UUID: Int] = [:]
}

/// The fast path in front of a flash purchase: a counter per SKU per session and what each
/// member holds of it, kept outside the database, so that once the quota is gone the losers —
/// and a member asking beyond their limit — are refused without a single SQL statement, and an
/// admitted purchase is one the database will almost always accept. That matters beyond speed:
/// units an admitted purchase gives back after every other buyer was refused stay unsold until
/// someone asks again. The database stays the truth (its conditional UPDATEs decide); the gate
/// may only run ahead of it or count too little, never refuse what the database would sell for
/// long: `load` corrects it from the database. Behind a protocol so several instances can share
/// one Redis-backed gate instead of the in-process one.
protocol FlashQuotaGate: Sendable {
    func take(_ key: FlashGateKey, member: UUID, quantity: Int) async -> FlashGateAnswer
    /// A purchase that was admitted (or one that is returned later) gives its units back to the
    /// item and off the member's count.
    func giveBack(_ key: FlashGateKey, member: UUID, quantity: Int) async
    /// Starts an item the gate does not know; an item known meanwhile (a concurrent request
    /// primed it and may have admitted buyers since) is left alone.
    func prime(_ key: FlashGateKey, _ state: FlashGateState) async
    /// Replaces what the gate holds of an item with what the database says (the correction job).
    func load(_ key: FlashGateKey, _ state: FlashGateState) async
    /// The database found the item sold out: so is the gate, until units are given back.
    func exhaust(_ key: FlashGateKey) async
    func remaining(_ key: FlashGateKey) async -> Int?
    /// Purchases of the session refused at the gate so far (sold out or beyond the limit).
    func refusals(sessionId: UUID) async -> Int
}

/// The gate for one instance: one counter per item under a lock held for two dictionary lookups
/// and an addition, so a refusal costs well under a microsecond of lock time.
final class InProcessFlashQuotaGate: FlashQuotaGate {
    private struct Item {
        var left: Int
        var limit: Int
        var held: [UUID: Int]
    }

    private struct State {
        var items: [FlashGateKey: Item] = [:]
        var refused: [UUID: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    func take(_ key: FlashGateKey, member: UUID, quantity: Int) async -> FlashGateAnswer {
        state.withLockedValue { state in
            guard var item = state.items[key] else { return .unknown }
            guard item.left >= quantity else {
                state.refused[key.sessionId, default: 0] += 1
                return .soldOut
            }
            let held = item.held[member] ?? 0
            guard item.limit <= 0 || quantity <= item.limit - held else {
                state.refused[key.sessionId, default: 0] += 1
                return .limitReached(limit: item.limit, held: held)
            }
            item.left -= quantity
            item.held[member] = held + quantity
            state.items[key] = item
            return .admitted
        }
    }

    func giveBack(_ key: FlashGateKey, member: UUID, quantity: Int) async {
        state.withLockedValue { state in
            guard var item = state.items[key] else { return }
            item.left += quantity
            let held = max(0, (item.held[member] ?? 0) - quantity)
            item.held[member] = held == 0 ? nil : held
            state.items[key] = item
        }
    }

    func prime(_ key: FlashGateKey, _ start: FlashGateState) async {
        state.withLockedValue { state in
            if state.items[key] == nil { state.items[key] = Self.item(start) }
        }
    }

    func load(_ key: FlashGateKey, _ start: FlashGateState) async {
        state.withLockedValue { $0.items[key] = Self.item(start) }
    }

    func exhaust(_ key: FlashGateKey) async {
        state.withLockedValue { state in state.items[key]?.left = 0 }
    }

    func remaining(_ key: FlashGateKey) async -> Int? {
        state.withLockedValue { $0.items[key]?.left }
    }

    func refusals(sessionId: UUID) async -> Int {
        state.withLockedValue { $0.refused[sessionId] ?? 0 }
    }

    private static func item(_ start: FlashGateState) -> Item {
        Item(left: max(0, start.remaining), limit: start.perMemberLimit, held: start.bought.filter { $0.value > 0 })
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
