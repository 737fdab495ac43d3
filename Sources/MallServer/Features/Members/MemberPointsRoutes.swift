import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The member's own points, daily sign-in and inbox (registered behind the member gate).
struct MemberPointsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let me = routes.grouped("me")
        me.get("points", use: summary)
        me.get("points", "ledger", use: ledger)
        me.post("sign-ins", use: signIn)
        let inbox = me.grouped("notifications")
        inbox.get(use: notifications)
        inbox.post("read-all", use: readAll)
        inbox.post(":notificationId", "read", use: read)
    }

    func summary(req: Request) async throws -> PointsSummary {
        let member = try req.requireMember()
        return try await PointsQueries.summary(memberId: member.memberId, settings: try await SettingsService.resolved(on: req.db),
                                               now: req.now, on: req.db)
    }

    func ledger(req: Request) async throws -> ListPage<PointsEntry> {
        let member = try req.requireMember()
        let page = try PageRequest(from: req)
        let kind = try Self.kind(req)
        return Self.translated(try await PointsQueries.ledger(memberId: member.memberId, page: page, kind: kind, on: req.db), for: req)
    }

    /// Notes the server wrote ("day 3 in a row", "order … , level 金卡 ×1.5") in the reader's
    /// language; a reason staff typed stays as typed.
    static func translated(_ ledger: ListPage<PointsEntry>, for req: Request) -> ListPage<PointsEntry> {
        var ledger = ledger
        ledger.items = ledger.items.map { entry in
            var entry = entry
            entry.note = entry.note.map(req.serverText)
            return entry
        }
        return ledger
    }

    /// 201 when today's sign-in was recorded now, 200 when it had been already.
    func signIn(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let result = try await SignInService.signIn(memberId: member.memberId, settings: try await SettingsService.resolved(on: req.db),
                                                    now: req.now, on: req.db)
        return try Response.json(result, status: result.alreadySignedIn ? .ok : .created)
    }

    func notifications(req: Request) async throws -> MemberInbox {
        let member = try req.requireMember()
        let page = try PageRequest(from: req)
        let unreadOnly: Bool
        switch req.query[String.self, at: "unread"] {
        case nil, "", "false": unreadOnly = false
        case "true": unreadOnly = true
        default: throw ValidationFailure(field: "unread", message: "must be true or false")
        }
        return Self.translated(try await MemberInboxService.page(memberId: member.memberId, unreadOnly: unreadOnly, page: page, on: req.db), for: req)
    }

    func read(req: Request) async throws -> MemberInbox {
        let member = try req.requireMember()
        guard let id = req.parameters.get("notificationId", as: UUID.self) else { throw MallError.notFound("No such notification.") }
        try await MemberInboxService.markRead(memberId: member.memberId, notificationId: id, now: req.now, on: req.db)
        return Self.translated(try await MemberInboxService.page(memberId: member.memberId, unreadOnly: false, page: PageRequest(), on: req.db), for: req)
    }

    func readAll(req: Request) async throws -> MemberInbox {
        let member = try req.requireMember()
        try await MemberInboxService.markRead(memberId: member.memberId, notificationId: nil, now: req.now, on: req.db)
        return Self.translated(try await MemberInboxService.page(memberId: member.memberId, unreadOnly: false, page: PageRequest(), on: req.db), for: req)
    }

    /// Messages are stored as the English sentences the server wrote and read in the reader's
    /// language, so a shopper who switches language sees their whole inbox in it.
    static func translated(_ inbox: MemberInbox, for req: Request) -> MemberInbox {
        var inbox = inbox
        inbox.notifications.items = inbox.notifications.items.map { item in
            var item = item
            item.title = req.serverText(item.title)
            item.body = req.serverText(item.body)
            return item
        }
        return inbox
    }

    static func kind(_ req: Request) throws -> PointsEntryKind? {
        guard let raw = req.query[String.self, at: "kind"], !raw.isEmpty else { return nil }
        guard let kind = PointsEntryKind(rawValue: raw) else {
            throw ValidationFailure(field: "kind", message: "must be one of \(PointsEntryKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }
}

/// Staff look at a member's points and adjust them by hand (audited).
struct MemberPointsAdminRoutes: RouteCollection {
    static let adjustmentLimit: ClosedRange<Int64> = -1_000_000...1_000_000

    func boot(routes: any RoutesBuilder) throws {
        let points = routes.grouped("members", ":memberId", "points")
        points.get(use: show)
        points.post("adjustments", use: adjust)
    }

    func show(req: Request) async throws -> MemberPoints {
        try req.authorize(.memberView, on: .platform)
        let memberId = try await Self.member(req)
        let page = try PageRequest(from: req)
        let kind = try MemberPointsRoutes.kind(req)
        let settings = try await SettingsService.resolved(on: req.db)
        return MemberPoints(memberId: memberId, summary: try await PointsQueries.summary(memberId: memberId, settings: settings, now: req.now, on: req.db),
                            ledger: MemberPointsRoutes.translated(try await PointsQueries.ledger(memberId: memberId, page: page, kind: kind, on: req.db), for: req))
    }

    func adjust(req: Request) async throws -> Response {
        let staff = try req.authorize(.memberManage, on: .platform)
        let memberId = try await Self.member(req)
        let input = try req.content.decode(PointsAdjustmentInput.self)
        var errors = FieldErrorCollector()
        if errors.range(input.points, Self.adjustmentLimit, "points"), input.points == 0 { errors.add("points", "must not be zero") }
        let reason = errors.collect { try TextRule.check(input.reason, field: "reason", min: 2, max: 200) }
        try errors.throwIfAny()
        let settings = try await SettingsService.resolved(on: req.db)
        let now = req.now
        let entry = try await req.db.writeTransaction { db -> PointsEntryModel? in
            let service = PointsService(db: db)
            let context = PointsService.Context(reference: ("staff", staff.staffId.uuidString), note: reason, actorStaffId: staff.staffId, now: now)
            let entry = input.points > 0
                ? try await service.earn(input.points, memberId: memberId, kind: .adminGrant, context: context, settings: settings)
                : try await service.spend(-input.points, memberId: memberId, kind: .adminDeduct, context: context)
            try await req.audit.record(on: db, action: "member.points", owner: .platform, targetType: "member", targetId: memberId.uuidString,
                                       after: ["points": String(input.points), "reason": reason ?? "", "balance": String(entry?.balanceAfter ?? 0)])
            return entry
        }
        guard let entry else { throw MallError.conflict("The adjustment was not recorded.") }
        return try Response.json(entry.dto, status: .created)
    }

    static func member(_ req: Request) async throws -> UUID {
        guard let id = req.parameters.get("memberId", as: UUID.self), try await MemberModel.find(id, on: req.db) != nil else {
            throw MallError.notFound("No such member.")
        }
        return id
    }
}

/// Writes off the points whose day has come, member by member (each in a transaction of its own).
enum PointsExpiryJob {
    static let kind = "points.expire"

    static func run(_ context: JobContext) async throws {
        let members = try await context.db.sql.raw("""
            SELECT DISTINCT member_id FROM points_entries WHERE lot_remaining > 0 AND expires_at <= \(bind: context.now)
            """).all().map { try $0.decode(column: "member_id", as: UUID.self) }
        for memberId in members {
            try await context.db.writeTransaction { db in
                try await PointsService(db: db).expireDue(memberId: memberId, now: context.now)
            }
        }
    }
}
