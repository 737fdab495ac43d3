import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

extension ProductBundle: Content {}

/// 搭配购 for staff with `marketing.manage`: HQ any merchant's bundles, a merchant its own.
struct BundleAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let bundles = routes.grouped("bundles")
        bundles.get(use: list)
        bundles.post(use: create)
        bundles.get(":bundleId", use: show)
        bundles.put(":bundleId", use: update)
        bundles.delete(":bundleId", use: delete)
    }

    func list(req: Request) async throws -> ListPage<ProductBundle> {
        let (_, reach) = try req.reach(.marketingManage)
        return try await BundleService(db: req.db).list(reach: reach, page: try PageRequest(from: req))
    }

    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(BundleInput.self)
        try req.authorize(.marketingManage, on: .merchant(MerchantID(input.merchantId)))
        return try Response.json(try await BundleService(db: req.db).create(input, audit: req.audit), status: .created)
    }

    func show(req: Request) async throws -> ProductBundle {
        try await BundleService(db: req.db).show(try await authorized(req))
    }

    func update(req: Request) async throws -> ProductBundle {
        let bundle = try await authorized(req)
        let input = try req.content.decode(BundleInput.self)
        return try await BundleService(db: req.db).update(bundle, input, audit: req.audit)
    }

    func delete(req: Request) async throws -> HTTPStatus {
        try await BundleService(db: req.db).delete(try await authorized(req), audit: req.audit)
        return .noContent
    }

    /// The path's bundle when the caller manages its merchant; another merchant's is a 404.
    private func authorized(_ req: Request) async throws -> BundleModel {
        let id = try req.pathId("bundleId", notFound: BundleService.notFound)
        let (_, reach) = try req.reach(.marketingManage)
        guard let bundle = try await BundleModel.find(id, on: req.db), reach.includes(.merchant(MerchantID(bundle.merchantId))) else {
            throw MallError.notFound(BundleService.notFound)
        }
        return bundle
    }
}
