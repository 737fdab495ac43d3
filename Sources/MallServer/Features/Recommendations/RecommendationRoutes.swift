import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

extension ProductRecommendations: Content {}
extension MemberRecommendationList: Content {}
extension RecommendationRun: Content {}

/// 看了又看 / 买了又买 under a product, for anyone.
struct RecommendationRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("products", ":productId", "recommendations", use: forProduct)
    }

    func forProduct(req: Request) async throws -> ProductRecommendations {
        let id = try req.pathId("productId", notFound: "No such product.")
        var errors = FieldErrorCollector()
        let limit = req.boundedQuery("limit", InputLimits.recommendations, into: &errors) ?? 10
        try errors.throwIfAny()
        return try await RecommendationService(app: req.application, db: req.db).forProduct(id, limit: limit)
    }

    /// 猜你喜欢 for the signed-in member, in stock near them when they share where they are.
    struct Member: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.get("me", "recommendations", use: forMember)
        }

        func forMember(req: Request) async throws -> MemberRecommendationList {
            let member = try req.requireMember()
            var errors = FieldErrorCollector()
            let limit = req.boundedQuery("limit", InputLimits.recommendations, into: &errors) ?? 10
            let point = try PublicCatalogRoutes.nearPoint(req, errors: &errors)
            try errors.throwIfAny()
            var stores: [UUID]?
            if let (origin, radius) = point {
                stores = try await PublicStoreRoutes.nearby(origin: origin, radiusMeters: radius, limit: 50, merchantId: nil,
                                                            app: req.application, on: req.db, now: req.now).map(\.id)
            }
            return try await RecommendationService(app: req.application, db: req.db).forMember(member.memberId, stores: stores, limit: limit, now: req.now)
        }
    }

    /// HQ recomputes the neighbour lists now rather than waiting for the job (after a big import, say).
    struct Admin: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.post("recommendations", "recompute", use: recompute)
        }

        func recompute(req: Request) async throws -> RecommendationRun {
            try req.authorize(.marketingManage, on: .platform)
            return try await RecommendationService(app: req.application, db: req.db).recomputeNow(audit: req.audit)
        }
    }
}
