import Fluent
import Foundation
import JWT
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The benchmark data set (`chainmall bench-seed`): the demo data, then many more stores,
/// products, members and historical orders, written through the same services as real data
/// where their rules matter (products, stock) and in bulk where only volume does (members,
/// historical orders). Every store is open around the clock so results do not depend on the
/// hour the benchmark runs.
struct BenchSeeder {
    let app: Application

    struct Options: Sendable {
        var products = 10_000
        var stores = 50
        var members = 100_000
        var orders = 200_000
        /// Members that get an address and an access token for the load scripts.
        var shoppers = 5_000
        var stampedeUnits = 1_000
        var flashUnits = 1_000
        var flashLimit = 2
    }

    struct Fixtures: Codable {
        struct Point: Codable {
            var lat: Double
            var lng: Double
        }

        struct Stampede: Codable {
            var skuId: UUID
            var units: Int
        }

        /// A session that opens a day after seeding; bench/run moves its start to the moment the
        /// flash_sale scenario begins, through the staff API.
        struct FlashSale: Codable {
            var sessionId: UUID
            var skuId: UUID
            var units: Int
            var perMemberLimit: Int
        }

        var categoryIds: [UUID]
        var productIds: [UUID]
        var skuIds: [UUID]
        var keywords: [String]
        var center: Point
        var stampede: Stampede
        var flashSale: FlashSale
        var memberTokensFile: String
        var staffToken: String
        var deskStoreId: UUID
        /// Where the seeding time went, by phase.
        var seedSeconds: [String: Double]
    }

    /// Adds up wall time per phase; a phase recorded again (once per batch) accumulates.
    struct PhaseTimer {
        private var last = Date()
        private(set) var seconds: [String: Double] = [:]

        mutating func record(_ phase: String) {
            let now = Date()
            seconds[phase, default: 0] += now.timeIntervalSince(last)
            last = now
        }
    }

    static let center = GeoPoint(latitude: 31.2304, longitude: 121.4737)
    static let nouns = ["牛奶", "酸奶", "苹果", "香蕉", "大米", "面条", "饼干", "果汁", "咖啡", "茶叶", "鸡蛋", "牛排", "面包", "巧克力", "矿泉水",
                        "洗发水", "牙膏", "纸巾", "洗衣液", "坚果", "橙子", "葡萄", "蜂蜜", "酱油", "食用油", "薯片", "啤酒", "红酒", "奶粉", "毛巾"]
    static let adjectives = ["有机", "精选", "进口", "家庭装", "低脂", "原味", "经典", "鲜榨", "特级", "轻享"]
    static let brands = ["光明", "伊利", "蒙牛", "农夫山泉", "良品铺子", "三只松鼠", "金龙鱼", "海天", "维达", "蓝月亮"]

    func run(_ options: Options, out folder: String) async throws -> Fixtures {
        let db = app.db
        var phases = PhaseTimer()
        _ = try await DemoSeeder(app: app).run()
        phases.record("demo data")
        var random = SeededRandom(seed: 20_261_127)
        let clock = app.clock
        let now = clock.now()

        // Stores: open all day, roomy capacity, spread over central Shanghai.
        let allDay = try WeeklyHours(parsing: DemoSeeder.hours("00:00-24:00"))
        let existing = try await StoreModel.query(on: db).count()
        for index in 0..<max(0, options.stores - existing) {
            let store = StoreModel()
            store.merchantId = SelfOperatedMerchant.id.rawValue
            store.code = String(format: "BN-%03d", index + 1)
            store.name = "链城超市 压测\(index + 1)号店"
            store.kind = .store
            store.status = .open
            store.province = "上海市"
            store.city = "上海市"
            store.district = "黄浦区"
            store.address = "压测路\(index + 1)号"
            store.latitude = Self.center.latitude + Double(random.next(in: -1_200...1_200)) / 10_000
            store.longitude = Self.center.longitude + Double(random.next(in: -1_500...1_500)) / 10_000
            store.phone = "021-6000\(String(format: "%04d", index))"
            store.setOpeningHours(allDay)
            store.deliveryRadiusKm = 8
            store.pickupEnabled = true
            store.dailyOrderCapacity = 10_000_000
            try await store.create(on: db)
        }
        for store in try await StoreModel.query(on: db).all() {
            store.setOpeningHours(allDay)
            store.dailyOrderCapacity = 10_000_000
            try await store.update(on: db)
        }
        phases.record("stores")
        let selfStores = try await StoreModel.query(on: db).filter(\.$merchantId == SelfOperatedMerchant.id.rawValue).all()
        let shops = selfStores.filter { $0.kind == .store && $0.city == "上海市" }
        guard let warehouse = selfStores.first(where: { $0.kind == .warehouse }) else { throw Abort(.internalServerError, reason: "no warehouse") }

        // Products: four SKUs each, in the demo's leaf categories, through ProductService.
        let categories = try await CategoryModel.query(on: db).all()
        let leaves = categories.filter { category in !categories.contains { $0.parentId == category.id } }
        let brandRows = try await BrandModel.query(on: db).all()
        let sizes = SpecDefinition(name: "规格", values: ["小份", "标准", "大份", "家庭装"])
        var productIds: [UUID] = []
        var skuIds: [UUID] = []
        var created = try await ProductModel.query(on: db).count()
        var batch = 0
        while created < options.products {
            let count = min(50, options.products - created)
            let offset = created
            let made = try await db.writeTransaction { tx -> [(UUID, [UUID])] in
                var out: [(UUID, [UUID])] = []
                var local = SeededRandom(seed: UInt64(20_000 + offset))
                for index in 0..<count {
                    let n = offset + index
                    let noun = Self.nouns[n % Self.nouns.count]
                    let title = "\(Self.brands[n % Self.brands.count]) \(Self.adjectives[(n / Self.nouns.count) % Self.adjectives.count])\(noun) \(n)号"
                    let base = Int64(local.next(in: 3...200)) * 100
                    let skus = sizes.values.enumerated().map { offset, size in
                        SKUInput(specs: ["规格": size], code: String(format: "BN%06d-%d", n, offset + 1), priceFen: base + Int64(offset) * base / 2,
                                 marketPriceFen: base * 3, costFen: base / 2, weightGrams: 500)
                    }
                    let input = ProductInput(merchantId: SelfOperatedMerchant.id.rawValue, title: title, subtitle: "\(noun) 压测商品",
                                             descriptionHtml: "<p>\(title)</p>", categoryId: leaves[n % leaves.count].id!,
                                             brandId: brandRows.isEmpty ? nil : brandRows[n % brandRows.count].id, tags: [noun], unit: "件",
                                             weightGrams: 500, images: [], specs: [sizes], skus: skus)
                    let product = ProductModel()
                    product.merchantId = SelfOperatedMerchant.id.rawValue
                    product.categoryId = input.categoryId
                    product.brandId = input.brandId
                    product.lifecycle = ProductLifecycle(status: .approved, onShelf: true)
                    product.salesCount = local.next(in: 0...10_000)
                    let service = ProductService(db: tx)
                    let checked = try await service.check(input, merchantId: SelfOperatedMerchant.id.rawValue, productId: nil)
                    try await service.write(checked, into: product, brandName: nil)
                    out.append((product.id!, try await SKUModel.query(on: tx).filter(\.$productId == product.id!).all(\.$id)))
                }
                return out
            }
            phases.record("products")
            // Stock at the warehouse and a handful of stores, received through the ledger.
            var receipts: [StockRequest] = []
            for (productId, skus) in made {
                if productIds.count < 2_000 { productIds.append(productId) }
                for sku in skus {
                    if skuIds.count < 2_000 { skuIds.append(sku) }
                    receipts.append(StockRequest(skuId: sku, storeId: warehouse.id!, quantity: 100_000))
                    var stores: [UUID] = []
                    for _ in 0..<5 {
                        let store = shops[random.next(in: 0...(shops.count - 1))].id!
                        if !stores.contains(store) { stores.append(store) }
                    }
                    for store in stores {
                        receipts.append(StockRequest(skuId: sku, storeId: store, quantity: random.next(in: 500...5_000)))
                    }
                }
            }
            let lines = receipts
            try await db.writeTransaction { tx in
                _ = try await InventoryService.make(app, on: tx).move(.receipt, lines, context: MovementContext(
                    reason: "bench stock", referenceType: "receipt", referenceId: "BENCH", now: now))
            }
            phases.record("stock receipts")
            created += count
            batch += 1
            if batch % 20 == 0 { app.logger.notice("bench-seed: \(created) products") }
        }

        // The stampede's SKU: exactly `stampedeUnits` units, all at the warehouse. The flash sale's
        // own SKU: exactly its quota at a shop (its orders are picked up there).
        let stampede = try await limitedSKU(title: "秒杀 压测爆款牛奶", code: "BN-STAMPEDE", units: options.stampedeUnits, at: warehouse,
                                            category: leaves[0].id!, now: now)
        guard let pickupShop = shops.first(where: \.pickupEnabled) else { throw Abort(.internalServerError, reason: "no pickup store") }
        let flashSKU = try await limitedSKU(title: "秒杀 压测限时抢购", code: "BN-FLASH", units: options.flashUnits, at: pickupShop,
                                            category: leaves[0].id!, now: now)
        let flashStart = now.addingTimeInterval(2 * 86_400)
        let flashSession = try await FlashSaleService(app: app, db: db).create(FlashSessionInput(
            title: "压测秒杀场", startsAt: flashStart, endsAt: flashStart.addingTimeInterval(3_600), perMemberLimit: options.flashLimit,
            items: [FlashItemInput(skuId: flashSKU, storeId: pickupShop.id!, flashPriceFen: Self.limitedPriceFen / 2, quota: options.flashUnits)]),
            reach: .everything, audit: AuditRecorder(actorStaffId: nil, actorName: "bench", requestId: "bench-seed", now: now))
        phases.record("flash-sale SKU")
        // Members in bulk: one password hash for all, addresses and tokens for the shoppers.
        let hash = try await app.password.async.hash(DemoSeeder.memberPassword)
        let existingMembers = try await MemberModel.query(on: db).count()
        var memberIds: [UUID] = []
        var shoppers: [UUID] = []
        let toMake = max(0, options.members - existingMembers)
        var made = 0
        while made < toMake {
            let count = min(500, toMake - made)
            let start = made
            let ids = (0..<count).map { _ in UUID() }
            try await db.writeTransaction { tx in
                var insert = tx.sql.insert(into: "members")
                    .columns("id", "mobile", "password_hash", "nickname", "gender", "status", "created_at", "updated_at")
                for (offset, id) in ids.enumerated() {
                    insert = insert.values(SQLBind(id), SQLBind(String(format: "166%08d", start + offset)), SQLBind(hash),
                                           SQLBind("压测会员\(start + offset)"), SQLBind(Gender.unspecified.rawValue), SQLBind("active"), SQLBind(now), SQLBind(now))
                }
                try await insert.run()
            }
            memberIds += ids
            made += count
        }
        shoppers = Array(memberIds.prefix(options.shoppers))
        for chunk in stride(from: 0, to: shoppers.count, by: 500) {
            let slice = Array(shoppers[chunk..<min(chunk + 500, shoppers.count)])
            var local = SeededRandom(seed: UInt64(90_000 + chunk))
            let offsets = slice.map { _ in (Double(local.next(in: -200...200)) / 10_000, Double(local.next(in: -200...200)) / 10_000) }
            try await db.writeTransaction { tx in
                var insert = tx.sql.insert(into: "member_addresses")
                    .columns("id", "member_id", "contact_name", "phone", "province", "city", "district", "detail", "latitude", "longitude",
                             "is_default", "created_at", "updated_at")
                for (member, offset) in zip(slice, offsets) {
                    insert = insert.values(SQLBind(UUID()), SQLBind(member), SQLBind("压测"), SQLBind("13700001111"), SQLBind("上海市"), SQLBind("上海市"),
                                           SQLBind("黄浦区"), SQLBind("压测路1号"),
                                           SQLBind(Self.center.latitude + offset.0), SQLBind(Self.center.longitude + offset.1),
                                           SQLBind(true), SQLBind(now), SQLBind(now))
                }
                try await insert.run()
            }
        }
        phases.record("members")
        let tokens = try await accessTokens(for: shoppers, kind: .member, now: now)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tokensFile = (folder as NSString).appendingPathComponent("member_tokens.txt")
        try tokens.joined(separator: "\n").appending("\n").write(toFile: tokensFile, atomically: true, encoding: .utf8)

        phases.record("member tokens")
        // Historical orders, completed, spread over the past half year.
        try await historicalOrders(count: options.orders, members: memberIds.isEmpty ? shoppers : memberIds, stores: shops + [warehouse],
                                   now: now, random: &random)

        phases.record("historical orders")
        guard let staff = try await StaffModel.find(username: "self.admin", on: db) else { throw Abort(.internalServerError, reason: "no self.admin") }
        let staffToken = try await accessTokens(for: [staff.id!], kind: .staff, now: now)[0]
        let fixtures = Fixtures(categoryIds: leaves.compactMap(\.id), productIds: productIds, skuIds: skuIds,
                                keywords: Self.nouns, center: .init(lat: Self.center.latitude, lng: Self.center.longitude),
                                stampede: .init(skuId: stampede, units: options.stampedeUnits),
                                flashSale: .init(sessionId: flashSession.id!, skuId: flashSKU, units: options.flashUnits, perMemberLimit: options.flashLimit),
                                memberTokensFile: tokensFile,
                                staffToken: staffToken, deskStoreId: warehouse.id!, seedSeconds: phases.seconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(fixtures).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("fixtures.json")))
        return fixtures
    }

    static let limitedPriceFen: Int64 = 990

    /// A product of one SKU with exactly `units` units at `store`, received through the ledger.
    private func limitedSKU(title: String, code: String, units: Int, at store: StoreModel, category: UUID, now: Date) async throws -> UUID {
        try await app.db.writeTransaction { tx -> UUID in
            let input = ProductInput(merchantId: SelfOperatedMerchant.id.rawValue, title: title, subtitle: "限量", descriptionHtml: "<p>限量</p>",
                                     categoryId: category, unit: "箱", weightGrams: 1000, images: [], specs: [],
                                     skus: [SKUInput(code: code, priceFen: Self.limitedPriceFen)])
            let product = ProductModel()
            product.merchantId = SelfOperatedMerchant.id.rawValue
            product.categoryId = input.categoryId
            product.lifecycle = ProductLifecycle(status: .approved, onShelf: true)
            product.salesCount = 0
            let service = ProductService(db: tx)
            try await service.write(try await service.check(input, merchantId: SelfOperatedMerchant.id.rawValue, productId: nil), into: product, brandName: nil)
            guard let sku = try await SKUModel.query(on: tx).filter(\.$productId == product.id!).first() else {
                throw Abort(.internalServerError, reason: "no SKU for \(code)")
            }
            _ = try await InventoryService.make(app, on: tx).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: units)],
                                                                 context: MovementContext(reason: "flash sale", referenceType: "receipt", referenceId: code, now: now))
            return sku.id!
        }
    }

    /// Sessions and access tokens signed exactly as sign-in issues them, without paying for a
    /// bcrypt check per account.
    private func accessTokens(for subjects: [UUID], kind: SubjectKind, now: Date) async throws -> [String] {
        let ttl = app.config.accessTokenTTL
        var tokens: [String] = []
        for chunk in stride(from: 0, to: subjects.count, by: 500) {
            let slice = Array(subjects[chunk..<min(chunk + 500, subjects.count)])
            let sessions = slice.map { _ in UUID() }
            try await app.db.writeTransaction { tx in
                var insert = tx.sql.insert(into: "auth_sessions").columns("id", "subject_kind", "subject_id", "created_at", "expires_at")
                for (session, subject) in zip(sessions, slice) {
                    insert = insert.values(SQLBind(session), SQLBind(kind.rawValue), SQLBind(subject), SQLBind(now), SQLBind(now.addingTimeInterval(30 * 86_400)))
                }
                try await insert.run()
            }
            for (session, subject) in zip(sessions, slice) {
                let claims = AccessClaims(sub: .init(value: subject.uuidString), kind: kind, sid: session.uuidString,
                                          iat: .init(value: now), exp: .init(value: now.addingTimeInterval(TimeInterval(ttl))))
                tokens.append(try await app.jwt.keys.sign(claims))
            }
        }
        return tokens
    }

    private func historicalOrders(count: Int, members: [UUID], stores: [StoreModel], now: Date, random: inout SeededRandom) async throws {
        guard count > 0, !members.isEmpty, !stores.isEmpty else { return }
        // The limited SKUs stay out of history, so the checks count only the run's own orders.
        let skus = try await SKUModel.query(on: app.db).filter(\.$merchantId == SelfOperatedMerchant.id.rawValue)
            .filter(\.$code !~ ["BN-STAMPEDE", "BN-FLASH"]).limit(2_000).all()
        let titles = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: app.db).filter(\.$id ~~ Set(skus.map(\.productId))).all().map { ($0.id!, $0.title) })
        var decisions: [UUID: String] = [:]
        for store in stores {
            let candidate = StoreCandidate(id: store.storeID, name: store.name, kind: store.kind, status: .open, location: store.location,
                                           deliveryRadiusKm: 1_000, hours: store.weeklyHours, pickupEnabled: true, ordersToday: 0,
                                           dailyCapacity: 1_000_000, available: [skus[0].id!: 1])
            let decision = AllocationPlanner.plan(request: AllocationRequest(
                lines: [AllocationLine(skuId: skus[0].id!, quantity: 1)], fulfilment: .pickup(at: store.storeID, shopperLocation: nil),
                candidates: [candidate], weekday: .monday, minute: try ClockTime(parsing: "12:00", field: "now"), openingWindowMinutes: 0, excluding: []))
            decisions[store.id!] = try JSONText.encode(decision)
        }
        var done = 0
        while done < count {
            let size = min(400, count - done)
            var checkouts: [[any SQLExpression]] = []
            var orders: [[any SQLExpression]] = []
            var lines: [[any SQLExpression]] = []
            var payments: [[any SQLExpression]] = []
            for index in 0..<size {
                let n = done + index
                let member = members[random.next(in: 0...(members.count - 1))]
                let store = stores[random.next(in: 0...(stores.count - 1))]
                let placed = now.addingTimeInterval(-Double(random.next(in: 3_600...(180 * 86_400))))
                let checkoutId = UUID()
                let orderId = UUID()
                var goods: Int64 = 0
                for _ in 0..<random.next(in: 1...3) {
                    let sku = skus[random.next(in: 0...(skus.count - 1))]
                    let quantity = random.next(in: 1...3)
                    let total = sku.priceFen * Int64(quantity)
                    goods += total
                    lines.append([SQLBind(UUID()), SQLBind(orderId), SQLBind(sku.id!), SQLBind(sku.productId), SQLBind(titles[sku.productId] ?? ""),
                                  SQLBind(sku.specTitle), SQLBind(quantity), SQLBind(sku.priceFen), SQLBind(Int64(0)), SQLBind(total)])
                }
                var lifecycle = OrderLifecycle(fulfilment: .pickup, storeId: store.storeID, placedBy: .shopper(member), at: placed,
                                               paymentDueAt: placed.addingTimeInterval(1_800))
                _ = lifecycle.pay(reference: "BENCH\(n)", at: placed.addingTimeInterval(60))
                _ = try lifecycle.accept(by: .storeStaff(member), at: placed.addingTimeInterval(300))
                _ = try lifecycle.startPicking(by: .storeStaff(member), at: placed.addingTimeInterval(600))
                _ = try lifecycle.markReadyForPickup(code: "123456", by: .storeStaff(member), at: placed.addingTimeInterval(900))
                _ = try lifecycle.pickUp(enteredCode: "123456", by: .storeStaff(member), at: placed.addingTimeInterval(3_600))
                _ = try lifecycle.confirmReceipt(by: .shopper(member), at: placed.addingTimeInterval(7_200))
                checkouts.append([SQLBind(checkoutId), SQLBind(member), SQLBind("bench-\(n)"), SQLBind("bench"), SQLBind(goods), SQLBind("{}"), SQLBind(placed)])
                orders.append([SQLBind(orderId), SQLBind("H" + String(format: "%011d", n)), SQLBind(checkoutId), SQLBind(member),
                               SQLBind(SelfOperatedMerchant.id.rawValue), SQLBind(store.id!), SQLBind("pickup"), SQLBind(lifecycle.status.rawValue),
                               SQLBind(try JSONText.encode(lifecycle)), SQLBind(decisions[store.id!]!), SQLBind(goods), SQLBind(Int64(0)), SQLBind(Int64(0)),
                               SQLBind(goods), SQLBind("{}"), SQLBind(placed.addingTimeInterval(1_800)), SQLBind(placed.addingTimeInterval(60)),
                               SQLBind(placed), SQLBind(placed.addingTimeInterval(7_200))])
                payments.append([SQLBind(UUID()), SQLBind(checkoutId), SQLBind(member), SQLBind(SandboxGateway.provider), SQLBind(goods), SQLBind(PaymentStatus.paid.rawValue),
                                 SQLBind("BENCH\(n)"), SQLBind(Int64(0)), SQLBind(placed), SQLBind(placed.addingTimeInterval(60))])
            }
            let batch = (checkouts, orders, lines, payments)
            try await app.db.writeTransaction { tx in
                try await Self.insert(tx, "checkouts", ["id", "member_id", "idempotency_key", "request_digest", "payable_fen", "result", "created_at"], batch.0)
                try await Self.insert(tx, "orders", ["id", "number", "checkout_id", "member_id", "merchant_id", "store_id", "fulfilment", "status",
                                                     "lifecycle", "allocation", "goods_fen", "discount_fen", "shipping_fen", "payable_fen", "pricing",
                                                     "payment_due_at", "paid_at", "created_at", "updated_at"], batch.1)
                try await Self.insert(tx, "order_lines", ["id", "order_id", "sku_id", "product_id", "title", "spec_title", "quantity", "unit_price_fen",
                                                          "discount_fen", "payable_fen"], batch.2)
                try await Self.insert(tx, "payments", ["id", "checkout_id", "member_id", "provider", "amount_fen", "status", "provider_transaction_id",
                                                       "refunded_fen", "created_at", "paid_at"], batch.3)
            }
            done += size
            if done % 20_000 == 0 { app.logger.notice("bench-seed: \(done) historical orders") }
        }
    }

    private static func insert(_ db: any Database, _ table: String, _ columns: [String], _ rows: [[any SQLExpression]]) async throws {
        guard !rows.isEmpty else { return }
        var insert = db.sql.insert(into: table).columns(columns)
        for row in rows { insert = insert.values(row) }
        try await insert.run()
    }
}
