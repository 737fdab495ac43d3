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
