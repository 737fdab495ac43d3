import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

@Suite("Backup and restore")
struct BackupTests {
    @Test("back up, change data, restore: the data is as it was")
    func roundTrip() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let file = FileManager.default.temporaryDirectory.path + "/chainmall-backup-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try await BackupService.backup(app: app, to: file)
            await #expect(throws: BackupError.self) { try await BackupService.backup(app: app, to: file) }

            store.name = "changed after backup"
            try await store.update(on: app.db)
            _ = try await Fixtures.store(app, code: "SB")
            #expect(try await StoreModel.query(on: app.db).count() == 2)

            // Restoring replaces the database underneath, so the pool is closed first, as the command does.
            let config = app.config
            if case .sqlite = config.database { await app.databases.shutdownAsync() }
            try await BackupService.restoreDatabase(config: config, from: file)

            let reopened = try await Application.make(.testing)
            reopened.logger.logLevel = .error
            try await configure(reopened, config: config)
            let stores = try await StoreModel.query(on: reopened.db).all()
            #expect(stores.map(\.code) == ["SA"])
            #expect(stores.first?.name == "Store SA")
            #expect(try await MerchantModel.find(SelfOperatedMerchant.id.rawValue, on: reopened.db) != nil)
            try await reopened.asyncShutdown()
        }
    }

    @Test("restore refuses a file that is not a backup")
    func rejectsGarbage() async throws {
        let file = FileManager.default.temporaryDirectory.path + "/not-a-backup-\(UUID().uuidString)"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = AppConfig(database: .sqlite(path: FileManager.default.temporaryDirectory.path + "/never-\(UUID().uuidString).sqlite"))
        await #expect(throws: BackupError.self) { try await BackupService.restoreDatabase(config: config, from: file) }
    }

    func media(_ name: String) throws -> [UInt8] { Array(try FixtureFiles.data("media/" + name)) }

    /// A product with an uploaded image as its picture, a video (the image as poster) and a PDF.
    func productWithMedia(_ app: Application) async throws -> (product: UUID, image: String, video: ProductAttachment, document: ProductAttachment) {
        let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
        let sku = try await Fixtures.sku(app, code: "BK1")
        let image = try await app.uploadImage(try FixtureFiles.image("baseline-exif-6x4.jpg"), merchant: SelfOperatedMerchant.id.rawValue,
                                              token: token, filename: "p.jpg").decode(MediaFile.self)
        let product = try #require(try await ProductModel.find(sku.productId, on: app.db))
        product.images = [image.url]
        try await product.update(on: app.db)
        let video = try await app.uploadAttachment(try media("clip-12.5s.mp4"), product: sku.productId, token: token, filename: "clip.mp4",
                                                   posterUrl: image.url).decode(ProductAttachment.self)
        let document = try await app.uploadAttachment(try media("manual.pdf"), product: sku.productId, token: token, filename: "m.pdf",
                                                      title: "User manual").decode(ProductAttachment.self)
        return (sku.productId, image.url, video, document)
    }

    static func key(_ url: String) -> String { String(url.dropFirst("/files/".count)) }

    @Test("a backup holds the database and every uploaded file; restored into an empty installation, the product, its image, video and manual are served byte for byte")
    func filesRoundTrip() async throws {
        try await withTestApp { app in
            let (productId, imageURL, video, document) = try await productWithMedia(app)
            let detail = try await app.send(.GET, "/api/v1/products/\(productId)").decode(ProductDetail.self)
            #expect(detail.images == [imageURL] && detail.videos.count == 1 && detail.documents.count == 1)
            let imageBytes = Array(try await app.send(.GET, imageURL).body.readableBytesView)

            let archive = app.config.dataDirectory + "/elsewhere/chainmall.tar"
            let manifest = try await BackupService.backup(app: app, to: archive)
            #expect(manifest.fileCount == 3)
            #expect(manifest.missingFiles.isEmpty)
            #expect(Set(manifest.entries.compactMap { BackupManifest.key(forPath: $0.path) })
                    == [Self.key(imageURL), Self.key(video.url), Self.key(document.url)])
            let videoEntry = try #require(manifest.entries.first { $0.path == "files/" + Self.key(video.url) })
            #expect(videoEntry.sha256 == FixtureFiles.sha256(try media("clip-12.5s.mp4")))
            #expect(videoEntry.contentType == "video/mp4")
            // Any tar reads it: the same entries, the manifest last.
            #expect(try Self.tarListing(archive) == manifest.entries.map(\.path) + [BackupManifest.entryName])

            // An empty installation: a database with nothing in it and a file store with nothing in it.
            var config = app.config
            config.storage = .local(directory: config.dataDirectory + "/restored-files")
            switch config.database {
            case .sqlite:
                await app.databases.shutdownAsync()
                config.database = .sqlite(path: config.dataDirectory + "/restored.sqlite")
            case .postgres(_, let searchPath):
                // pg_dump of one schema recreates that schema; an empty database has none.
                for schema in searchPath ?? [] { try await app.db.sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run() }
            }
            let restoredManifest = try #require(try await BackupService.restoreDatabase(config: config, from: archive))
            #expect(restoredManifest == manifest)

            let restored = try await Application.make(.testing)
            restored.logger.logLevel = .error
            do {
                try await configure(restored, config: config)
                #expect(try await restored.fileStorage.get(key: Self.key(video.url)) == nil)
                #expect(try await BackupService.restoreFiles(from: archive, manifest: restoredManifest, into: restored.fileStorage) == 3)

                let restoredDetail = try await restored.send(.GET, "/api/v1/products/\(productId)").decode(ProductDetail.self)
                #expect(restoredDetail.title == detail.title)
                #expect(restoredDetail.images == detail.images)
                #expect(restoredDetail.videos == detail.videos)
                #expect(restoredDetail.documents == detail.documents)
                #expect(Array(try await restored.send(.GET, imageURL).body.readableBytesView) == imageBytes)
                let servedVideo = try await restored.send(.GET, video.url)
                #expect(servedVideo.headers.first(name: .contentType) == "video/mp4")
                #expect(Array(servedVideo.body.readableBytesView) == (try media("clip-12.5s.mp4")))
                #expect(Array(try await restored.send(.GET, document.url).body.readableBytesView) == (try media("manual.pdf")))
            } catch {
                try? await restored.asyncShutdown()
                throw error
            }
            try await restored.asyncShutdown()
        }
    }

    @Test("restore refuses a changed byte, a cut-off archive and one for the other database, and changes nothing")
    func refusesDamage() async throws {
        try await withTestApp { app in
            let (_, _, video, _) = try await productWithMedia(app)
            let archive = app.config.dataDirectory + "/elsewhere/chainmall.tar"
            try await BackupService.backup(app: app, to: archive)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
            let mp4 = Data(try media("clip-12.5s.mp4"))
            let videoOffset = try #require(bytes.firstRange(of: mp4)).lowerBound

            func refusal(_ data: Data, config: AppConfig? = nil) async throws -> [BackupProblem] {
                let path = app.config.dataDirectory + "/elsewhere/damaged-\(UUID().uuidString).tar"
                try data.write(to: URL(fileURLWithPath: path))
                do {
                    try await BackupService.restoreDatabase(config: config ?? app.config, from: path)
                } catch BackupError.invalid(let problems) {
                    return problems
                }
                Issue.record("restored a damaged backup")
                return []
            }
            var tampered = bytes
            tampered[videoOffset + 1_000] ^= 0xFF
            #expect(try await refusal(tampered) == [.checksumMismatch("files/" + Self.key(video.url))])
            #expect(BackupError.invalid([.checksumMismatch("files/x")]).description
                    == "the backup cannot be restored:\n  - files/x does not match its SHA-256 checksum in the manifest.")

            let cut = try await refusal(bytes.prefix(videoOffset + 4_096))
            #expect(cut == [.unreadable("the archive ends in the middle of an entry")])
            // Cut exactly before the manifest: every entry is whole, but nothing vouches for them.
            let manifestHeader = try #require(bytes.firstRange(of: Data("manifest.json".utf8))).lowerBound
            #expect(try await refusal(bytes.prefix(manifestHeader) + Data(count: 1_024)) == [.noManifest])

            var other = app.config
            other.database = app.config.database.backupKind == .sqlite ? .postgres(url: "postgres://nobody@127.0.0.1/none", searchPath: nil)
                : .sqlite(path: app.config.dataDirectory + "/never.sqlite")
            #expect(try await refusal(bytes, config: other).contains { if case .wrongDatabase = $0 { true } else { false } })

            // Nothing was replaced: the data is still there.
            #expect(try await ProductAttachmentModel.query(on: app.db).count() == 2)
        }
    }

    @Test("the scheduled job backs up when backup.intervalHours is due and keeps the backup.keep newest; HQ alone sees them")
    func scheduled() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            _ = try await productWithMediaFiles(app, token: admin)

            // Off by default.
            #expect(try await BackupService.runScheduled(app: app, now: clock.now()) == nil)
            #expect(try await app.send(.PATCH, "/api/v1/admin/settings", token: admin,
                                       json: SettingsUpdate(values: ["backup.intervalHours": .integer(6), "backup.keep": .integer(2)])).status == .ok)
            #expect(try await app.send(.PATCH, "/api/v1/admin/settings", token: admin,
                                       json: SettingsUpdate(values: ["backup.keep": .integer(0)])).status == .unprocessableEntity)

            // Through the queue, as the worker runs it.
            try await app.jobs.enqueue(BackupService.scheduledJob, payload: [String: String]())
            #expect(try await app.jobs.runDue() == 1)
            let first = try await app.send(.GET, "/api/v1/admin/backups", token: admin).decode([BackupFile].self)
            #expect(first.map(\.name) == ["chainmall-20261127-020000.tar"])
            #expect(first.first?.fileCount == 1)
            #expect(first.first?.createdAt == testEpoch)

            clock.advance(seconds: 3 * 3_600)
            #expect(try await BackupService.runScheduled(app: app, now: clock.now()) == nil, "not due for three more hours")
            clock.advance(seconds: 3 * 3_600 - 300)
            #expect(try await BackupService.runScheduled(app: app, now: clock.now())?.name == "chainmall-20261127-075500.tar")
            clock.advance(seconds: 6 * 3_600)
            #expect(try await BackupService.runScheduled(app: app, now: clock.now())?.name == "chainmall-20261127-135500.tar")
            // Twelve hours on, the morning's sessions have expired.
            let (_, laterAdmin) = try await Fixtures.staff(app, "root2", role: .platformAdmin, scope: .platform)
            let (_, operatorToken) = try await Fixtures.staff(app, "ops2", role: .platformOperator, scope: .platform)
            let kept = try await app.send(.GET, "/api/v1/admin/backups", token: laterAdmin).decode([BackupFile].self)
            #expect(kept.map(\.name) == ["chainmall-20261127-135500.tar", "chainmall-20261127-075500.tar"])
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action ~~ "backup.").sort(\.$createdAt).all()
            #expect(audit.map(\.action) == ["backup.create", "backup.create", "backup.create", "backup.prune"])
            #expect(audit.allSatisfy { $0.actorName == "system" })
            #expect(audit.last?.after?.contains("chainmall-20261127-020000.tar") == true)

            let download = try await app.send(.GET, "/api/v1/admin/backups/\(kept[0].name)", token: laterAdmin)
            #expect(download.headers.first(name: .contentType) == "application/x-tar")
            #expect(Int64(download.body.readableBytes) == kept[0].sizeBytes)
            for call in [(HTTPMethod.GET, "/api/v1/admin/backups"), (.GET, "/api/v1/admin/backups/\(kept[0].name)")] {
                #expect(try await app.send(call.0, call.1, token: operatorToken).status == .forbidden)
            }
        }
    }

    @Test("files in an S3 bucket are read into the backup in ranges and restore into another storage byte for byte (set S3_TEST_URL)",
          .enabled(if: s3TestURL != nil, "S3_TEST_URL is not set; .ci/run starts moto and sets it"))
    func fromBucket() async throws {
        var location = try S3Location(parsing: try #require(s3TestURL))
        // A bucket of its own: keys are content addressed, and other tests delete the same fixtures' files.
        location.bucket = "chainmall-backup-test"
        try await withTestApp(adjust: { [location] in $0.storage = .s3(location) }) { app in
            try await #require(app.fileStorage as? S3FileStorage).createBucket()
            let (_, _, video, document) = try await productWithMedia(app)
            let archive = app.config.dataDirectory + "/elsewhere/chainmall.tar"
            let manifest = try await BackupService.backup(app: app, to: archive)
            #expect(manifest.fileCount == 3 && manifest.missingFiles.isEmpty)

            let folder = LocalFileStorage(directory: app.config.dataDirectory + "/restored-files", threadPool: app.threadPool)
            #expect(try await BackupService.restoreFiles(from: archive, manifest: manifest, into: folder) == 3)
            #expect(try await folder.get(key: Self.key(video.url)) == Data(try media("clip-12.5s.mp4")))
            #expect(try await folder.get(key: Self.key(document.url)) == Data(try media("manual.pdf")))
        }
    }

    /// One uploaded image is enough for the schedule's tests.
    func productWithMediaFiles(_ app: Application, token: String) async throws -> MediaFile {
        try await app.uploadImage(try FixtureFiles.image("baseline-exif-6x4.jpg"), merchant: SelfOperatedMerchant.id.rawValue,
                                  token: token, filename: "p.jpg").decode(MediaFile.self)
    }

    static func tarListing(_ path: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "-tf", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
