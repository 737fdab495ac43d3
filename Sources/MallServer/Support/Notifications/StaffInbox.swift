import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

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
