import Foundation
import MallAPI
import MallCore
import Vapor

/// A merchant's shop as anyone sees it (`GET /merchants/{id}`), and following shops (members).
struct MerchantShopRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchants", ":merchantId", use: show)
    }

    func show(req: Request) async throws -> MerchantShop {
        let id = try req.pathId("merchantId", notFound: "No such shop.")
        let member: UUID? = if case .member(let principal) = req.principal { principal.memberId } else { nil }
        return try await MerchantShopService(db: req.db).shop(id, member: member)
    }

    /// Behind the member gate.
    struct Following: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            let followed = routes.grouped("me", "followed-merchants")
            followed.get(use: list)
            followed.put(":merchantId", use: follow)
            followed.delete(":merchantId", use: unfollow)
        }

        func list(req: Request) async throws -> [MerchantShop] {
            try await MerchantShopService(db: req.db).followed(by: try req.requireMember().memberId)
        }

        func follow(req: Request) async throws -> MerchantShop {
            let member = try req.requireMember().memberId
            let id = try req.pathId("merchantId", notFound: "No such shop.")
            let service = MerchantShopService(db: req.db)
            try await service.follow(id, member: member, now: req.now)
            return try await service.shop(id, member: member)
        }

        func unfollow(req: Request) async throws -> MerchantShop {
            let member = try req.requireMember().memberId
            let id = try req.pathId("merchantId", notFound: "No such shop.")
            let service = MerchantShopService(db: req.db)
            try await service.unfollow(id, member: member)
            return try await service.shop(id, member: member)
        }
    }
}

extension MerchantShop: Content {}
