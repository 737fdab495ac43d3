import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Accepting a product image: the core decides whether the bytes are an image we take
/// (`ImageProbe`, `ImageUploadPolicy`); this stores them once per content and records who did it.
enum MediaService {
    struct Upload: Sendable {
        let file: MediaFileModel
        /// False when the merchant already had these exact bytes and the existing file was returned.
        let isNew: Bool
    }

    static func uploadImage(_ bytes: [UInt8], merchant: MerchantID, uploadedBy staffId: UUID, req: Request) async throws -> Upload {
        let image = try ImageProbe.inspect(bytes)
        try ImageUploadPolicy.check(image)
        let digest = SigV4Signer.hex(SHA256.hash(data: bytes))

        if let existing = try await MediaFileModel.find(merchant: merchant, sha256: digest, on: req.db) {
            return Upload(file: existing, isNew: false)
        }
        guard try await MerchantModel.find(merchant.rawValue, on: req.db) != nil else {
            throw ValidationFailure(field: "merchantId", message: "is not a merchant")
        }

        // Bytes first, row second: a row never names a missing object. If the row then fails the
        // object stays behind, harmless, since its key is its content and any later upload of the
        // same bytes reuses it. Storage I/O stays outside the write transaction so a slow bucket
        // never holds the database's write lock.
        let key = MediaFileModel.imageKey(sha256: digest, format: image.format)
        try await req.fileStorage.put(key: key, data: Data(bytes), contentType: image.format.mimeType)

        let file = MediaFileModel(merchantId: merchant.rawValue, sha256: digest, key: key, image: image, uploadedBy: staffId, createdAt: req.now)
        do {
            return try await req.db.writeTransaction { db in
                if let existing = try await MediaFileModel.find(merchant: merchant, sha256: digest, on: db) {
                    return Upload(file: existing, isNew: false)
                }
                try await file.create(on: db)
                try await req.audit.record(on: db, action: "media.upload", owner: file.owner, targetType: "media_file",
                                           targetId: file.id!.uuidString, after: file.dto)
                return Upload(file: file, isNew: true)
            }
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // The same bytes arrived twice at once and the other request committed first.
            guard let existing = try await MediaFileModel.find(merchant: merchant, sha256: digest, on: req.db) else { throw error }
            return Upload(file: existing, isNew: false)
        }
    }
}

extension MediaFileModel {
    var url: String { "/files/" + key }

    var dto: MediaFile {
        MediaFile(id: id!, url: url, format: format, width: width, height: height, byteCount: byteCount, sha256: sha256)
    }
}
