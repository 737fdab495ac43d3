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
        routes.get("notifications", use: inbox)
    }

    func inbox(req: Request) async throws -> ListPage<InboxNotification> {
        let staff = try req.requireStaff()
        let page = try PageRequest(from: req)
        let reach = staff.policy.reach(of: .storeView)
        guard !reach.isEmpty else { throw MallError.forbidden("You need the store.view permission.") }
        var query = NotificationModel.query(on: req.db).filter(\.$channel == "in_app").scoped(to: reach)
        switch reach {
        case .everything:
            query = query.filter(\.$audience == NotificationOutbox.Audience.headquarters.rawValue)
        case .limited(let merchants, _):
            // Merchant staff are headquarters for their merchant; store staff are store managers' audience.
            let audiences = merchants.isEmpty ? [NotificationOutbox.Audience.storeManagers.rawValue] : [NotificationOutbox.Audience.headquarters.rawValue, NotificationOutbox.Audience.storeManagers.rawValue]
            query = query.filter(\.$audience ~~ audiences)
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page) { row in
            InboxNotification(id: row.id!, audience: row.audience, storeId: row.storeId, title: req.serverText(row.title), body: req.serverText(row.body),
                              referenceType: row.referenceType, referenceId: row.referenceId, status: row.status, createdAt: row.createdAt)
        }
    }
}
