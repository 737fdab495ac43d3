import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

// Vapor content for the level API types (kept beside their routes; see Content+API.swift).
extension MemberLevel: Content {}
extension Membership: Content {}
extension MemberLevelChange: Content {}

/// Member levels for everyone: the ladder with its conditions and rights (public), and the
/// member's own standing (`/me/membership`, behind the member gate).
struct MemberLevelRoutes: RouteCollection {
    /// Registered on the public API.
    struct Public: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.get("member-levels", use: list)
        }

        func list(req: Request) async throws -> [MemberLevel] {
            try await MembershipService.levels(counts: false, on: req.db)
        }
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("me").get("membership", use: membership)
    }

    func membership(req: Request) async throws -> Membership {
        let member = try req.requireMember()
        return Self.translated(try await MembershipService(app: req.application, db: req.db).membership(memberId: member.memberId, now: req.now),
                               for: req)
    }

    /// History notes the server wrote ("order … completed", "daily evaluation") in the reader's
    /// language; a note staff typed stays as typed.
    static func translated(_ membership: Membership, for req: Request) -> Membership {
        var membership = membership
        membership.history = membership.history.map { translated($0, for: req) }
        return membership
    }

    static func translated(_ change: MemberLevelChange, for req: Request) -> MemberLevelChange {
        var change = change
        change.note = change.note.map(req.serverText)
        return change
    }
}

/// HQ defines the levels (member.manage; audited) and looks at a member's level and its history
/// (member.view). Levels are the platform's, so both need the permission at platform scope.
struct MemberLevelAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let levels = routes.grouped("member-levels")
        levels.get(use: list)
        levels.post(use: create)
        levels.post("evaluations", use: evaluateAll)
        levels.get(":levelId", use: show)
        levels.put(":levelId", use: update)
        levels.delete(":levelId", use: delete)
        let member = routes.grouped("members", ":memberId")
        member.get("membership", use: membership)
        member.get("level-changes", use: history)
    }

    func list(req: Request) async throws -> [MemberLevel] {
        try req.authorize(.memberView, on: .platform)
        return try await MembershipService.levels(counts: true, on: req.db)
    }

    func show(req: Request) async throws -> MemberLevel {
        try req.authorize(.memberView, on: .platform)
        let level = try await MembershipService.level(id: try Self.levelId(req), on: req.db)
        let count = try await MemberModel.query(on: req.db).filter(\.$level == level.code).count()
        return level.dto(memberCount: count)
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.memberManage, on: .platform)
        let input = try req.content.decode(MemberLevelDefinitionInput.self)
        let level = try await MembershipService(app: req.application, db: req.db).create(input, now: req.now, audit: req.audit)
        return try Response.json(level.dto(memberCount: 0), status: .created)
    }

    func update(req: Request) async throws -> MemberLevel {
        try req.authorize(.memberManage, on: .platform)
        let id = try Self.levelId(req)
        let input = try req.content.decode(MemberLevelDefinitionInput.self)
        let level = try await MembershipService(app: req.application, db: req.db).update(id: id, input, now: req.now, audit: req.audit)
        return level.dto(memberCount: try await MemberModel.query(on: req.db).filter(\.$level == level.code).count())
    }

    func delete(req: Request) async throws -> HTTPStatus {
        try req.authorize(.memberManage, on: .platform)
        try await MembershipService(app: req.application, db: req.db).delete(id: try Self.levelId(req), audit: req.audit)
        return .noContent
    }

    /// Re-evaluates every member now (after conditions changed) instead of at the next daily run.
    func evaluateAll(req: Request) async throws -> Response {
        try req.authorize(.memberManage, on: .platform)
        let now = req.now
        try await req.db.writeTransaction { db in
            try await req.application.jobs.enqueue(MemberLevelJobs.evaluateJob, payload: MemberLevelJobs.EvaluatePayload(after: nil),
                                                   uniqueKey: "member-levels:evaluate:\(Int(now.timeIntervalSince1970))", on: db)
            try await req.audit.record(on: db, action: "member_level.evaluate", owner: .platform, targetType: "member_level", targetId: "all")
        }
        return Response(status: .accepted)
    }

    func membership(req: Request) async throws -> Membership {
        try req.authorize(.memberView, on: .platform)
        let memberId = try await MemberPointsAdminRoutes.member(req)
        return MemberLevelRoutes.translated(try await MembershipService(app: req.application, db: req.db).membership(memberId: memberId, now: req.now),
                                            for: req)
    }

    func history(req: Request) async throws -> ListPage<MemberLevelChange> {
        try req.authorize(.memberView, on: .platform)
        let memberId = try await MemberPointsAdminRoutes.member(req)
        var page = try await MembershipService.history(memberId: memberId, page: try PageRequest(from: req), on: req.db)
        page.items = page.items.map { MemberLevelRoutes.translated($0, for: req) }
        return page
    }

    static func levelId(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("levelId", as: UUID.self) else { throw MallError.notFound("No such member level.") }
        return id
    }
}

/// The level jobs: the daily re-evaluation of every member (downgrades after the grace period,
/// upgrades the order path missed) and the hourly birthday gifts.
enum MemberLevelJobs {
    static let evaluateJob = "members.evaluateLevels"
    static let birthdayJob = "members.birthdayGifts"
    /// Members read per statement.
    static let pageSize = 500
    /// A run that takes longer hands the rest to a follow-up job, well inside the job lock.
    static let timeBudget: Duration = .seconds(60)
    /// A missed day (the server was down) is still given for this many days.
    static let birthdayCatchUpDays = 6

    struct EvaluatePayload: Codable {
        /// Carry on after this member id (a follow-up run); nil from the start.
        let after: UUID?
    }

    /// Reads members a page at a time with their window stats in two statements, asks the core
    /// for each verdict, and writes only where something changes — in a transaction per member
    /// that evaluates again under the member's lock, so an order completing meanwhile is seen.
    static func evaluate(_ context: JobContext) async throws {
        let payload = (try? context.decode(EvaluatePayload.self)) ?? EvaluatePayload(after: nil)
        let ladder = try await MemberLevelModel.ladder(on: context.db)
        guard !ladder.isEmpty else { return }
        let rules = ladder.map(\.rule)
        let settings = try await SettingsService.resolved(on: context.db)
        let policy = MembershipService.policy(settings)
        let clock = ContinuousClock()
        let started = clock.now
        var after = payload.after
        while true {
            var query = MemberModel.query(on: context.db).sort(\.$id).limit(pageSize)
            if let after { query = query.filter(\.$id > after) }
            let members = try await query.all()
            guard let last = members.last?.id else { return }
            let ids = members.compactMap(\.id)
            let stats = try await LevelStatsQuery.stats(memberIds: ids, now: context.now, windowDays: policy.windowDays, on: context.db)
            let states = Dictionary(try await MemberLevelStateModel.query(on: context.db).filter(\.$memberId ~~ ids).all().map { ($0.memberId, $0) },
                                    uniquingKeysWith: { a, _ in a })
            for member in members {
                let id = member.id!
                let state = states[id]
                let verdict = LevelEvaluator.evaluate(rules, standing: LevelStanding(code: member.level, belowSince: state?.belowSince),
                                                      stats: stats[id] ?? .zero, policy: policy, now: context.now)
                // Nothing to write: same level, same grace clock.
                guard verdict.code != member.level || verdict.belowSince != state?.belowSince else { continue }
                try await MembershipService(app: context.app, db: context.db).evaluate(memberId: id, note: "daily evaluation", now: context.now)
            }
            after = last
            if clock.now - started > timeBudget {
                try await context.app.jobs.enqueue(evaluateJob, payload: EvaluatePayload(after: last),
                                                   uniqueKey: "member-levels:evaluate:after:\(last.uuidString):\(context.jobId.uuidString)")
                return
            }
        }
    }

    /// Gives each member whose birthday it is (or was, within the catch-up days) their level's
    /// birthday points, once per year: the ledger's idempotency key names the member and the year.
    static func birthdayGifts(_ context: JobContext) async throws {
        let ladder = try await MemberLevelModel.ladder(on: context.db)
        let giving = ladder.filter { $0.birthdayPoints > 0 || $0.birthdayCouponId != nil }
        guard !giving.isEmpty else { return }
        let settings = try await SettingsService.resolved(on: context.db)
        let today = LocalTime.calendarDate(of: context.now, in: settings.timeZone)
        let due = BirthdayGift.dueDays(today: today, catchUpDays: birthdayCatchUpDays)
        let byLevel = Dictionary(uniqueKeysWithValues: giving.map { ($0.code, $0) })
        let members = try await context.db.sql.raw("""
            SELECT id, level, birthday FROM members
            WHERE birthday IS NOT NULL AND level IN (\(binds: giving.map(\.code))) AND substr(birthday, 6) IN (\(binds: due.map(\.monthDay)))
            """).all()
        for row in members {
            let id = try row.decode(column: "id", as: UUID.self)
            guard let code = try row.decode(column: "level", as: String?.self), let level = byLevel[code],
                  let raw = try row.decode(column: "birthday", as: String?.self),
                  let birthday = try? CalendarDate(parsing: raw, field: "birthday"),
                  let year = BirthdayGift.dueYear(birthday: birthday, today: today, catchUpDays: birthdayCatchUpDays) else { continue }
            if let templateId = level.birthdayCouponId {
                try await CouponService(app: context.app, db: context.db).grantBirthday(templateId: templateId, memberId: id, year: year,
                                                                                       levelName: level.name, now: context.now)
            }
            guard level.birthdayPoints > 0 else { continue }
            try await context.db.writeTransaction { db in
                let key = "birthday:\(id.uuidString):\(year)"
                guard try await PointsService(db: db).earn(level.birthdayPoints, memberId: id, kind: .birthday,
                                                           context: .init(reference: ("member_level", level.code), note: "\(year) birthday, level \(level.name)",
                                                                          idempotencyKey: key, now: context.now),
                                                           settings: settings) != nil else { return }
                try await NotificationOutbox(app: context.app, db: db).send(
                    audience: .member, recipientId: id, merchantId: nil, storeId: nil,
                    title: "Happy birthday! +\(level.birthdayPoints) points",
                    body: "Your \(level.name) birthday gift of \(level.birthdayPoints) points has arrived.",
                    reference: .init(type: "member_level", id: level.code), now: context.now)
            }
        }
    }
}
