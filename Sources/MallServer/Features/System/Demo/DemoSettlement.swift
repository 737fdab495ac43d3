import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// A second third-party merchant, the bakery 麦田烘焙, with a store in the same shopping centre as
/// 鲜丰果园's 人民广场店 (来福士广场B1), its products, stock and admin `bakery.admin`; fee rules for
/// both third-party merchants; a month of completed orders at both, settled day by day as the
/// hourly job would have, so there are settled and unsettled orders, one statement paid and one
/// awaiting the merchant's confirmation. Runs once: a bakery that has orders is left alone.
struct DemoSettlement {
    let app: Application

    static let bakeryCode = "XBAKERY"
    static let bakeryStoreCode = "MT-SH01"
    static let bakeryProducts: [(name: String, priceFen: Int64)] = [
        ("法式可颂", 1_200), ("全麦吐司", 1_800), ("芒果千层蛋糕", 3_800), ("海盐卷", 900), ("肉松小贝", 1_500), ("提拉米苏", 2_800),
    ]
    /// Days ago each demo order was placed, at both merchants.
    static let orderDays = [33, 30, 27, 24, 21, 18, 15, 12, 9, 6, 4, 2]

    func run() async throws -> [DemoSeeder.Account] {
        let db = app.db
        let account = DemoSeeder.Account(kind: "staff", login: "bakery.admin", password: DemoSeeder.staffPassword,
                                         can: "manage 麦田烘焙's store, products and orders; its settlement statements")
        guard let fruit = try await MerchantModel.find(code: "XFRUIT", on: db),
              let fruitStore = try await StoreModel.query(on: db).filter(\.$code == "XF-SH01").first() else { return [account] }
        let bakery = try await bakeryMerchant()
        let store = try await bakeryStore(bakery, besides: fruitStore)
        try await bakeryAdmin(bakery)
        try await bakeryCatalog(bakery, store: store)
        guard try await OrderModel.query(on: db).filter(\.$merchantId == bakery.id!).first() == nil else { return [account] }

        let now = app.clock.now()
        let start = now.addingTimeInterval(-40 * 86_400)
        try await feeRules(fruit: fruit, bakery: bakery, from: start)
        // The diamond member: the top level already, so these orders move nobody's level.
        guard let member = try await MemberModel.find(login: try MemberLogin(parsing: "13700137000"), on: db), let memberId = member.id else { return [account] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try await SettingsService.resolved(on: db).timeZone
        var fruitCursor = 3, bakeryCursor = 1
        for (index, days) in Self.orderDays.enumerated() {
            let at = calendar.startOfDay(for: now.addingTimeInterval(-Double(days) * 86_400)).addingTimeInterval(TimeInterval(14 + index % 5) * 3_600)
            try await DemoMembership(app: app).placeCompletedOrder(memberId: memberId, store: fruitStore, aboutFen: 8_000 + Int64(index % 4) * 3_000, points: 0,
                                                                   at: at, stockAt: now, skuCursor: &fruitCursor)
            try await DemoMembership(app: app).placeCompletedOrder(memberId: memberId, store: store, aboutFen: 4_000 + Int64(index % 3) * 2_000, points: 0,
                                                                   at: at.addingTimeInterval(600), stockAt: now, skuCursor: &bakeryCursor)
        }
        // The settlement job, as it would have run each day of the month.
        let settlement = SettlementService(app: app, db: db)
        var day = calendar.startOfDay(for: start).addingTimeInterval(3 * 3_600)
        while day <= now {
            _ = try await settlement.run(now: day)
            day = day.addingTimeInterval(86_400)
        }
        _ = try await settlement.run(now: now)
        // The oldest of 鲜丰果园's statements was paid; the newest of each waits for its merchant.
        if let oldest = try await SettlementStatementModel.query(on: db).filter(\.$merchantId == fruit.id!)
            .filter(\.$status == StatementStatus.confirmed.rawValue).sort(\.$periodStart).first() {
            let audit = AuditRecorder(actorStaffId: nil, actorName: "admin", requestId: "demo-payout", now: now)
            _ = try await settlement.recordPayout(PayoutInput(statementId: oldest.id!, amountFen: oldest.netFen, bankReference: "CMB2026DEMO0001",
                                                              paidOn: SettlementPeriod.day(oldest.periodEnd.addingTimeInterval(5 * 86_400), timeZone: calendar.timeZone)),
                                                  audit: audit)
        }
        return [account]
    }

    private func bakeryMerchant() async throws -> MerchantModel {
        if let existing = try await MerchantModel.find(code: Self.bakeryCode, on: app.db) { return existing }
        let bakery = MerchantModel(code: Self.bakeryCode, name: "麦田烘焙 Wheatfield Bakery", kind: .thirdParty, status: .active, contactName: "陈晓梅",
                                   contactPhone: "021-63408899", contactEmail: "partner@wheatfield.example", commissionRateBasisPoints: 800)
        try await bakery.create(on: app.db)
        return bakery
    }

    /// The shopping-centre case: the same address as 鲜丰果园's store, each with its own stock and orders.
    private func bakeryStore(_ bakery: MerchantModel, besides neighbour: StoreModel) async throws -> StoreModel {
        if let existing = try await StoreModel.query(on: app.db).filter(\.$code == Self.bakeryStoreCode).first() { return existing }
        let store = StoreModel()
        store.merchantId = bakery.id!
        store.code = Self.bakeryStoreCode
        store.name = "麦田烘焙 来福士店"
        store.kind = .store
        store.status = .open
        store.province = neighbour.province
        store.city = neighbour.city
        store.district = neighbour.district
        store.address = neighbour.address
        store.latitude = neighbour.latitude
        store.longitude = neighbour.longitude
        store.phone = "021-63408899"
        store.setOpeningHours(try WeeklyHours(parsing: DemoSeeder.hours("08:00-22:00")))
        store.deliveryRadiusKm = 3
        store.pickupEnabled = true
        store.dailyOrderCapacity = 200
        try await store.create(on: app.db)
        return store
    }

    private func bakeryAdmin(_ bakery: MerchantModel) async throws {
        guard try await StaffModel.find(username: "bakery.admin", on: app.db) == nil,
              let role = try await RoleModel.find(code: BuiltinRole.merchantAdmin.rawValue, on: app.db) else { return }
        let staff = StaffModel(username: "bakery.admin", passwordHash: try await app.password.async.hash(DemoSeeder.staffPassword),
                               displayName: "麦田烘焙管理员 陈晓梅", mobile: nil)
        try await staff.create(on: app.db)
        try await StaffRoleGrantModel(staffId: staff.id!, roleId: role.id!, scope: .merchant(bakery.merchantID), storeMerchant: nil).create(on: app.db)
    }

    private func bakeryCatalog(_ bakery: MerchantModel, store: StoreModel) async throws {
        guard try await ProductModel.query(on: app.db).filter(\.$merchantId == bakery.id!).first() == nil,
              let category = try await CategoryModel.query(on: app.db).filter(\.$name == "休闲零食").first() else { return }
        var stock: [StockRequest] = []
        for (index, item) in Self.bakeryProducts.enumerated() {
            let payload = "6903" + String(format: "%08d", index + 1)
            let barcode = payload + String(Barcode.checkDigit(for: payload) ?? 0)
            let title = "麦田烘焙 \(item.name)"
            let image = try await DemoCatalog(app: app).illustration(
                of: ProductIllustration.Subject(category: "休闲零食", name: item.name, brand: "麦田烘焙", spec: nil, seed: "麦田烘焙"), merchantId: bakery.id!)
            let input = ProductInput(merchantId: bakery.id!, title: title, subtitle: "当日现烤", descriptionHtml: "<p>\(title)，门店当日现烤。</p>",
                                     categoryId: category.id!, tags: ["烘焙"], unit: "个", weightGrams: 200, images: [image], specs: [],
                                     skus: [SKUInput(code: String(format: "MT%04d", index + 1), barcode: barcode, priceFen: item.priceFen,
                                                     marketPriceFen: item.priceFen + item.priceFen / 5, costFen: item.priceFen / 2, weightGrams: 200)])
            let product = ProductModel()
            product.merchantId = bakery.id!
            product.categoryId = category.id!
            product.lifecycle = ProductLifecycle(status: .approved, onShelf: true)
            product.salesCount = 0
            try await app.db.writeTransaction { tx in
                let service = ProductService(db: tx)
                let checked = try await service.check(input, merchantId: bakery.id!, productId: nil)
                try await service.write(checked, into: product, brandName: nil)
            }
            for sku in try await SKUModel.query(on: app.db).filter(\.$productId == product.id!).all() {
                stock.append(StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 300))
            }
        }
        let requests = stock
        try await app.db.writeTransaction { tx in
            try await InventoryService.make(app, on: tx).move(.receipt, requests, context: MovementContext(
                reason: "开业备货 opening stock", referenceType: "receipt", referenceId: "DEMO-OPENING", now: app.clock.now()))
        }
    }

    /// 鲜丰果园: 6% on everything, 5% on fruit; 麦田烘焙: 8% and ¥1 per order. In force before the
    /// demo's orders, so they show in the fee history and on every line.
    private func feeRules(fruit: MerchantModel, bakery: MerchantModel, from start: Date) async throws {
        guard try await FeeRuleModel.query(on: app.db).first() == nil else { return }
        let fruitCategory = try await CategoryModel.query(on: app.db).filter(\.$name == "水果").first()
        var rules: [(UUID, UUID?, Int, Int64)] = [(fruit.id!, nil, 600, 0), (bakery.id!, nil, 800, 100)]
        if let fruitCategory { rules.append((fruit.id!, fruitCategory.id, 500, 0)) }
        for (merchant, category, rate, fixed) in rules {
            let rule = FeeRuleModel()
            rule.merchantId = merchant
            rule.categoryId = category
            rule.rateBasisPoints = rate
            rule.fixedFeeFen = fixed
            rule.effectiveFrom = start
            rule.createdBy = "admin"
            rule.createdAt = start
            try await rule.create(on: app.db)
        }
    }
}
