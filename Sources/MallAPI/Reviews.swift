import Foundation
import MallCore

// MARK: Writing reviews (members)

/// One order line's review: 1–5 stars, 2–500 characters, up to 6 photos uploaded through
/// `POST /me/media/images`, and whether to show the reviewer's name masked.
public struct ReviewLineInput: Codable, Sendable {
    public var orderLineId: UUID
    public var rating: Int
    public var text: String
    public var photos: [String]?
    public var anonymous: Bool?

    public init(orderLineId: UUID, rating: Int, text: String, photos: [String]? = nil, anonymous: Bool? = nil) {
        self.orderLineId = orderLineId
        self.rating = rating
        self.text = text
        self.photos = photos
        self.anonymous = anonymous
    }
}

/// `POST /orders/{orderId}/reviews`: reviews of one or more lines of the order, all or none.
public struct ReviewInput: Codable, Sendable {
    public var lines: [ReviewLineInput]

    public init(lines: [ReviewLineInput]) {
        self.lines = lines
    }
}

/// `POST /me/reviews/{reviewId}/follow-up`: more words (and photos) about the same item later.
public struct ReviewFollowUpInput: Codable, Sendable {
    public var text: String
    public var photos: [String]?

    public init(text: String, photos: [String]? = nil) {
        self.text = text
        self.photos = photos
    }
}

/// A staff reply under a review.
public struct ReviewReplyInput: Codable, Sendable {
    public var text: String

    public init(text: String) {
        self.text = text
    }
}

// MARK: Reading reviews (shoppers)

/// Reviews with one number of stars and their share of all.
public struct StarCount: Codable, Sendable, Equatable {
    public var stars: Int
    public var count: Int
    /// Whole percent of all reviews (rounded).
    public var percent: Int

    public init(stars: Int, count: Int, percent: Int) {
        self.stars = stars
        self.count = count
        self.percent = percent
    }
}

/// A product's ratings: approved first reviews only.
public struct RatingSummary: Codable, Sendable, Equatable {
    public var reviewCount: Int
    /// Mean stars to one decimal; nil without reviews.
    public var averageRating: Double?
    /// Five entries, 5 stars first.
    public var stars: [StarCount]
    public var withPhotosCount: Int
    /// Whole percent of reviews with photos (rounded).
    public var withPhotosPercent: Int

    public init(reviewCount: Int, averageRating: Double?, stars: [StarCount], withPhotosCount: Int, withPhotosPercent: Int) {
        self.reviewCount = reviewCount
        self.averageRating = averageRating
        self.stars = stars
        self.withPhotosCount = withPhotosCount
        self.withPhotosPercent = withPhotosPercent
    }

    public init(_ counts: RatingCounts) {
        self.init(reviewCount: counts.count, averageRating: counts.average,
                  stars: ReviewRules.ratings.reversed().map { StarCount(stars: $0, count: counts.count(stars: $0), percent: counts.percent(stars: $0)) },
                  withPhotosCount: counts.withPhotos, withPhotosPercent: counts.withPhotosPercent)
    }
}

public struct ReviewFollowUp: Codable, Sendable, Equatable {
    public var text: String
    public var photos: [String]
    public var createdAt: Date

    public init(text: String, photos: [String], createdAt: Date) {
        self.text = text
        self.photos = photos
        self.createdAt = createdAt
    }
}

/// The merchant's or store's answer under a review.
public struct ReviewReply: Codable, Sendable, Equatable {
    public var text: String
    public var createdAt: Date

    public init(text: String, createdAt: Date) {
        self.text = text
        self.createdAt = createdAt
    }
}

/// An approved review as every shopper sees it on the product page.
public struct ProductReview: Codable, Sendable, Equatable {
    public var id: UUID
    public var rating: Int
    public var text: String
    public var photos: [String]
    /// The reviewer's nickname, masked (`小*`, `陈***杰`) when they chose to be anonymous.
    public var authorName: String
    public var anonymous: Bool
    /// The option bought (`500ml 单瓶`); empty for a product with one.
    public var specTitle: String
    public var createdAt: Date
    /// The approved follow-up, if any.
    public var followUp: ReviewFollowUp?
    public var reply: ReviewReply?

    public init(id: UUID, rating: Int, text: String, photos: [String], authorName: String, anonymous: Bool, specTitle: String, createdAt: Date,
                followUp: ReviewFollowUp?, reply: ReviewReply?) {
        self.id = id
        self.rating = rating
        self.text = text
        self.photos = photos
        self.authorName = authorName
        self.anonymous = anonymous
        self.specTitle = specTitle
        self.createdAt = createdAt
        self.followUp = followUp
        self.reply = reply
    }
}

/// `GET /products/{id}/reviews`: the product's summary and one page of its approved reviews.
public struct ProductReviews: Codable, Sendable {
    public var summary: RatingSummary
    public var reviews: ListPage<ProductReview>

    public init(summary: RatingSummary, reviews: ListPage<ProductReview>) {
        self.summary = summary
        self.reviews = reviews
    }
}

// MARK: The member's own reviews

/// A review as its writer sees it, whatever its status.
public struct MyReview: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: ReviewKind
    /// 1–5 for a first review; a follow-up has none.
    public var rating: Int?
    public var text: String
    public var photos: [String]
    public var anonymous: Bool
    public var status: ReviewStatus
    public var rejectionReason: String?
    /// Points the approval earned (0 until approved, or when the settings give none).
    public var pointsEarned: Int64
    public var createdAt: Date

    public init(id: UUID, kind: ReviewKind, rating: Int?, text: String, photos: [String], anonymous: Bool, status: ReviewStatus,
                rejectionReason: String?, pointsEarned: Int64, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.rating = rating
        self.text = text
        self.photos = photos
        self.anonymous = anonymous
        self.status = status
        self.rejectionReason = rejectionReason
        self.pointsEarned = pointsEarned
        self.createdAt = createdAt
    }
}

/// One bought item in "my reviews": still to review (no `review`), or reviewed, with the
/// follow-up and the shop's reply when there are.
public struct MyReviewItem: Codable, Sendable, Equatable {
    public var orderId: UUID
    public var orderNumber: String
    public var orderLineId: UUID
    public var productId: UUID
    public var title: String
    public var specTitle: String
    public var image: String?
    /// When the goods were delivered or picked up.
    public var handedOverAt: Date
    /// Until when the first review can be written (to review only).
    public var reviewBy: Date?
    public var review: MyReview?
    public var followUp: MyReview?
    public var reply: ReviewReply?
    /// Until when a follow-up can be added; nil when it cannot (any more).
    public var followUpBy: Date?

    public init(orderId: UUID, orderNumber: String, orderLineId: UUID, productId: UUID, title: String, specTitle: String, image: String?,
                handedOverAt: Date, reviewBy: Date?, review: MyReview?, followUp: MyReview?, reply: ReviewReply?, followUpBy: Date?) {
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.orderLineId = orderLineId
        self.productId = productId
        self.title = title
        self.specTitle = specTitle
        self.image = image
        self.handedOverAt = handedOverAt
        self.reviewBy = reviewBy
        self.review = review
        self.followUp = followUp
        self.reply = reply
        self.followUpBy = followUpBy
    }
}

/// Which half of "my reviews" to list.
public enum MyReviewsState: String, Codable, Sendable, CaseIterable {
    /// Delivered or picked-up items still open for a first review.
    case pending
    /// Items reviewed, newest review first.
    case done
}

/// `GET /me/reviews`: one page of one half, with the size of both.
public struct MyReviews: Codable, Sendable {
    public var state: MyReviewsState
    public var pendingCount: Int
    public var doneCount: Int
    public var items: ListPage<MyReviewItem>

    public init(state: MyReviewsState, pendingCount: Int, doneCount: Int, items: ListPage<MyReviewItem>) {
        self.state = state
        self.pendingCount = pendingCount
        self.doneCount = doneCount
        self.items = items
    }
}

// MARK: Staff

/// A review in the console's moderation queue and lists.
public struct StaffReview: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: ReviewKind
    /// A follow-up's first review.
    public var parentId: UUID?
    /// A first review's follow-up, when the member wrote one.
    public var followUpId: UUID?
    public var productId: UUID
    public var productTitle: String
    public var specTitle: String
    public var orderId: UUID
    public var orderNumber: String
    public var orderLineId: UUID
    public var merchantId: UUID
    public var storeId: UUID
    public var memberId: UUID
    /// The reviewer's nickname in full (staff see it even when the review is anonymous).
    public var memberName: String
    public var anonymous: Bool
    /// A first review's stars; for a follow-up, the stars of its first review.
    public var rating: Int?
    public var text: String
    public var photos: [String]
    public var status: ReviewStatus
    public var rejectionReason: String?
    public var moderatedAt: Date?
    public var pointsEarned: Int64
    public var reply: ReviewReply?
    public var createdAt: Date

    public init(id: UUID, kind: ReviewKind, parentId: UUID?, followUpId: UUID?, productId: UUID, productTitle: String, specTitle: String, orderId: UUID,
                orderNumber: String, orderLineId: UUID, merchantId: UUID, storeId: UUID, memberId: UUID, memberName: String, anonymous: Bool,
                rating: Int?, text: String, photos: [String], status: ReviewStatus, rejectionReason: String?, moderatedAt: Date?,
                pointsEarned: Int64, reply: ReviewReply?, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.parentId = parentId
        self.followUpId = followUpId
        self.productId = productId
        self.productTitle = productTitle
        self.specTitle = specTitle
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.orderLineId = orderLineId
        self.merchantId = merchantId
        self.storeId = storeId
        self.memberId = memberId
        self.memberName = memberName
        self.anonymous = anonymous
        self.rating = rating
        self.text = text
        self.photos = photos
        self.status = status
        self.rejectionReason = rejectionReason
        self.moderatedAt = moderatedAt
        self.pointsEarned = pointsEarned
        self.reply = reply
        self.createdAt = createdAt
    }
}
