import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

extension Fixtures {
    /// Flash sales' invariants: an item's `sold` is the units of its active purchases, within its
    /// quota; each member's counter is the units of their active purchases, within the session's
    /// limit; every purchase has an order, active ones a live (unexpired, uncancelled) order.
    static func expectFlashSalesConsistent(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let sessions = Dictionary(uniqueKeysWithValues: try await FlashSessionModel.query(on: app.db).all().map { ($0.id!, $0) })
        let purchases = try await FlashPurchaseModel.query(on: app.db).all()
        let counts = try await FlashMemberCountModel.query(on: app.db).all()
        for item in try await FlashItemModel.query(on: app.db).all() {
            let active = purchases.filter { $0.itemId == item.id && $0.status == FlashPurchaseStatus.active.rawValue }
            #expect(item.sold == active.reduce(0) { $0 + $1.quantity }, "sold of \(item.skuId)", sourceLocation: sourceLocation)
            #expect(item.sold <= item.quota, sourceLocation: sourceLocation)
            for (member, mine) in Dictionary(grouping: active, by: \.memberId) {
                let held = mine.reduce(0) { $0 + $1.quantity }
                #expect(counts.first { $0.itemId == item.id && $0.memberId == member }?.bought == held, sourceLocation: sourceLocation)
                #expect(held <= sessions[item.sessionId]?.perMemberLimit ?? 0, "limit of \(member)", sourceLocation: sourceLocation)
            }
        }
        let orders = try await OrderModel.query(on: app.db).all()
        for purchase in purchases {
            let order = orders.first { $0.id == purchase.orderId }
            #expect(order != nil, sourceLocation: sourceLocation)
            let closed = order?.status == OrderStatus.expired.rawValue || order?.status == OrderStatus.cancelled.rawValue
            #expect(closed == (purchase.status == FlashPurchaseStatus.returned.rawValue), sourceLocation: sourceLocation)
        }
    }
}

@Suite("Flash sales: sessions, quick purchase, quota gate, expiry, stampede")
struct FlashSaleTests {
    struct Sale {
        let shop: CheckoutTests.Shop
        let admin: String
        let session: FlashSession
    }

    /// The checkout shop (milk at NEAR and FAR) and a session selling NEAR's milk at ¥9.90,
    /// live from the test epoch (or starting `startsIn` seconds later) for two hours.
    static func sale(_ app: Application, quota: Int = 10, limit: Int = 2, nearStock: Int = 50, startsIn: TimeInterval = 0) async throws -> Sale {
        let shop = try await CheckoutTests.shop(app, nearStock: nearStock)
        let admin = try await PointsTests.admin(app)
        let start = testEpoch.addingTimeInterval(startsIn)
        let created = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales", token: admin, json: FlashSessionInput(
            title: "10点场", startsAt: start, endsAt: start.addingTimeInterval(7_200), perMemberLimit: limit,
            items: [FlashItemInput(skuId: shop.milk.id!, storeId: shop.near.id!, flashPriceFen: 990, quota: quota)]))
        #expect(created.status == .created, "\(created.text)")
        return Sale(shop: shop, admin: admin, session: try created.decode(FlashSession.self))
    }

    /// A member made straight in the database (registering hashes a password, too slow for a
    /// thousand), signed in with a token.
    static func quickMember(_ app: Application, _ n: Int) async throws -> (token: String, id: UUID) {
        let member = MemberModel(mobile: String(format: "139%08d", n), email: nil, passwordHash: "-", nickname: "buyer \(n)")
        try await member.create(on: app.db)
        let issued = try await TokenService(app: app, db: app.db).startSession(kind: .member, subjectId: member.id!, userAgent: nil, ip: nil)
        return (issued.tokens.accessToken, member.id!)
    }

    static func buy(_ app: Application, _ session: FlashSession, token: String, quantity: Int = 1, key: String = "flash-\(UUID().uuidString)",
                    input: FlashPurchaseInput? = nil) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/flash-sales/\(session.id)/purchases", token: token,
                           json: input ?? FlashPurchaseInput(skuId: session.items[0].skuId, quantity: quantity), headers: ["Idempotency-Key": key])
    }

    static func invariants(_ app: Application) async throws {
        try await Fixtures.expectLedgerMatchesProjection(app)
        try await Fixtures.expectFlashSalesConsistent(app)
    }

    @Test("staff create sessions (audited); bad input is refused with every field and no rows; edits stop at the start; end early; copy; other merchants are forbidden")
    func staff() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let sale = try await Self.sale(app, startsIn: 3_600)
            #expect(sale.session.phase == .upcoming && sale.session.countdownTo == sale.session.startsAt)
            #expect(sale.session.items[0].flashPriceFen == 990 && sale.session.items[0].listPriceFen == 1_250 && sale.session.items[0].storeName == "Store NEAR")
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "flash_sale.session.create").count() == 1)

            let bad = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales", token: sale.admin, json: FlashSessionInput(
                title: "", startsAt: testEpoch, endsAt: testEpoch, perMemberLimit: 0,
                items: [FlashItemInput(skuId: sale.shop.milk.id!, storeId: UUID(), flashPriceFen: 1_250, quota: 0)]))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["title", "endsAt", "perMemberLimit", "items[0].flashPriceFen", "items[0].quota",
                                                                     "items[0].storeId"], "\(bad.text)")
            #expect(try await FlashSessionModel.query(on: app.db).count() == 1)

            var input = FlashSessionInput(title: "10点场 加量", startsAt: sale.session.startsAt, endsAt: sale.session.endsAt, perMemberLimit: 3,
                                          items: [FlashItemInput(skuId: sale.shop.milk.id!, storeId: sale.shop.far.id!, flashPriceFen: 880, quota: 20)])
            let edited = try await app.send(.PUT, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)", token: sale.admin, json: input)
                .decode(FlashSession.self)
            #expect(edited.title == "10点场 加量" && edited.items.count == 1 && edited.items[0].quota == 20 && edited.items[0].storeName == "Store FAR")

            let (_, other) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(sale.shop.near.storeID))
            #expect(try await app.send(.PUT, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)", token: other, json: input).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)", token: other).status == .forbidden)

            let copy = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/copies", token: sale.admin,
                                          json: FlashSessionCopyInput(startsAt: testEpoch.addingTimeInterval(86_400), endsAt: testEpoch.addingTimeInterval(90_000)))
            #expect(copy.status == .created)
            #expect(try copy.decode(FlashSession.self).items.map(\.quota) == [20])

            clock.advance(seconds: 3_600)
            let admin = try await PointsTests.login(app, "hq", staff: true)
            input.perMemberLimit = 5
            let late = try await app.send(.PUT, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)", token: admin, json: input)
            #expect(late.status == .conflict && late.problem?.detail == "A flash sale that has started or ended cannot be changed.", "\(late.text)")
            let ended = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/end", token: admin).decode(FlashSession.self)
            #expect(ended.phase == .ended && ended.endedAt == clock.now())
            let list = try await app.send(.GET, "/api/v1/admin/marketing/flash-sales", token: admin).decode(ListPage<FlashSession>.self)
            #expect(list.total == 2)
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action ~~ ["flash_sale.session.update", "flash_sale.session.end"]).count() == 2)
        }
    }

    @Test("quick purchase: an order at the flash price from the item's store, payable within 5 minutes; a retry changes nothing; the limit refuses the third unit")
    func purchase() async throws {
        try await withTestApp { app in
            let sale = try await Self.sale(app)
            let member = try await PointsMallTests.member(app, admin: sale.admin, points: 0)
            let noKey = try await app.send(.POST, "/api/v1/flash-sales/\(sale.session.id)/purchases", token: member.token,
                                           json: FlashPurchaseInput(skuId: sale.shop.milk.id!))
            #expect(noKey.status == .unprocessableEntity && noKey.problem?.errors?.first?.field == "Idempotency-Key")
            let bad = try await Self.buy(app, sale.session, token: member.token, quantity: 100)
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "quantity", "\(bad.text)")

            let first = try await Self.buy(app, sale.session, token: member.token, quantity: 2, key: "flash-key-0001")
            #expect(first.status == .created, "\(first.text)")
            let result = try first.decode(FlashPurchaseResult.self)
            #expect(result.purchase.unitPriceFen == 990 && result.purchase.quantity == 2 && result.payment?.amountFen == 1_980)
            #expect(result.paymentDueAt == testEpoch.addingTimeInterval(300))
            let order = try await app.send(.GET, "/api/v1/orders/\(result.purchase.orderId!)", token: member.token).decode(Order.self)
            #expect(order.status == .pendingPayment && order.payableFen == 1_980 && order.storeId == sale.shop.near.id!)
            #expect(try await CheckoutTests.level(app, sale.shop, sale.shop.near) == StockLevel(onHand: 50, reserved: 2))

            let again = try await Self.buy(app, sale.session, token: member.token, quantity: 2, key: "flash-key-0001")
            let replayed = try again.decode(FlashPurchaseResult.self)
            #expect(again.status == .ok && replayed.purchase.id == result.purchase.id)
            let third = try await Self.buy(app, sale.session, token: member.token)
            #expect(third.status == .conflict && third.problem?.detail == "You may buy at most 2 of this item in this flash sale; 0 left for you.", "\(third.text)")

            let today = try await app.send(.GET, "/api/v1/flash-sales").decode([FlashSession].self)
            #expect(today.map(\.id) == [sale.session.id] && today[0].phase == .live && today[0].items[0].sold == 2 && today[0].items[0].soldPercent == 20)
            let live = try await app.send(.GET, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/live", token: sale.admin).decode(FlashSessionLive.self)
            #expect(live.items[0].sold == 2 && live.items[0].quotaLeft == 8 && live.items[0].gateLeft == 8 && live.items[0].orders == 1 && live.items[0].paidOrders == 0)
            try await Self.invariants(app)
        }
    }

    @Test("the flash-sale page lets the buyer choose how many, 1 up to the session's per-member limit")
    func pageQuantities() async throws {
        try await withTestApp { app in
            _ = try await Self.sale(app, limit: 3)
            let page = try await app.send(.GET, "/flash-sales")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<select class="flash-quantity" ><option value="1">1</option><option value="2">2</option><option value="3">3</option></select>"#),
                    "\(page.text)")
            #expect(!page.text.contains(#"<option value="4">"#))
        }
    }

    @Test("head start: a member whose level gives 30 priority minutes buys 10 minutes before the start; others are told when it opens")
    func headStart() async throws {
        try await withTestApp { app in
            let sale = try await Self.sale(app, startsIn: 600)
            let level = MemberLevelModel()
            level.code = "GOLD"
            level.name = "金卡"
            level.rank = 1
            level.matchAll = false
            level.rights = LevelRights(priorityMinutes: 30)
            level.createdAt = testEpoch
            level.updatedAt = testEpoch
            try await level.create(on: app.db)
            let gold = try await Self.quickMember(app, 1)
            let plain = try await Self.quickMember(app, 2)
            try await MemberModel.query(on: app.db).filter(\.$id == gold.id).set(\.$level, to: "GOLD").update()

            let refused = try await Self.buy(app, sale.session, token: plain.token)
            #expect(refused.status == .conflict && refused.problem?.detail?.contains("opens for you at") == true, "\(refused.text)")
            let bought = try await Self.buy(app, sale.session, token: gold.token)
            #expect(bought.status == .created, "\(bought.text)")
            let seen = try await app.send(.GET, "/api/v1/flash-sales", token: gold.token).decode([FlashSession].self)
            #expect(seen[0].phase == .upcoming && seen[0].opensForMeAt == sale.session.startsAt.addingTimeInterval(-1_800))
            // The refusal gave its admission back to the gate.
            #expect(await app.flashQuotaGate.remaining(FlashGateKey(sessionId: sale.session.id, skuId: sale.shop.milk.id!)) == 9)
            try await Self.invariants(app)
        }
    }

    @Test("an unpaid flash order expires after flash.paymentMinutes: its unit returns to the quota, the gate and the member's count; a paid one stays")
    func expiry() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let sale = try await Self.sale(app, quota: 2, limit: 1)
            let payer = try await Self.quickMember(app, 1)
            let idler = try await Self.quickMember(app, 2)
            let paid = try await Self.buy(app, sale.session, token: payer.token, input: FlashPurchaseInput(skuId: sale.shop.milk.id!, fulfilment: .pickup))
                .decode(FlashPurchaseResult.self)
            #expect(try await app.send(.POST, "/api/v1/payments/\(paid.payment!.id)/sandbox/complete", token: payer.token).status == .ok)
            try await app.jobs.runDue()
            _ = try await Self.buy(app, sale.session, token: idler.token).decode(FlashPurchaseResult.self)
            let late = try await Self.quickMember(app, 3)
            #expect(try await Self.buy(app, sale.session, token: late.token).problem?.detail == "This flash-sale item is sold out.")

            clock.advance(seconds: 5 * 60 + 1)
            try await app.jobs.runDue()
            let gateKey = FlashGateKey(sessionId: sale.session.id, skuId: sale.shop.milk.id!)
            #expect(await app.flashQuotaGate.remaining(gateKey) == 1)
            let items = try await FlashItemModel.query(on: app.db).all()
            #expect(items[0].sold == 1)
            #expect(try await FlashPurchaseModel.query(on: app.db).filter(\.$status == FlashPurchaseStatus.returned.rawValue).count() == 1)
            #expect(try await CheckoutTests.level(app, sale.shop, sale.shop.near) == StockLevel(onHand: 50, reserved: 1))
            // The idler may try again, and the latecomer now gets the returned unit.
            let fresh = try await Self.quickMember(app, 4)
            #expect(try await Self.buy(app, sale.session, token: fresh.token).status == .created)
            try await Self.invariants(app)
        }
    }

    @Test("1,000 concurrent buyers of 100 units: exactly 100 sold, nobody beyond their limit, the rest refused with 409")
    func stampede() async throws {
        try await withTestApp { app in
            let sale = try await Self.sale(app, quota: 100, limit: 2, nearStock: 200)
            var members: [(token: String, id: UUID)] = []
            for n in 0..<250 { members.append(try await Self.quickMember(app, n)) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<1_000 {
                    let member = members[index % members.count]
                    group.addTask { try await Self.buy(app, sale.session, token: member.token).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 100, "\(Dictionary(grouping: statuses, by: \.code).mapValues(\.count))")
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict })
            let purchases = try await FlashPurchaseModel.query(on: app.db).all()
            #expect(purchases.count == 100)
            #expect(Dictionary(grouping: purchases, by: \.memberId).values.allSatisfy { $0.count <= 2 })
            #expect(try await FlashItemModel.query(on: app.db).first()?.sold == 100)
            #expect(try await OrderModel.query(on: app.db).count() == 100)
            #expect(try await CheckoutTests.level(app, sale.shop, sale.shop.near) == StockLevel(onHand: 200, reserved: 100))
            #expect(await app.flashQuotaGate.remaining(FlashGateKey(sessionId: sale.session.id, skuId: sale.shop.milk.id!)) == 0)
            #expect(await app.flashQuotaGate.refusals(sessionId: sale.session.id) > 0)
            try await Self.invariants(app)
        }
    }

    @Test("the demo: a session live now and two later ones at 静安寺店; a member buys at the flash price; seeding again changes nothing")
    func demo() async throws {
        try await withTestApp { app in
            _ = try await DemoSeeder(app: app).run()
            let sessions = try await FlashSessionModel.query(on: app.db).all()
            #expect(sessions.count == 3)
            let today = try await app.send(.GET, "/api/v1/flash-sales").decode([FlashSession].self)
            let live = try #require(today.first { $0.phase == .live })
            #expect(live.items.count == 3 && live.items.allSatisfy { $0.flashPriceFen < $0.listPriceFen && $0.storeName.contains("静安") })
            let token = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: DemoSeeder.memberPassword))
                .decode(MemberSession.self).tokens.accessToken
            let page = try await app.send(.GET, "/flash-sales")
            #expect(page.status == .ok && page.text.contains("限时秒杀 · 正在疯抢") && page.text.contains("data-countdown=") && page.text.contains("flash-buy"),
                    "\(page.text.prefix(300))")
            let bought = try await Self.buy(app, live, token: token)
            #expect(bought.status == .created, "\(bought.text)")
            try await Self.invariants(app)
            _ = try await DemoSeeder(app: app).run()
            #expect(try await FlashSessionModel.query(on: app.db).count() == 3)
            #expect(try await FlashItemModel.query(on: app.db).count() == 9)
        }
    }
}
