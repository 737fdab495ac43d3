import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// Statement budgets of the write path (issue 16): what checkout, a payment notification, an
/// order-desk step and a stock movement cost the database, counted after the bearer token's
/// session check. A regression past a budget fails here before it shows in a benchmark.
@Suite("Write path: statements per checkout, payment, desk step and stock movement")
struct CheckoutStatementTests {
    /// Checkout + reservation of a one-shipment order, and what each further shipment may add,
    /// measured on a warm instance: 30 on PostgreSQL and 31 on SQLite (its write-lock statement),
    /// +6 a shipment (40 and +10 before the second write-path round, 60 before the first). The
    /// issue's target is 15 + 5 a shipment: what remains is listed in docs/benchmarks.md. The
    /// budgets only go down.
    static let checkoutBudget = 31
    static let perExtraShipment = 6

    static func counted(_ label: String, _ statements: [String]) -> [String] {
        let counted = SQLStatementLog.afterAuthentication(statements)
        print("[statements] \(label) on \(postgresURL == nil ? "sqlite" : "postgres"): \(counted.count)\n  \(counted.joined(separator: "\n  "))")
        return counted
    }

    /// What a running instance keeps between requests (the settings) loaded, as it is after its
    /// first request.
    static func warm(_ app: Application) async throws {
        _ = try await app.settingsCache.resolved(on: app.db)
    }

    static func orderRows(_ app: Application, _ checkout: CheckoutResult) async throws -> (lines: Int, reserveMovements: Int, payments: Int) {
        let ids = checkout.orders.map(\.id)
        let lines = try await OrderLineModel.query(on: app.db).filter(\.$orderId ~~ ids).count()
        let reserves = try await StockMovementModel.query(on: app.db).filter(\.$referenceId ~~ ids.map(\.uuidString))
            .filter(\.$kind == StockMovementKind.reserve.rawValue).count()
        let payments = try await PaymentModel.query(on: app.db).filter(\.$checkoutId == checkout.checkoutId).count()
        return (lines, reserves, payments)
    }

    @Test("a one-shipment checkout, delivered or picked up, stays within its statement budget and writes the order, its lines, the reservation and the payment")
    func oneShipment() async throws {
        for pickup in [false, true] {
            try await withTestApp { app in
                let log = SQLStatementLog()
                log.install(on: app)
                let shop = try await CheckoutTests.shop(app)
                let token = try await CheckoutTests.shopper(app)
                _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))
                if pickup {
                    _ = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: token,
                                           json: FulfilmentInput(mode: .pickup, storeId: shop.near.id!))
                }
                try await Self.warm(app)
                let placed = try await log.during { try await CheckoutTests.checkout(app, token: token, key: "budget-one-\(pickup)") }
                let statements = Self.counted("checkout, one \(pickup ? "pickup" : "delivery") shipment", placed.statements)
                #expect(placed.result.status == .created, "\(placed.result.text)")
                let result = try placed.result.decode(CheckoutResult.self)
                #expect(result.orders.map(\.storeName) == ["Store NEAR"] && result.orders.map(\.fulfilment) == [pickup ? .pickup : .delivery])
                #expect(result.orders.map(\.status) == [.pendingPayment] && result.orders.map(\.goodsFen) == [3_750])
                #expect(result.payableFen == (pickup ? 3_750 : 4_350) && result.payment.status == "pending")
                let rows = try await Self.orderRows(app, result)
                #expect(rows.lines == 1 && rows.reserveMovements == 1 && rows.payments == 1)
                let order = try #require(result.orders.first)
                let lines = try await OrderLineModel.query(on: app.db).filter(\.$orderId == order.id).all()
                #expect(lines.map(\.skuId) == [shop.milk.id!] && lines.map(\.quantity) == [3] && lines.map(\.payableFen) == [3_750])
                let ledger = try await StockMovementModel.query(on: app.db).filter(\.$referenceId == order.id.uuidString).all()
                #expect(ledger.map(\.kind) == [StockMovementKind.reserve.rawValue] && ledger.map(\.reservedDelta) == [3])
                #expect(ledger.map(\.storeId) == [shop.near.id!] && ledger.map(\.reservedAfter) == [3])
                #expect(try await CheckoutTests.level(app, shop, shop.near) == StockLevel(onHand: 10, reserved: 3))
                #expect(statements.count <= Self.checkoutBudget, "\(statements.count): \(statements.joined(separator: "\n"))")
                try await Fixtures.expectLedgerMatchesProjection(app)
            }
        }
    }

    @Test("a two-shipment checkout (two merchants) adds at most its per-shipment budget for its second order")
    func twoShipments() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let shop = try await CheckoutTests.shop(app)
            let fruit = try await Fixtures.merchant(app, code: "FRUIT")
            let fruitStore = try await Fixtures.store(app, code: "FRUIT1", merchant: fruit.id!, latitude: 31.2240, longitude: 121.4400)
            let apple = try await Fixtures.sku(app, code: "APPLE", merchant: fruit.id!, priceFen: 10_000)
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: apple.id!, storeId: fruitStore.id!, quantity: 5)],
                                                                  context: MovementContext(now: testEpoch))
            }
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: apple.id!, quantity: 2))
            try await Self.warm(app)
            let placed = try await log.during { try await CheckoutTests.checkout(app, token: token, key: "budget-two") }
            let statements = Self.counted("checkout, two shipments", placed.statements)
            let result = try placed.result.decode(CheckoutResult.self)
            #expect(result.orders.count == 2 && Set(result.orders.map(\.merchantId)) == [SelfOperatedMerchant.id.rawValue, fruit.id!])
            #expect(result.payableFen == result.orders.reduce(0) { $0 + $1.payableFen } && result.payableFen == 1_250 + 600 + 20_000)
            let rows = try await Self.orderRows(app, result)
            #expect(rows.lines == 2 && rows.reserveMovements == 2 && rows.payments == 1)
            #expect(try await Fixtures.level(app, sku: apple, store: fruitStore) == StockLevel(onHand: 5, reserved: 2))
            #expect(statements.count <= Self.checkoutBudget + Self.perExtraShipment, "\(statements.count): \(statements.joined(separator: "\n"))")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("a sandbox payment notification pays the checkout's orders in a handful of statements; a replay writes nothing")
    func paymentNotification() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let shop = try await CheckoutTests.shop(app)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let result = try await CheckoutTests.checkout(app, token: token, key: "budget-pay").decode(CheckoutResult.self)
            let (body, headers) = try CheckoutTests.signedNotification(app, payment: result.payment, transactionId: "SBX-BUDGET")
            let notified = try await log.during { try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: headers) }
            let statements = Self.counted("sandbox payment notification", notified.statements)
            #expect(notified.result.status == .ok, "\(notified.result.text)")
            let payment = try #require(try await PaymentModel.find(result.payment.id, on: app.db))
            #expect(payment.status == PaymentStatus.paid.rawValue && payment.providerTransactionId == "SBX-BUDGET")
            #expect(try await OrderModel.find(result.orders[0].id, on: app.db)?.status == "paid")
            // Measured on PostgreSQL: the payment's conditional UPDATE, the orders locked and
            // paid, coupon use, two notifications, the acceptance-timeout job and the settlement
            // fees frozen (fee rules, products, categories, three INSERTs): 22.
            #expect(statements.count <= 22, "\(statements.count): \(statements.joined(separator: "\n"))")
            let replay = try await log.during { try await app.send(.POST, "/api/v1/payments/sandbox/notify", raw: body, headers: headers) }
            let replayed = Self.counted("sandbox payment notification, replay", replay.statements)
            #expect(replay.result.status == .ok && replayed.allSatisfy { !$0.uppercased().hasPrefix("INSERT") })
            #expect(replayed.count <= 2, "the settings and the payment row: \(replayed.joined(separator: "\n"))")
        }
    }

    @Test("order-desk steps (accept, pick, ship; ready, pickup verification) each run a small fixed number of statements")
    func deskSteps() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let (shop, _, order) = try await OrderDeskTests.paidOrder(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            func step(_ order: Order, _ action: String, _ json: (any Encodable)? = nil) async throws -> (StaffOrder, [String]) {
                let done = try await log.during { try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/\(action)", token: clerk, json: json) }
                #expect(done.result.status == .ok, "\(action): \(done.result.text)")
                return (try done.result.decode(StaffOrder.self), Self.counted("desk step \(action)", done.statements))
            }
            let (accepted, acceptSQL) = try await step(order, "accept")
            #expect(accepted.order.status == .accepted)
            let (_, pickSQL) = try await step(order, "pick")
            let (shipped, shipSQL) = try await step(order, "ship", ShipmentInput(carrier: "sf", trackingNumber: "SF1234567890"))
            #expect(shipped.order.status == .shipped && shipped.trackingNumber == "SF1234567890")
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 8, reserved: 0), "stock leaves on shipping")

            let (_, shopper, pickupOrder) = try await OrderDeskTests.paidOrder(app, pickupAt: StoreModel(), in: shop, mobile: "13900000009")
            _ = try await step(pickupOrder, "accept")
            _ = try await step(pickupOrder, "pick")
            let (_, readySQL) = try await step(pickupOrder, "ready")
            let code = try #require(try await app.send(.GET, "/api/v1/orders/\(pickupOrder.id)", token: shopper).decode(Order.self).pickupCode)
            let (handed, pickupSQL) = try await step(pickupOrder, "pickup", PickupInput(code: code))
            #expect(handed.order.status == .pickedUp)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near) == StockLevel(onHand: 6, reserved: 0))
            // Measured on both databases, staff identity (account, grants) included: a plain step
            // 10–14; shipping and handing over also commit the stock (sequence, level, ledger, alert check).
            for (name, statements) in [("accept", acceptSQL), ("pick", pickSQL), ("ready", readySQL)] {
                #expect(statements.count <= 14, "\(name) \(statements.count): \(statements.joined(separator: "\n"))")
            }
            for (name, statements) in [("ship", shipSQL), ("pickup", pickupSQL)] {
                #expect(statements.count <= 18, "\(name) \(statements.count): \(statements.joined(separator: "\n"))")
            }
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("a stock adjustment runs a small fixed number of statements and writes one ledger row")
    func stockAdjustment() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let shop = try await CheckoutTests.shop(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            let adjusted = try await log.during {
                try await app.send(.POST, "/api/v1/admin/inventory/adjustments", token: clerk,
                                   json: StockAdjustmentInput(storeId: shop.near.id!, skuId: shop.milk.id!, delta: -2, reason: "盘点差异"))
            }
            let statements = Self.counted("stock adjustment", adjusted.statements)
            #expect(adjusted.result.status == .ok, "\(adjusted.result.text)")
            #expect(try adjusted.result.decode([StockLevelEntry].self).map(\.onHand) == [8])
            let ledger = try await StockMovementModel.query(on: app.db).filter(\.$kind == StockMovementKind.adjustment.rawValue).all()
            #expect(ledger.map(\.onHandDelta) == [-2] && ledger.map(\.reason) == ["盘点差异"])
            // Measured, staff identity and access checks included: 20 on PostgreSQL, and on SQLite
            // one more, the statement that takes its write lock (`writeTransaction`).
            #expect(statements.count <= 21, "\(statements.count): \(statements.joined(separator: "\n"))")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }
}
