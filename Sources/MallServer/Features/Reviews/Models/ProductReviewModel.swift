import Fluent
import Foundation
import MallCore

/// A shopper's review of one order line: the first review (stars, words, photos) or its one
/// follow-up. Owned by the store that fulfilled the order (and its merchant), whose staff may
/// reply; only HQ moderates.
final class ProductReviewModel: Model, @unchecked Sendable {
    static let schema = "product_reviews"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    @Field(key: "kind") var kind: String
    @OptionalField(key: "parent_id") var parentId: UUID?
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "order_id") var orderId: UUID
    @Field(key: "order_line_id") var orderLineId: UUID
    @Field(key: "product_id") var productId: UUID
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "spec_title") var specTitle: String
    @OptionalField(key: "rating") var rating: Int?
    @Field(key: "text") var text: String
    @Field(key: "photos") var photosJSON: String
    @Field(key: "photo_count") var photoCount: Int
    @Field(key: "anonymous") var anonymous: Bool
    @Field(key: "author_name") var authorName: String
    @Field(key: "status") var status: String
    @OptionalField(key: "rejection_reason") var rejectionReason: String?
    @OptionalField(key: "moderated_by") var moderatedBy: UUID?
    @OptionalField(key: "moderated_at") var moderatedAt: Date?
    @Field(key: "points_earned") var pointsEarned: Int64
    @OptionalField(key: "reply_text") var replyText: String?
    @OptionalField(key: "reply_by") var replyBy: UUID?
    @OptionalField(key: "reply_at") var replyAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _createdAt, _updatedAt, _kind, _parentId, _memberId, _orderId, _orderLineId, _productId, _skuId, _merchantId, _storeId, _specTitle,
         _rating, _text, _photosJSON, _photoCount, _anonymous, _authorName, _status, _rejectionReason, _moderatedBy, _moderatedAt, _pointsEarned,
         _replyText, _replyBy, _replyAt]
    }

    init() {}

    var owner: ResourceOwner { .store(StoreID(storeId), merchant: MerchantID(merchantId)) }

    var photos: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(photosJSON.utf8))) ?? [] }
        set {
            photosJSON = (try? JSONText.encode(newValue)) ?? "[]"
            photoCount = newValue.count
        }
    }

    /// A stored status this version does not know reads as pending: it is then neither shown
    /// nor counted, and staff see it in the queue.
    var reviewStatus: ReviewStatus { ReviewStatus(rawValue: status) ?? .pending }
    var reviewKind: ReviewKind { ReviewKind(rawValue: kind) ?? .initial }
}
