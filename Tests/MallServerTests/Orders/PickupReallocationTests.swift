import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Pickup orders a store cannot take")
struct PickupReallocationTests {
    @Test("a rejected pickup order waits for the shopper, who is offered the stores with stock and moves it to one")
    func shopperPicksAnotherStore() async throws {
        try await withTestApp { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 2, pickupAt: StoreModel())
            let (_, nearClerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            #expect(try await app.send(.GET, "/api/v1/orders/\(order.id)/pickup-stores", token: shopper).status == .conflict, "nothing to choose while the store may accept")
            let rejected = try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/reject", token: nearClerk, json: ReasonInput(reason: "冷柜故障")).decode(StaffOrder.self)
            #expect(rejected.order.status == .awaitingReallocation, "a pickup order is not moved behind the shopper's back")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 0)
            let told = try await app.send(.GET, "/api/v1/me/notifications", token: shopper, headers: ["Accept-Language": "zh-CN"]).decode(MemberInbox.self)
            let choose = try #require(told.notifications.items.first { $0.title == "请选择其他自提门店" })
            #expect(choose.body.hasPrefix("订单 \(order.number) 的自提门店无法备货"))

            let options = try await app.send(.GET, "/api/v1/orders/\(order.id)/pickup-stores", token: shopper).decode([PickupStoreOption].self)
            #expect(options.map(\.storeId) == [shop.far.id!])
            #expect(options.first?.distanceMeters ?? 0 > 4_000)
            let back = try await app.send(.POST, "/api/v1/orders/\(order.id)/pickup-store", token: shopper, json: PickupStoreInput(storeId: shop.near.id!))
            #expect(back.problem?.errors?.first?.field == "storeId", "the store that rejected it is not offered again")

            let moved = try await app.send(.POST, "/api/v1/orders/\(order.id)/pickup-store", token: shopper, json: PickupStoreInput(storeId: shop.far.id!)).decode(Order.self)
            #expect(moved.status == .paid)
            #expect(moved.storeId == shop.far.id!)
            #expect(moved.timeline.last?.actor == "shopper")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.far)?.reserved == 2)
            let (_, farClerk) = try await Fixtures.staff(app, "far.clerk", role: .storeClerk, scope: .store(shop.far.storeID))
            #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/accept", token: farClerk).status == .ok)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("an order nobody takes is cancelled and refunded when the waiting time runs out")
    func deadlineCancelsAndRefunds() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 86_400 }) { app in
            let (shop, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: StoreModel())
            let (_, nearClerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            _ = try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/reject", token: nearClerk, json: ReasonInput(reason: "冷柜故障"))
            clock.advance(seconds: 119 * 60)
            try await app.jobs.runDue()
            #expect(try await OrderModel.find(order.id, on: app.db)?.status == "awaiting_reallocation")
            clock.advance(seconds: 2 * 60)
            try await app.jobs.runDue()
            let cancelled = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.timeline.last?.note?.contains("no store could take the order") == true)
            #expect(cancelled.refundedFen == cancelled.payableFen)
            #expect(try await RefundModel.query(on: app.db).first()?.status == "succeeded")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 0)
        }
    }
}
