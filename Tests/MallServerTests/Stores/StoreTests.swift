import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Merchants and stores")
struct StoreTests {
    @Test("platform staff create a store, edit it, change its status; every write is audited")
    func lifecycle() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let (admin, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            var input = Fixtures.storeInput(code: "sh-rm01")
            input.openingHours = ["fri": ["22:00-02:00"]]
            let created = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: input, headers: ["X-Request-Id": "req-create-1"])
            #expect(created.status == .created)
            #expect(created.headers.first(name: .xRequestId) == "req-create-1")
            let store = try created.decode(Store.self)
            #expect(store.code == "SH-RM01")
            #expect(store.status == .open)
            #expect(store.openingHours == ["fri": ["22:00-02:00"]])

            clock.advance(seconds: 60)
            let edited = try await app.send(.PATCH, "/api/v1/admin/stores/\(store.id)", token: token,
                                            json: StoreUpdate(name: "链城超市 人民广场店", deliveryRadiusKm: 4.5, dailyOrderCapacity: 320))
            #expect(try edited.decode(Store.self).deliveryRadiusKm == 4.5)

            clock.advance(seconds: 60)
            let closed = try await app.send(.POST, "/api/v1/admin/stores/\(store.id)/status", token: token, json: StatusChange(status: StoreStatus.closed, reason: "装修"))
            #expect(try closed.decode(Store.self).status == .closed)
            let again = try await app.send(.POST, "/api/v1/admin/stores/\(store.id)/status", token: token, json: StatusChange(status: StoreStatus.closed))
            #expect(again.status == .conflict)
            #expect(again.problem?.detail?.contains("already closed") == true)

            let audit = try await app.send(.GET, "/api/v1/admin/audit-logs?targetType=store&targetId=\(store.id)", token: token)
                .decode(ListPage<AuditEntry>.self)
            #expect(audit.items.map(\.action) == ["store.status", "store.update", "store.create"])
            #expect(audit.items.allSatisfy { $0.actorStaffId == admin.id && $0.actorName == "root" })
            let creation = try #require(audit.items.last)
            #expect(creation.requestId == "req-create-1")
            #expect(creation.scope == "store:\(store.id.uuidString)")
            #expect(creation.before == nil)
            let storeName = try #require(try await StoreModel.find(store.id, on: app.db)?.name)
            #expect(audit.items.allSatisfy { $0.targetLabel == storeName }, "rows name the store as it is called today")
            #expect(creation.after?.contains("SH-RM01") == true)
            let update = audit.items[1]
            #expect(update.before?.contains("\"deliveryRadiusKm\":3") == true)
            #expect(update.after?.contains("\"deliveryRadiusKm\":4.5") == true)

            let byActor = try await app.send(.GET, "/api/v1/admin/audit-logs?actor=root&from=2000-01-01T00:00:00Z", token: token)
            #expect(try byActor.decode(ListPage<AuditEntry>.self).total == 3)
            let future = try await app.send(.GET, "/api/v1/admin/audit-logs?from=2999-01-01T00:00:00Z", token: token)
            #expect(try future.decode(ListPage<AuditEntry>.self).total == 0)
            let badTime = try await app.send(.GET, "/api/v1/admin/audit-logs?from=yesterday", token: token)
            #expect(badTime.problem?.errors?.first?.field == "from")
        }
    }

    @Test("invalid stores are rejected field by field and nothing is written")
    func validation() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            var input = Fixtures.storeInput(code: "!")
            input.latitude = 95
            input.phone = "call me"
            input.openingHours = ["mon": ["25:00-26:00"]]
            input.deliveryRadiusKm = -1
            input.dailyOrderCapacity = -5
            input.name = ""
            let response = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: input)
            #expect(response.status == .unprocessableEntity)
            #expect(Set(response.problem?.errors?.map(\.field) ?? []) ==
                    ["code", "latitude", "phone", "openingHours.mon", "deliveryRadiusKm", "dailyOrderCapacity", "name"])

            _ = try await Fixtures.store(app, code: "DUP")
            let duplicate = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: Fixtures.storeInput(code: "dup"))
            #expect(duplicate.problem?.errors == [FieldError(field: "code", message: "is already used by another store")])
            let unknownMerchant = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: Fixtures.storeInput(code: "X1", merchant: UUID()))
            #expect(unknownMerchant.problem?.errors?.first?.field == "merchantId")
            #expect(try await StoreModel.query(on: app.db).count() == 1)
            #expect(try await AuditLogModel.query(on: app.db).count() == 0, "failed writes leave no audit rows")

            #expect(try await app.send(.GET, "/api/v1/admin/stores/\(UUID())", token: token).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/admin/stores/not-an-id", token: token).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/admin/stores?per=1000", token: token).problem?.errors?.first?.field == "per")
        }
    }

    @Test("only the platform suspends a store or lifts a suspension")
    func suspension() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let (_, manager) = try await Fixtures.staff(app, "manager", role: .storeManager, scope: .store(store.storeID))
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            #expect(try await app.send(.POST, "/api/v1/admin/stores/\(store.id!)/status", token: manager, json: StatusChange(status: StoreStatus.suspended)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/admin/stores/\(store.id!)/status", token: admin, json: StatusChange(status: StoreStatus.suspended)).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/admin/stores/\(store.id!)/status", token: manager, json: StatusChange(status: StoreStatus.closed)).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/admin/stores/\(store.id!)/status", token: admin, json: StatusChange(status: StoreStatus.open)).status == .conflict)
            #expect(try await app.send(.POST, "/api/v1/admin/stores/\(store.id!)/status", token: admin, json: StatusChange(status: StoreStatus.closed)).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/admin/stores/\(store.id!)/status", token: manager, json: StatusChange(status: StoreStatus.open)).status == .ok)
        }
    }

    @Test("stores near a point: nearest first, within the radius, open state in the shop's time zone")
    func nearby() async throws {
        // Friday 23:30 in Shanghai.
        let clock = ManualClock(testEpoch.addingTimeInterval(13.5 * 3600))
        try await withTestApp(clock: clock) { app in
            _ = try await Fixtures.store(app, code: "JINGAN", latitude: 31.2235, longitude: 121.4456, hours: Fixtures.everyDay("08:00-22:00"))
            _ = try await Fixtures.store(app, code: "LUJIAZUI", latitude: 31.2368, longitude: 121.5012, hours: Fixtures.everyDay("07:00-02:00"))
            _ = try await Fixtures.store(app, code: "XUJIAHUI", latitude: 31.1951, longitude: 121.4375, radiusKm: 2)
            _ = try await Fixtures.store(app, code: "WAREHOUSE", latitude: 31.2300, longitude: 121.4700, kind: .warehouse)
            _ = try await Fixtures.store(app, code: "SHUT", latitude: 31.2310, longitude: 121.4710, status: .closed)
            _ = try await Fixtures.store(app, code: "HANGZHOU", latitude: 30.2741, longitude: 120.1632)

            // People's Square: Jing'an Temple 2.8 km west, Lujiazui 2.7 km east, Xujiahui 5.1 km south-west.
            let response = try await app.send(.GET, "/api/v1/stores/nearby?lat=31.2304&lng=121.4737&radiusKm=6")
            let stores = try response.decode([NearbyStore].self)
            #expect(stores.map(\.code) == ["LUJIAZUI", "JINGAN", "XUJIAHUI"])
            #expect(stores.map(\.distanceMeters) == stores.map(\.distanceMeters).sorted())
            #expect(stores.map(\.openNow) == [true, false, false], "23:30 Friday: only the store open until 02:00")
            #expect(stores.first(where: { $0.code == "XUJIAHUI" })?.deliversHere == false)

            clock.advance(seconds: 2 * 3600) // Saturday 01:30: the overnight period still counts.
            let late = try await app.send(.GET, "/api/v1/stores/nearby?lat=31.2304&lng=121.4737&radiusKm=6").decode([NearbyStore].self)
            #expect(late.first(where: { $0.code == "LUJIAZUI" })?.openNow == true)

            let narrow = try await app.send(.GET, "/api/v1/stores/nearby?lat=31.2304&lng=121.4737&radiusKm=3&limit=1").decode([NearbyStore].self)
            #expect(narrow.map(\.code) == ["LUJIAZUI"])

            let bad = try await app.send(.GET, "/api/v1/stores/nearby?lat=abc&radiusKm=500")
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["lat", "lng", "radiusKm"])
        }
    }

    @Test("the in-memory store directory follows store changes at once: a new store appears, a closed one goes")
    func nearbyFollowsChanges() async throws {
        try await withTestApp { app in
            let nearby = "/api/v1/stores/nearby?lat=31.2304&lng=121.4737&radiusKm=6"
            let first = try await Fixtures.store(app, code: "JINGAN", latitude: 31.2235, longitude: 121.4456)
            #expect(try await app.send(.GET, nearby).decode([NearbyStore].self).map(\.code) == ["JINGAN"])
            _ = try await Fixtures.store(app, code: "LUJIAZUI", latitude: 31.2368, longitude: 121.5012)
            #expect(try await app.send(.GET, nearby).decode([NearbyStore].self).map(\.code) == ["LUJIAZUI", "JINGAN"])
            let (_, admin) = try await Fixtures.staff(app, "boss", role: .platformAdmin, scope: .platform)
            let closed = try await app.send(.POST, "/api/v1/admin/stores/\(first.id!)/status", token: admin,
                                            json: StatusChange(status: StoreStatus.closed, reason: "装修"))
            #expect(closed.status == .ok)
            #expect(try await app.send(.GET, nearby).decode([NearbyStore].self).map(\.code) == ["LUJIAZUI"])
        }
    }

    @Test("merchants: create, edit, status machine; the self-operated merchant exists from the start")
    func merchants() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let list = try await app.send(.GET, "/api/v1/admin/merchants", token: token).decode(ListPage<Merchant>.self)
            #expect(list.items.map(\.kind) == [.selfOperated])
            #expect(list.items.first?.id == SelfOperatedMerchant.id.rawValue)

            let created = try await app.send(.POST, "/api/v1/admin/merchants", token: token,
                                             json: MerchantInput(code: "XFRUIT", name: "鲜丰果园", contactName: "王建国", contactPhone: "0571-88886666",
                                                                 contactEmail: "Partner@Xianfeng.example", commissionRateBasisPoints: 600))
            #expect(created.status == .created)
            let merchant = try created.decode(Merchant.self)
            #expect(merchant.contactEmail == "partner@xianfeng.example")
            #expect(merchant.kind == .thirdParty)

            let suspended = try await app.send(.POST, "/api/v1/admin/merchants/\(merchant.id)/status", token: token, json: StatusChange(status: MerchantStatus.suspended))
            #expect(try suspended.decode(Merchant.self).status == .suspended)
            let storeForSuspended = try await app.send(.POST, "/api/v1/admin/stores", token: token, json: Fixtures.storeInput(code: "XF1", merchant: merchant.id))
            #expect(storeForSuspended.status == .conflict)
            let selfSuspend = try await app.send(.POST, "/api/v1/admin/merchants/\(SelfOperatedMerchant.id.rawValue)/status", token: token,
                                                 json: StatusChange(status: MerchantStatus.suspended))
            #expect(selfSuspend.status == .conflict)
            let badCommission = try await app.send(.PATCH, "/api/v1/admin/merchants/\(merchant.id)", token: token, json: MerchantUpdate(commissionRateBasisPoints: 20_000))
            #expect(badCommission.problem?.errors?.first?.field == "commissionRateBasisPoints")
        }
    }
}
