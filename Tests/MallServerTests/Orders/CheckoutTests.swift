import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Checkout, sandbox payment and expiry")
struct CheckoutTests {
    struct Shop {
        let near: StoreModel
        let far: StoreModel
        let milk: SKUModel
    }

    /// Two stores of the self-operated merchant near Jing'an, milk in stock at both.
    static func shop(_ app: Application, nearStock: Int = 10, farStock: Int = 10) async throws -> Shop {
        let near = try await Fixtures.store(app, code: "NEAR", latitude: 31.2235, longitude: 121.4456, radiusKm: 5)
        let far = try await Fixtures.store(app, code: "FAR", latitude: 31.2368, longitude: 121.5012, radiusKm: 8)
        let milk = try await Fixtures.sku(app, code: "MILK", priceFen: 1_250)
        for (store, quantity) in [(near, nearStock), (far, farStock)] where quantity > 0 {
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: milk.id!, storeId: store.id!, quantity: quantity)],
                                                                  context: MovementContext(now: testEpoch))
            }
        }
        return Shop(near: near, far: far, milk: milk)
    }

    /// A member with a default address a few hundred metres from the NEAR store.
    static func shopper(_ app: Application, mobile: String = "13800138000") async throws -> String {
        let token = try await Fixtures.member(app, mobile: mobile).tokens.accessToken
        let address = try await app.send(.POST, "/api/v1/me/addresses", token: token,
                                         json: AddressInput(contactName: "王小明", phone: mobile, province: "上海市", city: "上海市", district: "静安区",
                                                            detail: "愚园路168号", latitude: 31.2220, longitude: 121.4390))
        #expect(address.status == .created)
        return token
    }

    static func checkout(_ app: Application, token: String, key: String) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(), headers: ["Idempotency-Key": key])
    }

    static func level(_ app: Application, _ shop: Shop, _ store: StoreModel) async throws -> StockLevel? {
        try await Fixtures.level(app, sku: shop.milk, store: store)
    }

    static func signedNotification(_ app: Application, payment: PaymentInfo, transactionId: String = "SBX-T1", amount: Int64? = nil) throws -> (String, HTTPHeaders) {
        let body = try JSONEncoder.api.encode(SandboxNotification(paymentId: payment.id, transactionId: transactionId,
                                                                   amountFen: amount ?? payment.amountFen, status: "SUCCESS", paidAt: testEpoch))
        return (String(decoding: body, as: UTF8.self), [SandboxGateway.signatureHeader: SandboxGateway.sign(body, app: app)])
    }

    @Test("cart → idempotent checkout at the nearest store with stock → sandbox payment → paid; replays change nothing")
    func endToEnd() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let token = try await Self.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))

            let noKey = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput())
            #expect(noKey.problem?.errors?.first?.field == "Idempotency-Key")
            let malformed = try await app.send(.POST, "/api/v1/checkout", token: token, raw: "{\"note\": ", headers: ["Idempotency-Key": "checkout-bad-json"])
            #expect(malformed.status == .badRequest)
            #expect(try await OrderModel.query(on: app.db).count() == 0)

            // The preview runs the same plan and writes nothing.
            let preview = try await app.send(.GET, "/api/v1/checkout/preview", token: token).decode(CheckoutPreview.self)
            #expect(preview.orders.map(\.storeName) == ["Store NEAR"])
            #expect(preview.goodsFen == 3_750 && preview.shippingFen == 600 && preview.payableFen == 4_350)
            #expect(preview.explanation.last?.hasPrefix("To pay: ¥43.50") == true)
            let chinese = try await app.send(.GET, "/api/v1/checkout/preview", token: token, headers: ["Accept-Language": "zh-CN"]).decode(CheckoutPreview.self)
            #expect(chinese.explanation.last?.hasPrefix("应付：¥43.50") == true, "the explanation in the shopper's language")
            #expect(try await OrderModel.query(on: app.db).count() == 0)
            #expect(try await Self.level(app, shop, shop.near) == StockLevel(onHand: 10, reserved: 0), "nothing reserved")

            let placed = try await Self.checkout(app, token: token, key: "checkout-0001")
            #expect(placed.status == .created, "\(placed.text)")
            let result = try placed.decode(CheckoutResult.self)
            #expect(result.payableFen == preview.payableFen && result.explanation == preview.explanation, "the order is what the preview said")
            let order = try #require(result.orders.first)
            #expect(result.orders.count == 1)
            #expect(order.storeName == "Store NEAR", "the nearest store that has everything")
            #expect(order.status == .pendingPayment)
            #expect(order.goodsFen == 3_750)
            #expect(order.shippingFen == 600, "below the free-delivery threshold")
            #expect(result.payableFen == 4_350)
            #expect(result.payment.provider == "sandbox")
            #expect(!order.allocationSummary.isEmpty)
            #expect(try await Self.level(app, shop, shop.near) == StockLevel(onHand: 10, reserved: 3))
            #expect(try await app.send(.GET, "/api/v1/cart", token: token).decode(CartView.self).itemCount == 0, "ordered lines leave the cart")
            let empty = try await app.send(.GET, "/api/v1/checkout/preview", token: token)
            #expect(empty.status == .conflict && empty.problem?.detail == "The cart is empty.")

            let retry = try await Self.checkout(app, token: token, key: "checkout-0001")
            #expect(retry.status == .ok)
            #expect(try retry.decode(CheckoutResult.self).checkoutId == result.checkoutId)
            #expect(try await OrderModel.query(on: app.db).count() == 1, "a retried checkout creates nothing new")
            #expect(try await Self.level(app, shop, shop.near)?.reserved == 3)

            #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token).status == .ok)
            try await app.jobs.runDue()
            let paid = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: token).decode(Order.self)
            #expect(paid.status == .paid)
            #expect(paid.paidAt != nil)
            #expect(paid.timeline.map(\.to) == [.pendingPayment, .paid])
            #expect(try await app.send(.GET, "/api/v1/payments/\(result.payment.id)", token: token).decode(PaymentInfo.self).status == "paid")

            // The gateway may repeat itself: a hundred replays of the recorded transaction change nothing.
            let transaction = try #require(try await PaymentModel.find(result.payment.id, on: app.db)?.providerTransactionId)
            let (body, headers) = try Self.signedNotification(app, payment: result.payment, transactionId: transaction)
            for _ in 0..<100 {
                let replay = try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: headers)
                #expect(replay.status == .ok)
            }
            #expect(try await app.send(.GET, "/api/v1/orders/\(order.id)", token: token).decode(Order.self).timeline.count == 2)

            let mine = try await app.send(.GET, "/api/v1/orders", token: token).decode(MyOrders.self)
            #expect(mine.countsByStatus == ["paid": 1])
            #expect(mine.orders.items.map(\.number) == [order.number])
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("bad signatures and amount mismatches are refused and leave the order untouched")
    func forgedNotifications() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let token = try await Self.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let result = try await Self.checkout(app, token: token, key: "checkout-forged").decode(CheckoutResult.self)

            let (body, _) = try Self.signedNotification(app, payment: result.payment)
            let forged = try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: [SandboxGateway.signatureHeader: String(repeating: "0", count: 64)])
            #expect(forged.status == .unauthorized)
            let (cheap, cheapHeaders) = try Self.signedNotification(app, payment: result.payment, amount: 1)
            let mismatch = try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: cheap, headers: cheapHeaders)
            #expect(mismatch.status == .unprocessableEntity)
            #expect(try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: token).decode(Order.self).status == .pendingPayment)
            #expect(try await PaymentModel.find(result.payment.id, on: app.db)?.status == "pending")
        }
    }

    @Test("two merchants make two orders under one payment")
    func splitByMerchant() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let fruit = try await Fixtures.merchant(app, code: "FRUIT")
            let fruitStore = try await Fixtures.store(app, code: "FRUIT1", merchant: fruit.id!, latitude: 31.2240, longitude: 121.4400)
            let apple = try await Fixtures.sku(app, code: "APPLE", merchant: fruit.id!, priceFen: 10_000)
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: apple.id!, storeId: fruitStore.id!, quantity: 5)],
                                                                  context: MovementContext(now: testEpoch))
            }
            let token = try await Self.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: apple.id!, quantity: 1))
            let result = try await Self.checkout(app, token: token, key: "checkout-split").decode(CheckoutResult.self)
            #expect(result.orders.count == 2)
            #expect(Set(result.orders.map(\.merchantId)) == [SelfOperatedMerchant.id.rawValue, fruit.id!])
            let appleOrder = try #require(result.orders.first { $0.merchantId == fruit.id })
            #expect(appleOrder.shippingFen == 0, "¥100 of fruit passes the free-delivery threshold")
            #expect(result.payableFen == result.orders.reduce(0) { $0 + $1.payableFen })
            #expect(try await PaymentModel.query(on: app.db).count() == 1)
        }
    }

    @Test("an unpaid order expires and releases its stock; a payment arriving later is refunded")
    func expiryAndLatePayment() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let shop = try await Self.shop(app)
            let token = try await Self.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let result = try await Self.checkout(app, token: token, key: "checkout-late").decode(CheckoutResult.self)
            #expect(try await Self.level(app, shop, shop.near)?.reserved == 2)

            clock.advance(seconds: 29 * 60)
            try await app.jobs.runDue()
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "pending_payment", "not before the deadline")
            clock.advance(seconds: 61)
            try await app.jobs.runDue()
            let expired = try #require(try await OrderModel.find(result.orders[0].id, on: app.db))
            #expect(expired.status == "expired")
            #expect(try await Self.level(app, shop, shop.near) == StockLevel(onHand: 10, reserved: 0))

            let (body, headers) = try Self.signedNotification(app, payment: result.payment, transactionId: "SBX-LATE")
            #expect(try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: headers).status == .ok)
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            #expect(payment.status == "refunded")
            #expect(payment.refundedFen == payment.amountFen)
            let refunds = try await RefundModel.query(on: app.db).all()
            #expect(refunds.map(\.cause) == ["paid_after_expiry"])
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "expired", "late money never revives an order")
            #expect(try await Self.level(app, shop, shop.near)?.reserved == 0)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("many shoppers check out the last units at once: no oversell, the others get a clear error")
    func lastUnitsStampede() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app, nearStock: 5, farStock: 0)
            var tokens: [String] = []
            for n in 0..<12 {
                let token = try await Self.shopper(app, mobile: "139000000\(String(format: "%02d", n))")
                _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
                tokens.append(token)
            }
            let statuses = try await withThrowingTaskGroup(of: (HTTPResponseStatus, String).self) { group in
                for (n, token) in tokens.enumerated() {
                    group.addTask {
                        let response = try await Self.checkout(app, token: token, key: "stampede-\(n)-key")
                        return (response.status, response.problem?.detail ?? "")
                    }
                }
                return try await group.reduce(into: [(HTTPResponseStatus, String)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == .created }.count == 5)
            let losers = statuses.filter { $0.0 != .created }
            #expect(losers.allSatisfy { $0.0 == .conflict && !$0.1.isEmpty }, "\(losers)")
            #expect(try await Self.level(app, shop, shop.near) == StockLevel(onHand: 5, reserved: 5))
            #expect(try await OrderModel.query(on: app.db).count() == 5)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("a shopper cancels before the store accepts: stock back, and money back when paid")
    func cancelBeforeAcceptance() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let token = try await Self.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let result = try await Self.checkout(app, token: token, key: "checkout-cancel").decode(CheckoutResult.self)
            _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
            try await app.jobs.runDue()
            let cancelled = try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token).decode(Order.self)
            #expect(cancelled.status == .cancelled)
            #expect(try await Self.level(app, shop, shop.near)?.reserved == 0)
            #expect(try await PaymentModel.find(result.payment.id, on: app.db)?.status == "refunded")
            #expect(try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: token).status == .conflict)
            let stranger = try await Self.shopper(app, mobile: "13900000099")
            #expect(try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: stranger).status == .notFound)
        }
    }
}
