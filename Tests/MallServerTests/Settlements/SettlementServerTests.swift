import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Service fees and settlement (server)")
struct SettlementServerTests {
    static let day = TimeInterval(86_400)

    struct Shop {
        var merchant: MerchantModel
        var store: StoreModel
        var sku: SKUModel
        var category: UUID
    }

    /// A third-party merchant (5% by default) with a store near the shoppers and a ¥50 item.
    static func shop(_ app: Application, code: String = "FRUIT") async throws -> Shop {
        let merchant = try await Fixtures.merchant(app, code: code)
        let store = try await Fixtures.store(app, code: "\(code)-1", merchant: merchant.id!)
        let sku = try await Fixtures.sku(app, code: "\(code)-SKU", merchant: merchant.id!, priceFen: 5_000)
        try await app.db.writeTransaction { db in
            try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 50)],
                                                              context: MovementContext(now: testEpoch))
        }
        let product = try #require(try await ProductModel.find(sku.productId, on: app.db))
        return Shop(merchant: merchant, store: store, sku: sku, category: product.categoryId)
    }

    /// Cart → checkout → sandbox payment: a paid delivery order.
    static func paidOrder(_ app: Application, _ shop: Shop, quantity: Int, mobile: String = "13800138000", token existing: String? = nil) async throws -> (String, Order) {
        let token = if let existing { existing } else { try await CheckoutTests.shopper(app, mobile: mobile) }
        _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.sku.id!, quantity: quantity))
        let placed = try await CheckoutTests.checkout(app, token: token, key: "settle-\(UUID().uuidString)")
        let result = try placed.decode(CheckoutResult.self)
        _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
        try await app.jobs.runDue()
        return (token, result.orders[0])
    }

    /// The store delivers and the shopper confirms receipt.
    static func complete(_ app: Application, _ order: Order, shopper: String, staff: String) async throws {
        for step in ["accept", "pick"] { #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/\(step)", token: staff).status == .ok) }
        let shipped = try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/ship", token: staff,
                                         json: ShipmentInput(carrier: "sf", trackingNumber: "SF\(Int.random(in: 1_000_000...9_999_999))"))
        #expect(shipped.status == .ok, "\(shipped.text)")
        #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/delivered", token: staff).status == .ok)
        let confirmed = try await app.send(.POST, "/api/v1/orders/\(order.id)/confirm", token: shopper).decode(Order.self)
        #expect(confirmed.status == .completed)
    }

    @Test("fees are frozen at payment: the category's rule beats the merchant's; a later rule leaves paid orders alone; no backdating")
    func feesFrozenAtPayment() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let shop = try await Self.shop(app)
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let path = "/api/v1/admin/merchants/\(shop.merchant.id!)/fee-rules"
            #expect(try await app.send(.POST, path, token: admin, json: FeeRuleInput(rateBasisPoints: 800)).status == .created)
            clock.advance(seconds: 1)
            let category = try await app.send(.POST, path, token: admin, json: FeeRuleInput(categoryId: shop.category, rateBasisPoints: 300, fixedFeeFen: 100))
            #expect(try category.decode(FeeRuleView.self).rateBasisPoints == 300)
            let backdated = try await app.send(.POST, path, token: admin, json: FeeRuleInput(rateBasisPoints: 100, effectiveFrom: testEpoch.addingTimeInterval(-Self.day)))
            #expect(backdated.problem?.errors?.map(\.field) == ["effectiveFrom"])
            let wrong = try await app.send(.POST, path, token: admin, json: FeeRuleInput(rateBasisPoints: 10_001, fixedFeeFen: -5))
            #expect(wrong.problem?.errors?.map(\.field) == ["rateBasisPoints", "fixedFeeFen"])
            #expect(try await FeeRuleModel.query(on: app.db).count() == 2, "a refused rule leaves no row")

            let (_, order) = try await Self.paidOrder(app, shop, quantity: 2)
            #expect(order.payableFen == 10_000, "delivery is free from ¥99")
            let line = try #require(try await OrderLineFeesModel.query(on: app.db).first())
            #expect(line.commissionRateBasisPoints == 300, "the category's rule, not the merchant-wide 8%")
            #expect(line.platformDiscountFen == 0)
            let fees = try #require(try await OrderFeesModel.query(on: app.db).first())
            #expect(fees.fixedFeeFen == 100 && fees.bearer == "merchant")
            let payment = try #require(try await PaymentChannelFeeModel.query(on: app.db).first())
            #expect(payment.provider == "sandbox" && payment.rateBasisPoints == 60 && payment.feeFen == 60, "0.6% of ¥100.00")
            #expect(fees.channelFeeFen == 60 && line.channelFeeFen == 60 && fees.shippingChannelFeeFen == 0)

            // A new rule from tomorrow: shown in the history, and the paid order keeps its 3%.
            clock.advance(seconds: 60)
            let later = try await app.send(.POST, path, token: admin, json: FeeRuleInput(categoryId: shop.category, rateBasisPoints: 1_000,
                                                                                           effectiveFrom: clock.now().addingTimeInterval(Self.day)))
            #expect(later.status == .created)
            let history = try await app.send(.GET, path, token: admin).decode(FeeRuleList.self)
            #expect(history.rules.map(\.rateBasisPoints) == [1_000, 300, 800])
            #expect(history.rules.map(\.inForce) == [false, true, true])
            #expect(history.defaultRateBasisPoints == 500)
            #expect(try await OrderLineFeesModel.query(on: app.db).first()?.commissionRateBasisPoints == 300)
            clock.advance(seconds: 2 * Self.day)
            let (_, second) = try await Self.paidOrder(app, shop, quantity: 1, mobile: "13900000001")
            let secondLine = try #require(try await OrderLineFeesModel.query(on: app.db).filter(\.$orderId == second.id).first())
            #expect(secondLine.commissionRateBasisPoints == 1_000, "orders paid after it take the new rule")
        }
    }

    @Test("the platform's promotion on a merchant's goods is paid back and carries commission; the merchant's own lowers its fee")
    func discountFunding() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let platform = try await PromotionTests.create(app, token: admin, PromotionTests.input("平台满60减10"))
            let (_, first) = try await Self.paidOrder(app, shop, quantity: 2)
            #expect(first.discountFen == 1_000)
            var line = try #require(try await OrderLineFeesModel.query(on: app.db).filter(\.$orderId == first.id).first())
            #expect(line.platformDiscountFen == 1_000, "HQ's promotion: the platform pays it back")
            var amounts = try SettlementMaths.line(SettlementLine(goodsPaidFen: 9_000, platformDiscountFen: line.platformDiscountFen,
                                                                  commissionRateBasisPoints: line.commissionRateBasisPoints, channelFeeFen: line.channelFeeFen), refundedFen: 0, bearer: .merchant)
            #expect(amounts.commissionFen == 500 && amounts.merchantNetFen == 10_000 - 500 - line.channelFeeFen, "commission on the full ¥100")

            #expect(try await app.send(.POST, "/api/v1/admin/marketing/promotions/\(platform.id)/end", token: admin).status == .ok)
            _ = try await PromotionTests.create(app, token: admin, PromotionTests.input("商家满60减10", merchantId: shop.merchant.id!))
            let (_, second) = try await Self.paidOrder(app, shop, quantity: 2, mobile: "13900000002")
            #expect(second.discountFen == 1_000)
            line = try #require(try await OrderLineFeesModel.query(on: app.db).filter(\.$orderId == second.id).first())
            #expect(line.platformDiscountFen == 0, "the merchant funds its own promotion")
            amounts = try SettlementMaths.line(SettlementLine(goodsPaidFen: 9_000, platformDiscountFen: 0, commissionRateBasisPoints: line.commissionRateBasisPoints,
                                                              channelFeeFen: line.channelFeeFen), refundedFen: 0, bearer: .merchant)
            #expect(amounts.commissionFen == 450, "commission on the ¥90 after the merchant's own discount")
        }
    }

    @Test("settlement: entries once under two concurrent runs; statement; the merchant confirms; payout; a late refund lands in the next statement")
    func settlementEndToEnd() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await Self.shop(app)
            let other = try await Self.shop(app, code: "BAKERY")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(shop.merchant.merchantID))
            let (_, bakeryAdmin) = try await Fixtures.staff(app, "bakery.admin", role: .merchantAdmin, scope: .merchant(other.merchant.merchantID))

            let (shopper, order) = try await Self.paidOrder(app, shop, quantity: 2)
            try await Self.complete(app, order, shopper: shopper, staff: admin)
            // Balances: paid, not settled yet.
            var balances = try await app.send(.GET, "/api/v1/admin/settlements/balances", token: fruitAdmin).decode([SettlementBalance].self)
            #expect(balances.map(\.merchantId) == [shop.merchant.id!], "a merchant sees only its own balance")
            #expect(balances.first?.awaitingSettlementFen == 10_000)

            // A refund is asked for within the window and decided after settlement.
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]
            let opened = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 1)], reason: .damaged, description: "一个坏了"))
            #expect(opened.status == .created, "\(opened.text)")
            let request = try opened.decode(AfterSalesInfo.self)

            // Not final inside the after-sales window.
            #expect(try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin).decode(SettlementRunResult.self).entriesBooked == 0)
            clock.advance(seconds: 7 * Self.day + 60)
            let service = SettlementService(app: app, db: app.db)
            async let first = service.settle(now: clock.now())
            async let second = service.settle(now: clock.now())
            let booked = try await first + second
            #expect(booked == 2, "one line and the order's part, once")
            let entries = try await SettlementEntryModel.query(on: app.db).all()
            #expect(entries.count == 2)
            let lineEntry = try #require(entries.first { $0.kind == "line" })
            #expect(lineEntry.shopperPaidFen == 10_000 && lineEntry.commissionFen == 500 && lineEntry.refundedFen == 0)
            let orderEntry = try #require(entries.first { $0.kind == "order" })
            #expect(orderEntry.shippingFen == 0 && orderEntry.commissionFen == 0)
            #expect(lineEntry.channelFeeFen == 60)
            #expect(lineEntry.merchantNetFen + orderEntry.merchantNetFen == 10_000 - 500 - 60)
            #expect(try await SettlementService(app: app, db: app.db).settle(now: clock.now()) == 0, "a third run books nothing")

            // T+3 after the week: the statement.
            clock.advance(seconds: 11 * Self.day)
            let run = try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin).decode(SettlementRunResult.self)
            #expect(run.statementsIssued == 1)
            let list = try await app.send(.GET, "/api/v1/admin/settlements", token: fruitAdmin).decode(ListPage<SettlementStatementView>.self)
            let statement = try #require(list.items.first)
            #expect(list.total == 1 && statement.status == .draft && statement.entryCount == 2)
            #expect(statement.firstDay < statement.lastDay && statement.lastDay.count == 10)
            let inPeriod = try await app.send(.GET, "/api/v1/admin/settlements?period=\(statement.lastDay)&merchantId=\(shop.merchant.id!)", token: admin)
            #expect(try inPeriod.decode(ListPage<SettlementStatementView>.self).items.map(\.id) == [statement.id])
            #expect(try await app.send(.GET, "/api/v1/admin/settlements?merchantId=\(other.merchant.id!)", token: admin).decode(ListPage<SettlementStatementView>.self).total == 0)
            #expect(try await app.send(.GET, "/api/v1/admin/settlements?period=2026-13-01", token: admin).problem?.errors?.map(\.field) == ["period"])
            #expect(statement.totals.merchantNetFen == 9_440 && statement.totals.commissionFen == 500 && statement.totals.shopperPaidFen == 10_000)
            #expect(try await app.send(.GET, "/api/v1/admin/settlements", token: bakeryAdmin).decode(ListPage<SettlementStatementView>.self).total == 0)
            #expect(try await app.send(.GET, "/api/v1/admin/settlements/\(statement.id)", token: bakeryAdmin).status == .notFound)
            #expect(try await app.send(.POST, "/api/v1/admin/settlements/\(statement.id)/confirm", token: bakeryAdmin).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/admin/merchants/\(shop.merchant.id!)/fee-rules", token: bakeryAdmin).status == .forbidden)
            #expect(try await app.send(.POST, "/api/v1/admin/payouts", token: fruitAdmin,
                                       json: PayoutInput(statementId: statement.id, amountFen: 9_440, bankReference: "X", paidOn: "2026-12-20")).status == .forbidden)

            // Exports: CSV and a real XLSX.
            let csv = try await app.send(.GET, "/api/v1/admin/settlements/\(statement.id)/export.csv", token: fruitAdmin)
            #expect(csv.text.contains("Merchant net") && csv.text.contains(order.number) && csv.text.contains("94.40"))
            let xlsx = try await app.send(.GET, "/api/v1/admin/settlements/\(statement.id)/export.xlsx", token: fruitAdmin)
            #expect(xlsx.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(xlsx.text.hasPrefix("PK") && xlsx.text.contains("xl/worksheets/sheet1.xml") && xlsx.text.contains("<v>94.40</v>"))
            #expect(csv.text.contains("Booked,Kind,Order,Item") && csv.text.contains(",Goods,") && csv.text.contains(",Statement total,")
                    && csv.text.contains(",draft,") && !csv.text.contains("商家应结"), "\(csv.text)")
            // In the reader's language: Chinese headers, kinds and status when the request asks for Chinese.
            let chineseCSV = try await app.send(.GET, "/api/v1/admin/settlements/\(statement.id)/export.csv", token: fruitAdmin,
                                                headers: ["Accept-Language": "zh-CN,zh;q=0.9"])
            #expect(chineseCSV.text.contains("记账时间,类型,订单,商品,费率（基点）,顾客实付,退款,平台补贴优惠,佣金,支付通道费,配送费,商家应结"), "\(chineseCSV.text)")
            #expect(chineseCSV.text.contains(",商品,\(order.number),") && chineseCSV.text.contains(",配送费与订单固定费,")
                    && chineseCSV.text.contains(",结算单合计,") && chineseCSV.text.contains(",待确认,") && chineseCSV.text.contains("94.40"))
            #expect(!chineseCSV.text.contains("Merchant net") && !chineseCSV.text.contains(",Goods,"))
            let chineseXLSX = try await app.send(.GET, "/api/v1/admin/settlements/\(statement.id)/export.xlsx", token: fruitAdmin,
                                                 headers: ["Accept-Language": "zh-CN"])
            #expect(chineseXLSX.text.contains("商家应结") && chineseXLSX.text.contains("结算单合计") && !chineseXLSX.text.contains("Merchant net"))
            #expect(xlsx.text.contains("Merchant net") && !xlsx.text.contains("商家应结"))

            // A payout waits for the merchant; the merchant confirms once.
            let early = try await app.send(.POST, "/api/v1/admin/payouts", token: admin,
                                           json: PayoutInput(statementId: statement.id, amountFen: 9_440, bankReference: "CMB20261220001", paidOn: "2026-12-20"))
            #expect(early.status == .conflict && early.problem?.detail == "The merchant has not confirmed this statement yet.")
            let confirmed = try await app.send(.POST, "/api/v1/admin/settlements/\(statement.id)/confirm", token: fruitAdmin).decode(SettlementStatementView.self)
            #expect(confirmed.status == .confirmed && confirmed.confirmation == .merchant && confirmed.confirmedBy == "fruit.admin")
            #expect(try await app.send(.POST, "/api/v1/admin/settlements/\(statement.id)/confirm", token: fruitAdmin).status == .conflict)
            let short = try await app.send(.POST, "/api/v1/admin/payouts", token: admin,
                                           json: PayoutInput(statementId: statement.id, amountFen: 10_000, bankReference: "CMB20261220001", paidOn: "2026-12-20"))
            #expect(short.problem?.errors?.map(\.field) == ["amountFen"])
            let badDate = try await app.send(.POST, "/api/v1/admin/payouts", token: admin,
                                             json: PayoutInput(statementId: statement.id, amountFen: 9_440, bankReference: "", paidOn: "20-12-2026"))
            #expect(badDate.problem?.errors?.map(\.field) == ["bankReference", "paidOn"])
            let paid = try await app.send(.POST, "/api/v1/admin/payouts", token: admin,
                                          json: PayoutInput(statementId: statement.id, amountFen: 9_440, bankReference: "CMB20261220001", paidOn: "2026-12-20"))
            #expect(paid.status == .created, "\(paid.text)")
            #expect(try await app.send(.POST, "/api/v1/admin/payouts", token: admin,
                                       json: PayoutInput(statementId: statement.id, amountFen: 9_440, bankReference: "CMB2", paidOn: "2026-12-20")).status == .conflict)
            #expect(try await PayoutModel.query(on: app.db).count() == 1)

            // The refund goes through after the statement closed: an adjustment, in the next one.
            #expect(try await app.send(.POST, "/api/v1/admin/after-sales/\(request.id)/approve", token: admin).status == .ok)
            try await app.jobs.runDue()
            #expect(try await app.send(.GET, "/api/v1/after-sales/\(request.id)", token: shopper).decode(AfterSalesInfo.self).status == .refunded)
            #expect(try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin).decode(SettlementRunResult.self).entriesBooked == 1)
            clock.advance(seconds: 11 * Self.day)
            #expect(try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin).decode(SettlementRunResult.self).statementsIssued == 1)
            let statements = try await app.send(.GET, "/api/v1/admin/settlements", token: admin).decode(ListPage<SettlementStatementView>.self).items
            #expect(statements.map(\.status) == [.draft, .paid], "newest first")
            let next = try await app.send(.GET, "/api/v1/admin/settlements/\(statements[0].id)", token: fruitAdmin).decode(SettlementStatementDetail.self)
            #expect(next.entries.map(\.kind) == ["line_adjustment"])
            #expect(next.statement.totals.refundedFen == 5_000 && next.statement.totals.commissionFen == -250)
            #expect(next.statement.totals.merchantNetFen == -5_000 + 250 + 30, "half the goods back, half the commission and channel fee returned")

            // The invariant over everything booked, and the balances.
            let all = try await SettlementEntryModel.query(on: app.db).all().reduce(SettlementAmounts.zero) { try $0.plus($1.amounts) }
            #expect(try all.imbalance() == 0)
            #expect(all.shopperPaidFen - all.refundedFen == 10_000 - 5_000)
            balances = try await app.send(.GET, "/api/v1/admin/settlements/balances", token: admin).decode([SettlementBalance].self)
            let fruit = try #require(balances.first { $0.merchantId == shop.merchant.id })
            #expect(fruit.awaitingSettlementFen == 0 && fruit.pendingStatementFen == 0 && fruit.settledUnpaidFen == -4_720 && fruit.paidFen == 9_440)
            let payouts = try await app.send(.GET, "/api/v1/admin/payouts", token: fruitAdmin).decode(ListPage<PayoutView>.self)
            #expect(payouts.items.map(\.bankReference) == ["CMB20261220001"])
            #expect(try await app.send(.GET, "/api/v1/admin/payouts", token: bakeryAdmin).decode(ListPage<PayoutView>.self).total == 0)

            // Left alone, a draft confirms itself.
            clock.advance(seconds: 7 * Self.day)
            #expect(try await SettlementService(app: app, db: app.db).run(now: clock.now()).statementsAutoConfirmed == 1, "the hourly job")
            let (_, later) = try await Fixtures.staff(app, "root.later", role: .platformAdmin, scope: .platform)
            let auto = try await app.send(.GET, "/api/v1/admin/settlements?status=carried_forward", token: later).decode(ListPage<SettlementStatementView>.self)
            #expect(auto.items.map(\.confirmation) == [.automatic], "the negative statement confirms itself and is carried forward")
            #expect(try await app.send(.GET, "/api/v1/admin/settlements?status=open&per=0", token: later).problem?.errors?.map(\.field).sorted() == ["per", "status"])
        }
    }

    @Test("a statement gone negative by a late refund is carried forward when confirmed: never paid; the next statement brings it forward and pays the rest")
    func negativeStatementCarriedForward() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await Self.shop(app)
            var (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            var (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(shop.merchant.merchantID))
            func run() async throws -> SettlementRunResult {
                try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin).decode(SettlementRunResult.self)
            }
            func statements() async throws -> [SettlementStatementView] {
                try await app.send(.GET, "/api/v1/admin/settlements", token: admin).decode(ListPage<SettlementStatementView>.self).items
            }
            func pay(_ id: UUID, _ amount: Int64, _ reference: String) async throws -> APIResponse {
                try await app.send(.POST, "/api/v1/admin/payouts", token: admin,
                                   json: PayoutInput(statementId: id, amountFen: amount, bankReference: reference, paidOn: "2026-12-20"))
            }

            // Week 1: ¥100 sold, a refund of half asked for; settled, confirmed and paid ¥94.40.
            let (firstToken, order) = try await Self.paidOrder(app, shop, quantity: 2)
            var shopper = firstToken
            try await Self.complete(app, order, shopper: shopper, staff: admin)
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]
            let request = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                             json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 1)], reason: .damaged, description: "一个坏了"))
                .decode(AfterSalesInfo.self)
            clock.advance(seconds: 7 * Self.day + 60)
            _ = try await run()
            clock.advance(seconds: 11 * Self.day)
            #expect(try await run().statementsIssued == 1)
            let first = try #require(try await statements().first)
            #expect(first.netFen == 9_440 && first.broughtForwardFen == 0)
            _ = try await app.send(.POST, "/api/v1/admin/settlements/\(first.id)/confirm", token: fruitAdmin)
            #expect(try await pay(first.id, 9_440, "CMB-1").status == .created)

            // The refund lands after: the next statement is −¥47.20, which no payout can pay.
            #expect(try await app.send(.POST, "/api/v1/admin/after-sales/\(request.id)/approve", token: admin).status == .ok)
            try await app.jobs.runDue()
            #expect(try await run().entriesBooked == 1, "the adjustment, booked in the open period")
            clock.advance(seconds: 11 * Self.day)
            #expect(try await run().statementsIssued == 1)
            let negative = try #require(try await statements().first)
            #expect(negative.status == .draft && negative.netFen == -4_720 && negative.totals.merchantNetFen == -4_720)
            let confirmed = try await app.send(.POST, "/api/v1/admin/settlements/\(negative.id)/confirm", token: fruitAdmin)
            let carried = try confirmed.decode(SettlementStatementView.self)
            #expect(carried.status == .carriedForward && carried.confirmation == .merchant && carried.carriedIntoStatementId == nil, "\(confirmed.text)")
            for amount in [Int64(0), -4_720, 4_720] {
                let refused = try await pay(negative.id, amount, "CMB-X")
                #expect(refused.status == .conflict || refused.status == .unprocessableEntity, "\(refused.text)")
            }
            let refused = try await app.send(.POST, "/api/v1/admin/payouts", token: admin, json: PayoutInput(statementId: negative.id, amountFen: 0, bankReference: "CMB-0", paidOn: "2026-12-27"),
                                             headers: ["Accept-Language": "zh-CN"])
            #expect(refused.status == .conflict && refused.problem?.detail == "该结算单净额为零或负数，已结转至商家的下一期结算单，无需付款。", "\(refused.text)")
            #expect(try await PayoutModel.query(on: app.db).count() == 1)
            var balance = try #require(try await app.send(.GET, "/api/v1/admin/settlements/balances", token: admin).decode([SettlementBalance].self).first)
            #expect(balance.settledUnpaidFen == -4_720 && balance.paidFen == 9_440, "the debt stands until a statement takes it")

            // Week 3: another ¥100 sold; its statement brings the −¥47.20 forward and pays the rest.
            // Sessions end after 30 days: everyone signs in again.
            admin = try await PointsTests.login(app, "root", staff: true)
            fruitAdmin = try await PointsTests.login(app, "fruit.admin", staff: true)
            shopper = try await PointsTests.login(app, "13800138000")
            let (_, second) = try await Self.paidOrder(app, shop, quantity: 2, token: shopper)
            try await Self.complete(app, second, shopper: shopper, staff: admin)
            clock.advance(seconds: 7 * Self.day + 60)
            _ = try await run()
            clock.advance(seconds: 11 * Self.day)
            #expect(try await run().statementsIssued == 1)
            let third = try #require(try await statements().first)
            #expect(third.totals.merchantNetFen == 9_440 && third.broughtForwardFen == -4_720 && third.netFen == 4_720, "\(third)")
            let closed = try #require(try await statements().first { $0.id == negative.id })
            #expect(closed.status == .carriedForward && closed.carriedIntoStatementId == third.id && closed.netFen == -4_720)
            balance = try #require(try await app.send(.GET, "/api/v1/admin/settlements/balances", token: admin).decode([SettlementBalance].self).first)
            #expect(balance.settledUnpaidFen == 4_720, "the carried statement counts once, inside the one that took it")

            let csv = try await app.send(.GET, "/api/v1/admin/settlements/\(third.id)/export.csv", token: fruitAdmin)
            #expect(csv.text.contains(",Brought forward from earlier statements,") && csv.text.contains("-47.20") && csv.text.contains(",Net due,"), "\(csv.text)")

            _ = try await app.send(.POST, "/api/v1/admin/settlements/\(third.id)/confirm", token: fruitAdmin)
            #expect(try await pay(third.id, 9_440, "CMB-2").problem?.errors?.map(\.field) == ["amountFen"], "the net, not the entries' sum")
            #expect(try await pay(third.id, 4_720, "CMB-2").status == .created)

            // Reconciliation across the periods: every fen the entries gave the merchant was paid
            // out, each payout a positive transfer of its statement's net.
            let entries = try await SettlementEntryModel.query(on: app.db).all().reduce(SettlementAmounts.zero) { try $0.plus($1.amounts) }
            #expect(try entries.imbalance() == 0)
            let payouts = try await PayoutModel.query(on: app.db).all()
            #expect(payouts.map(\.amountFen).sorted() == [4_720, 9_440] && payouts.allSatisfy { $0.amountFen > 0 })
            #expect(payouts.reduce(0) { $0 + $1.amountFen } == entries.merchantNetFen)
            balance = try #require(try await app.send(.GET, "/api/v1/admin/settlements/balances", token: admin).decode([SettlementBalance].self).first)
            #expect(balance.settledUnpaidFen == 0 && balance.pendingStatementFen == 0 && balance.paidFen == entries.merchantNetFen)
        }
    }
}

extension SettlementServerTests {
    @Test("an off-cycle statement (提前结算) takes what is booked so far; the period's regular statement later takes only the rest; nothing twice")
    func offCycleStatement() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await Self.shop(app)
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(shop.merchant.merchantID))
            func issueNow(_ merchantId: UUID, token: String) async throws -> APIResponse {
                try await app.send(.POST, "/api/v1/admin/settlements/issue", token: token, json: IssueStatementInput(merchantId: merchantId))
            }

            let (shopper, order) = try await Self.paidOrder(app, shop, quantity: 2)
            try await Self.complete(app, order, shopper: shopper, staff: admin)
            // Inside the after-sales window nothing is final, so there is nothing to put on a statement.
            let early = try await issueNow(shop.merchant.id!, token: admin)
            #expect(early.status == .conflict && early.problem?.detail?.contains("after-sales window") == true, "\(early.text)")
            #expect(try await issueNow(shop.merchant.id!, token: fruitAdmin).status == .forbidden, "only headquarters settles early")
            #expect(try await issueNow(SelfOperatedMerchant.id.rawValue, token: admin).status == .conflict)
            #expect(try await issueNow(UUID(), token: admin).status == .notFound)

            // A day after the window: issued at once, mid-week, with the order on it.
            clock.advance(seconds: 8 * Self.day)
            let issued = try await issueNow(shop.merchant.id!, token: admin)
            #expect(issued.status == .created, "\(issued.text)")
            let statement = try issued.decode(SettlementStatementView.self)
            #expect(statement.status == .draft && statement.entryCount == 2 && statement.netFen == 9_440)
            #expect(abs(statement.periodEnd.timeIntervalSince(clock.now())) < 1, "the period ends now, mid-week")
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action == "settlement.statement.issueNow").all()
            #expect(audit.map(\.targetId) == [statement.id.uuidString])
            let again = try await issueNow(shop.merchant.id!, token: admin)
            #expect(again.status == .conflict, "everything booked is on the statement already")

            // A second order settles later in the same week: the regular statement takes only it.
            let (_, second) = try await Self.paidOrder(app, shop, quantity: 1, token: shopper)
            try await Self.complete(app, second, shopper: shopper, staff: admin)
            clock.advance(seconds: 8 * Self.day)
            _ = try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin)
            // Booked and waiting for the week's statement: the balance's breakdown, for the merchant too.
            let pendingPath = "/api/v1/admin/settlements/balances/\(shop.merchant.id!)/entries"
            let pending = try await app.send(.GET, pendingPath, token: fruitAdmin).decode([SettlementEntryView].self)
            let balance = try #require(try await app.send(.GET, "/api/v1/admin/settlements/balances", token: fruitAdmin).decode([SettlementBalance].self).first)
            #expect(pending.count == 2 && pending.allSatisfy { $0.orderId == second.id })
            #expect(pending.reduce(0) { $0 + $1.totals.merchantNetFen } == balance.pendingStatementFen && balance.pendingStatementFen > 0)
            let stranger = try await Fixtures.merchant(app, code: "BAKERY")
            let (_, strangerAdmin) = try await Fixtures.staff(app, "bakery.admin", role: .merchantAdmin, scope: .merchant(stranger.merchantID))
            #expect(try await app.send(.GET, pendingPath, token: strangerAdmin).status == .forbidden)
            clock.advance(seconds: 11 * Self.day)
            _ = try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin)
            #expect(try await app.send(.GET, pendingPath, token: admin).decode([SettlementEntryView].self).isEmpty, "all on the statement now")
            let all = try await app.send(.GET, "/api/v1/admin/settlements?merchantId=\(shop.merchant.id!)", token: admin)
                .decode(ListPage<SettlementStatementView>.self).items
            #expect(all.count == 2)
            let regular = try #require(all.first { $0.id != statement.id })
            #expect(regular.entryCount == 2 && regular.totals.shopperPaidFen == second.payableFen, "\(all)")
            let onStatements = try await SettlementEntryModel.query(on: app.db).filter(\.$statementId != nil).count()
            let entries = try await SettlementEntryModel.query(on: app.db).count()
            #expect(onStatements == 4 && entries == 4)
        }
    }
}

extension SettlementServerTests {
    @Test("monthly statements cover the calendar month and come T+N after it; a channel fee the platform bears costs the merchant nothing")
    func monthlyCycleAndPlatformBornChannelFee() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 90 * 86_400 }) { app in
            let shop = try await Self.shop(app)
            var (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let changed = try await app.send(.PATCH, "/api/v1/admin/settings", token: admin, json: SettingsUpdate(values: [
                "settlement.monthly": .boolean(true), "settlement.merchantBearsChannelFee": .boolean(false)]))
            #expect(changed.status == .ok, "\(changed.text)")
            func run() async throws -> SettlementRunResult {
                try await app.send(.POST, "/api/v1/admin/settlements/runs", token: admin).decode(SettlementRunResult.self)
            }

            // Paid and completed on 27 November; final a week later, in December.
            let (shopper, order) = try await Self.paidOrder(app, shop, quantity: 2)
            try await Self.complete(app, order, shopper: shopper, staff: admin)
            clock.advance(seconds: 8 * Self.day)
            #expect(try await run().entriesBooked == 2)
            let line = try #require(try await SettlementEntryModel.query(on: app.db).filter(\.$kind == "line").first())
            #expect(line.channelFeeFen == 0 && line.commissionFen == 500 && line.merchantNetFen == 9_500, "the platform keeps the ¥0.60 fee to itself")

            // A weekly cycle would have issued it by mid-December; the monthly one waits for the month's end + 3 days.
            clock.advance(seconds: 20 * Self.day)
            #expect(try await run().statementsIssued == 0)
            clock.advance(seconds: 12 * Self.day)
            admin = try await PointsTests.login(app, "root", staff: true)  // sessions end after 30 days
            #expect(try await run().statementsIssued == 1)
            let statement = try #require(try await app.send(.GET, "/api/v1/admin/settlements", token: admin).decode(ListPage<SettlementStatementView>.self).items.first)
            #expect((statement.firstDay, statement.lastDay) == ("2026-12-01", "2026-12-31"))
            #expect(statement.netFen == 9_500 && statement.totals.channelFeeFen == 0)
        }
    }
}
