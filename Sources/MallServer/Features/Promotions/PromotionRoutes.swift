import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The running promotions as shoppers see them, optionally only those covering one product.
struct PromotionRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("promotions", use: list)
    }

    func list(req: Request) async throws -> [PromotionDTO] {
        var errors = FieldErrorCollector()
        let productId = req.optionalQuery(UUID.self, "productId", into: &errors, message: "must be an id")
        try errors.throwIfAny()
        var product: ProductModel?
        if let productId {
            guard let found = try await ProductModel.find(productId, on: req.db) else { throw MallError.notFound("No such product.") }
            product = found
        }
        return try await PromotionQueries.runningView(covering: product, now: req.now, on: req.db)
    }
}

/// Staff keep promotions under /admin/marketing/promotions (`marketing.manage`): the platform's
/// staff for every merchant and the platform, a merchant's staff only for their merchant.
struct PromotionAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let promotions = routes.grouped("marketing", "promotions")
        promotions.get(use: list)
        promotions.post(use: create)
        promotions.get(":promotionId", use: show)
        promotions.put(":promotionId", use: update)
        promotions.post(":promotionId", "end", use: end)
        promotions.post(":promotionId", "copy", use: copy)
        promotions.get(":promotionId", "stats", use: stats)
        promotions.get(":promotionId", "summary", use: summary)
    }

    func list(req: Request) async throws -> ListPage<PromotionDTO> {
        let (_, reach) = try req.reach(.marketingManage)
        var errors = FieldErrorCollector()
        let page = try PageRequest(from: req)
        var status: PromotionPhase?
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty {
            status = PromotionPhase(rawValue: raw)
            if status == nil { errors.add("status", "must be scheduled, running or ended") }
        }
        try errors.throwIfAny()
        return try await PromotionQueries.page(reach: reach, status: status, page: page, now: req.now, on: req.db)
    }

    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(PromotionInput.self)
        try req.authorize(.marketingManage, on: PromotionService.owner(of: input.merchantId))
        let promotion = try await PromotionService(db: req.db, bus: req.application.cacheInvalidationBus).create(input, audit: req.audit)
        return try Response.json(try PromotionService.dto(promotion, now: req.now), status: .created)
    }

    func show(req: Request) async throws -> PromotionDTO {
        try PromotionService.dto(try await authorized(req), now: req.now)
    }

    func update(req: Request) async throws -> PromotionDTO {
        let promotion = try await authorized(req)
        let input = try req.content.decode(PromotionInput.self)
        return try PromotionService.dto(try await PromotionService(db: req.db, bus: req.application.cacheInvalidationBus).update(promotion, input, audit: req.audit), now: req.now)
    }

    func end(req: Request) async throws -> PromotionDTO {
        let promotion = try await authorized(req)
        return try PromotionService.dto(try await PromotionService(db: req.db, bus: req.application.cacheInvalidationBus).end(promotion, audit: req.audit), now: req.now)
    }

    func copy(req: Request) async throws -> Response {
        let promotion = try await authorized(req)
        let copied = try await PromotionService(db: req.db, bus: req.application.cacheInvalidationBus).copy(promotion, audit: req.audit)
        return try Response.json(try PromotionService.dto(copied, now: req.now), status: .created)
    }

    func stats(req: Request) async throws -> PromotionStats {
        try await PromotionService.stats(try await authorized(req), on: req.db)
    }

    func summary(req: Request) async throws -> MarketingSummary {
        try await PromotionService.summary(try await authorized(req), now: req.now, on: req.db)
    }

    /// The path's promotion when the caller manages its owner; another merchant's is a 404.
    private func authorized(_ req: Request) async throws -> PromotionModel {
        let id = try req.pathId("promotionId", notFound: PromotionService.notFound)
        let (_, reach) = try req.reach(.marketingManage)
        guard let promotion = try await PromotionModel.find(id, on: req.db), reach.includes(PromotionService.owner(of: promotion.merchantId)) else {
            throw MallError.notFound(PromotionService.notFound)
        }
        return promotion
    }
}
