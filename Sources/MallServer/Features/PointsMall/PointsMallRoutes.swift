import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The points mall and lotteries as anyone sees them; a signed-in member also sees their own
/// counts and balance.
struct PointsMallRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let items = routes.grouped("points-mall", "items")
        items.get(use: list)
        items.get(":itemId", use: show)
        let lotteries = routes.grouped("lotteries")
        lotteries.get(use: lotteryList)
        lotteries.get(":lotteryId", use: lottery)
    }

    func list(req: Request) async throws -> ListPage<PointsMallItem> {
        try await PointsMallQueries.catalogue(memberId: req.signedInMemberId, page: try PageRequest(from: req), now: req.now, on: req.db)
    }

    func show(req: Request) async throws -> PointsMallItemDetail {
        let id = try req.pathId("itemId", notFound: "No such points-mall item.")
        let detail = try await PointsMallQueries.detail(itemId: id, memberId: req.signedInMemberId, now: req.now, directory: req.application.storeDirectory, on: req.db)
        guard detail.item.enabled else { throw MallError.notFound("No such points-mall item.") }
        return detail
    }

    func lotteryList(req: Request) async throws -> [Lottery] {
        try await LotteryQueries.open(now: req.now, on: req.db)
    }

    func lottery(req: Request) async throws -> LotteryView {
        let id = try req.pathId("lotteryId", notFound: "No such lottery.")
        return try await LotteryQueries.view(lotteryId: id, memberId: req.signedInMemberId, now: req.now, on: req.db)
    }
}

/// Exchanges and draws, and the member's history of both (behind the member gate).
struct PointsMallMemberRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("points-mall", "items", ":itemId", "redemptions", use: redeem)
        routes.post("lotteries", ":lotteryId", "draws", use: draw)
        routes.get("me", "redemptions", use: myRedemptions)
        routes.get("me", "lottery-draws", use: myDraws)
    }

    /// 201 for a new exchange, 200 when the same key was used before.
    func redeem(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.pathId("itemId", notFound: "No such points-mall item.")
        let key = try PointsMallService.idempotencyKey(req, problem: "send a unique Idempotency-Key header (8–100 characters) so a retry cannot exchange twice")
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(RedemptionInput.self) : RedemptionInput()
        let (result, created) = try await PointsMallService(app: req.application, db: req.db).redeem(itemId: id, memberId: member.memberId, key: key,
                                                                                                     input: input, now: req.now)
        return try Response.json(result, status: created ? .created : .ok)
    }

    /// 201 for a new draw, 200 when the same key was used before.
    func draw(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.pathId("lotteryId", notFound: "No such lottery.")
        let key = try PointsMallService.idempotencyKey(req, problem: "send a unique Idempotency-Key header (8–100 characters) so a retry cannot draw twice")
        let (result, created) = try await LotteryService(app: req.application, db: req.db).draw(lotteryId: id, memberId: member.memberId, key: key, now: req.now)
        return try Response.json(result, status: created ? .created : .ok)
    }

    func myRedemptions(req: Request) async throws -> ListPage<PointsMallRedemption> {
        let member = try req.requireMember()
        return try await PointsMallQueries.redemptionPage(memberId: member.memberId, itemId: nil, page: try PageRequest(from: req), on: req.db)
    }

    func myDraws(req: Request) async throws -> ListPage<LotteryDraw> {
        let member = try req.requireMember()
        return try await LotteryQueries.drawPage(lotteryId: nil, memberId: member.memberId, page: try PageRequest(from: req), on: req.db)
    }
}

/// Staff keep the points mall's items and the lotteries (`marketing.manage`, platform-wide;
/// every change audited) and look at exchanges and draws, each draw replayable.
struct PointsMallAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let items = routes.grouped("points-mall", "items")
        items.get(use: listItems)
        items.post(use: createItem)
        items.get(":itemId", use: item)
        items.put(":itemId", use: updateItem)
        routes.get("points-mall", "redemptions", use: redemptions)
        let lotteries = routes.grouped("lotteries")
        lotteries.get(use: listLotteries)
        lotteries.post(use: createLottery)
        lotteries.get(":lotteryId", use: lottery)
        lotteries.put(":lotteryId", use: updateLottery)
        lotteries.get(":lotteryId", "draws", use: draws)
        lotteries.get(":lotteryId", "draws", ":drawId", use: drawAudit)
    }

    func listItems(req: Request) async throws -> ListPage<PointsMallItem> {
        try req.authorize(.marketingManage, on: .platform)
        var errors = FieldErrorCollector()
        let page = try PageRequest(from: req)
        let sort = ListSort.parse(req, fields: ["title", "pricePoints", "sortOrder", "createdAt"], into: &errors)
        var enabled: Bool?
        switch req.query[String.self, at: "enabled"] {
        case nil, "": enabled = nil
        case "true": enabled = true
        case "false": enabled = false
        default: errors.add("enabled", "must be true or false")
        }
        try errors.throwIfAny()
        return try await PointsMallQueries.all(page: page, enabled: enabled, sort: sort, now: req.now, on: req.db)
    }

    func createItem(req: Request) async throws -> Response {
        try req.authorize(.marketingManage, on: .platform)
        let input = try req.content.decode(PointsMallItemInput.self)
        let item = try await PointsMallService(app: req.application, db: req.db).create(input, audit: req.audit)
        return try Response.json(try await PointsMallQueries.items([item], memberId: nil, now: req.now, on: req.db)[0], status: .created)
    }

    func item(req: Request) async throws -> PointsMallItem {
        try req.authorize(.marketingManage, on: .platform)
        let id = try req.pathId("itemId", notFound: "No such points-mall item.")
        guard let item = try await PointsMallItemModel.find(id, on: req.db) else { throw MallError.notFound("No such points-mall item.") }
        return try await PointsMallQueries.items([item], memberId: nil, now: req.now, on: req.db)[0]
    }

    func updateItem(req: Request) async throws -> PointsMallItem {
        try req.authorize(.marketingManage, on: .platform)
        let id = try req.pathId("itemId", notFound: "No such points-mall item.")
        let input = try req.content.decode(PointsMallItemInput.self)
        let item = try await PointsMallService(app: req.application, db: req.db).update(itemId: id, input, audit: req.audit)
        return try await PointsMallQueries.items([item], memberId: nil, now: req.now, on: req.db)[0]
    }

    func redemptions(req: Request) async throws -> ListPage<PointsMallRedemption> {
        try req.authorize(.marketingManage, on: .platform)
        var errors = FieldErrorCollector()
        let page = try PageRequest(from: req)
        let itemId = req.optionalQuery(UUID.self, "itemId", into: &errors, message: "must be an id")
        let memberId = req.optionalQuery(UUID.self, "memberId", into: &errors, message: "must be an id")
        try errors.throwIfAny()
        return try await PointsMallQueries.redemptionPage(memberId: memberId, itemId: itemId, page: page, on: req.db)
    }

    func listLotteries(req: Request) async throws -> ListPage<Lottery> {
        try req.authorize(.marketingManage, on: .platform)
        return try await LotteryQueries.all(page: try PageRequest(from: req), now: req.now, on: req.db)
    }

    func createLottery(req: Request) async throws -> Response {
        try req.authorize(.marketingManage, on: .platform)
        let input = try req.content.decode(LotteryInput.self)
        let lottery = try await LotteryService(app: req.application, db: req.db).create(input, audit: req.audit)
        return try Response.json(try await LotteryQueries.lotteries([lottery], now: req.now, on: req.db)[0], status: .created)
    }

    func lottery(req: Request) async throws -> Lottery {
        try req.authorize(.marketingManage, on: .platform)
        let id = try req.pathId("lotteryId", notFound: "No such lottery.")
        guard let lottery = try await LotteryModel.find(id, on: req.db) else { throw MallError.notFound("No such lottery.") }
        return try await LotteryQueries.lotteries([lottery], now: req.now, on: req.db)[0]
    }

    func updateLottery(req: Request) async throws -> Lottery {
        try req.authorize(.marketingManage, on: .platform)
        let id = try req.pathId("lotteryId", notFound: "No such lottery.")
        let input = try req.content.decode(LotteryInput.self)
        let lottery = try await LotteryService(app: req.application, db: req.db).update(lotteryId: id, input, audit: req.audit)
        return try await LotteryQueries.lotteries([lottery], now: req.now, on: req.db)[0]
    }

    func draws(req: Request) async throws -> ListPage<LotteryDraw> {
        try req.authorize(.marketingManage, on: .platform)
        let id = try req.pathId("lotteryId", notFound: "No such lottery.")
        var errors = FieldErrorCollector()
        let page = try PageRequest(from: req)
        let memberId = req.optionalQuery(UUID.self, "memberId", into: &errors, message: "must be an id")
        try errors.throwIfAny()
        guard try await LotteryModel.find(id, on: req.db) != nil else { throw MallError.notFound("No such lottery.") }
        return try await LotteryQueries.drawPage(lotteryId: id, memberId: memberId, page: page, on: req.db)
    }

    func drawAudit(req: Request) async throws -> LotteryDrawAudit {
        try req.authorize(.marketingManage, on: .platform)
        let lotteryId = try req.pathId("lotteryId", notFound: "No such lottery.")
        let drawId = try req.pathId("drawId", notFound: "No such draw.")
        return try await LotteryService(app: req.application, db: req.db).audit(drawId: drawId, lotteryId: lotteryId)
    }
}

extension Request {
    /// The signed-in member, or nil for guests and staff.
    var signedInMemberId: UUID? {
        if case .member(let member) = principal { return member.memberId }
        return nil
    }

    /// A path id; anything that is not one is the same 404 as an unknown id.
    func pathId(_ name: String, notFound: String) throws -> UUID {
        guard let id = parameters.get(name, as: UUID.self) else { throw MallError.notFound(notFound) }
        return id
    }
}
