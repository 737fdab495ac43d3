import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's member levels and members spread over them. Each demo member gets a year of
/// pickup orders at 静安寺店, placed, paid, picked up and completed through the order state
/// machine, with points spent at checkout and earned at completion by `OrderPointsService` —
/// so the ledger, the lots, the level history and the stock ledger all hold as they would in use,
/// and each member's level is what the evaluator makes of their orders. Runs once: a member who
/// already has completed orders is left alone, and levels that exist are not touched.
struct DemoMembership {
    let app: Application

    static let levels: [MemberLevelDefinitionInput] = [
        MemberLevelDefinitionInput(code: "normal", name: "普通会员", rank: 1, description: "注册即享",
                                   rights: LevelRights(birthdayPoints: 50)),
        MemberLevelDefinitionInput(code: "silver", name: "银卡", rank: 2, description: "一年内消费满 ¥500 或完成 3 笔订单",
                                   conditions: LevelConditions(minimumSpendFen: 50_000, minimumOrders: 3),
                                   rights: LevelRights(discountBasisPoints: 200, pointsMultiplierBasisPoints: 12_000, freeShippingThresholdFen: 5_900,
                                                       birthdayPoints: 100)),
        MemberLevelDefinitionInput(code: "gold", name: "金卡", rank: 3, description: "一年内消费满 ¥2,000 或获得 2,000 积分",
                                   conditions: LevelConditions(minimumSpendFen: 200_000, minimumPointsEarned: 2_000),
                                   rights: LevelRights(discountBasisPoints: 500, pointsMultiplierBasisPoints: 15_000, freeShippingThresholdFen: 0,
                                                       priorityMinutes: 30, birthdayPoints: 300)),
        MemberLevelDefinitionInput(code: "diamond", name: "钻石", rank: 4, description: "一年内消费满 ¥8,000 且完成 10 笔订单",
                                   conditions: LevelConditions(minimumSpendFen: 800_000, minimumOrders: 10, matchAll: true),
                                   rights: LevelRights(discountBasisPoints: 800, pointsMultiplierBasisPoints: 20_000, freeShippingThresholdFen: 0,
                                                       priorityMinutes: 60, birthdayPoints: 800, exclusiveService: true)),
    ]

    /// One demo member's year: orders (days ago, goods to about this many yuan, points to pay with).
    struct History {
        let login: String
        let nickname: String
        let orders: [(daysAgo: Int, aboutYuan: Int64, points: Int64)]
    }

    static let histories: [History] = [
        // 小王 ends at 金卡: silver after the second order, gold once ¥2,000 is spent.
        History(login: "13800138000", nickname: "小王", orders: [(300, 300, 0), (240, 220, 0), (180, 450, 0), (120, 420, 300), (60, 650, 0), (20, 420, 0)]),
        // 李女士 is 银卡 by three orders.
        History(login: "13912345678", nickname: "李女士", orders: [(150, 180, 0), (90, 150, 0), (30, 120, 0)]),
        // 陈杰 has one small order: 普通会员.
        History(login: "chen.jie@example.com", nickname: "陈杰", orders: [(45, 90, 0)]),
        // 赵先生 shops every month: 钻石.
        History(login: "13700137000", nickname: "赵先生", orders: (0..<11).map { (330 - $0 * 30, 900, $0 == 6 ? 1_000 : 0) }),
    ]

    /// Creates the levels and the histories; returns the demo member it added (for the account list).
    func run() async throws -> [DemoSeeder.Account] {
        let db = app.db
        let now = app.clock.now()
        for input in Self.levels where try await MemberLevelModel.query(on: db).filter(\.$code == input.code).first() == nil {
            let level = MemberLevelModel()
            level.id = UUID()
            level.code = input.code
            level.name = input.name
            level.rank = input.rank
            level.levelDescription = input.description
            level.conditions = input.conditions
            level.rights = input.rights
            level.createdAt = now
            level.updatedAt = now
            try await level.create(on: db)
        }
        guard let store = try await StoreModel.query(on: db).filter(\.$code == "SH-JA01").first() else { return [] }
        var accounts: [DemoSeeder.Account] = []
        for history in Self.histories {
            let login = try MemberLogin(parsing: history.login)
            var member = try await MemberModel.find(login: login, on: db)
            if member == nil, case .mobile(let number) = login {
                let created = MemberModel(mobile: number.digits, email: nil, passwordHash: try await app.password.async.hash(DemoSeeder.memberPassword),
                                          nickname: history.nickname)
                try await created.create(on: db)
                member = created
                accounts.append(DemoSeeder.Account(kind: "member", login: history.login, password: DemoSeeder.memberPassword,
                                                   can: "shop as a 钻石 member"))
            }
            guard let member, let memberId = member.id else { continue }
            guard try await OrderRewardModel.query(on: db).filter(\.$memberId == memberId).first() == nil else { continue }
            var skuCursor = abs(history.login.hashValueStable) % 50
            let settings = try await SettingsService.resolved(on: db)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = settings.timeZone
            for planned in history.orders {
                // 11:00 in the shop's time zone that day, when the store is open.
                let day = calendar.startOfDay(for: now.addingTimeInterval(-Double(planned.daysAgo) * 86_400))
                let at = day.addingTimeInterval(11 * 3_600)
                try await placeCompletedOrder(memberId: memberId, store: store, aboutFen: planned.aboutYuan * 100, points: planned.points,
                                              at: at, stockAt: now, skuCursor: &skuCursor)
            }
            try await MembershipService(app: app, db: db).evaluate(memberId: memberId, note: "daily evaluation", now: now)
        }
        return accounts
    }

    /// A pickup order placed at `at`, paid two minutes later, picked up the next day and
    /// confirmed an hour after that, through the state machine; its stock moves at `stockAt`
    /// (the demo's opening stock arrives at seed time).
    func placeCompletedOrder(memberId: UUID, store: StoreModel, aboutFen: Int64, points: Int64, at: Date, stockAt: Date,
                                     skuCursor: inout Int) async throws {
        let db = app.db
        let settings = try await SettingsService.resolved(on: db)
        // SKUs the store has plenty of, in code order, taken in turn so each member buys a spread.
        let levels = try await StockLevelModel.query(on: db).filter(\.$storeId == store.id!).all().filter { $0.level.available >= 20 }
        let stocked = try await SKUModel.query(on: db).filter(\.$id ~~ levels.map(\.skuId)).filter(\.$merchantId == store.merchantId)
            .sort(\.$code).all()
        guard !stocked.isEmpty else { return }
        let prices = try await PriceBook.inputs(for: stocked, storeId: store.id, on: db)
        let loyalty = try await CheckoutLoyalty.load(memberId: memberId, pointsToUse: points, settings: settings, now: at, on: db)
        var lines: [CartLine] = []
        var titles: [UUID: (String, String)] = [:]
        var total: Int64 = 0
        // Bounded: a store with few SKUs left in stock runs out of new ones before the amount.
        var attempts = 0
        while total < aboutFen, lines.count < 40, attempts < max(200, stocked.count * 2) {
            attempts += 1
            let sku = stocked[skuCursor % stocked.count]
            skuCursor += 7
            guard !lines.contains(where: { $0.skuId == sku.id }), let input = prices[sku.id!],
                  let product = try await ProductModel.find(sku.productId, on: db) else { continue }
            let quote = PriceResolver.resolve(input, storeId: StoreID(store.id!), memberLevel: loyalty.member.level, at: at)
            guard quote.price.minorUnits > 0 else { continue }
            let quantity = quote.price.minorUnits < 3_000 ? 2 : 1
            lines.append(CartLine(skuId: sku.id!, productId: sku.productId, merchantId: MerchantID(store.merchantId), title: product.title,
                                  quantity: quantity, quote: quote))
            titles[sku.id!] = (product.title, sku.specTitle)
            total += quote.price.minorUnits * Int64(quantity)
        }
        let priced = try PricingEngine.price(PricingRequest(
            at: at, member: loyalty.member,
            groups: [OrderGroup(merchantId: MerchantID(store.merchantId), storeId: StoreID(store.id!), fulfilment: .pickup, lines: lines)],
            points: loyalty.redemption, pointsPolicy: loyalty.policy))
        guard let group = priced.groups.first else { return }
        let (decision, _) = try await OrderAllocation.plan(
            merchantId: store.merchantId, lines: lines.map { AllocationLine(skuId: $0.skuId, quantity: $0.quantity) },
            fulfilment: .pickup(at: StoreID(store.id!), shopperLocation: nil), productIds: Dictionary(uniqueKeysWithValues: lines.map { ($0.skuId, $0.productId) }),
            directory: app.storeDirectory, on: db, now: at)
        guard decision.outcome == .allocated else { return }
        let names = titles

        try await db.writeTransaction { tx in
            let checkoutId = UUID()
            let checkout = CheckoutModel()
            checkout.id = checkoutId
            checkout.memberId = memberId
            checkout.idempotencyKey = "demo-\(checkoutId.uuidString)"
            checkout.requestDigest = "demo"
            checkout.payableFen = priced.totals.payable.minorUnits
            checkout.resultJSON = "{}"
            checkout.createdAt = at
            try await checkout.create(on: tx)

            var lifecycle = OrderLifecycle(fulfilment: .pickup, storeId: StoreID(store.id!), placedBy: .shopper(memberId), at: at,
                                           paymentDueAt: at.addingTimeInterval(1_800), autoConfirmAfterDays: settings.integer(.autoConfirmDays))
            let order = OrderModel()
            order.id = UUID()
            order.number = CheckoutService.orderNumber(now: at, id: order.id!)
            order.checkoutId = checkoutId
            order.memberId = memberId
            order.merchantId = store.merchantId
            order.fulfilment = FulfilmentMode.pickup.rawValue
            try order.setLifecycle(lifecycle)
            order.allocationJSON = try JSONText.encode(decision)
            order.goodsFen = group.totals.subtotal.minorUnits
            order.discountFen = group.totals.discount.minorUnits
            order.shippingFen = group.totals.shippingFee.minorUnits
            order.payableFen = group.totals.payable.minorUnits
            order.pricingJSON = try JSONText.encode(group)
            order.paymentDueAt = lifecycle.paymentDueAt
            order.createdAt = at
            order.updatedAt = at
            try await order.create(on: tx)
            var deductions: [OrderPointsService.LineDeduction] = []
            for pricedLine in group.lines {
                let line = OrderLineModel()
                line.orderId = order.id!
                line.skuId = pricedLine.line.skuId
                line.productId = pricedLine.line.productId
                line.title = names[pricedLine.line.skuId]?.0 ?? pricedLine.line.title
                line.specTitle = names[pricedLine.line.skuId]?.1 ?? ""
                line.quantity = pricedLine.line.quantity
                line.unitPriceFen = pricedLine.line.unitPrice.minorUnits
                line.discountFen = pricedLine.discount.minorUnits
                line.payableFen = pricedLine.payable.minorUnits
                try await line.create(on: tx)
                deductions.append(.init(orderId: order.id!, orderLineId: line.id!, deductionFen: CheckoutLoyalty.deduction(of: pricedLine)))
            }
            let requests = group.lines.map { StockRequest(skuId: $0.line.skuId, storeId: store.id!, quantity: $0.line.quantity) }
            let stock = MovementContext(reason: "order \(order.number)", referenceType: "order", referenceId: order.id!.uuidString, now: stockAt)
            let inventory = try await InventoryService.make(app, on: tx)
            try await inventory.reserve(requests, context: stock)
            try await OrderPointsService(app: app, db: tx).spendAtCheckout(priced.points.pointsUsed, memberId: memberId, checkoutId: checkoutId,
                                                                           lines: deductions, now: at)
            let paidAt = at.addingTimeInterval(120)
            let payment = PaymentModel()
            payment.id = UUID()
            payment.checkoutId = checkoutId
            payment.memberId = memberId
            payment.provider = SandboxGateway.provider
            payment.amountFen = priced.totals.payable.minorUnits
            payment.status = "paid"
            payment.providerTransactionId = "DEMO-\(order.number)"
            payment.refundedFen = 0
            payment.createdAt = at
            payment.paidAt = paidAt
            try await payment.create(on: tx)

            let clerk = TimelineActor.storeStaff(store.managerStaffId ?? memberId)
            _ = lifecycle.pay(reference: "DEMO-\(order.number)", at: paidAt)
            _ = try lifecycle.accept(by: clerk, at: paidAt.addingTimeInterval(300))
            _ = try lifecycle.startPicking(by: clerk, at: paidAt.addingTimeInterval(600))
            _ = try lifecycle.markReadyForPickup(code: "246810", by: clerk, at: paidAt.addingTimeInterval(1_800))
            let pickedUp = at.addingTimeInterval(86_400)
            _ = try lifecycle.pickUp(enteredCode: "246810", by: clerk, at: pickedUp)
            try await inventory.commit(requests, context: stock)
            let completed = pickedUp.addingTimeInterval(3_600)
            let effects = try lifecycle.confirmReceipt(by: .shopper(memberId), at: completed)
            try order.setLifecycle(lifecycle)
            order.paidAt = paidAt
            order.updatedAt = completed
            try await order.update(on: tx)
            // Only completion's effect: points and the level (the old status notifications would be noise).
            if effects.contains(.settle) { try await OrderPointsService(app: app, db: tx).orderCompleted(order, now: completed) }
        }
    }
}

private extension String {
    /// A hash that is the same on every run (Swift's `hashValue` is seeded per process).
    var hashValueStable: Int {
        unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) & 0xFFFF }
    }
}
