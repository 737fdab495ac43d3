import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Storefront pages of the points mall (list, one item with its exchange form) and the lottery
/// wheel. The pages show what the API says; exchanging and drawing go through the API from
/// `/js/points-mall.js` and `/js/lottery.js`, and the wheel only animates towards the slot the
/// server drew.
struct PointsMallPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("points-mall", use: mall)
        routes.get("points-mall", ":itemId", use: item)
        routes.get("lottery", use: lotteries)
        routes.get("lottery", ":lotteryId", use: lottery)
    }

    // MARK: Page models

    struct MallCard: Encodable, Sendable {
        let href: String
        let title: String
        let image: String?
        let points: String
        let cash: String?
        let remaining: Int
        let status: String?
        let limit: String?
    }

    struct MallPageData: Encodable, Sendable {
        let items: [MallCard]
        let balance: String?
        let loginHref: String
        let lotteryHref: String?
    }

    struct StoreChoice: Encodable, Sendable {
        let id: UUID
        let name: String
        let address: String
        let available: Int
        let checked: Bool
    }

    struct ItemPageData: Encodable, Sendable {
        let id: UUID
        let title: String
        let description: String
        let image: String?
        let points: String
        let cash: String?
        let listPrice: String?
        let remaining: Int
        let status: String?
        let open: Bool
        let limit: String?
        let maxQuantity: Int
        let balance: String?
        let signedIn: Bool
        let pickupStores: [StoreChoice]
        let addresses: [AddressChoice]
        let loginHref: String
    }

    struct PrizeRow: Encodable, Sendable {
        let position: Int
        let name: String
        let kind: String
        let chance: String
        let left: String?
    }

    struct DrawRow: Encodable, Sendable {
        let time: String
        let prize: String
    }

    struct LotteryCard: Encodable, Sendable {
        let href: String
        let name: String
        let cost: String
    }

    struct LotteryPageData: Encodable, Sendable {
        let id: UUID?
        let name: String
        let description: String
        let cost: String
        let dailyLimit: Int
        let open: Bool
        let status: String?
        let prizes: [PrizeRow]
        let signedIn: Bool
        let balance: String?
        let remainingToday: Int?
        let draws: [DrawRow]
        let others: [LotteryCard]
        let timeZone: String
        let loginHref: String
    }

    // MARK: Pages

    func mall(req: Request) async throws -> Response {
        let memberId = req.signedInMemberId
        let page = try await PointsMallQueries.catalogue(memberId: memberId, page: PageRequest(page: 1, per: 100), now: req.now, on: req.db)
        let balance = if let memberId { String(try await PointsService(db: req.db).balance(memberId: memberId)) } else { String?.none }
        let lottery = try await LotteryQueries.open(now: req.now, on: req.db).first
        let data = MallPageData(items: page.items.map { card($0, req: req) }, balance: balance, loginHref: loginHref(req),
                                lotteryHref: lottery.map { "/lottery/\($0.id)" })
        return try await req.renderPage("storefront/points-mall", title: req.message("mall_title"), data: data)
    }

    func item(req: Request) async throws -> Response {
        guard let id = req.parameters.get("itemId", as: UUID.self) else { throw MallError.notFound("No such points-mall item.") }
        let memberId = req.signedInMemberId
        let detail = try await PointsMallQueries.detail(itemId: id, memberId: memberId, now: req.now, directory: req.application.storeDirectory, on: req.db)
        guard detail.item.enabled else { throw MallError.notFound("No such points-mall item.") }
        let item = detail.item
        let addresses = if let memberId { try await AddressChoice.deliverable(memberId: memberId, on: req.db) } else { [AddressChoice]() }
        let pickup = detail.stores.filter(\.pickupEnabled)
        let card = card(item, req: req)
        let data = ItemPageData(
            id: item.id, title: item.title, description: item.description, image: item.imageUrl, points: card.points, cash: card.cash,
            listPrice: item.listPriceFen.map(WebFormat.yuan), remaining: item.remaining, status: card.status, open: item.availability == .open,
            limit: card.limit, maxQuantity: max(1, min(item.myRemaining ?? InputLimits.mallQuantity.upperBound, item.remaining, InputLimits.mallQuantity.upperBound)),
            balance: detail.balance.map { String($0) }, signedIn: memberId != nil,
            pickupStores: pickup.enumerated().map { StoreChoice(id: $1.storeId, name: $1.name, address: $1.address, available: $1.available, checked: $0 == 0) },
            addresses: addresses, loginHref: loginHref(req))
        return try await req.renderPage("storefront/points-mall-item", title: item.title, data: data)
    }

    func lotteries(req: Request) async throws -> Response {
        let open = try await LotteryQueries.open(now: req.now, on: req.db)
        if let first = open.first { return req.redirect(to: "/lottery/\(first.id)") }
        let data = LotteryPageData(id: nil, name: req.message("lottery_title"), description: "", cost: "", dailyLimit: 0, open: false,
                                   status: req.message("lottery_none"), prizes: [], signedIn: req.signedInMemberId != nil, balance: nil,
                                   remainingToday: nil, draws: [], others: [], timeZone: "", loginHref: loginHref(req))
        return try await req.renderPage("storefront/lottery", title: req.message("lottery_title"), data: data)
    }

    func lottery(req: Request) async throws -> Response {
        guard let id = req.parameters.get("lotteryId", as: UUID.self) else { throw MallError.notFound("No such lottery.") }
        let memberId = req.signedInMemberId
        let view = try await LotteryQueries.view(lotteryId: id, memberId: memberId, now: req.now, on: req.db)
        let timeZone = try await SettingsService.resolved(on: req.db).timeZone
        let lottery = view.lottery
        let others = try await LotteryQueries.open(now: req.now, on: req.db).filter { $0.id != id }
        let data = LotteryPageData(
            id: lottery.id, name: lottery.name, description: lottery.description, cost: String(lottery.costPoints), dailyLimit: lottery.dailyLimit,
            open: lottery.availability == .open, status: lottery.availability == .open ? nil : req.message("mall_status_\(lottery.availability.rawValue)"),
            prizes: lottery.prizes.map { prize in
                PrizeRow(position: prize.position, name: prize.name, kind: prize.kind.rawValue,
                         chance: String(format: "%.1f%%", Double(prize.chanceBasisPoints) / 100),
                         left: prize.remaining.map { req.message("lottery_left", ["n": String($0)]) })
            },
            signedIn: memberId != nil, balance: view.balance.map { String($0) }, remainingToday: view.remainingToday,
            draws: view.myDrawsToday.map { DrawRow(time: WebFormat.dateTime($0.createdAt, in: timeZone), prize: Self.drawText($0, req: req)) },
            others: others.map { LotteryCard(href: "/lottery/\($0.id)", name: $0.name, cost: String($0.costPoints)) },
            timeZone: timeZone.identifier, loginHref: loginHref(req))
        return try await req.renderPage("storefront/lottery", title: lottery.name, data: data)
    }

    // MARK: Helpers

    private func card(_ item: PointsMallItem, req: Request) -> MallCard {
        var limit: String?
        if let perMember = item.perMemberLimit {
            limit = item.myRemaining.map { req.message("mall_limit_left", ["n": String(perMember), "left": String($0)]) }
                ?? req.message("mall_limit", ["n": String(perMember)])
        }
        return MallCard(href: "/points-mall/\(item.id)", title: item.title, image: item.imageUrl, points: String(item.pricePoints),
                        cash: item.cashFen > 0 ? WebFormat.yuan(item.cashFen) : nil, remaining: item.remaining,
                        status: item.availability == .open ? nil : req.message("mall_status_\(item.availability.rawValue)"), limit: limit)
    }

    private func loginHref(_ req: Request) -> String {
        "/login" + StorefrontRoutes.queryString(["next": req.url.path])
    }

    static func drawText(_ draw: LotteryDraw, req: Request) -> String {
        switch draw.prizeKind {
        case .points: req.message("lottery_won_points", ["n": String(draw.points ?? 0)])
        case .sku: req.message("lottery_won_item", ["name": draw.prizeName])
        case .nothing: draw.fallback == nil ? req.message("lottery_won_nothing") : req.message("lottery_fallback")
        }
    }
}
