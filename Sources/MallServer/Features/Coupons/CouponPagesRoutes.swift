import Foundation
import Vapor

/// Storefront pages for coupons: the coupon centre (anyone; claiming asks to sign in) and the
/// member's own coupons with the code redemption form. Both are filled from the API by
/// `/js/coupons.js`.
struct CouponPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("coupons", use: centre)
        routes.get("member", "coupons", use: mine)
    }

    func centre(req: Request) async throws -> Response {
        try await req.renderPage("storefront/coupons", title: req.message("coupons_title"), data: NoPageData())
    }

    func mine(req: Request) async throws -> Response {
        guard req.signedInMemberId != nil else {
            let here = req.url.path + (req.url.query.map { "?" + $0 } ?? "")
            return req.redirect(to: "/login" + StorefrontRoutes.queryString(["next": here]))
        }
        return try await req.renderPage("storefront/my-coupons", title: req.message("coupons_mine"), data: NoPageData())
    }
}
