import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// The system endpoints the console's pages use: backups, the staff inbox's unread count and
/// read marks, and the jobs list's failures with their payloads.
@Suite("System API for the console")
struct ConsoleSystemAPITests {
    @Test("HQ makes a backup, lists it with its size and downloads the same bytes; others are refused")
    func backups() async throws {
        try await withTestApp { app in
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (_, operatorToken) = try await Fixtures.staff(app, "ops", role: .platformOperator, scope: .platform)
            #expect(try await app.send(.GET, "/api/v1/admin/backups", token: admin).decode([BackupFile].self) == [])

            let created = try await app.send(.POST, "/api/v1/admin/backups", token: admin)
            #expect(created.status == .created, "\(created.text)")
            let file = try created.decode(BackupFile.self)
            #expect(BackupService.isBackupName(file.name))
            #expect(file.sizeBytes > 0)
            // The same second gives the same name: a 409, not a silently replaced file.
            #expect(try await app.send(.POST, "/api/v1/admin/backups", token: admin).status == .conflict)

            #expect(try await app.send(.GET, "/api/v1/admin/backups", token: admin).decode([BackupFile].self) == [file])
            let download = try await app.send(.GET, "/api/v1/admin/backups/\(file.name)", token: admin)
            #expect(download.status == .ok)
            #expect(Int64(download.body.readableBytes) == file.sizeBytes)
            #expect(download.headers.first(name: .contentDisposition)?.contains(file.name) == true)
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action == "backup.create").all()
            #expect(audit.map(\.targetId) == [file.name])

            // A name that is not a backup's never reaches the file system, however it is spelled.
            for name in ["..%2Fchainmall.sqlite", "chainmall-20261207-120000.sqlite.bak", "%2Fetc%2Fpasswd"] {
                #expect(try await app.send(.GET, "/api/v1/admin/backups/\(name)", token: admin).status == .notFound, "\(name)")
            }
            for call in [(HTTPMethod.GET, "/api/v1/admin/backups"), (.POST, "/api/v1/admin/backups"), (.GET, "/api/v1/admin/backups/\(file.name)")] {
                #expect(try await app.send(call.0, call.1, token: operatorToken).status == .forbidden)
            }
        }
    }

    @Test("the inbox counts unread notifications in reach; reading one or all lowers the count")
    func inbox() async throws {
        try await withTestApp { app in
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeB = try await Fixtures.store(app, code: "SB")
            let outbox = NotificationOutbox(app: app, db: app.db)
            for store in [storeA, storeA, storeB] {
                try await outbox.send(audience: .storeManagers, merchantId: store.merchantId, storeId: store.id, title: "Low stock", body: "Milk is low.",
                                      reference: nil, now: app.clock.now())
            }
            let (_, managerA) = try await Fixtures.staff(app, "manager.a", role: .storeManager, scope: .store(storeA.storeID))
            let (_, clerkB) = try await Fixtures.staff(app, "clerk.b", role: .storeClerk, scope: .store(storeB.storeID))
            #expect(try await app.send(.GET, "/api/v1/admin/notifications/unread-count", token: managerA).decode(StaffInboxCount.self).unreadCount == 2)

            let mine = try await app.send(.GET, "/api/v1/admin/notifications", token: managerA).decode(ListPage<InboxNotification>.self)
            #expect(mine.items.allSatisfy { $0.readAt == nil })
            let read = try await app.send(.POST, "/api/v1/admin/notifications/\(mine.items[0].id)/read", token: managerA)
            #expect(try read.decode(StaffInboxCount.self).unreadCount == 1)
            let unread = try await app.send(.GET, "/api/v1/admin/notifications?unread=true", token: managerA).decode(ListPage<InboxNotification>.self)
            #expect(unread.items.map(\.id) == [mine.items[1].id])

            // Another store's notification is not the manager's to read.
            let others = try await app.send(.GET, "/api/v1/admin/notifications", token: clerkB).decode(ListPage<InboxNotification>.self)
            #expect(try await app.send(.POST, "/api/v1/admin/notifications/\(others.items[0].id)/read", token: managerA).status == .notFound)

            #expect(try await app.send(.POST, "/api/v1/admin/notifications/read-all", token: managerA).decode(StaffInboxCount.self).unreadCount == 0)
            #expect(try await app.send(.GET, "/api/v1/admin/notifications/unread-count", token: clerkB).decode(StaffInboxCount.self).unreadCount == 1)
            #expect(try await app.send(.GET, "/api/v1/admin/notifications?unread=maybe", token: managerA).status == .unprocessableEntity)
        }
    }

    @Test("the jobs list filters failed jobs and shows their payload")
    func failedJobs() async throws {
        try await withTestApp { app in
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let failing = try #require(try await app.jobs.enqueue("test.failing", payload: ["orderId": "A-1"]))
            _ = try await app.jobs.enqueue("test.fine", payload: ["orderId": "B-2"])
            let job = try #require(try await JobModel.find(failing, on: app.db))
            job.lastError = "gateway timed out"
            job.status = JobStatus.dead.rawValue
            try await job.update(on: app.db)

            let failed = try await app.send(.GET, "/api/v1/admin/jobs?failed=true", token: admin).decode(ListPage<Job>.self)
            #expect(failed.items.map(\.id) == [failing])
            #expect(failed.items.first?.payload?.contains("A-1") == true)
            #expect(failed.items.first?.lastError == "gateway timed out")
            #expect(try await app.send(.GET, "/api/v1/admin/jobs", token: admin).decode(ListPage<Job>.self).total == 2)
            #expect(try await app.send(.GET, "/api/v1/admin/jobs?failed=often", token: admin).status == .unprocessableEntity)
        }
    }
}
