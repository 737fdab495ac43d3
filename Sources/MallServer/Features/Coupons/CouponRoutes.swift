import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The coupon centre (anyone; a signed-in member also sees how many they hold of each).
struct CouponRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("coupons", use: claimable)
    }

    func claimable(req: Request) async throws -> [CouponTemplate] {
        var errors = FieldErrorCollector()
        let productId = req.optionalQuery(UUID.self, "productId", into: &errors, message: "must be an id")
        try errors.throwIfAny()
        return try await CouponQueries.claimable(memberId: req.signedInMemberId, productId: productId, now: req.now, on: req.db)
    }
}

/// Claiming, code redemption and "my coupons" (behind the member gate).
struct CouponMemberRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("coupons", ":templateId", "claims", use: claim)
        routes.get("me", "coupons", use: mine)
        routes.post("me", "coupons", "redemptions", use: redeem)
    }

    func claim(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let id = try req.pathId("templateId", notFound: "No such coupon.")
        let coupon = try await CouponService(app: req.application, db: req.db).claim(templateId: id, memberId: member.memberId, now: req.now)
        return try await created(coupon, req)
    }

    func mine(req: Request) async throws -> ListPage<MemberCoupon> {
        let member = try req.requireMember()
        let page = try PageRequest(from: req)
        let raw = req.query[String.self, at: "status"] ?? CouponQueries.MineFilter.usable.rawValue
        guard let filter = CouponQueries.MineFilter(rawValue: raw) else {
            throw ValidationFailure(field: "status", message: "must be one of usable, used, expired")
        }
        return try await CouponQueries.mine(memberId: member.memberId, filter: filter, page: page, now: req.now, on: req.db)
    }

    func redeem(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let input = try req.content.decode(CouponCodeRedemptionInput.self)
        let coupon = try await CouponService(app: req.application, db: req.db).redeem(code: input.code, memberId: member.memberId, now: req.now)
        return try await created(coupon, req)
    }

    private func created(_ coupon: MemberCouponModel, _ req: Request) async throws -> Response {
        guard let template = try await CouponTemplateModel.find(coupon.templateId, on: req.db) else { throw MallError.notFound("No such coupon.") }
        return try Response.json(CouponQueries.memberCoupon(coupon, template, now: req.now), status: .created)
    }
}

/// Staff keep coupon templates (`marketing.manage`; a merchant's staff only their merchant's,
/// every change audited), issue coupons to members and make redeemable codes.
struct CouponAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let coupons = routes.grouped("marketing", "coupons")
        coupons.get(use: list)
        coupons.post(use: create)
        coupons.get(":templateId", use: show)
        coupons.put(":templateId", use: update)
        coupons.post(":templateId", "end", use: end)
        coupons.post(":templateId", "copy", use: copy)
        coupons.post(":templateId", "issues", use: issue)
        coupons.get(":templateId", "codes", use: codes)
        coupons.post(":templateId", "codes", use: createCodes)
        coupons.get(":templateId", "codes.csv", use: codesCSV)
        coupons.get(":templateId", "summary", use: summary)
    }

    private func owned(_ req: Request) async throws -> CouponTemplateModel {
        let id = try req.pathId("templateId", notFound: "No such coupon.")
        guard let template = try await CouponTemplateModel.find(id, on: req.db) else { throw MallError.notFound("No such coupon.") }
        try req.authorize(.marketingManage, on: template.owner)
        return template
    }

    private var service: (Request) -> CouponService { { CouponService(app: $0.application, db: $0.db) } }

    func list(req: Request) async throws -> ListPage<CouponTemplate> {
        let (_, reach) = try req.reach(.marketingManage)
        return try await CouponQueries.all(reach: reach, page: try PageRequest(from: req), on: req.db)
    }

    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(CouponTemplateInput.self)
        try req.authorize(.marketingManage, on: input.merchantId.map { .merchant(MerchantID($0)) } ?? .platform)
        let template = try await service(req).create(input, audit: req.audit)
        return try Response.json(CouponQueries.template(template), status: .created)
    }

    func show(req: Request) async throws -> CouponTemplate {
        try CouponQueries.template(try await owned(req))
    }

    func update(req: Request) async throws -> CouponTemplate {
        let template = try await owned(req)
        let input = try req.content.decode(CouponTemplateInput.self)
        return try CouponQueries.template(try await service(req).update(templateId: template.id!, input, audit: req.audit))
    }

    func end(req: Request) async throws -> CouponTemplate {
        let template = try await owned(req)
        return try CouponQueries.template(try await service(req).end(templateId: template.id!, audit: req.audit))
    }

    func copy(req: Request) async throws -> Response {
        let template = try await owned(req)
        return try Response.json(CouponQueries.template(try await service(req).copy(templateId: template.id!, audit: req.audit)), status: .created)
    }

    func summary(req: Request) async throws -> MarketingSummary {
        try await CouponQueries.summary(try await owned(req), now: req.now, on: req.db)
    }

    func issue(req: Request) async throws -> CouponIssueResult {
        let template = try await owned(req)
        let input = try req.content.decode(CouponIssueInput.self)
        return try await service(req).issue(templateId: template.id!, input, audit: req.audit)
    }

    func codes(req: Request) async throws -> [CouponCode] {
        let template = try await owned(req)
        return try await CouponQueries.codes(templateId: template.id!, on: req.db)
    }

    func createCodes(req: Request) async throws -> Response {
        let template = try await owned(req)
        let input = try req.content.decode(CouponCodeBatchInput.self)
        let made = try await service(req).createCodes(templateId: template.id!, input, audit: req.audit)
        return try Response.json(made.map { CouponCode(code: $0.code, shared: $0.shared, quota: $0.quota, redeemed: $0.redeemed, batchId: $0.batchId) },
                                 status: .created)
    }

    func codesCSV(req: Request) async throws -> Response {
        let template = try await owned(req)
        let rows = [["code", "shared", "quota", "redeemed", "batch"]] + (try await CouponQueries.codes(templateId: template.id!, on: req.db)).map {
            [$0.code, String($0.shared), String($0.quota), String($0.redeemed), $0.batchId.uuidString]
        }
        let response = Response(status: .ok, body: .init(string: "\u{FEFF}" + CSV.write(rows)))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"coupon-codes-\(template.id!.uuidString.prefix(8)).csv\"")
        return response
    }
}
