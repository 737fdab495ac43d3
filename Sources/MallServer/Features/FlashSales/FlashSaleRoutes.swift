import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The day's flash-sale sessions as anyone sees them; a signed-in member also sees when their
/// level's head start opens a session for them.
struct FlashSaleRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("flash-sales", use: today)
    }

    func today(req: Request) async throws -> [FlashSession] {
        var priority: Int?
        if let memberId = req.signedInMemberId { priority = try await MembershipService.rights(memberId: memberId, on: req.db).rights.priorityMinutes }
        return try await FlashSaleQueries.today(priorityMinutes: priority, now: req.now, on: req.db)
    }
}

/// The quick purchase (behind the member gate).
struct FlashSaleMemberRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("flash-sales", ":sessionId", "purchases", use: purchase)
    }

    /// 201 for a new purchase, 200 when the same key was used before.
    func purchase(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        let key = try PointsMallService.idempotencyKey(req, problem: "send a unique Idempotency-Key header (8–100 characters) so a retry cannot buy twice")
        let input = try req.content.decode(FlashPurchaseInput.self)
        let (result, created) = try await FlashSaleService(app: req.application, db: req.db).purchase(
            sessionId: id, memberId: member.memberId, key: key, input: input, now: req.now)
        return try Response.json(result, status: created ? .created : .ok)
    }
}

/// Staff keep sessions (`marketing.manage`; merchants only their own goods; every change
/// audited) and watch a session live.
struct FlashSaleAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sessions = routes.grouped("marketing", "flash-sales")
        sessions.get(use: list)
        sessions.post(use: create)
        sessions.get(":sessionId", use: show)
        sessions.put(":sessionId", use: update)
        sessions.post(":sessionId", "end", use: end)
        sessions.post(":sessionId", "copies", use: copy)
        sessions.get(":sessionId", "live", use: live)
        sessions.get(":sessionId", "summary", use: summary)
    }

    func list(req: Request) async throws -> ListPage<FlashSession> {
        let (_, reach) = try req.reach(.marketingManage)
        return try await FlashSaleQueries.all(reach: reach, page: try PageRequest(from: req), now: req.now, on: req.db)
    }

    func create(req: Request) async throws -> Response {
        let (_, reach) = try req.reach(.marketingManage)
        let input = try req.content.decode(FlashSessionInput.self)
        let session = try await FlashSaleService(app: req.application, db: req.db).create(input, reach: reach, audit: req.audit)
        return try Response.json(try await view(session, req), status: .created)
    }

    func show(req: Request) async throws -> FlashSession {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        return try await view(try await FlashSaleService.session(id, reach: reach, on: req.db), req)
    }

    func update(req: Request) async throws -> FlashSession {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        let input = try req.content.decode(FlashSessionInput.self)
        return try await view(try await FlashSaleService(app: req.application, db: req.db).update(sessionId: id, input, reach: reach, audit: req.audit), req)
    }

    func end(req: Request) async throws -> FlashSession {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        return try await view(try await FlashSaleService(app: req.application, db: req.db).end(sessionId: id, reach: reach, audit: req.audit), req)
    }

    func copy(req: Request) async throws -> Response {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        let input = try req.content.decode(FlashSessionCopyInput.self)
        let session = try await FlashSaleService(app: req.application, db: req.db).copy(sessionId: id, input, reach: reach, audit: req.audit)
        return try Response.json(try await view(session, req), status: .created)
    }

    func live(req: Request) async throws -> FlashSessionLive {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        let session = try await FlashSaleService.session(id, reach: reach, on: req.db)
        return try await FlashSaleQueries.live(session, gate: req.application.flashQuotaGate, now: req.now, on: req.db)
    }

    func summary(req: Request) async throws -> MarketingSummary {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("sessionId", notFound: "No such flash-sale session.")
        return try await FlashSaleQueries.summary(try await FlashSaleService.session(id, reach: reach, on: req.db), now: req.now, on: req.db)
    }

    private func view(_ session: FlashSessionModel, _ req: Request) async throws -> FlashSession {
        try await FlashSaleQueries.sessions([session], priorityMinutes: nil, now: req.now, on: req.db)[0]
    }
}
