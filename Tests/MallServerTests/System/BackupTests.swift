import Fluent
import Foundation
import MallCore
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
            try await BackupService.restore(config: config, from: file)

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
        await #expect(throws: BackupError.self) { try await BackupService.restore(config: config, from: file) }
    }
}
