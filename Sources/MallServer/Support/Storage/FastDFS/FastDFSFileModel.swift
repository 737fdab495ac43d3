import Fluent
import Foundation

/// Which FastDFS file holds a key. FastDFS names files itself (`group1/M00/…`) while the rest of
/// the app chooses keys (`img/<sha256>.png`), so the adapter keeps the pairing here; a database
/// backup therefore carries the index to the files it names.
final class FastDFSFileModel: Model, @unchecked Sendable {
    static let schema = "fastdfs_files"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date

    @Field(key: "key") var key: String
    @Field(key: "file_id") var fileId: String
    @Field(key: "byte_count") var byteCount: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _key, _fileId, _byteCount] }

    init() {}

    init(key: String, fileId: FastDFSFileId, byteCount: Int, createdAt: Date) {
        self.key = key
        self.fileId = fileId.description
        self.byteCount = byteCount
        self.createdAt = createdAt
    }

    static func find(key: String, on db: any Database) async throws -> FastDFSFileModel? {
        try await query(on: db).filter(\.$key == key).first()
    }
}
