import Fluent
import Foundation
import MallAPI
import MallCore

/// A product's video or document. The bytes live in `FileStorage` under `key`; this row says
/// what they are, so serving never trusts the store's metadata.
final class ProductAttachmentModel: Model, @unchecked Sendable {
    static let schema = "product_attachments"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date

    @Field(key: "product_id") var productId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Enum(key: "format") var format: AttachmentFormat
    @Field(key: "title") var title: String
    @Field(key: "sha256") var sha256: String
    @Field(key: "key") var key: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "byte_count") var byteCount: Int
    @OptionalField(key: "duration_ms") var durationMilliseconds: Int?
    @OptionalField(key: "poster_key") var posterKey: String?
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] {
        [_id, _createdAt, _productId, _merchantId, _format, _title, _sha256, _key, _contentType, _byteCount, _durationMilliseconds, _posterKey, _uploadedBy]
    }

    init() {}

    init(productId: UUID, merchantId: UUID, info: AttachmentInfo, title: String, sha256: String, posterKey: String?, uploadedBy: UUID?, createdAt: Date) {
        self.productId = productId
        self.merchantId = merchantId
        self.format = info.format
        self.title = title
        self.sha256 = sha256
        self.key = Self.key(sha256: sha256, format: info.format)
        self.contentType = info.format.mimeType
        self.byteCount = info.byteCount
        self.durationMilliseconds = info.durationMilliseconds
        self.posterKey = posterKey
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
    }

    var owner: ResourceOwner { .merchant(MerchantID(merchantId)) }

    /// Stored once per content, like images: `video/<sha256>.mp4`, `doc/<sha256>.pdf`.
    static func key(sha256: String, format: AttachmentFormat) -> String {
        (format.isVideo ? "video/" : "doc/") + sha256 + "." + format.fileExtension
    }

    static func find(key: String, on db: any Database) async throws -> ProductAttachmentModel? {
        try await query(on: db).filter(\.$key == key).first()
    }

    static func all(productId: UUID, on db: any Database) async throws -> [ProductAttachmentModel] {
        try await query(on: db).filter(\.$productId == productId).sort(\.$createdAt).sort(\.$id).all()
    }

    var dto: ProductAttachment {
        ProductAttachment(id: id!, productId: productId, format: format, url: "/files/" + key, contentType: contentType, title: title,
                          byteCount: byteCount, durationMilliseconds: durationMilliseconds, posterUrl: posterKey.map { "/files/" + $0 })
    }
}
