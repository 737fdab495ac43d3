import Fluent
import Foundation
import MallAPI
import MallCore
import NIOCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// The product detail read model (issue #16): documents cached per product version, live stock,
/// prices and sale state read on every request, entity tags, and writes showing at once.
@Suite("Product detail read model: cached per version, entity tags, every write shows at once")
struct ProductDetailReadModelTests {
    static func detailPath(_ productId: UUID) -> String { "/api/v1/products/\(productId)?lat=31.2220&lng=121.4390" }

    static func detail(_ app: Application, _ productId: UUID) async throws -> ProductDetail {
        let response = try await app.send(.GET, detailPath(productId))
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(ProductDetail.self)
    }

    @Test("an answer carries an entity tag; If-None-Match with it gets 304 without a body until the stock moves")
    func entityTags() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let path = Self.detailPath(shop.milk.productId)
            let first = try await app.send(.GET, path)
            let tag = try #require(first.headers.first(name: .eTag))
            #expect(first.status == .ok && tag.wholeMatch(of: /"[0-9]+-[0-9a-f]{24}"/) != nil && first.headers.first(name: .cacheControl) == "private, no-cache", "\(tag)")
            #expect(first.headers.contentType == .json)
            #expect(try first.decode(ProductDetail.self).skus.map(\.available) == [10])

            let again = try await app.send(.GET, path)
            #expect(again.headers.first(name: .eTag) == tag && again.text == first.text, "the same answer, the same bytes")
            for header in [tag, "W/\(tag)", "\"0-nothing\", \(tag)", "*"] {
                let cached = try await app.send(.GET, path, headers: ["If-None-Match": header])
                #expect(cached.status == .notModified && cached.body.readableBytes == 0, "\(header)")
                #expect(cached.headers.first(name: .eTag) == tag)
            }
            let elsewhere = try await app.send(.GET, "/api/v1/products/\(shop.milk.productId)?storeId=\(shop.far.id!)", headers: ["If-None-Match": tag])
            #expect(elsewhere.status == .ok && elsewhere.headers.first(name: .eTag) != tag, "another store is another answer")

            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: shop.milk.id!, storeId: shop.near.id!, quantity: 5)],
                                                                  context: MovementContext(now: testEpoch))
            }
            let moved = try await app.send(.GET, path, headers: ["If-None-Match": tag])
            #expect(moved.status == .ok && moved.headers.first(name: .eTag) != tag)
            #expect(try moved.decode(ProductDetail.self).skus.map(\.available) == [15])
        }
    }

    @Test("prices, images, attachments, a category's name, the shelf and a store price show on the next read")
    func writesShowAtOnce() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let productId = shop.milk.productId
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            #expect(try await Self.detail(app, productId).skus.map(\.priceFen) == [1_250])

            let sku = try #require(try await SKUModel.find(shop.milk.id!, on: app.db))
            sku.priceFen = 1_400
            try await sku.update(on: app.db)
            #expect(try await Self.detail(app, productId).skus.map(\.priceFen) == [1_400])

            let price = try await app.send(.PUT, "/api/v1/admin/skus/\(sku.id!)/store-prices/\(shop.near.id!)", token: admin,
                                           json: StorePriceInput(priceFen: 1_100))
            #expect(price.status == .ok, "\(price.text)")
            #expect(try await Self.detail(app, productId).skus.map(\.priceFen) == [1_100], "the nearest store's own price")

            let product = try #require(try await ProductModel.find(productId, on: app.db))
            product.images = ["/files/img/a.jpg", "/files/img/b.jpg"]
            try await product.update(on: app.db)
            #expect(try await Self.detail(app, productId).images == ["/files/img/a.jpg", "/files/img/b.jpg"])

            let pdf = Array(try FixtureFiles.data("media/manual.pdf"))
            let upload = try await app.uploadAttachment(pdf, product: productId, token: admin, filename: "m.pdf", title: "User manual")
            #expect(upload.status == .created, "\(upload.text)")
            #expect(try await Self.detail(app, productId).documents.map(\.title) == ["User manual"])
            let document = try upload.decode(ProductAttachment.self)
            #expect(try await app.send(.DELETE, Application.attachmentPath(productId) + "/\(document.id)", token: admin).status == .noContent)
            #expect(try await Self.detail(app, productId).documents.isEmpty)

            let rename = try await app.send(.PATCH, "/api/v1/admin/categories/\(product.categoryId)", token: admin, json: CategoryUpdate(name: "鲜奶"))
            #expect(rename.status == .ok, "\(rename.text)")
            #expect(try await Self.detail(app, productId).categoryPath == ["鲜奶"])

            let off = try await app.send(.POST, "/api/v1/admin/products/\(productId)/shelf", token: admin, json: ShelfChange(onShelf: false))
            #expect(off.status == .ok, "\(off.text)")
            let gone = try await app.send(.GET, Self.detailPath(productId))
            #expect(gone.status == .notFound && gone.problem?.detail == "No such product on sale.")
            _ = try await app.send(.POST, "/api/v1/admin/products/\(productId)/shelf", token: admin, json: ShelfChange(onShelf: true))
            let back = try await Self.detail(app, productId)
            #expect(back.skus.map(\.priceFen) == [1_100] && back.images.count == 2 && back.categoryPath == ["鲜奶"])
        }
    }

    @Test("a planned price takes over when its time comes, with no write in between; a member level's price shows to that level")
    func timeAndLevel() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let shop = try await CheckoutTests.shop(app)
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let base = "/api/v1/admin/skus/\(shop.milk.id!)"
            let planned = ScheduledPriceInput(priceFen: 990, effectiveFrom: testEpoch.addingTimeInterval(3_600))
            #expect(try await app.send(.POST, "\(base)/scheduled-prices", token: admin, json: planned).status == .created)
            #expect(try await Self.detail(app, shop.milk.productId).skus.map(\.priceFen) == [1_250])
            clock.advance(seconds: 7_200)
            #expect(try await Self.detail(app, shop.milk.productId).skus.map(\.priceFen) == [990], "the cached document holds the plan, not a price")

            let member = try await CheckoutTests.shopper(app)
            let gold = try #require(try await MemberModel.query(on: app.db).filter(\.$mobile == "13800138000").first())
            gold.level = "gold"
            try await gold.update(on: app.db)
            #expect(try await app.send(.GET, Self.detailPath(shop.milk.productId), token: member).decode(ProductDetail.self).skus.map(\.priceFen) == [990])
            let (_, later) = try await Fixtures.staff(app, "later", role: .platformAdmin, scope: .platform)
            let level = try await app.send(.PUT, "\(base)/level-prices/gold", token: later, json: LevelPriceInput(discountBasisPoints: 9_000, fixedPriceFen: 500))
            #expect(level.status == .ok, "\(level.text)")
            let seen = try await app.send(.GET, Self.detailPath(shop.milk.productId), token: member).decode(ProductDetail.self)
            #expect(seen.skus.map(\.priceFen) == [500], "\(seen.skus)")
            #expect(try await Self.detail(app, shop.milk.productId).skus.map(\.priceFen) == [990], "a guest has no level")
        }
    }

    @Test("a merchant's suspension hides its product's detail at once, reinstatement brings it back")
    func suspension() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let fruit = try await MerchantStandingTests.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let path = "/api/v1/products/\(fruit.sku.productId)?storeId=\(fruit.store.id!)"
            #expect(try await app.send(.GET, path).decode(ProductDetail.self).skus.map(\.available) == [20])
            #expect(try await MerchantStandingTests.setStatus(app, fruit, .suspended, token: admin).status == .ok)
            #expect(try await app.send(.GET, path).status == .notFound)
            #expect(try await MerchantStandingTests.setStatus(app, fruit, .active, token: admin).status == .ok)
            #expect(try await app.send(.GET, path).decode(ProductDetail.self).title == "赣南脐橙")
        }
    }

    @Test("two instances on one database: a write through one shows on the other's next read, whatever it cached")
    func secondInstance() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let productId = shop.milk.productId
            try await withSecondInstance(of: app) { second in
                #expect(try await Self.detail(app, productId).title == "纯牛奶 MILK")
                #expect(try await Self.detail(second, productId).title == "纯牛奶 MILK")
                let product = try #require(try await ProductModel.find(productId, on: app.db))
                product.title = "高钙纯牛奶"
                try await product.update(on: app.db)
                let sku = try #require(try await SKUModel.find(shop.milk.id!, on: app.db))
                sku.priceFen = 990
                try await sku.update(on: app.db)
                let seen = try await Self.detail(second, productId)
                #expect(seen.title == "高钙纯牛奶" && seen.skus.map(\.priceFen) == [990])
            }
        }
    }

    /// SQLite plans for an empty-statistics database as if tables were large, so a full scan
    /// shows in its plan even here; PostgreSQL would rightly scan these tiny tables.
    @Test("a warm detail searches indexes only: no statement scans a table, so its cost does not grow with the catalogue")
    func indexedOnly() async throws {
        try await withTestApp { app in
            guard !app.db.isPostgres else { return }
            let log = SQLStatementLog()
            log.install(on: app)
            let shop = try await CheckoutTests.shop(app)
            for n in 0..<30 { _ = try await Fixtures.sku(app, code: "OTHER-\(n)") }
            let (_, statements) = try await StatementBudgetTests.warm(log) { try await app.send(.GET, Self.detailPath(shop.milk.productId)) }
            #expect(statements.count == 2, "\(statements)")
            for statement in statements {
                let plan = try await app.db.sql.raw("EXPLAIN QUERY PLAN \(unsafeRaw: statement)").all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.hasPrefix("SEARCH") } && !plan.contains { $0.hasPrefix("SCAN") }, "\(plan) for \(statement)")
            }
        }
    }

    @Test("a write the detail does not show leaves the version alone, so a sale does not throw the document away")
    func versionCountsShownWritesOnly() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            func version() async throws -> Int64 {
                try #require(try await app.db.sql.raw("SELECT version FROM products WHERE id = \(bind: shop.milk.productId)").first()?
                    .decode(column: "version", as: Int64.self))
            }
            let before = try await version()
            let sku = try #require(try await SKUModel.find(shop.milk.id!, on: app.db))
            sku.salesCount += 3
            try await sku.update(on: app.db)
            let product = try #require(try await ProductModel.find(shop.milk.productId, on: app.db))
            product.salesCount += 3
            try await product.update(on: app.db)
            #expect(try await version() == before)
            sku.marketPriceFen = 1_500
            try await sku.update(on: app.db)
            #expect(try await version() == before + 1)
        }
    }

    @Test("the cache keeps the newest document of a product and a bounded number of answers of bounded size for it")
    func cacheBounds() throws {
        let cache = ProductDetailCache()
        let id = UUID()
        func document(_ version: Int64) -> ProductDetailDocument {
            ProductDetailDocument(version: version, merchantId: id, detail: ProductDetail(
                id: id, merchantId: id, title: "v\(version)", subtitle: "", descriptionHtml: "", images: [], brand: nil, categoryPath: [], tags: [],
                unit: "盒", specs: [], store: nil, skus: []), skus: [])
        }
        cache.keep(document(2), for: id)
        cache.keep(document(1), for: id)
        #expect(cache.document(for: id)?.version == 2, "an older build landing late does not replace a newer one")
        for n in 0..<(ProductDetailCache.answersPerDocument + 3) {
            cache.keep(ByteBuffer(string: "\(n)"), for: id, version: 2, tag: EntityTag("2-\(n)"))
        }
        let kept = (0..<(ProductDetailCache.answersPerDocument + 3)).filter { cache.body(for: id, version: 2, tag: EntityTag("2-\($0)")) != nil }
        #expect(kept.count <= ProductDetailCache.answersPerDocument && kept.contains(ProductDetailCache.answersPerDocument + 2))
        #expect(cache.body(for: id, version: 1, tag: EntityTag("2-\(ProductDetailCache.answersPerDocument + 2)")) == nil)
        let large = ByteBuffer(repeating: 0x20, count: ProductDetailCache.largestKeptAnswer + 1)
        cache.keep(large, for: id, version: 2, tag: EntityTag("2-large"))
        #expect(cache.body(for: id, version: 2, tag: EntityTag("2-large")) == nil, "a long description is encoded each time instead")
        cache.keep(document(3), for: id)
        #expect(cache.document(for: id)?.version == 3 && cache.body(for: id, version: 3, tag: EntityTag("2-0")) == nil)
    }
}
