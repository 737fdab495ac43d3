import Fluent
import Foundation
import MallCore

/// An image a member uploaded (a review photo). The bytes live in `FileStorage` under the same
/// content-addressed key a staff upload of them would have; this row says what they are and
/// whose they are.
final class MemberImageModel: Model, @unchecked Sendable {
    static let schema = "member_images"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date

    @Field(key: "member_id") var memberId: UUID
    @Field(key: "sha256") var sha256: String
    @Field(key: "key") var key: String
    @Field(key: "content_type") var contentType: String
    @Enum(key: "format") var format: ImageFormat
    @Field(key: "width") var width: Int
    @Field(key: "height") var height: Int
    @Field(key: "byte_count") var byteCount: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _memberId, _sha256, _key, _contentType, _format, _width, _height, _byteCount] }

    init() {}

    init(memberId: UUID, sha256: String, image: ImageInfo, createdAt: Date) {
        self.memberId = memberId
        self.sha256 = sha256
        self.key = MediaFileModel.imageKey(sha256: sha256, format: image.format)
        self.contentType = image.format.mimeType
        self.format = image.format
        self.width = image.width
        self.height = image.height
        self.byteCount = image.byteCount
        self.createdAt = createdAt
    }

    static func find(member: UUID, sha256: String, on db: any Database) async throws -> MemberImageModel? {
        try await query(on: db).filter(\.$memberId == member).filter(\.$sha256 == sha256).first()
    }

    static func find(key: String, on db: any Database) async throws -> MemberImageModel? {
        try await query(on: db).filter(\.$key == key).first()
    }
}
