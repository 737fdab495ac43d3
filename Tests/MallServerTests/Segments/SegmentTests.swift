import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

@Suite("Member segments: RFM groups from paid orders")
struct SegmentTests {
    /// Buys `quantity` milk at the near store and pays in the sandbox; the order as paid.
    static func buy(_ app: Application, _ shop: CheckoutTests.Shop, _ token: String, quantity: Int, key: String) async throws -> Order {
        _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: quantity))
        let result = try await CheckoutTests.checkout(app, token: token, key: "segments-\(key)").decode(CheckoutResult.self)
        let paid = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
        #expect(paid.status == .ok, "\(paid.text)")
        try await app.jobs.runDue()
        return result.orders[0]
    }

    static func memberId(_ app: Application, token: String) async throws -> UUID {
        try await app.send(.GET, "/api/v1/me", token: token).decode(MemberProfile.self).id
    }

    @Test("groups come from paid orders net of refunds: an old buyer sleeps, a steady one is high value, first-timers and the never-bought are new; the dormant line is a setting; two runs at once keep one row per member")
    func groupsFromOrders() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 400 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 500, farStock: 500)
            let sleeper = try await CheckoutTests.shopper(app, mobile: "13900000001")
            _ = try await Self.buy(app, shop, sleeper, quantity: 3, key: "sleeper")
            // Sessions end long before the 200 days pass.
            let sleeperId = try await Self.memberId(app, token: sleeper)
            clock.advance(seconds: 200 * 86_400 + 120)
            let regular = try await CheckoutTests.shopper(app, mobile: "13900000002")
            var regularOrders: [Order] = []
            for n in 0..<3 { regularOrders.append(try await Self.buy(app, shop, regular, quantity: 2, key: "regular-\(n)")) }
            let newcomer = try await CheckoutTests.shopper(app, mobile: "13900000003")
            _ = try await Self.buy(app, shop, newcomer, quantity: 1, key: "newcomer")
            // Bought and cancelled (refunded in full): no purchase at all.
            let changedMind = try await CheckoutTests.shopper(app, mobile: "13900000004")
            let cancelled = try await Self.buy(app, shop, changedMind, quantity: 4, key: "changed-mind")
            #expect(try await app.send(.POST, "/api/v1/orders/\(cancelled.id)/cancel", token: changedMind).status == .ok)
            try await app.jobs.runDue()
            let browser = try await CheckoutTests.shopper(app, mobile: "13900000005")
            let (_, admin) = try await Fixtures.staff(app, "hq.marketing", role: .platformAdmin, scope: .platform)
            // Registration stamps the wall clock; this mall's clock has moved on by 200 days.
            try await app.db.sql.raw("UPDATE members SET created_at = \(bind: testEpoch) WHERE id = \(bind: sleeperId)").run()
            try await app.db.sql.raw("UPDATE members SET created_at = \(bind: clock.now()) WHERE id <> \(bind: sleeperId)").run()

            let before = try await app.send(.GET, "/api/v1/admin/segments", token: admin).decode(SegmentOverview.self)
            #expect(before.members == 0 && before.computedAt == nil, "nothing computed yet")
            let overview = try await app.send(.POST, "/api/v1/admin/segments/recompute", token: admin).decode(SegmentOverview.self)
            #expect(overview.computedAt == clock.now() && overview.dormantAfterDays == 180)
            let sizes = Dictionary(uniqueKeysWithValues: overview.groups.map { ($0.group, $0.members) })
            #expect(overview.groups.map(\.group) == RFMGroup.allCases)
            #expect(sizes[.dormant] == 1 && sizes[.highValue] == 1 && sizes[.new] == 3, "\(sizes)")
            #expect(overview.members == 5)

            func group(_ id: UUID) async throws -> RFMGroup? {
                let row = try await app.db.sql.raw("SELECT rfm_group FROM member_rfm WHERE id = \(bind: id)").first()
                return try row.map { RFMGroup(rawValue: try $0.decode(column: "rfm_group", as: String.self)) } ?? nil
            }
            #expect(try await group(sleeperId) == .dormant)
            for token in [newcomer, changedMind, browser] { #expect(try await group(Self.memberId(app, token: token)) == .new) }
            // Three buyers: the regular ties for the latest order, has the most orders and spent the most.
            let top = try await app.send(.GET, "/api/v1/admin/segments/high_value/members", token: admin).decode(ListPage<SegmentMember>.self)
            #expect(top.total == 1)
            let champion = try #require(top.items.first)
            let regularId = try await Self.memberId(app, token: regular)
            #expect(champion.memberId == regularId)
            #expect(champion.score?.code == "R4F5M5" && champion.orders == 3)
            #expect(champion.spentFen == regularOrders.reduce(0) { $0 + $1.payableFen })
            #expect(champion.lastOrderOn == LocalTime.calendarDate(of: clock.now(), in: TimeZone(identifier: "Asia/Shanghai")!))
            let changedMindId = try await Self.memberId(app, token: changedMind)
            let changedMindRow = try await app.db.sql.raw("SELECT orders, spent_fen, recency FROM member_rfm WHERE id = \(bind: changedMindId)").first()
            #expect(try changedMindRow?.decode(column: "orders", as: Int64.self) == 0 && changedMindRow?.decode(column: "recency", as: Int?.self) == nil)

            // A year before sleeping: the old buyer is now only at risk (least recent, bigger basket than the newcomer's).
            let setting = try await app.send(.PATCH, "/api/v1/admin/settings", token: admin,
                                             json: SettingsUpdate(values: ["member.dormantAfterDays": .integer(365)]))
            #expect(setting.status == .ok, "\(setting.text)")
            let relaxed = try await app.send(.POST, "/api/v1/admin/segments/recompute", token: admin).decode(SegmentOverview.self)
            #expect(relaxed.dormantAfterDays == 365)
            #expect(try await group(sleeperId) == .atRisk)

            // The daily job and a button at once: both finish, each member has one row.
            async let first = SegmentService(app: app, db: app.db).recompute(now: clock.now())
            async let second = SegmentService(app: app, db: app.db).recompute(now: clock.now())
            let (a, b) = try await (first, second)
            #expect(a == b && a.members == 5)
            let rows = try await app.db.sql.raw("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM member_rfm").first()
            #expect(try rows?.decode(column: "n", as: Int.self) == 5 && rows?.decode(column: "d", as: Int.self) == 5)
        }
    }

    @Test("segments are HQ's: a store manager is refused, an unknown group is a 404, paging is bounded")
    func access() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let (_, manager) = try await Fixtures.staff(app, "sa.manager", role: .storeManager, scope: .store(store.storeID))
            let (_, admin) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            #expect(try await app.send(.GET, "/api/v1/admin/segments", token: manager).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/admin/segments/recompute", token: manager).status == .forbidden)
            let unknown = try await app.send(.GET, "/api/v1/admin/segments/whales/members", token: admin)
            #expect(unknown.status == .notFound && unknown.problem?.detail == "No such segment.")
            let huge = try await app.send(.GET, "/api/v1/admin/segments/dormant/members?per=100000", token: admin)
            #expect(huge.status == .unprocessableEntity && huge.problem?.errors?.first?.field == "per")
            let empty = try await app.send(.GET, "/api/v1/admin/segments/dormant/members", token: admin).decode(ListPage<SegmentMember>.self)
            #expect(empty.total == 0 && empty.items.isEmpty)
        }
    }
}
