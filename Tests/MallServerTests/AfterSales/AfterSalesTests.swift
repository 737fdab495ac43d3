import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Logistics and after-sales")
struct AfterSalesTests {
    static let salt = "salt-2026"

    /// A Kuaidi100 push for one SF parcel, oldest scan last as Kuaidi100 sends them, signed
    /// the way Kuaidi100 signs (MD5 of param + salt, upper-case hex).
    static func push(_ app: Application, number: String, state: String, scans: [(String, String)], salt: String = salt) async throws -> APIResponse {
        let data = scans.reversed().map { ["context": $0.1, "ftime": $0.0, "time": $0.0, "areaName": "上海"] }
        let param = String(decoding: try JSONSerialization.data(withJSONObject: [
            "status": "polling", "message": "",
            "lastResult": ["message": "ok", "state": state, "status": "200", "ischeck": state == "3" ? "1" : "0",
                           "com": "shunfeng", "nu": number, "data": data] as [String: Any],
        ] as [String: Any]), as: UTF8.self)
        let sign = LogisticsService.kuaidi100Sign(param: param, salt: salt)
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "param", value: param), URLQueryItem(name: "sign", value: sign)]
        let body = form.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
        return try await app.send(.POST, "/api/v1/logistics/kuaidi100/push", raw: body, headers: ["Content-Type": "application/x-www-form-urlencoded"])
    }

    static func staffPost(_ app: Application, _ path: String, token: String, json: (any Encodable)? = nil) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/admin/\(path)", token: token, json: json)
    }

    static func payment(_ app: Application, order: Order) async throws -> PaymentModel {
        try #require(try await PaymentModel.query(on: app.db).filter(\.$checkoutId == order.checkoutId).first())
    }

    @Test("Kuaidi100's signature is MD5 of param + salt in upper-case hex (vector from Python's hashlib)")
    func kuaidi100Signature() {
        let param = #"{"status":"polling","lastResult":{"state":"3","com":"shunfeng","nu":"SF1234567890","data":[]}}"#
        #expect(LogisticsService.kuaidi100Sign(param: param, salt: "salt-2026") == "AD2F66A2182444EC57D5BF1C6F0C9615")
    }

    @Test("end to end: checkout → pay → nearest store → accept → ship → carrier pushes → delivered → confirm → return → refund")
    func endToEnd() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.kuaidi100Salt = Self.salt; $0.accessTokenTTL = 30 * 86_400 }) { app in
            // Cart → checkout → sandbox payment.
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 3)
            #expect(order.storeName == "Store NEAR", "the nearest store that has the stock")
            #expect(order.payableFen == 3 * 1_250 + 600)
            var payment = try await Self.payment(app, order: order)
            #expect(payment.status == "paid")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 10, reserved: 3))
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))

            // The store accepts, picks and ships with SF; stock leaves the store.
            #expect(try await Self.staffPost(app, "orders/\(order.id)/accept", token: clerk).status == .ok)
            #expect(try await Self.staffPost(app, "orders/\(order.id)/pick", token: clerk).status == .ok)
            let shipped = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: "sf1234567890"))
            #expect(shipped.status == .ok, "\(shipped.text)")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 7, reserved: 0))
            var mine = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self)
            #expect(mine.shipments.map(\.carrierName) == ["顺丰速运"])
            #expect(mine.shipments.first?.trackingNumber == "SF1234567890")

            // The carrier pushes scans; a forged push is refused; a replayed push adds nothing.
            let collected = [("2026-11-27 14:05:00", "顺丰速运 已收取快件"), ("2026-11-27 18:30:00", "快件到达 【上海静安集散点】")]
            #expect(try await Self.push(app, number: "SF1234567890", state: "0", scans: collected).status == .ok)
            let forged = try await Self.push(app, number: "SF1234567890", state: "3", scans: collected, salt: "guess")
            #expect(forged.status == .unauthorized)
            #expect(try await Self.push(app, number: "SF1234567890", state: "0", scans: collected).status == .ok)
            mine = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self)
            #expect(mine.status == .shipped)
            #expect(mine.shipments[0].events.map(\.description) == collected.map(\.1), "oldest first, each scan once")
            #expect(mine.shipments[0].state == .inTransit)

            clock.advance(seconds: 6 * 3600)
            let delivered = collected + [("2026-11-28 09:12:00", "快件已签收，签收人：本人")]
            let answer = try await Self.push(app, number: "SF1234567890", state: "3", scans: delivered)
            #expect(answer.text.contains("\"result\":true"))
            mine = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self)
            #expect(mine.status == .delivered, "the carrier's delivery scan marks the order delivered")
            #expect(mine.shipments[0].events.count == 3)
            #expect(mine.shipments[0].events.last?.state == .delivered)

            // The shopper confirms receipt.
            let confirmed = try await app.send(.POST, "/api/v1/orders/\(order.id)/confirm", token: shopper).decode(Order.self)
            #expect(confirmed.status == .completed)
            #expect(confirmed.timeline.map(\.to) == [.pendingPayment, .paid, .accepted, .picking, .shipped, .delivered, .completed])

            // Two bottles go back: return and refund.
            let line = confirmed.lines[0]
            let tooMany = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                             json: AfterSalesInput(kind: .returnAndRefund, lines: [.init(orderLineId: line.id, quantity: 4)],
                                                                   reason: .damaged, description: "瓶子破了"))
            #expect(tooMany.problem?.errors?.map(\.field) == ["lines[0].quantity"])
            let opened = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .returnAndRefund, lines: [.init(orderLineId: line.id, quantity: 2)],
                                                                  reason: .changedMind, description: "买多了两瓶，未开封", photos: ["/files/img/abc.png"]))
            #expect(opened.status == .created, "\(opened.text)")
            let request = try opened.decode(AfterSalesInfo.self)
            #expect(request.status == .requested)
            #expect(request.requestedRefundFen == 2_500, "two of three bottles: their share of the goods, not the shipping")

            let approved = try await Self.staffPost(app, "after-sales/\(request.id)/approve", token: clerk).decode(AfterSalesInfo.self)
            #expect(approved.status == .awaitingReturn)
            #expect(try await Self.staffPost(app, "after-sales/\(request.id)/receive", token: clerk).status == .conflict, "nothing was sent back yet")
            let sentBack = try await app.send(.POST, "/api/v1/after-sales/\(request.id)/return-shipment", token: shopper,
                                              json: ReturnShipmentInput(carrier: "sf", trackingNumber: "SF9999000011"))
            #expect(try sentBack.decode(AfterSalesInfo.self).status == .returnShipped)
            #expect(try await Self.staffPost(app, "after-sales/\(request.id)/receive", token: clerk).status == .ok)
            let inspected = try await Self.staffPost(app, "after-sales/\(request.id)/inspect", token: clerk,
                                                     json: AfterSalesInspectionInput(passed: true)).decode(AfterSalesInfo.self)
            #expect(inspected.status == .refunding)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 9, reserved: 0), "the returned bottles are back on the shelf")

            // The refund goes through the gateway (a job) and completes the case.
            try await app.jobs.runDue()
            let refunded = try await app.send(.GET, "/api/v1/after-sales/\(request.id)", token: shopper).decode(AfterSalesInfo.self)
            #expect(refunded.status == .refunded)
            #expect(refunded.refundedFen == 2_500)
            #expect(refunded.timeline.map(\.to) == [.requested, .awaitingReturn, .returnShipped, .returnReceived, .refunding, .refunded])
            payment = try await Self.payment(app, order: order)
            #expect(payment.refundedFen == 2_500)
            #expect(payment.status == "partially_refunded")
            let refunds = try await RefundModel.query(on: app.db).all()
            #expect(refunds.map(\.status) == ["succeeded"])
            #expect(refunds.first?.amountFen == 2_500)
            #expect(try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).refundedFen == 2_500)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("damaged goods that come back are refunded but not put back on sale")
    func damagedReturnsAreNotRestocked() async throws {
        try await withTestApp { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 2)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            for step in ["accept", "pick"] { _ = try await Self.staffPost(app, "orders/\(order.id)/\(step)", token: clerk) }
            _ = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: "SF3330001"))
            _ = try await Self.staffPost(app, "orders/\(order.id)/delivered", token: clerk)
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]
            let opened = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .returnAndRefund, lines: [.init(orderLineId: line.id, quantity: 1)],
                                                                  reason: .damaged, description: "瓶身破裂")).decode(AfterSalesInfo.self)
            _ = try await Self.staffPost(app, "after-sales/\(opened.id)/approve", token: clerk)
            _ = try await app.send(.POST, "/api/v1/after-sales/\(opened.id)/return-shipment", token: shopper, json: ReturnShipmentInput(carrier: "sf", trackingNumber: "SF3330002"))
            _ = try await Self.staffPost(app, "after-sales/\(opened.id)/receive", token: clerk)
            _ = try await Self.staffPost(app, "after-sales/\(opened.id)/inspect", token: clerk, json: AfterSalesInspectionInput(passed: true))
            try await app.jobs.runDue()
            #expect(try await app.send(.GET, "/api/v1/after-sales/\(opened.id)", token: shopper).decode(AfterSalesInfo.self).refundedFen == 1_250)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 8, reserved: 0), "the broken bottle is not sellable")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("returning a line one unit at a time refunds exactly what it cost, never a fen more")
    func unitByUnitRefundsAddUp() async throws {
        try await withTestApp { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 3)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            for step in ["accept", "pick"] { _ = try await Self.staffPost(app, "orders/\(order.id)/\(step)", token: clerk) }
            _ = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk,
                                         json: ShipmentInput(carrier: Carrier.storeCourierCode, courierName: "李师傅", courierPhone: "13700001111"))
            _ = try await Self.staffPost(app, "orders/\(order.id)/delivered", token: clerk)
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]
            // Make the line's price not divide by three: 3 × ¥12.50 with ¥0.01 off is 3,749 fen.
            try await OrderLineModel.query(on: app.db).filter(\.$id == line.id).set(\.$payableFen, to: 3_749).update()

            var amounts: [Int64] = []
            for _ in 0..<3 {
                let opened = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                                json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 1)],
                                                                      reason: .qualityIssue, description: "变质")).decode(AfterSalesInfo.self)
                amounts.append(opened.requestedRefundFen)
                let approved = try await Self.staffPost(app, "after-sales/\(opened.id)/approve", token: clerk).decode(AfterSalesInfo.self)
                #expect(approved.status == .refunding)
            }
            #expect(amounts == [1_249, 1_250, 1_250])
            #expect(amounts.reduce(0, +) == 3_749)
            let fourth = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 1)],
                                                                  reason: .qualityIssue, description: "变质"))
            #expect(fourth.problem?.errors?.first?.message.contains("nothing left") == true)
            try await app.jobs.runDue()
            #expect(try await Self.payment(app, order: order).refundedFen == 3_749)
            #expect(try await AfterSalesCaseModel.query(on: app.db).filter(\.$status == "refunded").count() == 3)
            // A courier delivery has a shipment without a tracking number, but with the courier.
            let shipment = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).shipments[0]
            #expect(shipment.carrierCode == Carrier.storeCourierCode)
            #expect(shipment.courierName == "李师傅")
            #expect(shipment.courierPhone == "13700001111")
        }
    }

    @Test("a partial approval refunds less than asked; a rejection frees the units; HQ sees statistics by store, product and reason")
    func partialApprovalAndRejection() async throws {
        try await withTestApp { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 2)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            let (_, farClerk) = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(shop.far.storeID))
            for step in ["accept", "pick"] { _ = try await Self.staffPost(app, "orders/\(order.id)/\(step)", token: clerk) }
            _ = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: "zto", trackingNumber: "ZT0001"))
            _ = try await Self.staffPost(app, "orders/\(order.id)/delivered", token: clerk)
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]

            let first = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                           json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 2)],
                                                                 reason: .notAsDescribed, description: "口味不对")).decode(AfterSalesInfo.self)
            #expect(try await Self.staffPost(app, "after-sales/\(first.id)/reject", token: farClerk, json: ReasonInput(reason: "不是本店")).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/after-sales", token: farClerk).decode(ListPage<AfterSalesInfo>.self).total == 0)
            let rejected = try await Self.staffPost(app, "after-sales/\(first.id)/reject", token: clerk, json: ReasonInput(reason: "商品无质量问题"))
            #expect(try rejected.decode(AfterSalesInfo.self).rejectionReason == "商品无质量问题")

            let second = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 2)],
                                                                  reason: .qualityIssue, description: "有异味")).decode(AfterSalesInfo.self)
            #expect(second.requestedRefundFen == 2_500, "the rejected request's units can be claimed again")
            let tooMuch = try await Self.staffPost(app, "after-sales/\(second.id)/approve", token: clerk, json: AfterSalesApprovalInput(refundFen: 2_501))
            #expect(tooMuch.problem?.errors?.first?.field == "refund")
            let partial = try await Self.staffPost(app, "after-sales/\(second.id)/approve", token: clerk,
                                                   json: AfterSalesApprovalInput(refundFen: 1_000)).decode(AfterSalesInfo.self)
            #expect(partial.approvedRefundFen == 1_000)
            try await app.jobs.runDue()
            #expect(try await Self.payment(app, order: order).refundedFen == 1_000)
            #expect(try await app.send(.GET, "/api/v1/after-sales/\(second.id)", token: shopper).decode(AfterSalesInfo.self).refundedFen == 1_000)

            // Statistics for HQ: by store, product and reason.
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let stats = try await app.send(.GET, "/api/v1/admin/after-sales/stats", token: admin).decode(AfterSalesStats.self)
            #expect(stats.totalCases == 2)
            #expect(stats.byStatus == ["rejected": 1, "refunded": 1])
            #expect(stats.byStore.map(\.label) == ["Store NEAR"])
            #expect(stats.byStore.first?.refundedFen == 1_000)
            #expect(stats.byProduct.first?.units == 4)
            #expect(stats.byProduct.first?.refundedFen == 1_000)
            let refunds = try await app.send(.GET, "/api/v1/admin/refunds", token: admin).decode(ListPage<RefundInfo>.self)
            #expect(refunds.items.map(\.afterSalesNumber) == [second.number], "finance sees which case asked for the money")
            #expect(Set(stats.byReason.map(\.key)) == ["not_as_described", "quality_issue"])
            #expect(stats.byReason.first { $0.key == "quality_issue" }?.label == "质量问题")
        }
    }

    @Test("an exchange reserves the replacement after inspection, ships it and completes when the shopper confirms")
    func exchange() async throws {
        try await withTestApp { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 1)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            for step in ["accept", "pick"] { _ = try await Self.staffPost(app, "orders/\(order.id)/\(step)", token: clerk) }
            _ = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: "SF5550001"))
            _ = try await Self.staffPost(app, "orders/\(order.id)/delivered", token: clerk)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 9, reserved: 0))
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]
            let opened = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                            json: AfterSalesInput(kind: .exchange, lines: [.init(orderLineId: line.id, quantity: 1)],
                                                                  reason: .wrongItem, description: "发成了全脂")).decode(AfterSalesInfo.self)
            #expect(opened.requestedRefundFen == 0)
            _ = try await Self.staffPost(app, "after-sales/\(opened.id)/approve", token: clerk)
            _ = try await app.send(.POST, "/api/v1/after-sales/\(opened.id)/return-shipment", token: shopper,
                                   json: ReturnShipmentInput(carrier: "yto", trackingNumber: "YT7770001"))
            _ = try await Self.staffPost(app, "after-sales/\(opened.id)/receive", token: clerk)
            let reserved = try await Self.staffPost(app, "after-sales/\(opened.id)/inspect", token: clerk,
                                                    json: AfterSalesInspectionInput(passed: true, note: "包装完好")).decode(AfterSalesInfo.self)
            #expect(reserved.status == .replacementReserved)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 10, reserved: 1),
                    "the returned unit is back and the replacement is held")
            let sent = try await Self.staffPost(app, "after-sales/\(opened.id)/ship-replacement", token: clerk,
                                                json: ShipmentInput(carrier: "sf", trackingNumber: "SF5550002")).decode(AfterSalesInfo.self)
            #expect(sent.status == .replacementShipped)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 9, reserved: 0))
            let done = try await app.send(.POST, "/api/v1/after-sales/\(opened.id)/confirm", token: shopper).decode(AfterSalesInfo.self)
            #expect(done.status == .completed)
            let purposes = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).shipments.map(\.purpose)
            #expect(purposes == ["order", "return", "replacement"])
            #expect(try await RefundModel.query(on: app.db).count() == 0, "an exchange moves no money")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("requests outside the window, before delivery, or racing for the same units are refused")
    func requestRules() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 2)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            let line = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).lines[0]
            let input = AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: 1)], reason: .other, description: "不想要了")
            let early = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper, json: input)
            #expect(early.problem?.errors?.first?.field == "order", "not delivered yet: cancel instead")
            let stranger = try await CheckoutTests.shopper(app, mobile: "13900000077")
            #expect(try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: stranger, json: input).status == .notFound)
            let malformed = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper, raw: #"{"kind": "refund_only", "#)
            #expect(malformed.status == .badRequest)

            for step in ["accept", "pick"] { _ = try await Self.staffPost(app, "orders/\(order.id)/\(step)", token: clerk) }
            _ = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: "SF4440001"))
            _ = try await Self.staffPost(app, "orders/\(order.id)/delivered", token: clerk)

            // Five identical requests for the last two units at once: exactly two get through.
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper, json: input).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 2, "\(statuses)")
            #expect(statuses.filter { $0 != .created }.allSatisfy { $0 == .unprocessableEntity })
            #expect(try await AfterSalesCaseModel.query(on: app.db).count() == 2)

            // Withdrawn requests free their units, but only until the window closes.
            let mine = try await app.send(.GET, "/api/v1/after-sales", token: shopper).decode(ListPage<AfterSalesInfo>.self)
            let withdrawn = try await app.send(.POST, "/api/v1/after-sales/\(mine.items[0].id)/cancel", token: shopper).decode(AfterSalesInfo.self)
            #expect(withdrawn.status == .cancelled)
            clock.advance(seconds: 8 * 86_400)
            let late = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper, json: input)
            #expect(late.problem?.errors?.first?.message.contains("after-sales window") == true)
        }
    }

    @Test("staff add tracking events by hand; carriers are listed for the pickers")
    func staffEventsAndCarriers() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let carriers = try await app.send(.GET, "/api/v1/carriers").decode([CarrierInfo].self)
            #expect(carriers.contains { $0.code == "sf" && $0.name == "顺丰速运" && $0.tracksByNumber })
            #expect(carriers.contains { $0.code == Carrier.storeCourierCode && !$0.tracksByNumber })
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 1)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            let (_, farClerk) = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(shop.far.storeID))
            for step in ["accept", "pick"] { _ = try await Self.staffPost(app, "orders/\(order.id)/\(step)", token: clerk) }
            let noPhone = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk, json: ShipmentInput(carrier: Carrier.storeCourierCode, courierName: "李师傅"))
            #expect(noPhone.problem?.errors?.map(\.field) == ["courierPhone"])
            _ = try await Self.staffPost(app, "orders/\(order.id)/ship", token: clerk,
                                         json: ShipmentInput(carrier: Carrier.storeCourierCode, courierName: "李师傅", courierPhone: "137 0000 1111"))
            let shipment = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).shipments[0]
            #expect(try await Self.staffPost(app, "shipments/\(shipment.id)/events", token: farClerk,
                                             json: TrackingEventInput(description: "骑手已出发")).status == .forbidden)
            let blank = try await Self.staffPost(app, "shipments/\(shipment.id)/events", token: clerk, json: TrackingEventInput(description: " "))
            #expect(blank.problem?.errors?.first?.field == "description")
            _ = try await Self.staffPost(app, "shipments/\(shipment.id)/events", token: clerk, json: TrackingEventInput(description: "骑手已出发", state: .outForDelivery))
            clock.advance(seconds: 600)
            let done = try await Self.staffPost(app, "shipments/\(shipment.id)/events", token: clerk,
                                                json: TrackingEventInput(description: "已送达，放在门口", state: .delivered)).decode(ShipmentInfo.self)
            #expect(done.events.map(\.description) == ["骑手已出发", "已送达，放在门口"])
            #expect(done.events.allSatisfy { $0.source == "staff" })
            #expect(try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).status == .delivered)
        }
    }
}
