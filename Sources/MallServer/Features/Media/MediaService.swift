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

/// Members upload review photos: the same checks as product images (`ImageProbe`,
/// `ImageUploadPolicy`), stored once per member and content, at most
/// `ImageUploadPolicy.memberUploadsPerDay` new images in 24 hours.
enum MemberImageService {
    struct Upload: Sendable {
        let image: MemberImageModel
        /// False when the member had uploaded these exact bytes before.
        let isNew: Bool
    }

    static func upload(_ bytes: [UInt8], memberId: UUID, now: Date, storage: any FileStorage, on db: any Database) async throws -> Upload {
        let info = try ImageProbe.inspect(bytes)
        try ImageUploadPolicy.check(info)
        let digest = SigV4Signer.hex(SHA256.hash(data: bytes))
        if let existing = try await MemberImageModel.find(member: memberId, sha256: digest, on: db) {
            return Upload(image: existing, isNew: false)
        }
        let recent = try await MemberImageModel.query(on: db).filter(\.$memberId == memberId)
            .filter(\.$createdAt > now.addingTimeInterval(-86_400)).sort(\.$createdAt).all(\.$createdAt)
        if recent.count >= ImageUploadPolicy.memberUploadsPerDay, let oldest = recent.first {
            // Room comes back when the oldest upload of the last 24 hours leaves the window.
            let wait = max(1, Int(oldest.addingTimeInterval(86_400).timeIntervalSince(now).rounded(.up)))
            throw MallError.tooManyRequests("You have uploaded \(ImageUploadPolicy.memberUploadsPerDay) images in the last 24 hours; try again later.",
                                            retryAfterSeconds: wait)
        }

        // Bytes first, row second, as for staff uploads (see `MediaService`): the key is the
        // content, so bytes left behind by a failed row are harmless and reused later.
        let image = MemberImageModel(memberId: memberId, sha256: digest, image: info, createdAt: now)
        try await storage.put(key: image.key, data: Data(bytes), contentType: info.format.mimeType)
        do {
            return try await db.writeTransaction { tx in
                if let existing = try await MemberImageModel.find(member: memberId, sha256: digest, on: tx) {
                    return Upload(image: existing, isNew: false)
                }
                try await image.create(on: tx)
                return Upload(image: image, isNew: true)
            }
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            guard let existing = try await MemberImageModel.find(member: memberId, sha256: digest, on: db) else { throw error }
            return Upload(image: existing, isNew: false)
        }
    }

    /// The storage keys among `keys` that name an image this member uploaded or a catalogue
    /// image: the only pictures a review may show.
    static func usableKeys(_ keys: [String], memberId: UUID, on db: any Database) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        var found = Set(try await MemberImageModel.query(on: db).filter(\.$memberId == memberId).filter(\.$key ~~ keys).all(\.$key))
        let rest = keys.filter { !found.contains($0) }
        if !rest.isEmpty { found.formUnion(try await MediaFileModel.query(on: db).filter(\.$key ~~ rest).all(\.$key)) }
        return found
    }
}

extension MemberImageModel {
    var url: String { "/files/" + key }

    var dto: MediaFile {
        MediaFile(id: id!, url: url, format: format, width: width, height: height, byteCount: byteCount, sha256: sha256)
    }
}
