import Fluent
import Foundation
import MallCore

/// An uploaded image a merchant owns. The bytes live in `FileStorage` under `key`; this row says
/// what they are, so serving never has to trust the store's metadata.
final class MediaFileModel: Model, @unchecked Sendable {
    static let schema = "media_files"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date

    @Field(key: "merchant_id") var merchantId: UUID
    /// Lower-case hex SHA-256 of the bytes; also part of the key, so a URL names one content.
    @Field(key: "sha256") var sha256: String
    @Field(key: "key") var key: String
    @Field(key: "content_type") var contentType: String
    @Enum(key: "format") var format: ImageFormat
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    @Field(key: "byte_count") var byteCount: Int
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _merchantId, _sha256, _key, _contentType, _format, _width, _height, _byteCount, _uploadedBy] }

    init() {}

    init(merchantId: UUID, sha256: String, key: String, image: ImageInfo, uploadedBy: UUID?, createdAt: Date) {
        self.merchantId = merchantId
        self.sha256 = sha256
        self.key = key
        self.contentType = image.format.mimeType
        self.format = image.format
        self.width = image.width
        self.height = image.height
        self.byteCount = image.byteCount
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
    }

    var owner: ResourceOwner { .merchant(MerchantID(merchantId)) }

    /// Images are stored once per content: `img/<sha256>.<ext>`.
    static func imageKey(sha256: String, format: ImageFormat) -> String {
        "img/\(sha256).\(format.fileExtension)"
    }

    static func find(merchant: MerchantID, sha256: String, on db: any Database) async throws -> MediaFileModel? {
        try await query(on: db).filter(\.$merchantId == merchant.rawValue).filter(\.$sha256 == sha256).first()
    }

    static func find(key: String, on db: any Database) async throws -> MediaFileModel? {
        try await query(on: db).filter(\.$key == key).first()
    }
}
