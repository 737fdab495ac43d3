import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Demo data")
struct DemoDataTests {
    @Test("the demo seed builds a realistic mall, and running it twice changes nothing")
    func demo() async throws {
        try await withTestApp { app in
            let accounts = try await DemoSeeder(app: app).run()
            #expect(Set(accounts.filter { $0.kind == "staff" }.map(\.login)).isSuperset(of: ["admin", "operator", "self.admin", "fruit.admin", "ja.manager", "ja.clerk", "service"]))
            let grants = try await StaffRoleGrantModel.query(on: app.db).with(\.$role).all()
            #expect(Set(grants.map(\.role.code)) == Set(BuiltinRole.allCases.map(\.rawValue)), "staff for every built-in role")
            let stores = try await StoreModel.query(on: app.db).all()
            #expect(stores.filter { $0.kind == .store }.count >= 5)
            #expect(Set(stores.map(\.city)).count >= 2)
            #expect(try await ProductModel.query(on: app.db).count() >= 200)
            let skus = try await SKUModel.query(on: app.db).all()
            #expect(skus.count > 500, "multi-spec products")
            #expect(skus.allSatisfy { sku in sku.barcode.map { (try? Barcode(parsing: $0)) != nil } ?? false }, "every demo barcode has a valid check digit")
            for store in stores {
                #expect(try await StockLevelModel.query(on: app.db).filter(\.$storeId == store.id!).count() > 0, "stock at \(store.code)")
            }
            try await Fixtures.expectLedgerMatchesProjection(app)

            let milk = try await app.send(.GET, "/api/v1/products?q=" + "纯牛奶".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)
                .decode(ListPage<ProductSummary>.self)
            #expect(milk.items.contains { $0.title.contains("纯牛奶") })
            #expect(milk.items.allSatisfy { $0.image?.hasPrefix("/files/img/") == true })

            // Member levels, and members spread over them by a year of orders, points in step with the ledger.
            #expect(try await MemberLevelModel.ladder(on: app.db).map(\.name) == ["普通会员", "银卡", "金卡", "钻石"])
            var levels: [String: String] = [:]
            for member in try await MemberModel.query(on: app.db).all() { levels[member.mobile ?? member.email ?? ""] = member.level }
            #expect(levels == ["13800138000": "gold", "13912345678": "silver", "chen.jie@example.com": "normal", "13700137000": "diamond"], "\(levels)")
            // 21 orders of the members' year, and a month at each of the two third-party merchants.
            #expect(try await OrderRewardModel.query(on: app.db).count() == 21 + 2 * DemoSettlement.orderDays.count)
            #expect(try await PointsEntryModel.query(on: app.db).filter(\.$kind == "checkout_spent").count() == 2)
            let gold = try await app.send(.GET, "/api/v1/me/membership", token: try await PointsTests.login(app, "13800138000", password: DemoSeeder.memberPassword))
                .decode(Membership.self)
            #expect(gold.level?.code == "gold" && gold.history.map(\.toLevel) == ["gold", "silver", "normal"], "\(gold.history)")
            try await Fixtures.expectPointsLedgerMatches(app)
            let promotions = try await app.send(.GET, "/api/v1/promotions").decode([PromotionDTO].self)
            #expect(Set(promotions.map(\.name)) == [DemoPromotions.tieredName, DemoPromotions.dairyName, DemoPromotions.giftName, DemoPromotions.secondHalfName])
            #expect(promotions.allSatisfy { $0.status == .running })

            // Two third-party merchants in one shopping centre, a month of settlement: one statement paid, others awaiting confirmation.
            let fruitStore = try #require(try await StoreModel.query(on: app.db).filter(\.$code == "XF-SH01").first())
            let bakeryStore = try #require(try await StoreModel.query(on: app.db).filter(\.$code == DemoSettlement.bakeryStoreCode).first())
            #expect(bakeryStore.address == fruitStore.address && bakeryStore.merchantId != fruitStore.merchantId)
            #expect(accounts.contains { $0.login == "bakery.admin" })
            let statements = try await SettlementStatementModel.query(on: app.db).all()
            #expect(statements.filter { $0.status == StatementStatus.paid.rawValue }.count == 1)
            #expect(Set(statements.filter { $0.status == StatementStatus.draft.rawValue }.map(\.merchantId)).count == 2, "each merchant has one to confirm")
            #expect(try await PayoutModel.query(on: app.db).count() == 1)
            // Segments over the demo's members: every member placed, buyers and non-buyers apart.
            let segments = try await SegmentService.overview(on: app.db)
            let memberCount = try await MemberModel.query(on: app.db).count()
            #expect(segments.computedAt != nil && segments.members == memberCount)
            #expect(segments.groups.filter { $0.members > 0 }.count >= 2, "\(segments.groups)")
            let booked = try await SettlementEntryModel.query(on: app.db).all()
            let ledger = try booked.reduce(SettlementAmounts.zero) { try $0.plus($1.amounts) }
            #expect(try ledger.imbalance() == 0)
            // What the entries say shoppers paid is what the settled orders cost them.
            let settledOrders = Set(booked.map(\.orderId))
            let paidForSettled = try await OrderModel.query(on: app.db).all().filter { settledOrders.contains($0.id!) }.reduce(Int64(0)) { $0 + $1.payableFen }
            #expect(ledger.shopperPaidFen == paidForSettled && ledger.refundedFen == 0)
            let unsettled = try await OrderModel.query(on: app.db).filter(\.$merchantId == bakeryStore.merchantId).all()
                .filter { order in !booked.contains { $0.orderId == order.id } }
            #expect(!unsettled.isEmpty, "the last week's orders are still in the after-sales window")
            let settlementCounts = (statements.count, booked.count)

            let views = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM browsing_events").first()?.decode(column: "n", as: Int.self) ?? 0
            #expect(views > 300, "\(views)")
            let (similar, tagged) = (try await app.db.sql.raw("SELECT COUNT(*) AS n FROM product_similarities WHERE kind = 'co_view'").first()?
                .decode(column: "n", as: Int.self) ?? 0, try await app.db.sql.raw("SELECT COUNT(*) AS n FROM products WHERE recommended_tags <> ''").first()?
                .decode(column: "n", as: Int.self) ?? 0)
            #expect(similar > 50 && tagged > 0, "co-view rows \(similar), tagged products \(tagged)")
            let goldToken = try await PointsTests.login(app, DemoRecommendations.memberMobile, password: DemoSeeder.memberPassword)
            let forGold = try await app.send(.GET, "/api/v1/me/recommendations", token: goldToken).decode(MemberRecommendationList.self)
            #expect(try await BundleModel.query(on: app.db).count() == 2)
            #expect(forGold.basis == .history && forGold.items.count == 10, "\(forGold.basis) \(forGold.items.count)")

            let counts = (try await ProductModel.query(on: app.db).count(), try await StockMovementModel.query(on: app.db).count(),
                          try await PointsEntryModel.query(on: app.db).count(), try await OrderModel.query(on: app.db).count())
            _ = try await DemoSeeder(app: app).run()
            #expect((try await ProductModel.query(on: app.db).count(), try await StockMovementModel.query(on: app.db).count(),
                     try await PointsEntryModel.query(on: app.db).count(), try await OrderModel.query(on: app.db).count()) == counts)
            #expect(try await PromotionModel.query(on: app.db).count() == 4)
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM browsing_events").first()?.decode(column: "n", as: Int.self) == views)
            #expect(try await BundleModel.query(on: app.db).count() == 2)
            #expect((try await SettlementStatementModel.query(on: app.db).count(), try await SettlementEntryModel.query(on: app.db).count()) == settlementCounts)
        }
    }

    @Test("every demo product has a packshot of its own, served as SVG under a strict policy; older demos' tiles are replaced")
    func pictures() async throws {
        try await withTestApp { app in
            try await DemoCatalog(app: app).run()
            let products = try await ProductModel.query(on: app.db).all()
            #expect(products.count == DemoCatalog.productCount)
            let urls = products.compactMap(\.images.first)
            #expect(urls.count == products.count && Set(urls).count == products.count, "one picture per product")
            for url in urls {
                let served = try await app.send(.GET, url)
                #expect(served.status == .ok && url.hasSuffix(".svg"), "\(url)")
                #expect(served.headers.first(name: .contentType) == "image/svg+xml")
                #expect(served.headers.first(name: "Content-Security-Policy") == "default-src 'none'; style-src 'unsafe-inline'; sandbox")
                #expect(served.headers.first(name: "X-Content-Type-Options") == "nosniff")
            }
            for line in DemoCatalog.lines {
                for (index, name) in line.names.enumerated() {
                    let subject = DemoCatalog.subject(line, name: name, nameIndex: index, editionIndex: 0)
                    #expect(ProductIllustration.kind(for: subject) != .parcel, "\(name) is drawn as what it is")
                }
            }
            let milk = try #require(products.first { $0.title == "光明 纯牛奶" })
            let picture = try await app.send(.GET, milk.images[0]).text
            #expect(picture.hasPrefix("<svg") && picture.contains(">光明</text>") && picture.contains(">纯牛奶</text>"))

            // A demo seeded before products had pictures: one flat PNG tile per category.
            let tile = PlaceholderImage.png(width: 480, height: 480, color: .from(seed: "乳品"))
            let tileURL = "/files/img/\(FixtureFiles.sha256(tile)).png"
            milk.images = [tileURL]
            try await milk.update(on: app.db)
            let edited = try #require(products.first { $0.title == "光明 纯牛奶 精选装" })
            edited.images = [tileURL, urls[0]]
            try await edited.update(on: app.db)
            let files = try await MediaFileModel.query(on: app.db).count()
            try await DemoCatalog(app: app).run()
            #expect(try await ProductModel.find(milk.id, on: app.db)?.images == [urls[products.firstIndex { $0.id == milk.id }!]])
            #expect(try await ProductModel.find(edited.id, on: app.db)?.images == [tileURL, urls[0]], "images someone chose are kept")
            #expect(try await MediaFileModel.query(on: app.db).count() == files)
        }
    }
}
