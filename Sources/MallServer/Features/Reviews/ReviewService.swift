import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Why a review request is turned down after its fields were fine.
enum ReviewError: ProblemConvertible, Equatable {
    case refused(ReviewRefusal)
    /// Another request reviewed the same line (or added the follow-up) first.
    case alreadyWritten
    case alreadyModerated(ReviewStatus)
    case replyNeedsApprovedReview
    case replyToFollowUp
    case alreadyAnswered

    var status: HTTPResponseStatus { .conflict }
    var title: String { status.reasonPhrase }

    var detail: String? {
        switch self {
        case .refused(let refusal): refusal.message
        case .alreadyWritten: "This item has been reviewed already."
        case .alreadyModerated(let status): "This review has been \(status.rawValue) already."
        case .replyNeedsApprovedReview: "Only approved reviews can be answered."
        case .replyToFollowUp: "Answer the first review, not its follow-up."
        case .alreadyAnswered: "This review has been answered already."
        }
    }
}

/// Writes reviews and their decisions: a member's first reviews and follow-ups (checked by
/// `ReviewRules`), HQ's approval — which moves the product's rating counters and earns the
/// member points through `PointsService` in the same transaction, once per review — or
/// rejection, and the merchant's or store's one reply. Members hear of each decision in their
/// inbox.
struct ReviewService {
    let app: Application
    let db: any Database

    // MARK: Members

    /// Reviews of some lines of one of the member's orders, all or none: each line once, within
    /// `reviews.windowDays` of delivery or pickup.
    func submit(memberId: UUID, orderId: UUID, input: ReviewInput, settings: ResolvedSettings, now: Date) async throws -> [ProductReviewModel] {
        let words = SensitiveWords(setting: settings.string(.reviewSensitiveWords))
        let windowDays = settings.integer(.reviewWindowDays)
        do {
            return try await db.writeTransaction { db in
                guard let order = try await OrderModel.find(orderId, on: db), order.memberId == memberId else {
                    throw MallError.notFound("No such order.")
                }
                let handedOverAt = try Self.handedOverAt(order)
                let lines = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db).filter(\.$orderId == orderId).all().map { ($0.id!, $0) })
                let reviewed = Set(try await ProductReviewModel.query(on: db).filter(\.$orderId == orderId)
                    .filter(\.$kind == ReviewKind.initial.rawValue).all(\.$orderLineId))

                var errors = FieldErrorCollector()
                if input.lines.isEmpty { errors.add("lines", "must name at least one item") }
                if input.lines.count > lines.count, !lines.isEmpty { errors.add("lines", "must be at most \(lines.count)") }
                var accepted: [(index: Int, line: OrderLineModel, review: CheckedReview, anonymous: Bool)] = []
                var seen: Set<UUID> = []
                for (index, entry) in input.lines.enumerated() {
                    let field = "lines[\(index)]"
                    guard let line = lines[entry.orderLineId] else {
                        errors.add(field + ".orderLineId", "is not a line of this order")
                        continue
                    }
                    guard seen.insert(line.id!).inserted else {
                        errors.add(field + ".orderLineId", "names the same item twice")
                        continue
                    }
                    if let refusal = ReviewRules.refusal(handedOverAt: handedOverAt, alreadyReviewed: reviewed.contains(line.id!),
                                                         now: now, windowDays: windowDays, freeGift: line.isFreeGift) {
                        errors.add(field + ".orderLineId", refusal.message)
                        continue
                    }
                    if let checked = errors.collect({ try ReviewRules.check(rating: entry.rating, text: entry.text, photos: entry.photos ?? [],
                                                                           prefix: field + ".", words: words) }) {
                        accepted.append((index, line, checked, entry.anonymous ?? false))
                    }
                }
                // Ownership is checked for every line, so one answer names every photo to fix.
                try await Self.checkPhotos(input.lines.enumerated().map { ($0.offset, $0.element.photos ?? []) }, prefix: { "lines[\($0)]." },
                                           memberId: memberId, errors: &errors, on: db)
                try errors.throwIfAny()

                let author = try await MemberModel.find(memberId, on: db)?.nickname ?? ""
                var written: [ProductReviewModel] = []
                for item in accepted {
                    let review = Self.model(kind: .initial, parent: nil, order: order, line: item.line, checked: item.review, anonymous: item.anonymous,
                                            author: author, now: now)
                    try await review.create(on: db)
                    written.append(review)
                }
                return written
            }
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            throw ReviewError.alreadyWritten
        }
    }

    /// The one follow-up to a member's own first review, within `reviews.followUpDays` of it.
    func followUp(memberId: UUID, reviewId: UUID, input: ReviewFollowUpInput, settings: ResolvedSettings, now: Date) async throws -> ProductReviewModel {
        let words = SensitiveWords(setting: settings.string(.reviewSensitiveWords))
        do {
            return try await db.writeTransaction { db in
                guard let first = try await ProductReviewModel.find(reviewId, on: db), first.memberId == memberId, first.reviewKind == .initial,
                      let order = try await OrderModel.find(first.orderId, on: db), let line = try await OrderLineModel.find(first.orderLineId, on: db)
                else { throw MallError.notFound("No such review.") }
                let existing = try await ProductReviewModel.query(on: db).filter(\.$parentId == reviewId).count()
                if let refusal = ReviewRules.followUpRefusal(review: first.reviewStatus, reviewedAt: first.createdAt, hasFollowUp: existing > 0,
                                                             now: now, followUpDays: settings.integer(.reviewFollowUpDays)) {
                    throw ReviewError.refused(refusal)
                }
                var errors = FieldErrorCollector()
                let checked = errors.collect { try ReviewRules.check(rating: nil, text: input.text, photos: input.photos ?? [], words: words) }
                try await Self.checkPhotos([(0, input.photos ?? [])], prefix: { _ in "" }, memberId: memberId, errors: &errors, on: db)
                try errors.throwIfAny()
                guard let checked else { throw ValidationFailure(errors.errors) }
                let review = Self.model(kind: .followUp, parent: first, order: order, line: line, checked: checked, anonymous: first.anonymous,
                                        author: first.authorName, now: now)
                try await review.create(on: db)
                return review
            }
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            throw ReviewError.alreadyWritten
        }
    }

    // MARK: Staff

    /// Approves a pending review, once however many moderators click at the same time: a first
    /// review then counts in the product's ratings and earns `points.reviewPoints` (plus
    /// `points.reviewPhotoBonusPoints` with photos); a follow-up is simply shown.
    func approve(reviewId: UUID, staffId: UUID, settings: ResolvedSettings, audit: AuditRecorder, now: Date) async throws -> ProductReviewModel {
        try await db.writeTransaction { db in
            let review = try await Self.decide(reviewId, .approved, reason: nil, staffId: staffId, now: now, on: db)
            var points: Int64 = 0
            if review.reviewKind == .initial, let rating = review.rating, ReviewRules.ratings.contains(rating) {
                try await db.sql.raw("""
                    UPDATE products SET review_count = review_count + 1, review_star_total = review_star_total + \(bind: rating),
                        \(ident: "review_stars_\(rating)") = \(ident: "review_stars_\(rating)") + 1,
                        review_with_photos = review_with_photos + \(bind: review.photoCount > 0 ? 1 : 0)
                    WHERE id = \(bind: review.productId)
                    """).run()
                points = Int64(settings.integer(.pointsReview)) + (review.photoCount > 0 ? Int64(settings.integer(.pointsReviewPhotoBonus)) : 0)
                let entry = try await PointsService(db: db).earn(
                    points, memberId: review.memberId, kind: .review,
                    context: .init(reference: ("review", reviewId.uuidString), note: review.photoCount > 0 ? "review with photos" : "review",
                                   idempotencyKey: "review-earn:\(reviewId.uuidString)", now: now),
                    settings: settings)
                points = entry?.points ?? 0
                if points > 0 {
                    review.pointsEarned = points
                    try await review.update(on: db)
                }
            }
            let title = try await Self.lineTitle(review, on: db)
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: review.memberId, merchantId: review.merchantId, storeId: review.storeId,
                title: "Review approved",
                body: points > 0 ? "Your review of “\(title)” is approved and shown; it earned \(points) points."
                    : "Your review of “\(title)” is approved and shown.",
                reference: .init(type: "review", id: reviewId.uuidString), now: now)
            try await audit.record(on: db, action: "review.approve", owner: review.owner, targetType: "review", targetId: reviewId.uuidString,
                                   after: ["status": ReviewStatus.approved.rawValue, "points": String(points)])
            return review
        }
    }

    /// Rejects a pending review with a reason the member is told.
    func reject(reviewId: UUID, reason: String, staffId: UUID, audit: AuditRecorder, now: Date) async throws -> ProductReviewModel {
        let reason = try ReviewRules.checkText(reason, field: "reason", length: ReviewRules.rejectionReasonLength, words: SensitiveWords([]))
        return try await db.writeTransaction { db in
            let review = try await Self.decide(reviewId, .rejected, reason: reason, staffId: staffId, now: now, on: db)
            let title = try await Self.lineTitle(review, on: db)
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: review.memberId, merchantId: review.merchantId, storeId: review.storeId,
                title: "Review not approved", body: "Your review of “\(title)” was not approved: \(reason)",
                reference: .init(type: "review", id: reviewId.uuidString), now: now)
            try await audit.record(on: db, action: "review.reject", owner: review.owner, targetType: "review", targetId: reviewId.uuidString,
                                   after: ["status": ReviewStatus.rejected.rawValue, "reason": reason])
            return review
        }
    }

    /// The merchant's or store's one answer under an approved first review.
    func reply(reviewId: UUID, text: String, staffId: UUID, audit: AuditRecorder, now: Date) async throws -> ProductReviewModel {
        let text = try ReviewRules.checkText(text, field: "text", length: ReviewRules.replyLength, words: SensitiveWords([]))
        return try await db.writeTransaction { db in
            let answered = try await db.sql.raw("""
                UPDATE product_reviews SET reply_text = \(bind: text), reply_by = \(bind: staffId), reply_at = \(bind: now), updated_at = \(bind: now)
                WHERE id = \(bind: reviewId) AND kind = \(bind: ReviewKind.initial.rawValue) AND status = \(bind: ReviewStatus.approved.rawValue)
                  AND reply_text IS NULL
                RETURNING id
                """).all()
            guard let review = try await ProductReviewModel.find(reviewId, on: db) else { throw MallError.notFound("No such review.") }
            guard !answered.isEmpty else {
                if review.reviewKind != .initial { throw ReviewError.replyToFollowUp }
                if review.reviewStatus != .approved { throw ReviewError.replyNeedsApprovedReview }
                throw ReviewError.alreadyAnswered
            }
            let title = try await Self.lineTitle(review, on: db)
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: review.memberId, merchantId: review.merchantId, storeId: review.storeId,
                title: "The shop replied to your review", body: "“\(title)”: \(text)",
                reference: .init(type: "review", id: reviewId.uuidString), now: now)
            try await audit.record(on: db, action: "review.reply", owner: review.owner, targetType: "review", targetId: reviewId.uuidString,
                                   after: ["reply": text])
            return review
        }
    }

    // MARK: Helpers

    /// When the order's goods reached the shopper (the last delivered or picked-up step), nil
    /// before that.
    static func handedOverAt(_ order: OrderModel) throws -> Date? {
        try order.lifecycle.timeline.last { $0.to == .delivered || $0.to == .pickedUp }?.at
    }

    /// Moves a pending review to `status` with one conditional UPDATE, so two moderators can
    /// never both decide it; the loser learns what the winner decided.
    private static func decide(_ reviewId: UUID, _ status: ReviewStatus, reason: String?, staffId: UUID, now: Date,
                               on db: any Database) async throws -> ProductReviewModel {
        let moved = try await db.sql.raw("""
            UPDATE product_reviews SET status = \(bind: status.rawValue), rejection_reason = \(bind: reason), moderated_by = \(bind: staffId),
                moderated_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: reviewId) AND status = \(bind: ReviewStatus.pending.rawValue)
            RETURNING id
            """).all()
        guard let review = try await ProductReviewModel.find(reviewId, on: db) else { throw MallError.notFound("No such review.") }
        guard !moved.isEmpty else { throw ReviewError.alreadyModerated(review.reviewStatus) }
        return review
    }

    /// Every photo must be an image stored here that the member uploaded (or a catalogue
    /// image); `items` pairs an input index with its photos. Paths that are not image paths at
    /// all were reported by `ReviewRules.check` already.
    private static func checkPhotos(_ items: [(Int, [String])], prefix: (Int) -> String, memberId: UUID, errors: inout FieldErrorCollector,
                                    on db: any Database) async throws {
        let keyed = items.map { index, photos in (index, photos.prefix(ReviewRules.maxPhotos * 2).map { ReviewRules.photoKey($0.trimmingWhitespace()) }) }
        let usable = try await MemberImageService.usableKeys(Array(Set(keyed.flatMap { $0.1.compactMap { $0 } })), memberId: memberId, on: db)
        for (index, keys) in keyed {
            for (position, key) in keys.enumerated() {
                if let key, !usable.contains(key) { errors.add(prefix(index) + "photos[\(position)]", "is not an image you uploaded") }
            }
        }
    }

    private static func model(kind: ReviewKind, parent: ProductReviewModel?, order: OrderModel, line: OrderLineModel, checked: CheckedReview,
                              anonymous: Bool, author: String, now: Date) -> ProductReviewModel {
        let review = ProductReviewModel()
        review.id = UUID()
        review.kind = kind.rawValue
        review.parentId = parent?.id
        review.memberId = order.memberId
        review.orderId = order.id!
        review.orderLineId = line.id!
        review.productId = line.productId
        review.skuId = line.skuId
        review.merchantId = order.merchantId
        review.storeId = order.storeId
        review.specTitle = line.specTitle
        review.rating = checked.rating
        review.text = checked.text
        review.photos = checked.photos
        review.anonymous = anonymous
        review.authorName = String(author.prefix(100))
        review.status = ReviewStatus.pending.rawValue
        review.pointsEarned = 0
        review.createdAt = now
        review.updatedAt = now
        return review
    }

    private static func lineTitle(_ review: ProductReviewModel, on db: any Database) async throws -> String {
        try await OrderLineModel.find(review.orderLineId, on: db)?.title ?? ""
    }
}
