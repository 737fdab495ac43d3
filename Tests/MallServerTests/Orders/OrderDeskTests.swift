import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Store order desk")
struct OrderDeskTests {
    /// A paid order from the NEAR store of `CheckoutTests.shop`.
    static func paidOrder(_ app: Application, quantity: Int = 2, pickupAt store: StoreModel? = nil, in existing: CheckoutTests.Shop? = nil,
                          mobile: String = "13800138000") async throws -> (CheckoutTests.Shop, String, Order) {
        let shop = if let existing { existing } else { try await CheckoutTests.shop(app) }
        let token = try await CheckoutTests.shopper(app, mobile: mobile)
        _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: quantity))
        if let store = store ?? nil {
            _ = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: token,
                                   json: FulfilmentInput(mode: .pickup, storeId: store.id == nil ? shop.near.id! : store.id!))
        }
        let result = try await CheckoutTests.checkout(app, token: token, key: "desk-\(UUID().uuidString)").decode(CheckoutResult.self)
        _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
        try await app.jobs.runDue()
        return (shop, token, result.orders[0])
    }

    func post(_ app: Application, _ order: Order, _ action: String, token: String, json: (any Encodable)? = nil) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/\(action)", token: token, json: json)
    }

    @Test("the store sees where a delivery goes (the address as it stood at checkout); a pickup order has none")
    func recipient() async throws {
        try await withTestApp { app in
            let (shop, token, delivery) = try await Self.paidOrder(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            // The shopper edits the address afterwards: the order keeps what was bought against.
            let address = try #require(try await app.send(.GET, "/api/v1/me/addresses", token: token).decode([Address].self).first)
            var edited = AddressInput(contactName: "李四", phone: address.phone, province: address.province, city: address.city,
                                      district: address.district, detail: "别处1号", latitude: address.latitude, longitude: address.longitude)
            edited.isDefault = true
            _ = try await app.send(.PUT, "/api/v1/me/addresses/\(address.id)", token: token, json: edited)
            let seen = try await app.send(.GET, "/api/v1/admin/orders/\(delivery.id)", token: clerk).decode(StaffOrder.self)
            #expect(seen.order.deliveryAddress?.contactName == "王小明" && seen.order.deliveryAddress?.detail == "愚园路168号")
            #expect(seen.order.deliveryAddress?.phone == "13800138000")
            #expect(seen.order.timeline.first?.note == "order placed")
            let chinese = try await app.send(.GET, "/api/v1/admin/orders/\(delivery.id)", token: clerk, headers: ["Accept-Language": "zh-CN"])
                .decode(StaffOrder.self)
            #expect(chinese.order.timeline.first?.note == "订单已提交", "timeline notes in the reader's language")

            let (_, _, pickup) = try await Self.paidOrder(app, pickupAt: StoreModel(), in: shop, mobile: "13900000007")
            #expect(try await app.send(.GET, "/api/v1/admin/orders/\(pickup.id)", token: clerk).decode(StaffOrder.self).order.deliveryAddress == nil)
        }
    }

    @Test("one store's queue: totals agree with the status counts, with and without filters")
    func storeQueueTotals() async throws {
        try await withTestApp { app in
            let (shop, _, first) = try await Self.paidOrder(app)
            let (_, _, second) = try await Self.paidOrder(app, in: shop, mobile: "13900000002")
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            #expect(try await post(app, first, "accept", token: clerk).status == .ok)
            func list(_ query: String) async throws -> StaffOrderList {
                try await app.send(.GET, "/api/v1/admin/orders?storeId=\(shop.near.id!)" + query, token: clerk).decode(StaffOrderList.self)
            }
            let all = try await list("&per=1")
            #expect(all.countsByStatus == ["paid": 1, "accepted": 1])
            #expect(all.orders.total == 2 && all.orders.items.count == 1)
            let paid = try await list("&status=paid")
            #expect(paid.orders.total == 1 && paid.orders.items.map(\.id) == [second.id])
            #expect(try await list("&status=completed").orders.total == 0)
            let byNumber = try await list("&number=\(first.number)")
            #expect(byNumber.orders.total == 1 && byNumber.orders.items.map(\.id) == [first.id])
            #expect(try await list("&from=2099-01-01T00:00:00Z").orders.total == 0, "a date range counts its own rows")
        }
    }

    @Test("delivery: the store accepts, picks, ships; stock leaves on shipping; the shopper confirms")
    func deliveryFlow() async throws {
        try await withTestApp { app in
            let (shop, shopper, order) = try await Self.paidOrder(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            let (_, farClerk) = try await Fixtures.staff(app, "far.clerk", role: .storeClerk, scope: .store(shop.far.storeID))

            let desk = try await app.send(.GET, "/api/v1/admin/orders", token: clerk).decode(StaffOrderList.self)
            #expect(desk.orders.items.map(\.id) == [order.id])
            #expect(desk.countsByStatus == ["paid": 1])
            #expect(try await app.send(.GET, "/api/v1/admin/orders", token: farClerk).decode(StaffOrderList.self).orders.total == 0)
            let peeking = try await app.send(.GET, "/api/v1/admin/orders?storeId=\(shop.near.id!)", token: farClerk).decode(StaffOrderList.self)
            #expect(peeking.orders.total == 0 && peeking.countsByStatus.isEmpty, "naming another store's id shows nothing of it")
            #expect(try await app.send(.GET, "/api/v1/admin/orders?storeId=\(shop.near.id!)", token: clerk).decode(StaffOrderList.self).countsByStatus == ["paid": 1])
            #expect(try await post(app, order, "accept", token: farClerk).status == .forbidden)

            let detail = try await app.send(.GET, "/api/v1/admin/orders/\(order.id)", token: clerk).decode(StaffOrder.self)
            #expect(detail.allocation.candidates.count == 2, "HQ and the store see every store considered")
            #expect(try await post(app, order, "ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: "SF1234567890")).status == .conflict,
                    "an order is accepted and picked before it ships")
            #expect(try await post(app, order, "accept", token: clerk).status == .ok)
            #expect(try await post(app, order, "pick", token: clerk).status == .ok)
            let badTracking = try await post(app, order, "ship", token: clerk, json: ShipmentInput(carrier: "", trackingNumber: "x"))
            #expect(Set(badTracking.problem?.errors?.map(\.field) ?? []) == ["carrier", "trackingNumber"])
            let shipped = try await post(app, order, "ship", token: clerk, json: ShipmentInput(carrier: "sf", trackingNumber: "SF1234567890")).decode(StaffOrder.self)
            #expect(shipped.order.status == .shipped)
            #expect(shipped.trackingNumber == "SF1234567890")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 8, reserved: 0))

            #expect(try await post(app, order, "delivered", token: clerk).status == .ok)
            let done = try await app.send(.POST, "/api/v1/orders/\(order.id)/confirm", token: shopper).decode(Order.self)
            #expect(done.status == .completed)
            #expect(done.timeline.map(\.to) == [.pendingPayment, .paid, .accepted, .picking, .shipped, .delivered, .completed])
            let told = try await NotificationModel.query(on: app.db).filter(\.$audience == "member").all().map(\.title)
            #expect(told.count == 5, "paid, accepted, shipped, delivered, and the points the completed order earned: \(told)")
            #expect(told.contains { $0 == "Points earned: +25" }, "¥25.00 of goods earn 25 points")
            // Stored as English sentences; the inbox reads them in the member's language.
            #expect(told.contains { $0 == "Order \(order.number): shipped" }, "\(told)")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("pickup: ready with a code; a wrong code is refused; the QR payload works once; auto-confirm completes it")
    func pickupFlow() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let (shop, shopper, order) = try await Self.paidOrder(app, pickupAt: StoreModel())
            #expect(order.fulfilment == .pickup)
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            _ = try await post(app, order, "accept", token: clerk)
            _ = try await post(app, order, "pick", token: clerk)
            let ready = try await post(app, order, "ready", token: clerk)
            #expect(try ready.decode(StaffOrder.self).order.pickupCode == nil, "the counter never sees the code it checks")
            #expect(!ready.text.contains("pickupCode"))
            let code = try #require(try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self).pickupCode)
            #expect(PickupCode.isWellFormed(code))
            let wrong = String(code.reversed()) == code ? "000000" : String(code.reversed())
            let refused = try await post(app, order, "pickup", token: clerk, json: PickupInput(code: wrong == code ? "111111" : wrong))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.problem?.errors?.first?.field == "code")
            #expect(try await post(app, order, "pickup", token: clerk, json: PickupInput(code: "12ab")).problem?.errors?.first?.field == "code")
            let otherOrderQR = "chainmall:pickup:M000000000000:\(code)"
            #expect(try await post(app, order, "pickup", token: clerk, json: PickupInput(code: otherOrderQR)).problem?.errors?.first?.field == "code")
            let qr = "chainmall:pickup:\(order.number):\(code)"
            let handed = try await post(app, order, "pickup", token: clerk, json: PickupInput(code: qr)).decode(StaffOrder.self)
            #expect(handed.order.status == .pickedUp)
            #expect(try await post(app, order, "pickup", token: clerk, json: PickupInput(code: code)).status == .conflict, "a used code cannot be used twice")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 8, reserved: 0))

            clock.advance(seconds: 7 * 86_400 + 60)
            try await app.jobs.runDue()
            let mine = try await OrderModel.find(order.id, on: app.db)
            #expect(mine?.status == "completed")
            _ = shopper
        }
    }

    @Test("a rejecting store loses the order to the next best store, stock follows; a silent store times out the same way")
    func rejectionAndTimeout() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let (shop, _, order) = try await Self.paidOrder(app)
            let (_, nearClerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            let (_, farClerk) = try await Fixtures.staff(app, "far.clerk", role: .storeClerk, scope: .store(shop.far.storeID))
            #expect(try await post(app, order, "reject", token: nearClerk, json: ReasonInput(reason: "")).status == .unprocessableEntity)
            let moved = try await post(app, order, "reject", token: nearClerk, json: ReasonInput(reason: "冷柜故障")).decode(StaffOrder.self)
            #expect(moved.order.storeId == shop.far.id)
            #expect(moved.order.status == .paid)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 0)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.far)?.reserved == 2)
            #expect(try await app.send(.GET, "/api/v1/admin/orders", token: farClerk).decode(StaffOrderList.self).orders.total == 1)

            // The far store says nothing; after the acceptance window the order has nowhere left to go.
            clock.advance(seconds: 16 * 60)
            try await app.jobs.runDue()
            let waiting = try #require(try await OrderModel.find(order.id, on: app.db))
            #expect(waiting.status == "awaiting_reallocation", "both stores are excluded now; HQ must decide")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.far)?.reserved == 0)
            let told = try await NotificationModel.query(on: app.db).filter(\.$audience == "headquarters").all().map(\.title)
            #expect(told.contains { $0.contains(order.number) }, "HQ hears about an order no store can take")

            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformOperator, scope: .platform)
            #expect(try await post(app, order, "reallocate", token: hq, json: ReallocationInput()).status == .conflict)
            let byHand = try await post(app, order, "reallocate", token: hq, json: ReallocationInput(storeId: shop.near.id!)).decode(StaffOrder.self)
            #expect(byHand.order.storeId == shop.near.id)
            #expect(byHand.order.status == .paid)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 2)
            let warehouse = try await Fixtures.store(app, code: "WH", kind: .warehouse)
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: shop.milk.id!, storeId: warehouse.id!, quantity: 50)],
                                                                  context: MovementContext(now: testEpoch))
            }
            #expect(try await post(app, order, "reallocate", token: hq, json: ReallocationInput(storeId: warehouse.id!)).status == .ok,
                    "a delivery order may go to a warehouse")
            #expect(try await post(app, order, "reallocate", token: hq, json: ReallocationInput(storeId: shop.near.id!)).status == .ok)

            // Back at a store that once rejected it, the order gets a fresh acceptance deadline.
            clock.advance(seconds: 16 * 60)
            try await app.jobs.runDue()
            let afterTimeout = try #require(try await OrderModel.find(order.id, on: app.db))
            #expect(afterTimeout.status == "paid")
            #expect(afterTimeout.storeId == warehouse.id, "the warehouse is the last store that has not let it down")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 0)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: warehouse)?.reserved == 2)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }
}
