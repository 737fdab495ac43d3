import Foundation
import Vapor

/// The member's level page: the level card, progress to the next level per condition, the
/// ladder's rights and the history. The page is a shell; `/js/member-level.js` fills it from
/// `GET /api/v1/me/membership` and `GET /api/v1/member-levels`, so the member centre can embed
/// the same template section and script.
struct MemberLevelPage: RouteCollection {
    struct PageData: Encodable, Sendable {}

    func boot(routes: any RoutesBuilder) throws {
        routes.get("member", "level", use: show)
    }

    func show(req: Request) async throws -> Response {
        guard case .member = req.principal else {
            let here = req.url.path + (req.url.query.map { "?" + $0 } ?? "")
            return req.redirect(to: "/login" + StorefrontRoutes.queryString(["next": here]))
        }
        return try await req.renderPage("storefront/member-level", title: req.message("level_title"), data: PageData())
    }
}
