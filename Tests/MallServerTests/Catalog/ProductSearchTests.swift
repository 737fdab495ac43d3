import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Product search and scan-to-buy")
struct ProductSearchTests {
    struct World {
        let dairy: CategoryModel
        let milkCategory: CategoryModel
        let snacks: CategoryModel
        let jingan: StoreModel
        let lujiazui: StoreModel
    }

    /// Products written straight to the tables the search reads, with stock at two stores.
    static func world(_ app: Application) async throws -> World {
        let dairy = try await Fixtures.category(app, name: "乳品")
        let milkCategory = CategoryModel()
        milkCategory.id = UUID()
        milkCategory.name = "鲜奶"
        milkCategory.sortOrder = 0
        milkCategory.parentId = dairy.id
        milkCategory.path = dairy.path + milkCategory.id!.uuidString + "/"
        milkCategory.depth = 1
        try await milkCategory.create(on: app.db)
        let snacks = try await Fixtures.category(app, name: "零食")
        let brand = BrandModel()
        brand.name = "光明"
        try await brand.create(on: app.db)
        let jingan = try await Fixtures.store(app, code: "JINGAN", latitude: 31.2235, longitude: 121.4456)
        let lujiazui = try await Fixtures.store(app, code: "LUJIAZUI", latitude: 31.2368, longitude: 121.5012)

        func product(_ title: String, subtitle: String = "", category: CategoryModel, price: Int64, sales: Int, brand: BrandModel? = nil,
                     tags: [String] = [], barcode: String? = nil, stockAt: [StoreModel] = [], age: Double) async throws {
            let sku = try await Fixtures.sku(app, code: "C\(Int.random(in: 100_000...999_999))", barcode: barcode, priceFen: price, title: title)
            let model = try #require(try await ProductModel.find(sku.productId, on: app.db))
            model.subtitle = subtitle
            model.categoryId = category.id!
            model.brandId = brand?.id
            model.salesCount = sales
            model.searchText = ProductService.searchText(title: title, subtitle: subtitle, brand: brand?.name, tags: tags)
            model.createdAt = testEpoch.addingTimeInterval(-age)
            try await model.update(on: app.db)
            for name in tags {
                var tag: TagModel
                if let existing = try await TagModel.query(on: app.db).filter(\.$name == name).first() { tag = existing } else {
                    tag = TagModel()
                    tag.name = name
                    try await tag.save(on: app.db)
                }
                try await ProductTagModel(productId: model.id!, tagId: tag.id!).create(on: app.db)
            }
            for store in stockAt {
                try await app.db.writeTransaction { db in
                    try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 20)],
                                                                      context: MovementContext(now: testEpoch))
                }
            }
        }
        try await product("纯牛奶 250ml", subtitle: "全脂 早餐奶", category: milkCategory, price: 350, sales: 900, brand: brand, tags: ["早餐"],
                          barcode: "6901234567892", stockAt: [jingan], age: 100)
        try await product("鲜牛奶 950ml", category: milkCategory, price: 1_590, sales: 300, brand: brand, stockAt: [lujiazui], age: 50)
        try await product("酸奶 原味", subtitle: "含牛奶成分", category: dairy, price: 690, sales: 50, stockAt: [jingan, lujiazui], age: 10)
        try await product("牛奶饼干", category: snacks, price: 1_290, sales: 500, tags: ["早餐"], age: 5)
        try await product("Organic MILK Powder", category: dairy, price: 9_900, sales: 1, age: 1)
        let offShelf = try await Fixtures.sku(app, code: "OFF", title: "下架牛奶")
        try await ProductModel.query(on: app.db).set(\.$onShelf, to: false).filter(\.$id == offShelf.productId).update()
        return World(dairy: dairy, milkCategory: milkCategory, snacks: snacks, jingan: jingan, lujiazui: lujiazui)
    }

    func titles(_ app: Application, _ query: String) async throws -> [String] {
        let response = try await app.send(.GET, "/api/v1/products?" + query)
        #expect(response.status == .ok, "\(query): \(response.text)")
        return try response.decode(ListPage<ProductSummary>.self).items.map(\.title)
    }

    @Test("a search for 牛奶 finds 纯牛奶 250ml, title hits first; off-shelf products never show")
    func keyword() async throws {
        try await withTestApp { app in
            _ = try await Self.world(app)
            let q = "q=" + "牛奶".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
            let hits = try await titles(app, q)
            #expect(hits == ["牛奶饼干", "纯牛奶 250ml", "鲜牛奶 950ml", "酸奶 原味"])
            #expect(try await titles(app, "q=milk") == ["Organic MILK Powder"], "case-insensitive for Latin letters")
            #expect(try await titles(app, "q=" + "光明".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!).count == 2, "brand names are searched")
            #expect(try await titles(app, "q=" + "早餐".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!).count == 2, "tags are searched")
            #expect(try await titles(app, "q=%25").isEmpty, "a % in the query is a literal, not a wildcard")
        }
    }

    @Test("two-character keywords come from the bigram index and find exactly what a text scan finds, also after an edit")
    func bigramKeywords() async throws {
        try await withTestApp { app in
            _ = try await Self.world(app)
            let onShelf = try await ProductModel.query(on: app.db).filter(\.$onShelf == true).all()
            func found(_ keyword: String) async throws -> Set<String> {
                Set(try await titles(app, "per=100&q=" + keyword.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!))
            }
            var keywords = Set(onShelf.flatMap { SearchGrams.bigrams(of: $0.searchText) })
            keywords.formUnion(["牛排", "zz", "奶粉"])
            #expect(keywords.count > 30)
            for keyword in keywords.sorted() {
                let scanned = Set(onShelf.filter { $0.searchText.contains(keyword) }.map(\.title))
                #expect(try await found(keyword) == scanned, "\(keyword)")
            }

            let yogurt = try #require(onShelf.first { $0.title == "酸奶 原味" })
            yogurt.title = "酸乳 原味"
            yogurt.searchText = ProductService.searchText(title: yogurt.title, subtitle: yogurt.subtitle, brand: nil, tags: [])
            try await yogurt.update(on: app.db)
            #expect(try await found("酸乳") == ["酸乳 原味"])
            #expect(try await found("酸奶").isEmpty, "the old words leave the index with the edit")
            yogurt.salesCount += 1
            try await yogurt.update(on: app.db)
            #expect(try await found("酸乳") == ["酸乳 原味"], "an edit that leaves the text alone keeps its words")
        }
    }

    @Test("filters: category with descendants, brand, tag, price range, stock at a store or near a point")
    func filters() async throws {
        try await withTestApp { app in
            let world = try await Self.world(app)
            #expect(Set(try await titles(app, "categoryId=\(world.dairy.id!)")) == ["纯牛奶 250ml", "鲜牛奶 950ml", "酸奶 原味", "Organic MILK Powder"])
            #expect(Set(try await titles(app, "categoryId=\(world.milkCategory.id!)")) == ["纯牛奶 250ml", "鲜牛奶 950ml"])
            #expect(try await titles(app, "tag=" + "早餐".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)! + "&sort=price_asc") == ["纯牛奶 250ml", "牛奶饼干"])
            #expect(try await titles(app, "minPrice=600&maxPrice=1300&sort=price_asc") == ["酸奶 原味", "牛奶饼干"])
            #expect(Set(try await titles(app, "storeId=\(world.jingan.id!)")) == ["纯牛奶 250ml", "酸奶 原味"])
            // Near Lujiazui within 2 km: only the Lujiazui store's stock counts.
            #expect(Set(try await titles(app, "lat=31.2368&lng=121.5012&radiusKm=2")) == ["鲜牛奶 950ml", "酸奶 原味"])
            let bad = try await app.send(.GET, "/api/v1/products?sort=cheapest&minPrice=abc&lat=31")
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["sort", "minPrice", "lng"])
        }
    }

    @Test("sorts and pages are stable")
    func sortsAndPages() async throws {
        try await withTestApp { app in
            _ = try await Self.world(app)
            #expect(try await titles(app, "sort=sales").prefix(2) == ["纯牛奶 250ml", "牛奶饼干"])
            #expect(try await titles(app, "sort=newest").first == "Organic MILK Powder")
            #expect(try await titles(app, "sort=price_desc").first == "Organic MILK Powder")
            let page1 = try await app.send(.GET, "/api/v1/products?sort=price_asc&per=2&page=1").decode(ListPage<ProductSummary>.self)
            let page2 = try await app.send(.GET, "/api/v1/products?sort=price_asc&per=2&page=2").decode(ListPage<ProductSummary>.self)
            #expect(page1.total == 5)
            #expect(page1.items.map(\.minPriceFen) + page2.items.map(\.minPriceFen) == [350, 690, 1_290, 1_590])
        }
    }

    @Test("product detail shows each SKU's price and stock at the nearest store; barcode lookup lists nearby stock")
    func detailAndBarcode() async throws {
        try await withTestApp { app in
            let world = try await Self.world(app)
            let milk = try #require(try await SKUModel.query(on: app.db).filter(\.$barcode == "6901234567892").first())
            let detail = try await app.send(.GET, "/api/v1/products/\(milk.productId)?lat=31.2240&lng=121.4460").decode(ProductDetail.self)
            #expect(detail.store?.code == "JINGAN")
            #expect(detail.skus.first?.available == 20)
            #expect(detail.skus.first?.priceFen == 350)
            #expect(detail.categoryPath == ["乳品", "鲜奶"])
            #expect(detail.brand == "光明")

            let lookup = try await app.send(.GET, "/api/v1/barcodes/6901234567892?lat=31.2368&lng=121.5012&radiusKm=10").decode(BarcodeLookup.self)
            #expect(lookup.product.title == "纯牛奶 250ml")
            #expect(lookup.stores.map(\.store.code) == ["LUJIAZUI", "JINGAN"])
            #expect(lookup.stores.map(\.available) == [0, 20])
            #expect(try await app.send(.GET, "/api/v1/barcodes/6901234567890").problem?.errors?.first?.field == "code")
            #expect(try await app.send(.GET, "/api/v1/barcodes/96385074").status == .notFound)
            _ = world
        }
    }
}
