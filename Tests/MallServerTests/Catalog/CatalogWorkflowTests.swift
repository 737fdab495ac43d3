import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Catalog: structure, products, review and shelf")
struct CatalogWorkflowTests {
    @Test("the shopper's product page lists SKUs in the order the merchant gave the spec values")
    func skuOrder() async throws {
        try await withTestApp { app in
            let first = try await Fixtures.sku(app, code: "BOX-6")
            let product = try #require(try await ProductModel.find(first.productId, on: app.db))
            product.specsJSON = #"[{"name":"规格","values":["6盒装","12盒装","24盒装"]}]"#
            try await product.update(on: app.db)
            first.specKey = "规格=6盒装"
            first.specTitle = "6盒装"
            try await first.update(on: app.db)
            for value in ["24盒装", "12盒装"] {
                let sku = SKUModel()
                sku.productId = product.id!
                sku.merchantId = product.merchantId
                sku.specKey = "规格=\(value)"
                sku.specTitle = value
                sku.code = "BOX-\(value)"
                sku.priceFen = 1_000
                sku.enabled = true
                sku.salesCount = 0
                try await sku.create(on: app.db)
            }
            let detail = try await app.send(.GET, "/api/v1/products/\(product.id!)").decode(ProductDetail.self)
            #expect(detail.skus.map(\.specTitle) == ["6盒装", "12盒装", "24盒装"], "text order would put 12 and 24 before 6")
        }
    }

    @Test("store staff open their merchant's products as they list them; another merchant's stay closed")
    func storeStaffOpenProducts() async throws {
        try await withTestApp { app in
            let own = try await Fixtures.sku(app, code: "S1")
            let fruit = try await Fixtures.merchant(app, code: "FRUIT")
            let foreign = try await Fixtures.sku(app, code: "F1", merchant: fruit.id!)
            let store = try await Fixtures.store(app, code: "SH-01")
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            let opened = try await app.send(.GET, "/api/v1/admin/products/\(own.productId)", token: clerk)
            #expect(try opened.decode(Product.self).id == own.productId)
            #expect(try await app.send(.GET, "/api/v1/admin/products/\(foreign.productId)", token: clerk).status == .forbidden)
        }
    }

    @Test("staff filter the product list by category, including the categories below it")
    func productListByCategory() async throws {
        try await withTestApp { app in
            let milk = try await Fixtures.sku(app, code: "D1", title: "纯牛奶")
            let drinks = try await Fixtures.category(app, name: "饮料")
            let tea = CategoryModel()
            tea.id = UUID()
            tea.name = "茶饮"
            tea.parentId = drinks.id
            tea.sortOrder = 0
            tea.path = drinks.path + "\(tea.id!.uuidString)/"
            tea.depth = 1
            try await tea.create(on: app.db)
            let teaSKU = try await Fixtures.sku(app, code: "T1", title: "乌龙茶")
            let teaProduct = try #require(try await ProductModel.find(teaSKU.productId, on: app.db))
            teaProduct.categoryId = tea.id!
            try await teaProduct.update(on: app.db)
            let (_, admin) = try await Fixtures.staff(app, "admin2", role: .platformAdmin, scope: .platform)

            let underDrinks = try await app.send(.GET, "/api/v1/admin/products?categoryId=\(drinks.id!)", token: admin).decode(ListPage<Product>.self)
            #expect(underDrinks.items.map(\.id) == [teaSKU.productId], "the tea sits in a child of 饮料")
            let all = try await app.send(.GET, "/api/v1/admin/products", token: admin).decode(ListPage<Product>.self)
            #expect(Set(all.items.map(\.id)) == [milk.productId, teaSKU.productId])
            let bad = try await app.send(.GET, "/api/v1/admin/products?categoryId=nope", token: admin)
            #expect(bad.problem?.errors?.first?.field == "categoryId")
        }
    }

    static func tshirt(_ categoryId: UUID, merchant: UUID = SelfOperatedMerchant.id.rawValue, sizes: [String] = ["S", "M"]) -> ProductInput {
        let specs = [SpecDefinition(name: "颜色", values: ["红", "蓝"]), SpecDefinition(name: "尺码", values: sizes)]
        var skus: [SKUInput] = []
        for color in ["红", "蓝"] {
            for size in sizes {
                skus.append(SKUInput(specs: ["颜色": color, "尺码": size], code: "TEE-\(color == "红" ? "R" : "B")-\(size)", priceFen: size == "S" ? 5_900 : 6_900))
            }
        }
        return ProductInput(merchantId: merchant, title: "纯棉圆领T恤", subtitle: "夏季新款", descriptionHtml: "<p>舒适<script>alert(1)</script><img src=x onerror=alert(1)></p>",
                            categoryId: categoryId, tags: ["新品", "纯棉"], unit: "件", weightGrams: 200, specs: specs, skus: skus)
    }

    @Test("the category tree nests without limit, moves subtrees and refuses cycles")
    func categories() async throws {
        try await withTestApp { app in
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            func create(_ name: String, _ parent: UUID?) async throws -> CategoryNode {
                try await app.send(.POST, "/api/v1/admin/categories", token: admin, json: CategoryInput(name: name, parentId: parent)).decode(CategoryNode.self)
            }
            let food = try await create("食品", nil)
            let dairy = try await create("乳品", food.id)
            let milk = try await create("鲜奶", dairy.id)
            let drinks = try await create("饮料", nil)
            #expect(milk.depth == 2)
            let cycle = try await app.send(.PATCH, "/api/v1/admin/categories/\(food.id)", token: admin, json: CategoryUpdate(parentId: milk.id))
            #expect(cycle.problem?.errors?.first?.field == "parentId")
            let moved = try await app.send(.PATCH, "/api/v1/admin/categories/\(dairy.id)", token: admin, json: CategoryUpdate(parentId: drinks.id))
                .decode([CategoryNode].self)
            let drinksNode = try #require(moved.first { $0.id == drinks.id })
            #expect(drinksNode.children.map(\.name) == ["乳品"])
            #expect(drinksNode.children.first?.children.first?.depth == 2)
            #expect(try await app.send(.DELETE, "/api/v1/admin/categories/\(drinks.id)", token: admin).status == .conflict)
            let publicTree = try await app.send(.GET, "/api/v1/categories").decode([CategoryNode].self)
            #expect(Set(publicTree.map(\.name)) == ["食品", "饮料"])
        }
    }

    @Test("a merchant drafts a multi-spec product; the platform reviews; only approved products go on shelf")
    func workflow() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let category = try await Fixtures.category(app, name: "服装")
            let (_, merchant) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let (_, reviewer) = try await Fixtures.staff(app, "reviewer", role: .platformOperator, scope: .platform)

            var incomplete = Self.tshirt(category.id!)
            incomplete.skus.removeLast()
            incomplete.skus[0].barcode = "6901234567890"
            let rejected = try await app.send(.POST, "/api/v1/admin/products", token: merchant, json: incomplete)
            #expect(rejected.status == .unprocessableEntity)
            #expect(rejected.problem?.errors?.first?.field == "skus[0].barcode")

            let created = try await app.send(.POST, "/api/v1/admin/products", token: merchant, json: Self.tshirt(category.id!))
            #expect(created.status == .created, "\(created.text)")
            let product = try created.decode(Product.self)
            #expect(product.status == .draft)
            #expect(product.skus.count == 4)
            #expect(Set(product.skus.map(\.specTitle)) == ["红 / S", "红 / M", "蓝 / S", "蓝 / M"])
            #expect(!product.descriptionHtml.contains("script") && !product.descriptionHtml.contains("onerror"))
            #expect(product.descriptionHtml.contains("舒适"))
            #expect(product.tags == ["新品", "纯棉"].sorted())

            let early = try await app.send(.POST, "/api/v1/admin/products/\(product.id)/shelf", token: merchant, json: ShelfChange(onShelf: true))
            #expect(early.status == .conflict)
            #expect(try await app.send(.POST, "/api/v1/admin/products/\(product.id)/submit", token: merchant).decode(Product.self).status == .pendingReview)
            #expect(try await app.send(.POST, "/api/v1/admin/products/\(product.id)/approve", token: merchant).status == .forbidden,
                    "merchants do not approve their own products")
            let noReason = try await app.send(.POST, "/api/v1/admin/products/\(product.id)/reject", token: reviewer, json: ReviewRejection(reason: ""))
            #expect(noReason.problem?.errors?.first?.field == "reason")
            let back = try await app.send(.POST, "/api/v1/admin/products/\(product.id)/reject", token: reviewer, json: ReviewRejection(reason: "主图不清晰"))
                .decode(Product.self)
            #expect(back.status == .rejected)
            #expect(back.rejectionReason == "主图不清晰")
            _ = try await app.send(.POST, "/api/v1/admin/products/\(product.id)/submit", token: merchant)
            let approved = try await app.send(.POST, "/api/v1/admin/products/\(product.id)/approve", token: reviewer).decode(Product.self)
            #expect(approved.status == .approved)
            let shelved = try await app.send(.POST, "/api/v1/admin/products/\(product.id)/shelf", token: merchant, json: ShelfChange(onShelf: true))
            #expect(try shelved.decode(Product.self).onShelf)

            // Editing an approved product takes it off shelf until it is reviewed again.
            var edit = Self.tshirt(category.id!)
            edit.title = "纯棉圆领T恤 升级款"
            let edited = try await app.send(.PUT, "/api/v1/admin/products/\(product.id)", token: merchant, json: edit).decode(Product.self)
            #expect(edited.status == .draft)
            #expect(!edited.onShelf)
            #expect(Set(edited.skus.map(\.id)) == Set(product.skus.map(\.id)), "unchanged combinations keep their SKUs")

            clock.advance(seconds: 1)
            let audit = try await app.send(.GET, "/api/v1/admin/audit-logs?targetType=product&targetId=\(product.id)", token: reviewer)
                .decode(ListPage<AuditEntry>.self)
            #expect(audit.items.map(\.action).sorted() == ["product.approve", "product.create", "product.reject", "product.shelve",
                                                            "product.submit", "product.submit", "product.update"])

            let otherMerchant = try await Fixtures.merchant(app, code: "OTHER")
            let (_, otherAdmin) = try await Fixtures.staff(app, "other.admin", role: .merchantAdmin, scope: .merchant(MerchantID(otherMerchant.id!)))
            #expect(try await app.send(.PUT, "/api/v1/admin/products/\(product.id)", token: otherAdmin, json: edit).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/admin/products", token: otherAdmin, json: Self.tshirt(category.id!)).status == .forbidden)
        }
    }

    @Test("changing specs keeps sold SKUs (disabled), deletes unsold ones, adds new ones")
    func specChanges() async throws {
        try await withTestApp { app in
            let category = try await Fixtures.category(app, name: "服装")
            let (_, merchant) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let product = try await app.send(.POST, "/api/v1/admin/products", token: merchant, json: Self.tshirt(category.id!)).decode(Product.self)
            let soldSmall = try #require(product.skus.first { $0.code == "TEE-R-S" })
            let sold = try #require(try await SKUModel.find(soldSmall.id, on: app.db))
            sold.salesCount = 3
            try await sold.update(on: app.db)

            let resized = try await app.send(.PUT, "/api/v1/admin/products/\(product.id)", token: merchant,
                                             json: Self.tshirt(category.id!, sizes: ["M", "L"])).decode(Product.self)
            let enabled = resized.skus.filter(\.enabled)
            #expect(Set(enabled.map(\.specTitle)) == ["红 / M", "红 / L", "蓝 / M", "蓝 / L"])
            let retired = try #require(resized.skus.first { $0.id == soldSmall.id })
            #expect(!retired.enabled)
            #expect(retired.code.hasPrefix("RETIRED-"))
            #expect(try await SKUModel.query(on: app.db).filter(\.$code == "TEE-B-S").count() == 0, "the unsold small blue SKU is gone")
            #expect(try await SKUModel.find(soldSmall.id, on: app.db) != nil, "the sold one is never deleted")

            var swapped = Self.tshirt(category.id!, sizes: ["M", "L"])
            (swapped.skus[0].code, swapped.skus[1].code) = (swapped.skus[1].code, swapped.skus[0].code)
            let afterSwap = try await app.send(.PUT, "/api/v1/admin/products/\(product.id)", token: merchant, json: swapped)
            #expect(afterSwap.status == .ok, "two SKUs may trade codes: \(afterSwap.text)")
            #expect(try afterSwap.decode(Product.self).skus.first { $0.specTitle == "红 / M" }?.code == "TEE-R-L")

            let clash = try await app.send(.POST, "/api/v1/admin/products", token: merchant, json: Self.tshirt(category.id!, sizes: ["M"]))
            #expect(clash.problem?.errors?.first?.message.contains("already used") == true)
        }
    }

    @Test("a store delists a product locally; the platform-wide shelf state is unchanged")
    func storeDelisting() async throws {
        try await withTestApp { app in
            let storeA = try await Fixtures.store(app, code: "SA")
            let storeB = try await Fixtures.store(app, code: "SB")
            let milk = try await Fixtures.sku(app, code: "MILK")
            let (_, manager) = try await Fixtures.staff(app, "manager", role: .storeManager, scope: .store(storeA.storeID))
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(storeA.storeID))
            #expect(try await app.send(.PUT, "/api/v1/admin/products/\(milk.productId)/stores/\(storeA.id!)/listing", token: clerk,
                                       json: StoreListingChange(listed: false)).status == .forbidden)
            #expect(try await app.send(.PUT, "/api/v1/admin/products/\(milk.productId)/stores/\(storeB.id!)/listing", token: manager,
                                       json: StoreListingChange(listed: false)).status == .forbidden)
            let delisted = try await app.send(.PUT, "/api/v1/admin/products/\(milk.productId)/stores/\(storeA.id!)/listing", token: manager,
                                              json: StoreListingChange(listed: false)).decode(Product.self)
            #expect(delisted.delistedStoreIds == [storeA.id!])
            #expect(delisted.onShelf)
            for store in [storeA, storeB] {
                try await app.db.writeTransaction { db in
                    try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: milk.id!, storeId: store.id!, quantity: 5)],
                                                                      context: MovementContext(now: testEpoch))
                }
            }
            let atA = try await app.send(.GET, "/api/v1/products/\(milk.productId)?storeId=\(storeA.id!)").decode(ProductDetail.self)
            #expect(atA.skus.first?.available == 0)
            let atB = try await app.send(.GET, "/api/v1/products/\(milk.productId)?storeId=\(storeB.id!)").decode(ProductDetail.self)
            #expect(atB.skus.first?.available == 5)
            let searchA = try await app.send(.GET, "/api/v1/products?storeId=\(storeA.id!)").decode(ListPage<ProductSummary>.self)
            #expect(searchA.total == 0)
        }
    }

    @Test("prices: store price, member level and scheduled change resolve with an explanation")
    func prices() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK", priceFen: 1_000)
            let (_, merchant) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let storePrice = try await app.send(.PUT, "/api/v1/admin/skus/\(milk.id!)/store-prices/\(store.id!)", token: merchant,
                                                json: StorePriceInput(priceFen: 900)).decode(PriceQuote.self)
            #expect(storePrice.price.minorUnits == 900)
            #expect(storePrice.steps.map(\.rule) == ["base", "store"])
            _ = try await app.send(.PUT, "/api/v1/admin/skus/\(milk.id!)/level-prices/gold", token: merchant, json: LevelPriceInput(discountBasisPoints: 9_500))
            let gold = try await app.send(.GET, "/api/v1/admin/skus/\(milk.id!)/price?storeId=\(store.id!)&level=gold", token: merchant).decode(PriceQuote.self)
            #expect(gold.price.minorUnits == 855)
            #expect(gold.steps.last?.rule == "member")
            let scheduled = try await app.send(.POST, "/api/v1/admin/skus/\(milk.id!)/scheduled-prices", token: merchant,
                                               json: ScheduledPriceInput(priceFen: 800, effectiveFrom: testEpoch.addingTimeInterval(600)))
            #expect(scheduled.status == .created)
            let before = try await app.send(.GET, "/api/v1/products/\(milk.productId)").decode(ProductDetail.self)
            #expect(before.skus.first?.priceFen == 1_000)
            clock.advance(seconds: 600)
            let after = try await app.send(.GET, "/api/v1/products/\(milk.productId)").decode(ProductDetail.self)
            #expect(after.skus.first?.priceFen == 800)
            #expect(after.skus.first?.priceExplanation.map(\.rule) == ["base", "scheduled"])
            let past = try await app.send(.POST, "/api/v1/admin/skus/\(milk.id!)/scheduled-prices", token: merchant,
                                          json: ScheduledPriceInput(priceFen: 700, effectiveFrom: testEpoch))
            #expect(past.problem?.errors?.first?.field == "effectiveFrom")
        }
    }
}
