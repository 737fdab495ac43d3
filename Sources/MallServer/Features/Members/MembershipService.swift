import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Member levels: HQ's definitions, each member's evaluation against them (`LevelEvaluator` in
/// the core decides; this writes the outcome), staff overrides, the level history and what a
/// member sees of it all. Level changes lock the member's `member_level_states` row, so an order
/// completing and the daily job never decide on the same member at once.
struct MembershipService {
    let app: Application
    let db: any Database

    enum Failure: ProblemConvertible, Equatable {
        case levelHeld(name: String, members: Int)

        var status: HTTPResponseStatus { .conflict }
        var title: String { status.reasonPhrase }
        var detail: String? {
            switch self {
            case .levelHeld(let name, let members):
                "\(members) member(s) hold the level \(name); move them to another level before deleting it."
            }
        }
    }

    // MARK: Definitions

    /// Every level, lowest rank first; with `counts`, how many members hold each.
    static func levels(counts: Bool, on db: any Database) async throws -> [MemberLevel] {
        let levels = try await MemberLevelModel.ladder(on: db)
        guard counts else { return levels.map { $0.dto() } }
        var held: [String: Int] = [:]
        for row in try await db.sql.raw("SELECT level, COUNT(*) AS n FROM members WHERE level IS NOT NULL GROUP BY level").all() {
            held[try row.decode(column: "level", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return levels.map { $0.dto(memberCount: held[$0.code] ?? 0) }
    }

    static func level(id: UUID, on db: any Database) async throws -> MemberLevelModel {
        guard let level = try await MemberLevelModel.find(id, on: db) else { throw MallError.notFound("No such member level.") }
        return level
    }

    /// Checks a definition, collecting every problem; `existing` is the level being replaced.
    private func checked(_ input: MemberLevelDefinitionInput, replacing existing: MemberLevelModel?) async throws -> MemberLevelDefinitionInput {
        var input = input
        input.code = input.code.trimmingWhitespace().lowercased()
        input.name = input.name.trimmingWhitespace()
        var errors = FieldErrorCollector()
        LevelRules.check(code: input.code, name: input.name, rank: input.rank, conditions: input.conditions, rights: input.rights, into: &errors)
        input.description = errors.collect { try input.description.map { try TextRule.check($0, field: "description", min: 0, max: 200) } } ?? nil
        if input.description?.isEmpty == true { input.description = nil }
        if let existing, existing.code != input.code {
            errors.add("code", "cannot change: members and level prices use it; create another level instead")
        }
        if existing == nil, LevelRules.isWellFormedCode(input.code),
           try await MemberLevelModel.query(on: db).filter(\.$code == input.code).first() != nil {
            errors.add("code", "is already used by another level")
        }
        if LevelRules.rank.contains(input.rank),
           let other = try await MemberLevelModel.query(on: db).filter(\.$rank == input.rank).first(), other.id != existing?.id {
            errors.add("rank", "is already the rank of \(other.name)")
        }
        try errors.throwIfAny()
        return input
    }

    func create(_ input: MemberLevelDefinitionInput, now: Date, audit: AuditRecorder) async throws -> MemberLevelModel {
        let input = try await checked(input, replacing: nil)
        return try await db.writeTransaction { tx in
            let level = MemberLevelModel()
            level.id = UUID()
            level.code = input.code
            Self.assign(input, to: level)
            level.createdAt = now
            level.updatedAt = now
            try await level.create(on: tx)
            try await audit.record(on: tx, action: "member_level.create", owner: .platform, targetType: "member_level", targetId: level.id!.uuidString,
                                    before: nil, after: Self.auditFields(level))
            return level
        }
    }

    func update(id: UUID, _ input: MemberLevelDefinitionInput, now: Date, audit: AuditRecorder) async throws -> MemberLevelModel {
        let level = try await Self.level(id: id, on: db)
        let input = try await checked(input, replacing: level)
        let before = Self.auditFields(level)
        return try await db.writeTransaction { tx in
            Self.assign(input, to: level)
            level.updatedAt = now
            try await level.update(on: tx)
            try await audit.record(on: tx, action: "member_level.update", owner: .platform, targetType: "member_level", targetId: id.uuidString,
                                    before: before, after: Self.auditFields(level))
            return level
        }
    }

    /// Refused while members hold the level: their prices and history name it.
    func delete(id: UUID, audit: AuditRecorder) async throws {
        try await db.writeTransaction { tx in
            let level = try await Self.level(id: id, on: tx)
            let holders = try await MemberModel.query(on: tx).filter(\.$level == level.code).count()
            guard holders == 0 else { throw Failure.levelHeld(name: level.name, members: holders) }
            try await audit.record(on: tx, action: "member_level.delete", owner: .platform, targetType: "member_level", targetId: id.uuidString,
                                    before: Self.auditFields(level), after: nil)
            try await level.delete(on: tx)
        }
    }

    private static func assign(_ input: MemberLevelDefinitionInput, to level: MemberLevelModel) {
        level.name = input.name
        level.rank = input.rank
        level.levelDescription = input.description
        level.conditions = input.conditions
        level.rights = input.rights
    }

    private static func auditFields(_ level: MemberLevelModel) -> [String: String] {
        let rights = level.rights, conditions = level.conditions
        return [
            "code": level.code, "name": level.name, "rank": String(level.rank),
            "minimumSpendFen": conditions.minimumSpendFen.map(String.init) ?? "", "minimumOrders": conditions.minimumOrders.map(String.init) ?? "",
            "minimumPointsEarned": conditions.minimumPointsEarned.map(String.init) ?? "", "matchAll": String(conditions.matchAll),
            "discountBasisPoints": String(rights.discountBasisPoints), "pointsMultiplierBasisPoints": String(rights.pointsMultiplierBasisPoints),
            "freeShippingThresholdFen": rights.freeShippingThresholdFen.map(String.init) ?? "", "priorityMinutes": String(rights.priorityMinutes),
            "birthdayPoints": String(rights.birthdayPoints), "exclusiveService": String(rights.exclusiveService),
        ]
    }

    // MARK: Evaluation

    static func policy(_ settings: ResolvedSettings) -> LevelPolicy {
        LevelPolicy(windowDays: settings.integer(.memberLevelWindowDays), downgrades: settings.boolean(.memberLevelDowngrades),
                    graceDays: settings.integer(.memberLevelGraceDays))
    }

    /// Re-evaluates one member now and writes the outcome (a level change with its history entry
    /// and inbox message, or the grace clock). Runs in the caller's transaction when there is
    /// one. Returns the change, if the level changed.
    @discardableResult
    func evaluate(memberId: UUID, note: String?, now: Date) async throws -> MemberLevelChangeModel? {
        try await db.writeTransaction { tx in
            let settings = try await SettingsService.resolved(on: tx)
            let state = try await Self.lockState(memberId: memberId, now: now, on: tx)
            guard let member = try await MemberModel.find(memberId, on: tx) else { return nil }
            let ladder = try await MemberLevelModel.ladder(on: tx)
            let policy = Self.policy(settings)
            let stats = try await LevelStatsQuery.stats(memberIds: [memberId], now: now, windowDays: policy.windowDays, on: tx)[memberId] ?? .zero
            let verdict = LevelEvaluator.evaluate(ladder.map(\.rule), standing: LevelStanding(code: member.level, belowSince: state.belowSince),
                                                  stats: stats, policy: policy, now: now)
            state.evaluatedAt = now
            guard let change = verdict.change, verdict.code != member.level else {
                state.belowSince = verdict.belowSince
                try await state.update(on: tx)
                return nil
            }
            return try await Self.changeLevel(member, state: state, to: verdict.code, reason: change == .upgrade ? .upgrade : .downgrade,
                                              note: note, actorStaffId: nil, ladder: ladder, app: app, now: now, on: tx)
        }
    }

    /// Staff set a member's level by hand (a defined level's code, or nil for none). Recorded in
    /// the history as a manual change; the evaluation carries on from there (upgrades at once if
    /// the member qualifies higher, a downgrade only after the grace period).
    func setLevel(memberId: UUID, code raw: String?, note rawNote: String?, staffId: UUID, now: Date, audit: AuditRecorder) async throws -> MemberModel {
        var errors = FieldErrorCollector()
        let code = raw.map { $0.trimmingWhitespace().lowercased() }.flatMap { $0.isEmpty ? nil : $0 }
        let checkedNote = errors.collect { try rawNote.map { try TextRule.check($0, field: "note", min: 0, max: 200) } } ?? nil
        let note = checkedNote?.isEmpty == true ? nil : checkedNote
        if let code {
            if !LevelRules.isWellFormedCode(code) {
                errors.add("level", "must be 1–20 letters, digits, '-' or '_' (the code used in level prices)")
            } else if try await MemberLevelModel.query(on: db).filter(\.$code == code).first() == nil {
                errors.add("level", "is not a defined member level")
            }
        }
        try errors.throwIfAny()
        return try await db.writeTransaction { tx in
            let state = try await Self.lockState(memberId: memberId, now: now, on: tx)
            guard let member = try await MemberModel.find(memberId, on: tx) else { throw MallError.notFound("No such member.") }
            let before = member.level
            if before != code {
                let ladder = try await MemberLevelModel.ladder(on: tx)
                try await Self.changeLevel(member, state: state, to: code, reason: .manual, note: note, actorStaffId: staffId, ladder: ladder,
                                           app: app, now: now, on: tx)
            }
            try await audit.record(on: tx, action: "member.level", owner: .platform, targetType: "member", targetId: memberId.uuidString,
                                    before: ["level": before ?? ""], after: ["level": code ?? "", "note": note ?? ""])
            return member
        }
    }

    /// The member's standing row, created on first use and locked for the rest of the
    /// transaction (a no-op update takes PostgreSQL's row lock; SQLite's write transaction
    /// already excludes other writers).
    static func lockState(memberId: UUID, now: Date, on db: any Database) async throws -> MemberLevelStateModel {
        try await db.sql.raw("""
            INSERT INTO member_level_states (id, member_id) VALUES (\(bind: UUID()), \(bind: memberId)) ON CONFLICT (member_id) DO NOTHING
            """).run()
        try await db.sql.raw("UPDATE member_level_states SET member_id = member_id WHERE member_id = \(bind: memberId)").run()
        guard let state = try await MemberLevelStateModel.query(on: db).filter(\.$memberId == memberId).first() else {
            throw StoredDataError(row: "level standing of member \(memberId)", underlying: "missing after it was created")
        }
        return state
    }

    @discardableResult
    private static func changeLevel(_ member: MemberModel, state: MemberLevelStateModel, to code: String?, reason: LevelChangeReason,
                                    note: String?, actorStaffId: UUID?, ladder: [MemberLevelModel], app: Application, now: Date,
                                    on db: any Database) async throws -> MemberLevelChangeModel {
        let from = member.level
        member.level = code
        try await member.update(on: db)
        state.since = now
        state.belowSince = nil
        state.evaluatedAt = now
        try await state.update(on: db)
        let change = MemberLevelChangeModel()
        change.id = UUID()
        change.memberId = member.id!
        change.fromLevel = from
        change.toLevel = code
        change.reason = reason.rawValue
        change.note = note.map { String($0.prefix(200)) }
        change.actorStaffId = actorStaffId
        change.createdAt = now
        try await change.create(on: db)

        // Entering the ladder at a level everyone holds is no news; every other change is.
        let names = Dictionary(uniqueKeysWithValues: ladder.map { ($0.code, $0.name) })
        let target = ladder.first { $0.code == code }
        if from == nil, reason != .manual, target?.conditions.isEmpty == true { return change }
        // Stored as English sentences and read in the member's language (the server catalog).
        let toName = code.flatMap { names[$0] } ?? code ?? "no level"
        let fromName = from.flatMap { names[$0] } ?? from ?? "no level"
        let title: String
        switch reason {
        case .upgrade: title = "Level up: \(toName)"
        case .downgrade, .manual: title = "Level changed: \(toName)"
        }
        try await NotificationOutbox(app: app, db: db).send(
            audience: .member, recipientId: member.id!, merchantId: nil, storeId: nil, title: title,
            body: "Your member level moved from \(fromName) to \(toName).",
            reference: .init(type: "member_level", id: code ?? ""), now: now)
        return change
    }

    // MARK: Reading

    /// What a member sees of their level (and staff of a member's): the level, the window's
    /// stats, progress to the next level, a pending downgrade and the latest history. A member
    /// never evaluated yet (no standing row) is evaluated first, so a new member sees the level
    /// they already qualify for.
    func membership(memberId: UUID, now: Date, historyLimit: Int = 20) async throws -> Membership {
        if try await MemberLevelStateModel.query(on: db).filter(\.$memberId == memberId).first() == nil,
           try await MemberLevelModel.query(on: db).count() > 0 {
            try await evaluate(memberId: memberId, note: nil, now: now)
        }
        guard let member = try await MemberModel.find(memberId, on: db) else { throw MallError.notFound("No such member.") }
        let settings = try await SettingsService.resolved(on: db)
        let policy = Self.policy(settings)
        let ladder = try await MemberLevelModel.ladder(on: db)
        let state = try await MemberLevelStateModel.query(on: db).filter(\.$memberId == memberId).first()
        let stats = try await LevelStatsQuery.stats(memberIds: [memberId], now: now, windowDays: policy.windowDays, on: db)[memberId] ?? .zero
        let current = ladder.first { $0.code == member.level }
        let rules = ladder.map(\.rule)
        let next = LevelEvaluator.next(above: current?.code, in: rules).flatMap { rule in ladder.first { $0.code == rule.code } }
        let verdict = LevelEvaluator.evaluate(rules, standing: LevelStanding(code: member.level, belowSince: state?.belowSince),
                                              stats: stats, policy: policy, now: now)
        let names = Dictionary(uniqueKeysWithValues: ladder.map { ($0.code, $0.name) })
        let history = try await MemberLevelChangeModel.query(on: db).filter(\.$memberId == memberId)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(historyLimit).all()
        return Membership(memberId: memberId, level: current?.dto(), since: state?.since, windowDays: policy.windowDays,
                          windowStart: LevelWindow.start(endingAt: now, days: policy.windowDays), stats: stats, nextLevel: next?.dto(),
                          progress: next?.conditions.progress(stats) ?? [], downgradeAt: verdict.downgradeAt,
                          downgradeTo: verdict.downgradeAt == nil ? nil : verdict.qualified, history: history.map { $0.dto(names: names) })
    }

    static func history(memberId: UUID, page: PageRequest, on db: any Database) async throws -> ListPage<MemberLevelChange> {
        let names = Dictionary(uniqueKeysWithValues: try await MemberLevelModel.ladder(on: db).map { ($0.code, $0.name) })
        return try await MemberLevelChangeModel.query(on: db).filter(\.$memberId == memberId)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).page(page) { $0.dto(names: names) }
    }

    /// The rights of the member's level (none without one).
    static func rights(memberId: UUID, on db: any Database) async throws -> (level: MemberLevelModel?, rights: LevelRights) {
        try await rights(levelCode: try await MemberModel.find(memberId, on: db)?.level, on: db)
    }

    static func rights(levelCode code: String?, on db: any Database) async throws -> (level: MemberLevelModel?, rights: LevelRights) {
        guard let code, let level = try await MemberLevelModel.query(on: db).filter(\.$code == code).first() else { return (nil, .none) }
        return (level, level.rights)
    }
}

/// The level window's stats from the stored activity: completed orders (`order_rewards`, goods
/// paid less refunds) and points earned less clawbacks (`points_entries`), in the same window
/// as `LevelWindow` (after `now - days`, up to `now`). One query per kind for any number of
/// members, so the daily job reads a page of members in two statements.
enum LevelStatsQuery {
    /// Entry kinds that count as points earned for levels: earnings, not points given back.
    static let earningKinds: [PointsEntryKind] = PointsEntryKind.allCases.filter { $0.isEarning && $0 != .checkoutReturned && $0 != .mallReturned }

    static func stats(memberIds: [UUID], now: Date, windowDays: Int, on db: any Database) async throws -> [UUID: LevelStats] {
        guard !memberIds.isEmpty else { return [:] }
        let start = LevelWindow.start(endingAt: now, days: windowDays)
        var stats: [UUID: LevelStats] = [:]
        for row in try await db.sql.raw("""
            SELECT member_id,
                   CAST(COALESCE(SUM(CASE WHEN paid_goods_fen > refunded_goods_fen THEN paid_goods_fen - refunded_goods_fen ELSE 0 END), 0) AS BIGINT) AS spend,
                   CAST(COALESCE(SUM(CASE WHEN paid_goods_fen > refunded_goods_fen THEN 1 ELSE 0 END), 0) AS BIGINT) AS orders
            FROM order_rewards
            WHERE member_id IN (\(binds: memberIds)) AND completed_at > \(bind: start) AND completed_at <= \(bind: now)
            GROUP BY member_id
            """).all() {
            let id = try row.decode(column: "member_id", as: UUID.self)
            stats[id, default: .zero].spendFen = try row.decode(column: "spend", as: Int64.self)
            stats[id, default: .zero].completedOrders = Int(clamping: try row.decode(column: "orders", as: Int64.self))
        }
        let kinds = (earningKinds + [.clawback]).map(\.rawValue)
        for row in try await db.sql.raw("""
            SELECT member_id, CAST(COALESCE(SUM(points), 0) AS BIGINT) AS points FROM points_entries
            WHERE member_id IN (\(binds: memberIds)) AND kind IN (\(binds: kinds)) AND created_at > \(bind: start) AND created_at <= \(bind: now)
            GROUP BY member_id
            """).all() {
            let id = try row.decode(column: "member_id", as: UUID.self)
            stats[id, default: .zero].pointsEarned = max(0, try row.decode(column: "points", as: Int64.self))
        }
        return stats
    }
}
