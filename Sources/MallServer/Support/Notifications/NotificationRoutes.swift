import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The staff in-app inbox: store staff read what was sent to their stores' managers,
/// headquarters (merchant and platform staff) what was sent to headquarters, each within reach.
/// Messages are stored as English sentences and read in the reader's language.
struct NotificationRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let notifications = routes.grouped("notifications")
        notifications.get(use: inbox)
        notifications.get("unread-count", use: unreadCount)
        notifications.post("read-all", use: readAll)
        notifications.post(":notificationId", "read", use: read)
    }

    func inbox(req: Request) async throws -> ListPage<InboxNotification> {
        let reach = try Self.inboxReach(req)
        let page = try PageRequest(from: req)
        let unreadOnly: Bool
        switch req.query[String.self, at: "unread"] {
        case nil, "", "false": unreadOnly = false
        case "true": unreadOnly = true
        default: throw ValidationFailure(field: "unread", message: "must be true or false")
        }
        return try await StaffInbox(db: req.db, reach: reach).page(page, unreadOnly: unreadOnly) { row in
            InboxNotification(id: row.id!, audience: row.audience, storeId: row.storeId, title: req.serverText(row.title), body: req.serverText(row.body),
                              referenceType: row.referenceType, referenceId: row.referenceId, status: row.status, createdAt: row.createdAt,
                              readAt: row.readAt)
        }
    }

    func unreadCount(req: Request) async throws -> StaffInboxCount {
        StaffInboxCount(unreadCount: try await StaffInbox(db: req.db, reach: try Self.inboxReach(req)).unreadCount())
    }

    func read(req: Request) async throws -> StaffInboxCount {
        let inbox = StaffInbox(db: req.db, reach: try Self.inboxReach(req))
        guard let id = req.parameters.get("notificationId", as: UUID.self) else { throw MallError.notFound("No such notification.") }
        try await inbox.markRead(id, now: req.now)
        return StaffInboxCount(unreadCount: try await inbox.unreadCount())
    }

    func readAll(req: Request) async throws -> StaffInboxCount {
        let inbox = StaffInbox(db: req.db, reach: try Self.inboxReach(req))
        try await inbox.markRead(nil, now: req.now)
        return StaffInboxCount(unreadCount: 0)
    }

    static func inboxReach(_ req: Request) throws -> AccessReach {
        let staff = try req.requireStaff()
        let reach = staff.policy.reach(of: .storeView)
        guard !reach.isEmpty else { throw MallError.forbidden("You need the store.view permission.") }
        return reach
    }
}

/// The notifications one staff member's reach shows them. Read state belongs to the
/// notification, not the reader: an alert goes to an audience (headquarters, a store's managers)
/// and one of them reading it is the team having seen it, as in a shared mailbox. Marking read is
/// not audited: it changes no business data, only what the badge counts.
struct StaffInbox {
    let db: any Database
    let reach: AccessReach

    private func query() -> QueryBuilder<NotificationModel> {
        var query = NotificationModel.query(on: db).filter(\.$channel == "in_app").scoped(to: reach)
        switch reach {
        case .everything:
            query = query.filter(\.$audience == NotificationOutbox.Audience.headquarters.rawValue)
        case .limited(let merchants, _):
            // Merchant staff are headquarters for their merchant; store staff are store managers' audience.
            let audiences = merchants.isEmpty ? [NotificationOutbox.Audience.storeManagers.rawValue] : [NotificationOutbox.Audience.headquarters.rawValue, NotificationOutbox.Audience.storeManagers.rawValue]
            query = query.filter(\.$audience ~~ audiences)
        }
        return query
    }

    func page<Item: Codable & Sendable>(_ page: PageRequest, unreadOnly: Bool, map: (NotificationModel) throws -> Item) async throws -> ListPage<Item> {
        var query = query()
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page, map: map)
    }

    func unreadCount() async throws -> Int {
        try await query().filter(\.$readAt == nil).count()
    }

    /// One notification (nil: all of them) becomes read; one outside the reach is a 404.
    func markRead(_ id: UUID?, now: Date) async throws {
        var update = query().filter(\.$readAt == nil)
        if let id {
            guard try await query().filter(\.$id == id).first() != nil else { throw MallError.notFound("No such notification.") }
            update = update.filter(\.$id == id)
        }
        try await update.set(\.$readAt, to: now).update()
    }
}
