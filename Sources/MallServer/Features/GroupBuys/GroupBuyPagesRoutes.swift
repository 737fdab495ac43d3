import Foundation
import MallAPI
import MallCore
import Vapor

/// The storefront's group-buy pages: the running activities, an activity with its open groups
/// and an "open a group" button, and one group with its members, slots left, countdown, share
/// link and "join" button.
/// The pages show what the API says; opening and joining go through the API from
/// `/js/group-buys.js`, which also ticks the countdowns and copies the share link.
struct GroupBuyPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("group-buys", use: listPage)
        routes.get("group-buys", ":activityId", use: activityPage)
        routes.get("group-buys", "groups", ":groupId", use: groupPage)
    }

    struct MemberChip: Encodable, Sendable {
        let name: String
        let initial: String
        let avatar: String?
        let note: String
    }

    struct GroupCard: Encodable, Sendable {
        let id: UUID
        let href: String
        let status: String
        let statusLabel: String
        let open: Bool
        /// Open and its goods on sale.
        let joinable: Bool
        let slotsLeft: String
        /// Milliseconds since 1970 for the script; nil once closed.
        let countdownTo: Int64?
        let members: [MemberChip]
        let emptySlots: [Int]
    }

    struct PageData: Encodable, Sendable {
        let activityId: UUID
        let title: String
        let productTitle: String
        let productHref: String
        let image: String?
        let groupPrice: String
        let listPrice: String
        let size: String
        let store: String
        let live: Bool
        /// Why no group can be opened, when `live` is false.
        let notice: String
        let single: Bool
        let groups: [GroupCard]
        let signedIn: Bool
        let loginHref: String
    }

    struct ActivityCard: Encodable, Sendable {
        let href: String
        let title: String
        let productTitle: String
        let image: String?
        let groupPrice: String
        let listPrice: String
        let size: String
        let openGroups: String
    }

    /// Running activities, ending soonest first, each with how many groups wait for members.
    func listPage(req: Request) async throws -> Response {
        let activities = try await GroupBuyQueries.running(now: req.now, on: req.db)
        let open = try await GroupBuyQueries.openGroupCounts(activityIds: activities.map(\.id), now: req.now, on: req.db)
        let cards = activities.map { activity in
            ActivityCard(
                href: "/group-buys/\(activity.id)", title: activity.title, productTitle: activity.productTitle, image: activity.imageUrl,
                groupPrice: WebFormat.yuan(activity.groupPriceFen), listPrice: WebFormat.yuan(activity.listPriceFen),
                size: req.message("group_size", ["n": String(activity.groupSize)]),
                openGroups: req.message("group_open_count", ["n": String(open[activity.id] ?? 0)]))
        }
        return try await req.renderPage("storefront/group-buys", title: req.message("group_list_title"), data: ["activities": cards])
    }

    func activityPage(req: Request) async throws -> Response {
        let id = try req.pathId("activityId", notFound: "No such group buy.")
        guard let model = try await GroupBuyActivityModel.find(id, on: req.db) else { throw MallError.notFound("No such group buy.") }
        let activity = try await GroupBuyQueries.activities([model], withGroups: true, now: req.now, on: req.db)[0]
        return try await render(activity, groups: activity.openGroups ?? [], single: false, req)
    }

    func groupPage(req: Request) async throws -> Response {
        let id = try req.pathId("groupId", notFound: "No such group.")
        let group = try await GroupBuyQueries.group(id, now: req.now, on: req.db)
        guard let model = try await GroupBuyActivityModel.find(group.activityId, on: req.db) else { throw MallError.notFound("No such group buy.") }
        let activity = try await GroupBuyQueries.activities([model], withGroups: false, now: req.now, on: req.db)[0]
        return try await render(activity, groups: [group], single: true, req)
    }

    private func render(_ activity: GroupBuyActivity, groups: [GroupBuyGroupView], single: Bool, _ req: Request) async throws -> Response {
        let cards = groups.map { group in
            let open = group.status == .open
            return GroupCard(
                id: group.id, href: group.sharePath, status: group.status.rawValue, statusLabel: req.message("group_status_\(group.status.rawValue)"),
                open: open, joinable: open && activity.onSale, slotsLeft: req.message("group_slots_left", ["n": String(group.slotsLeft)]),
                countdownTo: open ? Int64(group.expiresAt.timeIntervalSince1970 * 1_000) : nil,
                members: group.members.map { member in
                    MemberChip(name: member.virtual ? req.message("group_virtual") : member.name, initial: member.virtual ? "+" : member.initial,
                               avatar: member.avatarUrl,
                               note: member.opener ? req.message("group_opener") : (member.paid ? "" : req.message("group_unpaid")))
                },
                emptySlots: Array(0..<group.slotsLeft))
        }
        let data = PageData(
            activityId: activity.id, title: activity.title, productTitle: activity.productTitle, productHref: "/product/\(activity.productId)",
            image: activity.imageUrl, groupPrice: WebFormat.yuan(activity.groupPriceFen), listPrice: WebFormat.yuan(activity.listPriceFen),
            size: req.message("group_size", ["n": String(activity.groupSize)]), store: activity.storeName, live: activity.phase == .live && activity.onSale,
            notice: req.message(activity.onSale ? "group_not_running" : "group_not_on_sale"),
            single: single, groups: cards, signedIn: req.signedInMemberId != nil,
            loginHref: "/login" + StorefrontRoutes.queryString(["next": req.url.path]))
        return try await req.renderPage("storefront/group-buy", title: activity.title, data: data)
    }
}
