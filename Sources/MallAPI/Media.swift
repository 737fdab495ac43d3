import Foundation
import MallCore

/// An uploaded image as the API returns it. `url` is relative to the server
/// (`/files/img/<sha256>.png`) and names the content, so it can be cached for ever.
///
/// Uploads are `multipart/form-data` to `POST /api/v1/admin/media/images` with a `file` part
/// (at most `ImageUploadPolicy.maxByteCount` bytes of JPEG, PNG or WebP) and a `merchantId` part.
public struct MediaFile: Codable, Sendable, Equatable {
    public var id: UUID
    public var url: String
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var byteCount: Int
    /// Lower-case hex SHA-256 of the bytes.
    public var sha256: String

    public init(id: UUID, url: String, format: ImageFormat, width: Int, height: Int, byteCount: Int, sha256: String) {
        self.id = id
        self.url = url
        self.format = format
        self.width = width
        self.height = height
        self.byteCount = byteCount
        self.sha256 = sha256
    }
}
