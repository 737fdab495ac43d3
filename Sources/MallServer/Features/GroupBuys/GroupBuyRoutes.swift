import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Running group buys and their groups, as anyone sees them.
struct GroupBuyRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let groupBuys = routes.grouped("group-buys")
        groupBuys.get(use: running)
        groupBuys.get(":activityId", use: show)
        groupBuys.get("groups", ":groupId", use: group)
    }

    func running(req: Request) async throws -> [GroupBuyActivity] {
        try await GroupBuyQueries.running(now: req.now, on: req.db)
    }

    func show(req: Request) async throws -> GroupBuyActivity {
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        guard let activity = try await GroupBuyActivityModel.find(id, on: req.db) else { throw MallError.notFound("No such group buy.") }
        return try await GroupBuyQueries.activities([activity], withGroups: true, now: req.now, on: req.db)[0]
    }

    func group(req: Request) async throws -> GroupBuyGroupView {
        let id = try req.pathId("groupId", notFound: "No such group.")
        return try await GroupBuyQueries.group(id, now: req.now, on: req.db)
    }
}

/// Opening and joining groups (behind the member gate).
struct GroupBuyMemberRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("group-buys", ":activityId", "groups", use: open)
        routes.post("group-buys", "groups", ":groupId", "members", use: join)
    }

    /// 201 for a new group, 200 when the same key opened one before.
    func open(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        let key = try Self.key(req)
        let input = try req.content.decode(GroupBuyJoinInput.self)
        let service = GroupBuyService(app: req.application, db: req.db)
        return try await result(try await service.open(activityId: id, memberId: member.memberId, key: key, input: input, now: req.now), req)
    }

    /// 201 for a new place in the group, 200 when the same key took it before.
    func join(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.pathId("groupId", notFound: "No such group.")
        let key = try Self.key(req)
        let input = try req.content.decode(GroupBuyJoinInput.self)
        let service = GroupBuyService(app: req.application, db: req.db)
        return try await result(try await service.join(groupId: id, memberId: member.memberId, key: key, input: input, now: req.now), req)
    }

    private static func key(_ req: Request) throws -> String {
        try PointsMallService.idempotencyKey(req, problem: "send a unique Idempotency-Key header (8–100 characters) so a retry cannot open or join twice")
    }

    private func result(_ joined: GroupBuyService.Joined, _ req: Request) async throws -> Response {
        let order = joined.order
        return try Response.json(GroupBuyJoinResult(
            group: try await GroupBuyQueries.group(joined.groupId, now: req.now, on: req.db), orderId: order.id!, orderNumber: order.number,
            payment: joined.payment?.info(req.application), paymentDueAt: order.paidAt == nil ? order.paymentDueAt : nil),
            status: joined.created ? .created : .ok)
    }
}

/// Staff keep activities (`marketing.manage`; merchants only their own goods; every change
/// audited) and watch one live.
struct GroupBuyAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let activities = routes.grouped("marketing", "group-buys")
        activities.get(use: list)
        activities.post(use: create)
        activities.get(":activityId", use: show)
        activities.put(":activityId", use: update)
        activities.post(":activityId", "end", use: end)
        activities.post(":activityId", "copies", use: copy)
        activities.get(":activityId", "live", use: live)
        activities.get(":activityId", "summary", use: summary)
    }

    func list(req: Request) async throws -> ListPage<GroupBuyActivity> {
        let (_, reach) = try req.reach(.marketingManage)
        return try await GroupBuyQueries.all(reach: reach, page: try PageRequest(from: req), now: req.now, on: req.db)
    }

    func create(req: Request) async throws -> Response {
        let (_, reach) = try req.reach(.marketingManage)
        let input = try req.content.decode(GroupBuyActivityInput.self)
        let activity = try await GroupBuyService(app: req.application, db: req.db).create(input, reach: reach, audit: req.audit)
        return try Response.json(try await view(activity, req), status: .created)
    }

    func show(req: Request) async throws -> GroupBuyActivity {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        return try await view(try await GroupBuyService.activity(id, reach: reach, on: req.db), req)
    }

    func update(req: Request) async throws -> GroupBuyActivity {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        let input = try req.content.decode(GroupBuyActivityInput.self)
        return try await view(try await GroupBuyService(app: req.application, db: req.db).update(activityId: id, input, reach: reach, audit: req.audit), req)
    }

    func end(req: Request) async throws -> GroupBuyActivity {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        return try await view(try await GroupBuyService(app: req.application, db: req.db).end(activityId: id, reach: reach, audit: req.audit), req)
    }

    func copy(req: Request) async throws -> Response {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        let input = try req.content.decode(GroupBuyCopyInput.self)
        let activity = try await GroupBuyService(app: req.application, db: req.db).copy(activityId: id, input, reach: reach, audit: req.audit)
        return try Response.json(try await view(activity, req), status: .created)
    }

    func live(req: Request) async throws -> GroupBuyLive {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        return try await GroupBuyQueries.live(try await GroupBuyService.activity(id, reach: reach, on: req.db), now: req.now, on: req.db)
    }

    func summary(req: Request) async throws -> MarketingSummary {
        let (_, reach) = try req.reach(.marketingManage)
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        return try await GroupBuyQueries.summary(try await GroupBuyService.activity(id, reach: reach, on: req.db), now: req.now, on: req.db)
    }

    private func view(_ activity: GroupBuyActivityModel, _ req: Request) async throws -> GroupBuyActivity {
        try await GroupBuyQueries.activities([activity], withGroups: true, now: req.now, on: req.db)[0]
    }
}
