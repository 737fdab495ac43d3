import Foundation
import MallAPI
import MallCore
import Vapor

/// The storefront's flash-sale page: today's sessions with countdowns, "sold x%" bars and a buy
/// button per SKU, and for a member the choice of collecting at the item's store or delivery to
/// one of their addresses. The page shows what the API says; buying goes through the API from
/// `/js/flash-sales.js`, which also ticks the countdowns and reloads when a session opens or ends.
struct FlashSalePagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("flash-sales", use: page)
    }

    struct ItemCard: Encodable, Sendable {
        let skuId: UUID
        let title: String
        let image: String?
        let productHref: String
        let flashPrice: String
        let listPrice: String
        let soldPercent: Int
        let sold: String
        let store: String
        let soldOut: Bool
    }

    struct SessionCard: Encodable, Sendable {
        let id: UUID
        let title: String
        let window: String
        let phase: String
        let phaseLabel: String
        let live: Bool
        /// Milliseconds since 1970 for the script; nil once ended.
        let countdownTo: Int64?
        let countdownLabel: String
        let opensForMe: String?
        /// What the buyer may choose to buy at once: 1 up to the session's per-member limit.
        let quantities: [Int]
        let items: [ItemCard]
    }

    struct PageData: Encodable, Sendable {
        let sessions: [SessionCard]
        let addresses: [AddressChoice]
        let signedIn: Bool
        let loginHref: String
    }

    func page(req: Request) async throws -> Response {
        var priority: Int?
        if let memberId = req.signedInMemberId { priority = try await MembershipService.rights(memberId: memberId, on: req.db).rights.priorityMinutes }
        let sessions = try await FlashSaleQueries.today(priorityMinutes: priority, now: req.now, on: req.db)
        let timeZone = try await SettingsService.resolved(on: req.db).timeZone
        let cards = sessions.map { session in
            SessionCard(
                id: session.id, title: session.title,
                window: "\(WebFormat.time(session.startsAt, in: timeZone))–\(WebFormat.time(session.endedAt ?? session.endsAt, in: timeZone))",
                phase: session.phase.rawValue, phaseLabel: req.message("flash_phase_\(session.phase.rawValue)"), live: session.phase == .live,
                countdownTo: session.countdownTo.map { Int64($0.timeIntervalSince1970 * 1_000) },
                countdownLabel: req.message(session.phase == .live ? "flash_ends_in" : "flash_starts_in"),
                opensForMe: session.opensForMeAt.map { req.message("flash_opens_for_you", ["time": WebFormat.time($0, in: timeZone)]) },
                quantities: Array(1...max(1, min(session.perMemberLimit, InputLimits.flashQuantity.upperBound))),
                items: session.items.map { item in
                    ItemCard(skuId: item.skuId, title: item.title, image: item.imageUrl, productHref: "/product/\(item.productId)",
                             flashPrice: WebFormat.yuan(item.flashPriceFen), listPrice: WebFormat.yuan(item.listPriceFen), soldPercent: item.soldPercent,
                             sold: req.message("flash_sold", ["n": String(item.soldPercent)]), store: item.storeName, soldOut: item.sold >= item.quota)
                })
        }
        let addresses = if let memberId = req.signedInMemberId { try await AddressChoice.deliverable(memberId: memberId, on: req.db) } else { [AddressChoice]() }
        let data = PageData(sessions: cards, addresses: addresses, signedIn: req.signedInMemberId != nil,
                            loginHref: "/login" + StorefrontRoutes.queryString(["next": req.url.path]))
        return try await req.renderPage("storefront/flash-sales", title: req.message("flash_title"), data: data)
    }
}
