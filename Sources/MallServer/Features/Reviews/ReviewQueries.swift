import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// Reads of reviews for shoppers (a product's), members (their own and what is left to review)
/// and staff (the moderation queue within their reach).
enum ReviewQueries {
    // MARK: Product page

    /// The counters kept on the product row (`ReviewService.approve` moves them).
    static func ratingCounts(productId: UUID, on db: any Database) async throws -> RatingCounts {
        guard let row = try await db.sql.raw("SELECT \(unsafeRaw: ratingColumns) FROM products WHERE id = \(bind: productId)").first() else {
            return RatingCounts()
        }
        return try ratingCounts(in: row)
    }

    /// The product row's columns `ratingCounts(in:)` reads, for queries that read more of the row.
    static let ratingColumns = "review_stars_1, review_stars_2, review_stars_3, review_stars_4, review_stars_5, review_with_photos"

    static func ratingCounts(in row: any SQLRow) throws -> RatingCounts {
        let stars = try (1...5).map { try row.decode(column: "review_stars_\($0)", as: Int.self) }
        return RatingCounts(byStars: stars, withPhotos: try row.decode(column: "review_with_photos", as: Int.self))
    }

    struct ProductFilter: Sendable {
        var withPhotos = false
        var stars: Int?
    }

    /// Approved first reviews of a product, newest first, each with its approved follow-up and
    /// the shop's reply.
    static func productReviews(productId: UUID, filter: ProductFilter, page: PageRequest, on db: any Database) async throws -> ProductReviews {
        var query = ProductReviewModel.query(on: db).filter(\.$productId == productId).filter(\.$kind == ReviewKind.initial.rawValue)
            .filter(\.$status == ReviewStatus.approved.rawValue)
        if filter.withPhotos { query = query.filter(\.$photoCount > 0) }
        if let stars = filter.stars { query = query.filter(\.$rating == stars) }
        let result = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).page(page) { $0 }
        let followUps = try await approvedFollowUps(of: result.items.compactMap(\.id), on: db)
        let items = result.items.map { review in
            ProductReview(id: review.id!, rating: review.rating ?? 0, text: review.text, photos: review.photos,
                          authorName: review.anonymous ? ReviewRules.maskedName(review.authorName) : review.authorName,
                          anonymous: review.anonymous, specTitle: review.specTitle, createdAt: review.createdAt,
                          followUp: followUps[review.id!].map { ReviewFollowUp(text: $0.text, photos: $0.photos, createdAt: $0.createdAt) },
                          reply: reply(of: review))
        }
        return ProductReviews(summary: RatingSummary(try await ratingCounts(productId: productId, on: db)),
                              reviews: ListPage(items: items, page: result.page, per: result.per, total: result.total))
    }

    private static func approvedFollowUps(of ids: [UUID], on db: any Database) async throws -> [UUID: ProductReviewModel] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await ProductReviewModel.query(on: db).filter(\.$parentId ~~ ids).filter(\.$status == ReviewStatus.approved.rawValue).all()
        return Dictionary(rows.compactMap { row in row.parentId.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
    }

    static func reply(of review: ProductReviewModel) -> ReviewReply? {
        guard let text = review.replyText, let at = review.replyAt else { return nil }
        return ReviewReply(text: text, createdAt: at)
    }

    // MARK: The member's own

    /// A line of a handed-over order that is still open for its first review.
    struct OpenLine: Sendable {
        let order: OrderModel
        let line: OrderLineModel
        let handedOverAt: Date
        let reviewBy: Date
    }

    /// Lines of the member's delivered or picked-up orders (optionally one order) still inside
    /// the review window and not reviewed, most recently handed over first.
    static func openLines(memberId: UUID, orderId: UUID?, windowDays: Int, now: Date, on db: any Database) async throws -> [OpenLine] {
        // An order handed over inside the window was updated then at the latest, so `updated_at`
        // narrows the orders read before their timelines are.
        var query = OrderModel.query(on: db).filter(\.$memberId == memberId)
            .filter(\.$status ~~ [OrderStatus.delivered, .pickedUp, .completed].map(\.rawValue))
            .filter(\.$updatedAt >= now.addingTimeInterval(-Double(windowDays) * 86_400))
        if let orderId { query = query.filter(\.$id == orderId) }
        var open: [(OrderModel, Date, Date)] = []
        for order in try await query.all() {
            guard let handedOverAt = try ReviewService.handedOverAt(order),
                  ReviewRules.refusal(handedOverAt: handedOverAt, alreadyReviewed: false, now: now, windowDays: windowDays) == nil else { continue }
            open.append((order, handedOverAt, ReviewRules.reviewDeadline(handedOverAt: handedOverAt, windowDays: windowDays)))
        }
        guard !open.isEmpty else { return [] }
        let ids = open.map { $0.0.id! }
        let lines = Dictionary(grouping: try await OrderLineModel.query(on: db).filter(\.$orderId ~~ ids).sort(\.$title).sort(\.$id).all(), by: \.orderId)
        let reviewed = Set(try await ProductReviewModel.query(on: db).filter(\.$orderId ~~ ids).filter(\.$kind == ReviewKind.initial.rawValue)
            .all(\.$orderLineId))
        return open.sorted { ($0.1, $0.0.number) > ($1.1, $1.0.number) }.flatMap { order, handedOverAt, reviewBy in
            (lines[order.id!] ?? []).filter { !reviewed.contains($0.id!) && !$0.isFreeGift }
                .map { OpenLine(order: order, line: $0, handedOverAt: handedOverAt, reviewBy: reviewBy) }
        }
    }

    static func mine(memberId: UUID, state: MyReviewsState, orderId: UUID?, page: PageRequest, settings: ResolvedSettings, now: Date,
                     on db: any Database) async throws -> MyReviews {
        let open = try await openLines(memberId: memberId, orderId: orderId, windowDays: settings.integer(.reviewWindowDays), now: now, on: db)
        var reviewed = ProductReviewModel.query(on: db).filter(\.$memberId == memberId).filter(\.$kind == ReviewKind.initial.rawValue)
        if let orderId { reviewed = reviewed.filter(\.$orderId == orderId) }
        let doneCount = try await reviewed.copy().count()
        let items: ListPage<MyReviewItem>
        switch state {
        case .pending:
            let slice = open.dropFirst(page.offset).prefix(page.per)
            let images = try await productImages(Set(slice.map(\.line.productId)), on: db)
            items = ListPage(items: slice.map { item in
                MyReviewItem(orderId: item.order.id!, orderNumber: item.order.number, orderLineId: item.line.id!, productId: item.line.productId,
                             title: item.line.title, specTitle: item.line.specTitle, image: images[item.line.productId], handedOverAt: item.handedOverAt,
                             reviewBy: item.reviewBy, review: nil, followUp: nil, reply: nil, followUpBy: nil)
            }, page: page.page, per: page.per, total: open.count)
        case .done:
            let result = try await reviewed.sort(\.$createdAt, .descending).sort(\.$id, .descending).page(page) { $0 }
            items = ListPage(items: try await reviewItems(result.items, settings: settings, now: now, on: db), page: result.page,
                             per: result.per, total: result.total)
        }
        return MyReviews(state: state, pendingCount: open.count, doneCount: doneCount, items: items)
    }

    /// The member's first reviews as "my reviews" items, with their follow-ups and replies.
    static func reviewItems(_ reviews: [ProductReviewModel], settings: ResolvedSettings, now: Date, on db: any Database) async throws -> [MyReviewItem] {
        guard !reviews.isEmpty else { return [] }
        let ids = reviews.compactMap(\.id)
        let followUps = Dictionary(try await ProductReviewModel.query(on: db).filter(\.$parentId ~~ ids).all().compactMap { row in
            row.parentId.map { ($0, row) }
        }, uniquingKeysWith: { first, _ in first })
        let orders = Dictionary(uniqueKeysWithValues: try await OrderModel.query(on: db).filter(\.$id ~~ Set(reviews.map(\.orderId))).all().map { ($0.id!, $0) })
        let lines = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db).filter(\.$id ~~ Set(reviews.map(\.orderLineId))).all()
            .map { ($0.id!, $0) })
        let images = try await productImages(Set(reviews.map(\.productId)), on: db)
        let followUpDays = settings.integer(.reviewFollowUpDays)
        return try reviews.map { review in
            let followUp = followUps[review.id!]
            let order = orders[review.orderId]
            let canFollowUp = ReviewRules.followUpRefusal(review: review.reviewStatus, reviewedAt: review.createdAt, hasFollowUp: followUp != nil,
                                                          now: now, followUpDays: followUpDays) == nil
            return MyReviewItem(orderId: review.orderId, orderNumber: order?.number ?? "", orderLineId: review.orderLineId, productId: review.productId,
                                title: lines[review.orderLineId]?.title ?? "", specTitle: review.specTitle, image: images[review.productId],
                                handedOverAt: try order.flatMap(ReviewService.handedOverAt) ?? review.createdAt, reviewBy: nil,
                                review: mine(review), followUp: followUp.map(mine), reply: reply(of: review),
                                followUpBy: canFollowUp ? ReviewRules.followUpDeadline(reviewedAt: review.createdAt, followUpDays: followUpDays) : nil)
        }
    }

    static func mine(_ review: ProductReviewModel) -> MyReview {
        MyReview(id: review.id!, kind: review.reviewKind, rating: review.rating, text: review.text, photos: review.photos, anonymous: review.anonymous,
                 status: review.reviewStatus, rejectionReason: review.rejectionReason, pointsEarned: review.pointsEarned, createdAt: review.createdAt)
    }

    /// Each product's first image.
    static func productImages(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var images: [UUID: String] = [:]
        for row in try await db.sql.select().columns("id", "images").from("products").where("id", .in, Array(ids)).all() {
            let list = (try? JSONDecoder().decode([String].self, from: Data(try row.decode(column: "images", as: String.self).utf8))) ?? []
            if let first = list.first { images[try row.decode(column: "id", as: UUID.self)] = first }
        }
        return images
    }

    // MARK: Staff

    struct StaffFilter: Sendable {
        var status: ReviewStatus?
        var kind: ReviewKind?
        var productId: UUID?
        var storeId: UUID?
        var rating: Int?
        var withPhotos: Bool?
        var replied: Bool?
    }

    static let staffSortFields = ["createdAt", "rating", "status", "photoCount", "moderatedAt"]

    static func staffList(reach: AccessReach, filter: StaffFilter, sort: ListSort?, page: PageRequest, on db: any Database) async throws -> ListPage<StaffReview> {
        var query = ProductReviewModel.query(on: db).scoped(to: reach)
        if let status = filter.status { query = query.filter(\.$status == status.rawValue) }
        if let kind = filter.kind { query = query.filter(\.$kind == kind.rawValue) }
        if let productId = filter.productId { query = query.filter(\.$productId == productId) }
        if let storeId = filter.storeId { query = query.filter(\.$storeId == storeId) }
        if let rating = filter.rating { query = query.filter(\.$rating == rating) }
        if let withPhotos = filter.withPhotos { query = withPhotos ? query.filter(\.$photoCount > 0) : query.filter(\.$photoCount == 0) }
        if let replied = filter.replied { query = replied ? query.filter(\.$replyText != nil) : query.filter(\.$replyText == nil) }
        // The queue reads oldest first (first come, first decided); other lists newest first.
        let usual: DatabaseQuery.Sort.Direction = filter.status == .pending ? .ascending : .descending
        let result = try await query.sort(sort).sort(\.$createdAt, usual).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await staffViews(result.items, on: db), page: result.page, per: result.per, total: result.total)
    }

    static func staffViews(_ reviews: [ProductReviewModel], on db: any Database) async throws -> [StaffReview] {
        guard !reviews.isEmpty else { return [] }
        let orders = Dictionary(uniqueKeysWithValues: try await db.sql.select().columns("id", "number").from("orders")
            .where("id", .in, Array(Set(reviews.map(\.orderId)))).all().map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "number", as: String.self)) })
        let titles = Dictionary(uniqueKeysWithValues: try await db.sql.select().columns("id", "title").from("order_lines")
            .where("id", .in, Array(Set(reviews.map(\.orderLineId)))).all().map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "title", as: String.self)) })
        let members = Dictionary(uniqueKeysWithValues: try await db.sql.select().columns("id", "nickname").from("members")
            .where("id", .in, Array(Set(reviews.map(\.memberId)))).all().map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "nickname", as: String.self)) })
        // A follow-up shows its first review's stars; a first review names its follow-up.
        let parentIds = Array(Set(reviews.compactMap(\.parentId)))
        let parents = parentIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await ProductReviewModel.query(on: db).filter(\.$id ~~ parentIds).all().map { ($0.id!, $0) })
        let firstIds = reviews.filter { $0.reviewKind == .initial }.compactMap(\.id)
        let followUps = firstIds.isEmpty ? [:] : Dictionary(try await ProductReviewModel.query(on: db).filter(\.$parentId ~~ firstIds).all()
            .compactMap { row in row.parentId.map { ($0, row.id!) } }, uniquingKeysWith: { first, _ in first })
        return reviews.map { review in
            StaffReview(id: review.id!, kind: review.reviewKind, parentId: review.parentId, followUpId: followUps[review.id!], productId: review.productId,
                        productTitle: titles[review.orderLineId] ?? "", specTitle: review.specTitle, orderId: review.orderId,
                        orderNumber: orders[review.orderId] ?? "", orderLineId: review.orderLineId, merchantId: review.merchantId,
                        storeId: review.storeId, memberId: review.memberId, memberName: members[review.memberId] ?? review.authorName,
                        anonymous: review.anonymous, rating: review.rating ?? review.parentId.flatMap { parents[$0]?.rating },
                        text: review.text, photos: review.photos, status: review.reviewStatus, rejectionReason: review.rejectionReason,
                        moderatedAt: review.moderatedAt, pointsEarned: review.pointsEarned, reply: reply(of: review), createdAt: review.createdAt)
        }
    }
}
