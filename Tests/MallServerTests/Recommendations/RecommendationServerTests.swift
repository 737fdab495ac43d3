import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

@Suite("Recommendations: browsing events, neighbours, 看了又看 / 买了又买 and 猜你喜欢")
struct RecommendationServerTests {
    /// Milk at both stores plus bread, butter and tea stocked at the NEAR store.
    struct Range {
        let shop: CheckoutTests.Shop
        let bread: SKUModel
        let butter: SKUModel
        let tea: SKUModel
    }

    static func range(_ app: Application) async throws -> Range {
        let shop = try await CheckoutTests.shop(app, nearStock: 100, farStock: 100)
        var skus: [SKUModel] = []
        for (code, title) in [("BREAD", "全麦面包"), ("BUTTER", "黄油"), ("TEA", "乌龙茶")] {
            let sku = try await Fixtures.sku(app, code: code, priceFen: 990, title: title)
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: shop.near.id!, quantity: 100)],
                                                                  context: MovementContext(now: testEpoch))
            }
            skus.append(sku)
        }
        return Range(shop: shop, bread: skus[0], butter: skus[1], tea: skus[2])
    }

    /// One paid order holding these SKUs, one of each.
    static func buy(_ app: Application, token: String, _ skus: [SKUModel]) async throws {
        for sku in skus {
            let added = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: sku.id!, quantity: 1))
            #expect(added.status == .ok || added.status == .created, "\(added.text)")
        }
        let result = try await CheckoutTests.checkout(app, token: token, key: "recs-\(UUID().uuidString)").decode(CheckoutResult.self)
        #expect(result.orders.count == 1)
        _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
        try await app.jobs.runDue()
    }

    static func view(_ app: Application, _ sku: SKUModel, token: String? = nil, cartToken: String? = nil) async throws {
        let headers: HTTPHeaders = cartToken.map { [CartRoutes.tokenHeader: $0] } ?? [:]
        let response = try await app.send(.GET, "/api/v1/products/\(sku.productId)", token: token, headers: headers)
        #expect(response.status == .ok, "\(response.text)")
    }

    static func count(_ app: Application, _ sql: SQLQueryString) async throws -> Int {
        try await app.db.sql.raw(sql).first()?.decode(column: "n", as: Int.self) ?? -1
    }

    @Test("views of members and guests with a cart token wait in memory and land together; staff and unidentified guests are not counted; old views and a visitor's views past 200 go")
    func browsingEvents() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let range = try await Self.range(app)
            let member = try await CheckoutTests.shopper(app, mobile: "13900000001")
            let (_, staff) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let recorder = try #require(app.browsingRecorder)
            try await Self.view(app, range.bread, token: member)
            try await Self.view(app, range.butter, cartToken: "guest-cart-token-0123456789")
            try await Self.view(app, range.butter, token: staff)
            try await Self.view(app, range.tea)
            #expect(recorder.pendingCount == 2, "the member and the guest with a cart; not staff, not a guest nobody can tell apart")
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM browsing_events") == 0, "nothing written while the batch waits")
            await recorder.flush(app: app)
            #expect(recorder.pendingCount == 0)
            let rows = try await app.db.sql.raw("SELECT visitor_key, member_id, product_id FROM browsing_events ORDER BY visitor_key").all()
            let memberId = try #require(try await MemberModel.query(on: app.db).filter(\.$mobile == "13900000001").first()?.id)
            #expect(try rows.map { try $0.decode(column: "product_id", as: UUID.self) } == [range.butter.productId, range.bread.productId])
            #expect(try rows.map { try $0.decode(column: "member_id", as: UUID?.self) } == [nil, memberId])
            let guestKey = try rows[0].decode(column: "visitor_key", as: String.self)
            #expect(guestKey.hasPrefix("c:") && !guestKey.contains("guest-cart-token"), "the cart token itself is not stored: \(guestKey)")

            // A batch is written by itself once it is full or its oldest view has waited.
            clock.advance(seconds: 6)
            try await Self.view(app, range.tea, token: member)
            try await Self.view(app, range.bread, token: member)
            clock.advance(seconds: 6)
            try await Self.view(app, range.butter, token: member)
            for _ in 0..<100 where try await Self.count(app, "SELECT COUNT(*) AS n FROM browsing_events") < 5 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM browsing_events") == 5)

            // Age-out: a visitor with 230 recent views keeps 200; views older than 90 days go.
            var insert = app.db.sql.insert(into: "browsing_events").columns("id", "visitor_key", "member_id", "product_id", "viewed_at")
            for n in 0..<230 {
                insert = insert.values(SQLBind(UUID()), SQLBind("v:busy"), SQLBind(UUID?.none), SQLBind(range.tea.productId),
                                       SQLBind(clock.now().addingTimeInterval(-Double(n) * 60)))
            }
            insert = insert.values(SQLBind(UUID()), SQLBind("v:gone"), SQLBind(UUID?.none), SQLBind(range.tea.productId),
                                   SQLBind(clock.now().addingTimeInterval(-91 * 86_400)))
            try await insert.run()
            let run = try await RecommendationService(app: app, db: app.db).recompute(now: clock.now())
            #expect(run.viewsRemoved == 31)
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM browsing_events WHERE visitor_key = 'v:busy'") == 200)
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM browsing_events WHERE visitor_key = 'v:gone'") == 0)
            #expect(try await Self.count(app, "SELECT COUNT(*) AS n FROM browsing_events") == 205)
        }
    }

    @Test("the job ranks co-purchase and co-view neighbours; a product's rows come in one statement, on sale only; HQ recomputes now, audited")
    func productRecommendations() async throws {
        try await withTestApp { app in
            let range = try await Self.range(app)
            // Bread and butter are bought together twice, milk with bread once (below support).
            for (n, basket) in [[range.bread, range.butter], [range.bread, range.butter, range.shop.milk], [range.tea]].enumerated() {
                try await Self.buy(app, token: try await CheckoutTests.shopper(app, mobile: "1390000010\(n)"), basket)
            }
            // Three guests look at tea and bread in one sitting; one at tea and milk.
            for guest in 0..<3 {
                try await Self.view(app, range.tea, cartToken: "guest-token-aaaaaaaa-\(guest)")
                try await Self.view(app, range.bread, cartToken: "guest-token-aaaaaaaa-\(guest)")
            }
            try await Self.view(app, range.tea, cartToken: "guest-token-bbbbbbbb")
            try await Self.view(app, range.shop.milk, cartToken: "guest-token-bbbbbbbb")

            let (_, manager) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(range.shop.near.storeID))
            let refused = try await app.send(.POST, "/api/v1/admin/recommendations/recompute", token: manager)
            #expect(refused.status == .forbidden && refused.problem?.detail?.contains("marketing.manage") == true, "\(refused.text)")
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let run = try await app.send(.POST, "/api/v1/admin/recommendations/recompute", token: admin).decode(RecommendationRun.self)
            #expect(run.coPurchaseRows == 2 && run.coViewRows == 2 && run.viewsRemoved == 0, "\(run)")
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "recommendations.recompute").count() == 1)

            let log = SQLStatementLog()
            log.install(on: app)
            let (response, statements) = try await log.during { try await app.send(.GET, "/api/v1/products/\(range.bread.productId)/recommendations") }
            let bread = try response.decode(ProductRecommendations.self)
            #expect(bread.alsoBought.map(\.id) == [range.butter.productId] && bread.alsoViewed.map(\.id) == [range.tea.productId], "\(response.text)")
            #expect(bread.alsoBought.first?.title == "黄油" && bread.alsoBought.first?.minPriceFen == 990)
            #expect(statements.count == 1, "\(statements)")

            // Off the shelf, butter leaves bread's row at once, without a recomputation.
            try await app.db.sql.raw("UPDATE products SET on_shelf = \(bind: false) WHERE id = \(bind: range.butter.productId)").run()
            let after = try await app.send(.GET, "/api/v1/products/\(range.bread.productId)/recommendations").decode(ProductRecommendations.self)
            #expect(after.alsoBought.isEmpty && after.alsoViewed.map(\.id) == [range.tea.productId])

            let bad = try await app.send(.GET, "/api/v1/products/\(range.bread.productId)/recommendations?limit=51")
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "limit", "\(bad.text)")
        }
    }

    @Test("猜你喜欢: best sellers without history; after viewing bread the member is shown its neighbours, not what they bought, and in stock near them")
    func memberRecommendations() async throws {
        try await withTestApp { app in
            let range = try await Self.range(app)
            for n in 0..<2 {
                try await Self.buy(app, token: try await CheckoutTests.shopper(app, mobile: "1390000020\(n)"), [range.bread, range.butter, range.tea])
            }
            for guest in 0..<2 {
                try await Self.view(app, range.bread, cartToken: "guest-token-cccccccc-\(guest)")
                try await Self.view(app, range.shop.milk, cartToken: "guest-token-cccccccc-\(guest)")
            }
            let member = try await CheckoutTests.shopper(app, mobile: "13900000299")
            _ = try await RecommendationService(app: app, db: app.db).recompute(now: app.clock.now())

            let guest = try await app.send(.GET, "/api/v1/me/recommendations")
            #expect(guest.status == .unauthorized, "\(guest.text)")
            let fresh = try await app.send(.GET, "/api/v1/me/recommendations?limit=3", token: member).decode(MemberRecommendationList.self)
            #expect(fresh.basis == .bestSellers && fresh.items.count == 3, "\(fresh)")
            #expect(Set(fresh.items.map(\.id)).isSubset(of: [range.bread.productId, range.butter.productId, range.tea.productId, range.shop.milk.productId]))

            try await Self.view(app, range.bread, token: member)
            try await Self.buy(app, token: member, [range.butter])
            _ = try await RecommendationService(app: app, db: app.db).recompute(now: app.clock.now())
            let mine = try await app.send(.GET, "/api/v1/me/recommendations?limit=2", token: member).decode(MemberRecommendationList.self)
            #expect(mine.basis == .history, "\(mine)")
            #expect(mine.items.map(\.id) == [range.tea.productId, range.shop.milk.productId],
                    "tea is bought with butter and bread (co-purchase), milk viewed with bread; butter is bought, bread is being looked at")

            // Near a point only the NEAR store reaches: milk is there too, so nothing changes; far away nothing is in stock.
            let near = try await app.send(.GET, "/api/v1/me/recommendations?limit=2&lat=31.2220&lng=121.4390&radiusKm=1", token: member)
                .decode(MemberRecommendationList.self)
            #expect(near.items.map(\.id) == [range.tea.productId, range.shop.milk.productId], "\(near)")
            let nowhere = try await app.send(.GET, "/api/v1/me/recommendations?lat=39.9&lng=116.4&radiusKm=1", token: member)
                .decode(MemberRecommendationList.self)
            #expect(nowhere.items.isEmpty, "\(nowhere)")
            let bad = try await app.send(.GET, "/api/v1/me/recommendations?limit=0&lat=31.2", token: member)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["limit", "lng"], "\(bad.text)")
        }
    }
}

extension RecommendationServerTests {
    @Test("the job tags products hot, new, well rated and repeat buyers from sales, age, ratings and buyers; lists and the cached detail show them; a second run changes nothing")
    func recommendedTags() async throws {
        try await withTestApp { app in
            let range = try await Self.range(app)
            let now = app.clock.now()
            try await app.db.sql.raw("UPDATE products SET created_at = \(bind: now.addingTimeInterval(-100 * 86_400))").run()
            try await app.db.sql.raw("UPDATE products SET created_at = \(bind: now.addingTimeInterval(-5 * 86_400)) WHERE id = \(bind: range.tea.productId)").run()
            try await app.db.sql.raw("UPDATE products SET review_count = 5, review_star_total = 24 WHERE id = \(bind: range.butter.productId)").run()
            // Five members buy bread, two of them twice: the best seller, and 40% come back.
            for n in 0..<5 {
                let token = try await CheckoutTests.shopper(app, mobile: "1390000030\(n)")
                for _ in 0..<(n < 2 ? 2 : 1) { try await Self.buy(app, token: token, [range.bread]) }
            }
            let before = try await app.send(.GET, "/api/v1/products/\(range.bread.productId)").decode(ProductDetail.self)
            #expect(before.recommendedTags == [])
            let run = try await RecommendationService(app: app, db: app.db).recompute(now: now)
            #expect(run.productsRetagged == 3, "\(run)")
            let bread = try await app.send(.GET, "/api/v1/products/\(range.bread.productId)").decode(ProductDetail.self)
            #expect(bread.recommendedTags == [.hot, .repeatBuyers], "the cached detail is replaced: \(bread.recommendedTags)")
            let list = try await app.send(.GET, "/api/v1/products?per=10").decode(ListPage<ProductSummary>.self)
            let tags = Dictionary(uniqueKeysWithValues: list.items.map { ($0.id, $0.recommendedTags) })
            #expect(tags[range.bread.productId] == [.hot, .repeatBuyers] && tags[range.butter.productId] == [.wellRated]
                    && tags[range.tea.productId] == [.new] && tags[range.shop.milk.productId] == [], "\(tags)")
            #expect(try await RecommendationService(app: app, db: app.db).recompute(now: now).productsRetagged == 0)
        }
    }
}
