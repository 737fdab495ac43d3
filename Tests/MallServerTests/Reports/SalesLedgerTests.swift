import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Sales reports: daily aggregates folded from orders and refunds")
struct SalesLedgerTests {
    @Test("after a random run of payments, pickups, cancellations with refunds and days, the aggregates equal a recomputation; folding again adds nothing; the report adds up and a store manager sees only their store")
    func foldEqualsRecomputation() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 500, farStock: 500)
            try await app.db.sql.raw("UPDATE skus SET cost_fen = 700 WHERE id = \(bind: shop.milk.id!)").run()
            var random = SplitMix64Generator(seed: 0x5A1E5)
            var shoppers: [String] = []
            for n in 0..<4 { shoppers.append(try await CheckoutTests.shopper(app, mobile: String(format: "1390000%04d", n))) }
            var cancelled = 0
            for step in 0..<14 {
                let token = shoppers[Int.random(in: 0..<shoppers.count, using: &random)]
                _ = try await app.send(.POST, "/api/v1/cart/lines", token: token,
                                       json: CartLineInput(skuId: shop.milk.id!, quantity: Int.random(in: 1...3, using: &random)))
                if Bool.random(using: &random) {
                    _ = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: token,
                                           json: FulfilmentInput(mode: .pickup, storeId: shop.near.id!))
                }
                let result = try await CheckoutTests.checkout(app, token: token, key: "ledger-\(step)").decode(CheckoutResult.self)
                _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
                try await app.jobs.runDue()
                if Int.random(in: 0..<10, using: &random) < 3 {
                    let cancel = try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token)
                    #expect(cancel.status == .ok, "\(cancel.text)")
                    try await app.jobs.runDue()
                    cancelled += 1
                }
                if step == 7 { _ = try await SalesLedger(app: app, db: app.db).fold(now: clock.now().addingTimeInterval(10)) }
                clock.advance(seconds: TimeInterval(86_400 * Int.random(in: 0...2, using: &random) + 60 * Int.random(in: 1...40, using: &random)))
            }
            #expect(cancelled > 0)
            let ledger = SalesLedger(app: app, db: app.db)
            let folded = try await ledger.fold(now: clock.now())
            #expect(folded.orders > 0)
            #expect(try await ledger.check() == [])
            #expect(try await ledger.fold(now: clock.now()) == SalesLedger.Folded(orders: 0, refunds: 0))
            #expect(try await ledger.check() == [])
            // The check is no rubber stamp: one order too many on one day is found.
            try await app.db.sql.raw("UPDATE sales_sku_daily SET units = units + 1 WHERE id = (SELECT id FROM sales_sku_daily ORDER BY day, id LIMIT 1)").run()
            let tampered = try await ledger.check()
            #expect(tampered.count == 1 && tampered[0].hasPrefix("SKU \(shop.milk.id!)"), "\(tampered)")
            try await app.db.sql.raw("UPDATE sales_sku_daily SET units = units - 1 WHERE id = (SELECT id FROM sales_sku_daily ORDER BY day, id LIMIT 1)").run()

            // What the report must say, worked out from the orders themselves.
            let paid = try await OrderModel.query(on: app.db).filter(\.$paidAt != nil).all()
            let lines = try await OrderLineModel.query(on: app.db).filter(\.$orderId ~~ paid.compactMap(\.id)).all()
            let refundedOrders = Set(try await RefundModel.query(on: app.db).filter(\.$status == RefundStatus.succeeded.rawValue).all().compactMap(\.orderId))
            let gross = lines.reduce(Int64(0)) { $0 + $1.payableFen }
            let refunded = lines.filter { refundedOrders.contains($0.orderId) }.reduce(Int64(0)) { $0 + $1.payableFen }
            let units = lines.reduce(Int64(0)) { $0 + Int64($1.quantity) }

            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let from = LocalTime.calendarDate(of: testEpoch, in: TimeZone(identifier: "Asia/Shanghai")!)
            let to = LocalTime.calendarDate(of: clock.now(), in: TimeZone(identifier: "Asia/Shanghai")!)
            let report = try await app.send(.GET, "/api/v1/admin/reports/sales?from=\(from)&to=\(to)", token: admin).decode(SalesReport.self)
            #expect(report.totals.figures.orders == Int64(paid.count) && report.totals.figures.grossFen == gross && report.totals.figures.units == units)
            #expect(report.totals.figures.refundedFen == refunded && report.totals.netSalesFen == gross - refunded)
            #expect(report.totals.figures.refundedOrders == Int64(refundedOrders.count))
            #expect(report.totals.figures.costFen == units * 700 && report.totals.grossMarginFen != nil)
            #expect(report.totals.figures.newCustomerOrders == Int64(Set(paid.map(\.memberId)).count), "each shopper's first paid order is new")
            #expect(report.days.map(\.day) == DayRange(start: from, end: to).days)
            #expect(report.days.reduce(Int64(0)) { $0 + $1.figures.netSalesFen } == gross - refunded)
            #expect(report.channels.reduce(Int64(0)) { $0 + $1.figures.figures.orders } == Int64(paid.count))
            #expect(report.previous.figures == .zero && report.netSalesChange.basisPoints == nil)
            // The heat map holds every paid order once, in the weekday and hour it was paid in Shanghai.
            var expectedMap = SalesHeatmap()
            for order in paid {
                let paidAt = try #require(order.paidAt)
                let (weekday, minute) = LocalTime.weekdayAndMinute(of: paidAt, in: TimeZone(identifier: "Asia/Shanghai")!)
                #expect(LocalTime.calendarDate(of: paidAt, in: TimeZone(identifier: "Asia/Shanghai")!).weekday == weekday)
                expectedMap.add(day: LocalTime.calendarDate(of: paidAt, in: TimeZone(identifier: "Asia/Shanghai")!), hour: minute.minutes / 60, orders: 1, netSalesFen: 0)
            }
            #expect(report.heatmap.cells.map { $0.map(\.orders) } == expectedMap.cells.map { $0.map(\.orders) })
            #expect(report.heatmap.cells.joined().reduce(Int64(0)) { $0 + $1.netSalesFen } == gross - refunded)

            let (_, farManager) = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(shop.far.storeID))
            let far = try await app.send(.GET, "/api/v1/admin/reports/sales?from=\(from)&to=\(to)", token: farManager).decode(SalesReport.self)
            let farOrders = paid.filter { $0.storeId == shop.far.id! }.count
            #expect(far.totals.figures.orders == Int64(farOrders) && farOrders < paid.count, "the near store's orders are not the far manager's")
            let other = try await app.send(.GET, "/api/v1/admin/reports/sales?storeId=\(shop.near.id!)", token: farManager)
            #expect(other.status == .forbidden, "\(other.text)")
            let clerk = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID)).1
            #expect(try await app.send(.GET, "/api/v1/admin/reports/sales", token: clerk).status == .forbidden, "clerks have no report.view")
        }
    }

    @Test("stores side by side: every store in reach ranked on every measure, with its month's target, attainment and forecast; targets are set by HQ or the merchant, audited")
    func storesAndTargets() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            _ = try await OrderDeskTests.paidOrder(app, quantity: 3, pickupAt: StoreModel(), in: shop, mobile: "13900000101")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 2, pickupAt: StoreModel(), in: shop, mobile: "13900000102")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: shop.far, in: shop, mobile: "13900000103")
            clock.advance(seconds: 60)
            _ = try await SalesLedger(app: app, db: app.db).fold(now: clock.now())
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let month = "2026-11"
            let set = try await app.send(.PUT, "/api/v1/admin/stores/\(shop.near.id!)/targets/\(month)", token: admin, json: StoreTargetInput(targetFen: 100_000))
            #expect(try set.decode(StoreTarget.self) == StoreTarget(storeId: shop.near.id!, month: month, targetFen: 100_000))
            #expect(try await app.send(.PUT, "/api/v1/admin/stores/\(shop.near.id!)/targets/\(month)", token: admin,
                                       json: StoreTargetInput(targetFen: 20_000)).status == .ok, "setting again replaces")
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "store.target").count() == 2)

            let report = try await app.send(.GET, "/api/v1/admin/reports/stores", token: admin).decode(StoreComparisonReport.self)
            #expect(report.targetMonth == month)
            let near = try #require(report.stores.first { $0.storeId == shop.near.id! })
            let far = try #require(report.stores.first { $0.storeId == shop.far.id! })
            #expect(near.figures.figures.orders == 2 && near.figures.figures.units == 5 && far.figures.figures.orders == 1)
            #expect(near.ranks["netSales"] == 1 && far.ranks["netSales"] == 2 && near.ranks["orders"] == 1)
            #expect(near.ranks["refundRate"] == 1 && far.ranks["refundRate"] == 1, "no refunds anywhere: a shared first place")
            let target = try #require(near.target)
            #expect(target.targetFen == 20_000 && target.actualFen == near.figures.netSalesFen)
            #expect(target.attainmentBasisPoints == Ratio.basisPoints(near.figures.netSalesFen, of: 20_000))
            #expect(target.forecastFen >= target.actualFen && target.daysInMonth == 30)
            #expect(far.target == nil)

            let clerk = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID)).1
            #expect(try await app.send(.PUT, "/api/v1/admin/stores/\(shop.near.id!)/targets/\(month)", token: clerk,
                                       json: StoreTargetInput(targetFen: 1)).status == .forbidden)
            let bad = try await app.send(.PUT, "/api/v1/admin/stores/\(shop.near.id!)/targets/2026-13", token: admin, json: StoreTargetInput(targetFen: -1))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["month", "targetFen"], "\(bad.text)")
            let manager = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(shop.far.storeID)).1
            let own = try await app.send(.GET, "/api/v1/admin/reports/stores", token: manager).decode(StoreComparisonReport.self)
            #expect(own.stores.map(\.storeId) == [shop.far.id!])
        }
    }

    @Test("product ranking by units and by amount, slow movers on the shelf that sold nothing first, the category mix; one store's slow movers are what it stocks")
    func products() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            let juice = try await Fixtures.sku(app, code: "JUICE", priceFen: 9_900)
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: juice.id!, storeId: shop.far.id!, quantity: 5)],
                                                                  context: MovementContext(now: testEpoch))
            }
            _ = try await OrderDeskTests.paidOrder(app, quantity: 3, pickupAt: StoreModel(), in: shop, mobile: "13900000201")
            clock.advance(seconds: 60)
            _ = try await SalesLedger(app: app, db: app.db).fold(now: clock.now())
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let report = try await app.send(.GET, "/api/v1/admin/reports/products?order=amount&limit=5", token: admin).decode(ProductSalesReport.self)
            #expect(report.order == .amount && report.top.map(\.skuId) == [shop.milk.id!] && report.top.first?.netUnits == 3)
            #expect(report.top.first?.netSalesFen == 3_750 && report.top.first?.productId == shop.milk.productId)
            #expect(report.slowMovers.map(\.skuId) == [juice.id!, shop.milk.id!], "the juice sold nothing")
            #expect(report.categories.count == 1 && report.categories.first?.shareBasisPoints == 10_000 && report.categories.first?.netSalesFen == 3_750)
            let near = try await app.send(.GET, "/api/v1/admin/reports/products?storeId=\(shop.near.id!)", token: admin).decode(ProductSalesReport.self)
            #expect(near.slowMovers.map(\.skuId) == [shop.milk.id!], "the near store holds no juice")
            let bad = try await app.send(.GET, "/api/v1/admin/reports/products?order=price&limit=1000", token: admin)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["order", "limit"], "\(bad.text)")
        }
    }

    @Test("report periods are checked: unreadable days, to before from, more than 400 days, an unknown store")
    func validation() async throws {
        try await withTestApp { app in
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let bad = try await app.send(.GET, "/api/v1/admin/reports/sales?from=2026-13-01&to=yesterday&storeId=nope", token: admin)
            #expect(bad.status == .unprocessableEntity && Set(bad.problem?.errors?.map(\.field) ?? []) == ["from", "to", "storeId"], "\(bad.text)")
            let backwards = try await app.send(.GET, "/api/v1/admin/reports/sales?from=2026-12-07&to=2026-12-01", token: admin)
            #expect(backwards.problem?.errors?.map(\.field) == ["to"])
            let long = try await app.send(.GET, "/api/v1/admin/reports/sales?from=2025-01-01&to=2026-12-01", token: admin)
            #expect(long.problem?.errors?.first?.message == "must be at most 400 days after from")
            let unknown = try await app.send(.GET, "/api/v1/admin/reports/sales?storeId=\(UUID())", token: admin)
            #expect(unknown.problem?.errors?.map(\.field) == ["storeId"])
            let empty = try await app.send(.GET, "/api/v1/admin/reports/sales", token: admin).decode(SalesReport.self)
            #expect(empty.days.count == 30 && empty.totals.figures == .zero && empty.foldedOrdersUntil == nil)
        }
    }
}

/// SplitMix64, so the random run is the same on every machine and a failure can be replayed.
struct SplitMix64Generator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
