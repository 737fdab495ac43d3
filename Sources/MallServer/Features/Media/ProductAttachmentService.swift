import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Videos and documents attached to products: the core recognises and limits them
/// (`AttachmentProbe`, `AttachmentUploadPolicy`); this stores the bytes once per content and
/// records the row and its audit entry together.
enum ProductAttachmentService {
    struct Limits: Sendable {
        var maxVideoMegabytes: Int
        var maxVideoSeconds: Int
    }

    /// The merchant that owns the product, whose `catalog.edit` the uploader needs.
    static func owner(productId: UUID, on db: any Database) async throws -> MerchantID {
        guard let product = try await ProductModel.find(productId, on: db) else { throw MallError.notFound("No such product.") }
        return MerchantID(product.merchantId)
    }

    static func upload(_ bytes: [UInt8], productId: UUID, title: String?, posterURL: String?, limits: Limits, uploadedBy staffId: UUID?,
                       audit: AuditRecorder, storage: any FileStorage, on db: any Database) async throws -> ProductAttachmentModel {
        let merchant = try await owner(productId: productId, on: db)
        let info = try AttachmentProbe.inspect(bytes)
        try AttachmentUploadPolicy.check(info, maxVideoMegabytes: limits.maxVideoMegabytes, maxVideoSeconds: limits.maxVideoSeconds)
        var errors = FieldErrorCollector()
        let title = (title ?? "").trimmingWhitespace()
        if title.count > AttachmentUploadPolicy.maxTitleLength {
            errors.add("title", "must be at most \(AttachmentUploadPolicy.maxTitleLength) characters")
        } else if !info.format.isVideo && title.isEmpty {
            errors.add("title", "is required for a document, such as User manual")
        }
        var posterKey: String?
        if info.format.isVideo {
            posterKey = try await self.posterKey(posterURL, merchant: merchant, on: db, errors: &errors)
        } else if posterURL != nil {
            errors.add("posterUrl", "is only for videos")
        }
        try errors.throwIfAny()

        let existing = try await ProductAttachmentModel.all(productId: productId, on: db)
        let digest = SigV4Signer.hex(SHA256.hash(data: bytes))
        if existing.contains(where: { $0.sha256 == digest }) { throw MallError.conflict("This product already has that file.") }
        guard existing.count < AttachmentUploadPolicy.maxPerProduct else {
            throw ValidationFailure(field: "file", message: "would be more than \(AttachmentUploadPolicy.maxPerProduct) videos and documents on one product")
        }

        // Bytes first, row second, as for images: the key is the content, so a row that then
        // fails leaves only bytes a later upload of the same file reuses.
        let attachment = ProductAttachmentModel(productId: productId, merchantId: merchant.rawValue, info: info, title: title, sha256: digest,
                                                posterKey: posterKey, uploadedBy: staffId, createdAt: audit.now)
        try await storage.put(key: attachment.key, data: Data(bytes), contentType: info.format.mimeType)
        do {
            try await db.writeTransaction { db in
                try await attachment.create(on: db)
                try await audit.record(on: db, action: "product.attachment.add", owner: attachment.owner, targetType: "product",
                                       targetId: productId.uuidString, after: attachment.dto)
            }
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            throw MallError.conflict("This product already has that file.")
        }
        return attachment
    }

    /// Removes the row, then the bytes unless another product shows the same file.
    static func remove(attachmentId: UUID, productId: UUID, audit: AuditRecorder, storage: any FileStorage, on db: any Database) async throws {
        guard let attachment = try await ProductAttachmentModel.find(attachmentId, on: db), attachment.productId == productId else {
            throw MallError.notFound("No such video or document on this product.")
        }
        let before = attachment.dto
        try await db.writeTransaction { db in
            try await attachment.delete(on: db)
            try await audit.record(on: db, action: "product.attachment.remove", owner: attachment.owner, targetType: "product",
                                   targetId: productId.uuidString, before: before)
        }
        if try await ProductAttachmentModel.find(key: attachment.key, on: db) == nil {
            try await storage.delete(key: attachment.key)
        }
    }

    /// A video's poster is an image the merchant uploaded before: its `/files/img/…` path.
    static func posterKey(_ url: String?, merchant: MerchantID, on db: any Database, errors: inout FieldErrorCollector) async throws -> String? {
        guard let url, !url.isEmpty else {
            errors.add("posterUrl", "is required for a video: upload an image and give its /files/… path")
            return nil
        }
        let key = url.hasPrefix("/files/") ? String(url.dropFirst("/files/".count)) : ""
        guard (try? FileStorageKey.validate(key)) != nil, let image = try await MediaFileModel.find(key: key, on: db),
              image.merchantId == merchant.rawValue else {
            errors.add("posterUrl", "must be the /files/… path of an image this merchant uploaded")
            return nil
        }
        return image.key
    }

    static func list(productId: UUID, on db: any Database) async throws -> (videos: [ProductAttachment], documents: [ProductAttachment]) {
        let all = try await ProductAttachmentModel.all(productId: productId, on: db).map(\.dto)
        return (all.filter(\.format.isVideo), all.filter { !$0.format.isVideo })
    }
}
