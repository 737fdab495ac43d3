import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

// The review API's types as Vapor content (kept with the feature rather than in Content+API).
extension ProductReviews: Content {}
extension MyReviews: Content {}
extension MyReview: Content {}
extension StaffReview: Content {}

/// A product's approved reviews, for anyone (`GET /products/{productId}/reviews`).
struct PublicReviewRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("products", ":productId", "reviews", use: list)
    }

    func list(req: Request) async throws -> ProductReviews {
        guard let id = req.parameters.get("productId", as: UUID.self), let product = try await ProductModel.find(id, on: req.db), product.onShelf else {
            throw MallError.notFound("No such product on sale.")
        }
        let (filter, page) = try Self.filter(req)
        return try await ReviewQueries.productReviews(productId: id, filter: filter, page: page, on: req.db)
    }

    /// `withPhotos`, `stars`, `sort=newest` and the page, as the API and the product page read them.
    static func filter(_ req: Request) throws -> (ReviewQueries.ProductFilter, PageRequest) {
        var errors = FieldErrorCollector()
        var filter = ReviewQueries.ProductFilter()
        filter.withPhotos = req.booleanQuery("withPhotos", into: &errors) ?? false
        filter.stars = req.boundedQuery("stars", InputLimits.reviewRating, into: &errors)
        if let sort = req.query[String.self, at: "sort"], sort != "newest" { errors.add("sort", "must be newest") }
        let page = errors.collect { try PageRequest(from: req) } ?? PageRequest()
        try errors.throwIfAny()
        return (filter, page)
    }
}

/// A member's reviews: writing them for delivered lines, follow-ups, and "my reviews"
/// (registered behind the member gate).
struct MemberReviewRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("orders", ":orderId", "reviews", use: submit)
        let mine = routes.grouped("me", "reviews")
        mine.get(use: list)
        mine.post(":reviewId", "follow-up", use: followUp)
    }

    /// 201 with the reviews written, waiting for moderation.
    func submit(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let orderId = req.parameters.get("orderId", as: UUID.self) else { throw MallError.notFound("No such order.") }
        let input = try req.content.decode(ReviewInput.self)
        let settings = try await SettingsService.resolved(on: req.db)
        let written = try await ReviewService(app: req.application, db: req.db)
            .submit(memberId: member.memberId, orderId: orderId, input: input, settings: settings, now: req.now)
        return try Response.json(written.map(ReviewQueries.mine), status: .created)
    }

    func followUp(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let reviewId = req.parameters.get("reviewId", as: UUID.self) else { throw MallError.notFound("No such review.") }
        let input = try req.content.decode(ReviewFollowUpInput.self)
        let settings = try await SettingsService.resolved(on: req.db)
        let written = try await ReviewService(app: req.application, db: req.db)
            .followUp(memberId: member.memberId, reviewId: reviewId, input: input, settings: settings, now: req.now)
        return try Response.json(ReviewQueries.mine(written), status: .created)
    }

    /// `state=pending` (default): delivered items still to review; `state=done`: reviews written.
    func list(req: Request) async throws -> MyReviews {
        let member = try req.requireMember()
        var errors = FieldErrorCollector()
        var state = MyReviewsState.pending
        if let raw = req.query[String.self, at: "state"], !raw.isEmpty {
            if let parsed = MyReviewsState(rawValue: raw) { state = parsed } else {
                errors.add("state", "must be one of \(MyReviewsState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let orderId = req.optionalQuery(UUID.self, "orderId", into: &errors, message: "must be an order id")
        let page = errors.collect { try PageRequest(from: req) } ?? PageRequest()
        try errors.throwIfAny()
        return try await ReviewQueries.mine(memberId: member.memberId, state: state, orderId: orderId, page: page,
                                            settings: try await SettingsService.resolved(on: req.db), now: req.now, on: req.db)
    }
}

/// The console's reviews: HQ moderates (`review.moderate`, platform); merchants and stores
/// read and answer the reviews of their own orders (`review.reply` in scope).
struct ReviewAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reviews = routes.grouped("reviews")
        reviews.get(use: list)
        reviews.get(":reviewId", use: show)
        reviews.post(":reviewId", "approve", use: approve)
        reviews.post(":reviewId", "reject", use: reject)
        reviews.post(":reviewId", "reply", use: reply)
    }

    func list(req: Request) async throws -> ListPage<StaffReview> {
        let reach = try Self.reach(req)
        var errors = FieldErrorCollector()
        var filter = ReviewQueries.StaffFilter()
        filter.status = Self.enumQuery(req, "status", ReviewStatus.self, into: &errors)
        filter.kind = Self.enumQuery(req, "kind", ReviewKind.self, into: &errors)
        filter.productId = req.optionalQuery(UUID.self, "productId", into: &errors, message: "must be a product id")
        filter.storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id")
        filter.rating = req.boundedQuery("rating", InputLimits.reviewRating, into: &errors)
        filter.withPhotos = req.booleanQuery("withPhotos", into: &errors)
        filter.replied = req.booleanQuery("replied", into: &errors)
        let sort = ListSort.parse(req, fields: ReviewQueries.staffSortFields, into: &errors)
        let page = errors.collect { try PageRequest(from: req) } ?? PageRequest()
        try errors.throwIfAny()
        return try await ReviewQueries.staffList(reach: reach, filter: filter, sort: sort, page: page, on: req.db)
    }

    func show(req: Request) async throws -> StaffReview {
        let review = try await Self.visible(req)
        return try await ReviewQueries.staffViews([review], on: req.db)[0]
    }

    func approve(req: Request) async throws -> StaffReview {
        let staff = try req.authorize(.reviewModerate, on: .platform)
        let review = try await Self.found(req)
        let settings = try await SettingsService.resolved(on: req.db)
        let approved = try await ReviewService(app: req.application, db: req.db)
            .approve(reviewId: review.id!, staffId: staff.staffId, settings: settings, audit: req.audit, now: req.now)
        return try await ReviewQueries.staffViews([approved], on: req.db)[0]
    }

    func reject(req: Request) async throws -> StaffReview {
        let staff = try req.authorize(.reviewModerate, on: .platform)
        let review = try await Self.found(req)
        let input = try req.content.decode(ReasonInput.self)
        let rejected = try await ReviewService(app: req.application, db: req.db)
            .reject(reviewId: review.id!, reason: input.reason, staffId: staff.staffId, audit: req.audit, now: req.now)
        return try await ReviewQueries.staffViews([rejected], on: req.db)[0]
    }

    /// Staff of the store that fulfilled the order, or of its merchant, answer once.
    func reply(req: Request) async throws -> StaffReview {
        let review = try await Self.found(req)
        let staff = try req.authorize(.reviewReply, on: review.owner)
        let input = try req.content.decode(ReviewReplyInput.self)
        let answered = try await ReviewService(app: req.application, db: req.db)
            .reply(reviewId: review.id!, text: input.text, staffId: staff.staffId, audit: req.audit, now: req.now)
        return try await ReviewQueries.staffViews([answered], on: req.db)[0]
    }

    /// Moderators see every review; others the reviews of the orders in their `review.reply` reach.
    static func reach(_ req: Request) throws -> AccessReach {
        let staff = try req.requireStaff()
        if staff.policy.allows(.reviewModerate, on: .platform) { return .everything }
        let reach = staff.policy.reach(of: .reviewReply)
        guard !reach.isEmpty else { throw MallError.forbidden("You need the review.reply or review.moderate permission.") }
        return reach
    }

    static func found(_ req: Request) async throws -> ProductReviewModel {
        guard let id = req.parameters.get("reviewId", as: UUID.self), let review = try await ProductReviewModel.find(id, on: req.db) else {
            throw MallError.notFound("No such review.")
        }
        return review
    }

    static func visible(_ req: Request) async throws -> ProductReviewModel {
        let reach = try reach(req)
        let review = try await found(req)
        if !reach.includes(review.owner) { try req.authorize(.reviewReply, on: review.owner) }
        return review
    }

    static func enumQuery<Value: RawRepresentable & CaseIterable>(_ req: Request, _ name: String, _ type: Value.Type,
                                                                  into errors: inout FieldErrorCollector) -> Value? where Value.RawValue == String {
        guard let raw = req.query[String.self, at: name], !raw.isEmpty else { return nil }
        if let value = Value(rawValue: raw) { return value }
        errors.add(name, "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }
}

extension Request {
    /// `true` or `false` from the query, nil when absent; anything else is a field error.
    func booleanQuery(_ name: String, into errors: inout FieldErrorCollector) -> Bool? {
        guard let raw = query[String.self, at: name], !raw.isEmpty else { return nil }
        switch raw {
        case "true": return true
        case "false": return false
        default:
            errors.add(name, "must be true or false")
            return nil
        }
    }
}
