import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Errors of the points ledger.
enum PointsError: ProblemConvertible, Equatable {
    case insufficient(balance: Int64, needed: Int64)

    var status: HTTPResponseStatus { .conflict }
    var title: String { status.reasonPhrase }
    var detail: String? {
        switch self {
        case .insufficient(let balance, let needed): "Not enough points: \(needed) needed, \(balance) available."
        }
    }
}

/// Every change to a member's points goes through here, inside the caller's transaction: one
/// ledger entry and the balance row moved by the same amount. The balance moves only by
/// `UPDATE … SET balance = balance ± n` — and taking points only `WHERE balance >= n` — so
/// concurrent spends can never drive it below zero (the stock ledger's pattern). On PostgreSQL
/// that UPDATE also locks the member's row until commit, which serialises the lot bookkeeping
/// behind it; SQLite's write transaction does the same for the whole database.
struct PointsService {
    let db: any Database

    /// Who or what caused a change, stored on the entry.
    struct Context: Sendable {
        var reference: (type: String, id: String)?
        var note: String?
        var actorStaffId: UUID?
        /// Makes the entry happen once however often the caller retries (an order's earning, a
        /// clawback for one case); a second attempt returns nil.
        var idempotencyKey: String?
        var now: Date

        init(reference: (type: String, id: String)? = nil, note: String? = nil, actorStaffId: UUID? = nil, idempotencyKey: String? = nil, now: Date) {
            self.reference = reference
            self.note = note
            self.actorStaffId = actorStaffId
            self.idempotencyKey = idempotencyKey
            self.now = now
        }
    }

    /// Adds `points` as a new lot that expires by the settings' policy. Returns nil (and changes
    /// nothing) when the idempotency key was used before or `points` is 0.
    @discardableResult
    func earn(_ points: Int64, memberId: UUID, kind: PointsEntryKind, context: Context, settings: ResolvedSettings) async throws -> PointsEntryModel? {
        guard points > 0 else { return nil }
        let expiresAt = PointsExpiry.expiry(earnedAt: context.now, years: settings.integer(.pointsExpiryYears), timeZone: settings.timeZone)
        return try await credit(points, memberId: memberId, kind: kind, expiresAt: expiresAt, context: context)
    }

    /// Takes `points` from the member, soonest-expiring lots first, or throws
    /// `PointsError.insufficient` and changes nothing. Points whose day has come expire first.
    @discardableResult
    func spend(_ points: Int64, memberId: UUID, kind: PointsEntryKind, context: Context) async throws -> PointsEntryModel? {
        try await spendTakingLots(points, memberId: memberId, kind: kind, context: context)?.entry
    }

    /// `spend`, also saying when the lots it took from expire (nil: never), so points given back
    /// later (a cancelled checkout) can expire no later than the points they replace.
    func spendTakingLots(_ points: Int64, memberId: UUID, kind: PointsEntryKind,
                         context: Context) async throws -> (entry: PointsEntryModel, lotExpiries: [Date?])? {
        guard points > 0 else { return nil }
        if let key = context.idempotencyKey, try await entry(key: key) != nil { return nil }
        try await expireDue(memberId: memberId, now: context.now)
        let taken = try await db.sql.raw("""
            UPDATE points_accounts SET balance = balance - \(bind: points), updated_at = \(bind: context.now)
            WHERE member_id = \(bind: memberId) AND balance >= \(bind: points) RETURNING balance
            """).all()
        guard let row = taken.first else {
            throw PointsError.insufficient(balance: try await balance(memberId: memberId), needed: points)
        }
        let balance = try row.decode(column: "balance", as: Int64.self)
        let lots = try await openLots(memberId: memberId)
        guard let takes = PointsLots.spend(points, from: lots, at: context.now) else {
            // The balance said yes and the lots no: the two have drifted apart. Refuse rather
            // than spend points that are not there; the transaction rolls the balance back.
            throw StoredDataError(row: "points of member \(memberId)", underlying: "balance above the sum of its lots")
        }
        try await take(takes)
        let expiries = Dictionary(uniqueKeysWithValues: lots.map { ($0.id, $0.expiresAt) })
        let entry = try await record(-points, memberId: memberId, kind: kind, balanceAfter: balance, lotRemaining: nil, expiresAt: nil, context: context)
        return (entry, takes.map { expiries[$0.lotId] ?? nil })
    }

    /// Takes back up to `points` earned by the entry with `earnedKey` (the goods it was earned
    /// on were refunded): from that lot first, then from others. What the member no longer has
    /// is not taken — a balance never goes below zero — and the note says so. Returns the
    /// points taken.
    @discardableResult
    func clawBack(_ points: Int64, earnedKey: String, memberId: UUID, context: Context) async throws -> Int64 {
        guard points > 0, let earned = try await entry(key: earnedKey) else { return 0 }
        if let key = context.idempotencyKey, try await entry(key: key) != nil { return 0 }
        try await expireDue(memberId: memberId, now: context.now)
        let takes = PointsLots.clawBack(points, earnedBy: earned.id!, from: try await openLots(memberId: memberId), at: context.now)
        let total = takes.reduce(Int64(0)) { $0 + $1.points }
        var context = context
        if total < points {
            context.note = [context.note, "\(points - total) of \(points) points were already spent"].compactMap { $0 }.joined(separator: "; ")
        }
        guard total > 0 else {
            if context.idempotencyKey != nil { _ = try await record(0, memberId: memberId, kind: .clawback, balanceAfter: try await balance(memberId: memberId), lotRemaining: nil, expiresAt: nil, context: context) }
            return 0
        }
        let rows = try await db.sql.raw("""
            UPDATE points_accounts SET balance = balance - \(bind: total), updated_at = \(bind: context.now)
            WHERE member_id = \(bind: memberId) AND balance >= \(bind: total) RETURNING balance
            """).all()
        guard let row = rows.first else { throw PointsError.insufficient(balance: try await balance(memberId: memberId), needed: total) }
        try await take(takes)
        _ = try await record(-total, memberId: memberId, kind: .clawback, balanceAfter: try row.decode(column: "balance", as: Int64.self),
                             lotRemaining: nil, expiresAt: nil, context: context)
        return total
    }

    /// Writes an expiry entry for every lot of the member whose day has come.
    /// Takes the member's row lock first, so two requests never expire the same lot twice.
    func expireDue(memberId: UUID, now: Date) async throws {
        _ = try await lockAccount(memberId: memberId, now: now)
        let due = PointsLots.expiring(try await openLots(memberId: memberId), at: now)
        guard !due.isEmpty else { return }
        let total = due.reduce(Int64(0)) { $0 + $1.points }
        let rows = try await db.sql.raw("""
            UPDATE points_accounts SET balance = balance - \(bind: total), updated_at = \(bind: now)
            WHERE member_id = \(bind: memberId) AND balance >= \(bind: total) RETURNING balance
            """).all()
        guard let row = rows.first else { throw StoredDataError(row: "points of member \(memberId)", underlying: "expiring lots above the balance") }
        try await take(due)
        _ = try await record(-total, memberId: memberId, kind: .expiry, balanceAfter: try row.decode(column: "balance", as: Int64.self),
                             lotRemaining: nil, expiresAt: nil, context: Context(note: "\(due.count) lot(s) reached their expiry", now: now))
    }

    // MARK: Reading

    func balance(memberId: UUID) async throws -> Int64 {
        try await db.sql.raw("SELECT balance FROM points_accounts WHERE member_id = \(bind: memberId)").first()?
            .decode(column: "balance", as: Int64.self) ?? 0
    }

    /// What the member can spend at `now`: the balance less the lots whose day has come that the
    /// expiry job has not written off yet (spending writes them off first).
    func spendableBalance(memberId: UUID, now: Date) async throws -> Int64 {
        let due = PointsLots.expiring(try await openLots(memberId: memberId), at: now).reduce(Int64(0)) { $0 + $1.points }
        return max(0, try await balance(memberId: memberId) - due)
    }

    func account(memberId: UUID) async throws -> PointsAccountModel? {
        try await PointsAccountModel.query(on: db).filter(\.$memberId == memberId).first()
    }

    func entry(key: String) async throws -> PointsEntryModel? {
        try await PointsEntryModel.query(on: db).filter(\.$idempotencyKey == key).first()
    }

    /// Lots with points left, in no particular order (`PointsLots` orders them).
    func openLots(memberId: UUID) async throws -> [PointsLot] {
        try await db.sql.raw("""
            SELECT id, lot_remaining, created_at, expires_at FROM points_entries
            WHERE member_id = \(bind: memberId) AND lot_remaining > 0
            """).all().map { row in
            PointsLot(id: try row.decode(column: "id", as: UUID.self), remaining: try row.decode(column: "lot_remaining", as: Int64.self),
                      earnedAt: try row.decode(column: "created_at", as: Date.self), expiresAt: try row.decode(column: "expires_at", as: Date?.self))
        }
    }

    // MARK: Writing

    /// Adds points as a lot (earnings and points given back).
    func credit(_ points: Int64, memberId: UUID, kind: PointsEntryKind, expiresAt: Date?, context: Context) async throws -> PointsEntryModel? {
        guard points > 0 else { return nil }
        if let key = context.idempotencyKey, try await entry(key: key) != nil { return nil }
        try await ensureAccount(memberId: memberId, now: context.now)
        let earned: Int64 = kind == .checkoutReturned || kind == .mallReturned ? 0 : points
        let rows = try await db.sql.raw("""
            UPDATE points_accounts SET balance = balance + \(bind: points), earned_total = earned_total + \(bind: earned), updated_at = \(bind: context.now)
            WHERE member_id = \(bind: memberId) RETURNING balance
            """).all()
        guard let row = rows.first else { throw StoredDataError(row: "points of member \(memberId)", underlying: "no account after creating it") }
        return try await record(points, memberId: memberId, kind: kind, balanceAfter: try row.decode(column: "balance", as: Int64.self),
                                lotRemaining: points, expiresAt: expiresAt, context: context)
    }

    private func ensureAccount(memberId: UUID, now: Date) async throws {
        try await db.sql.raw("""
            INSERT INTO points_accounts (id, member_id, balance, earned_total, last_seq, updated_at)
            VALUES (\(bind: UUID()), \(bind: memberId), 0, 0, 0, \(bind: now)) ON CONFLICT (member_id) DO NOTHING
            """).run()
    }

    /// Locks the member's balance row for the rest of the transaction (a no-op update).
    private func lockAccount(memberId: UUID, now: Date) async throws -> Int64 {
        try await ensureAccount(memberId: memberId, now: now)
        return try await db.sql.raw("UPDATE points_accounts SET balance = balance WHERE member_id = \(bind: memberId) RETURNING balance")
            .first()?.decode(column: "balance", as: Int64.self) ?? 0
    }

    private func take(_ takes: [PointsTake]) async throws {
        for take in takes {
            let updated = try await db.sql.raw("""
                UPDATE points_entries SET lot_remaining = lot_remaining - \(bind: take.points)
                WHERE id = \(bind: take.lotId) AND lot_remaining >= \(bind: take.points) RETURNING id
                """).all()
            guard !updated.isEmpty else { throw StoredDataError(row: "points lot \(take.lotId)", underlying: "less left than planned") }
        }
    }

    private func record(_ points: Int64, memberId: UUID, kind: PointsEntryKind, balanceAfter: Int64, lotRemaining: Int64?, expiresAt: Date?,
                        context: Context) async throws -> PointsEntryModel {
        // The account row is locked by the balance change before this; numbering under that lock
        // keeps the member's entries in commit order.
        let numbered = try await db.sql.raw("""
            UPDATE points_accounts SET last_seq = last_seq + 1 WHERE member_id = \(bind: memberId) RETURNING last_seq
            """).all()
        guard let seq = try numbered.first?.decode(column: "last_seq", as: Int64.self) else {
            throw StoredDataError(row: "points of member \(memberId)", underlying: "no account to number the entry")
        }
        let entry = PointsEntryModel()
        entry.id = UUID()
        entry.memberId = memberId
        entry.seq = seq
        entry.kind = kind.rawValue
        entry.points = points
        entry.balanceAfter = balanceAfter
        entry.lotRemaining = lotRemaining
        entry.expiresAt = expiresAt
        entry.referenceType = context.reference?.type
        entry.referenceId = context.reference?.id
        entry.note = context.note.map { String($0.prefix(500)) }
        entry.actorStaffId = context.actorStaffId
        entry.idempotencyKey = context.idempotencyKey
        entry.createdAt = context.now
        try await entry.create(on: db)
        return entry
    }
}
