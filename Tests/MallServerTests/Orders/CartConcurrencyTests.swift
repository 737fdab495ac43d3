import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// A cart is ordered once however many checkouts race for it, and the cart's own limits hold
/// when adds race each other.
@Suite("Cart and checkout under concurrency")
struct CartConcurrencyTests {
    @Test("30 checkouts of one 2-unit cart at once, each with its own Idempotency-Key: one order of 2 units, 29 refusals")
    func oneCartOneOrder() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 100, farStock: 0)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let answers = try await withThrowingTaskGroup(of: (HTTPResponseStatus, String).self) { group in
                for click in 0..<30 {
                    group.addTask {
                        let response = try await CheckoutTests.checkout(app, token: token, key: "double-click-\(click)")
                        return (response.status, response.problem?.detail ?? "")
                    }
                }
                return try await group.reduce(into: [(HTTPResponseStatus, String)]()) { $0.append($1) }
            }
            #expect(answers.filter { $0.0 == .created }.count == 1, "\(answers.map(\.0))")
            let refused = answers.filter { $0.0 != .created }
            #expect(refused.allSatisfy { [.conflict, .unprocessableEntity].contains($0.0) }, "\(refused)")
            #expect(refused.contains { $0.1 == "This cart has already been ordered." || $0.1 == "The cart is empty." }, "\(refused.map(\.1))")
            #expect(try await OrderModel.query(on: app.db).count() == 1)
            #expect(try await OrderLineModel.query(on: app.db).all().map(\.quantity) == [2])
            #expect(try await PaymentModel.query(on: app.db).count() == 1)
            #expect(try await CheckoutTests.level(app, shop, shop.near) == StockLevel(onHand: 100, reserved: 2))
            #expect(try await CartLineModel.query(on: app.db).count() == 0)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("checkout takes out of the cart what it ordered: units and lines added meanwhile stay; a cart emptied meanwhile is refused")
    func consumeOnlyWhatWasOrdered() async throws {
        try await withTestApp { app in
            let milk = try await Fixtures.sku(app, code: "MILK")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let session = try await Fixtures.member(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: session.tokens.accessToken, json: CartLineInput(skuId: milk.id!, quantity: 3))
            let cart = try #require(try await CartModel.query(on: app.db).filter(\.$memberId == session.member.id).first())
            func lines() async throws -> [UUID: Int] {
                Dictionary(uniqueKeysWithValues: try await CartLineModel.query(on: app.db).filter(\.$cartId == cart.id!).all().map { ($0.skuId, $0.quantity) })
            }
            // Checkout planned 2 milk; meanwhile the shopper added tea.
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: session.tokens.accessToken, json: CartLineInput(skuId: tea.id!, quantity: 1))
            try await app.db.writeTransaction { db in try await CartService.consume([milk.id!: 2], cartId: cart.id!, on: db) }
            #expect(try await lines() == [milk.id!: 1, tea.id!: 1])
            // A second checkout of the same plan finds the units gone and changes nothing.
            await #expect(throws: CheckoutService.Failure.self) {
                try await app.db.writeTransaction { db in try await CartService.consume([milk.id!: 2], cartId: cart.id!, on: db) }
            }
            #expect(try await lines() == [milk.id!: 1, tea.id!: 1])
            try await app.db.writeTransaction { db in try await CartService.consume([milk.id!: 1, tea.id!: 1], cartId: cart.id!, on: db) }
            #expect(try await lines().isEmpty)
            do {
                try await app.db.writeTransaction { db in try await CartService.consume([milk.id!: 1], cartId: cart.id!, on: db) }
                Issue.record("an emptied cart cannot be ordered again")
            } catch let failure as CheckoutService.Failure {
                #expect(failure.detail == "This cart has already been ordered.")
            }
        }
    }

    @Test("adds racing for the last free line of a full cart: exactly one gets it, the cart stays at 100 lines")
    func lineLimitUnderConcurrency() async throws {
        try await withTestApp { app in
            let session = try await Fixtures.member(app)
            let token = session.tokens.accessToken
            var skus: [SKUModel] = []
            for n in 0..<105 { skus.append(try await Fixtures.sku(app, code: "S\(n)")) }
            for sku in skus.prefix(99) {
                #expect(try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: sku.id!, quantity: 1)).status == .ok)
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for sku in skus.suffix(6) {
                    group.addTask { try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: sku.id!, quantity: 1)).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 5, "\(statuses)")
            #expect(try await CartLineModel.query(on: app.db).count() == 100)
            // Taps on the same item all count, up to the line's 999.
            let first = skus[0].id!
            _ = try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: first, quantity: 100)) } }
                try await group.waitForAll()
            }
            #expect(try await CartLineModel.query(on: app.db).filter(\.$skuId == first).first()?.quantity == 999)
        }
    }

    @Test("merging a guest cart into a member's keeps the 100-line limit (oldest guest lines first) and the 999 per line")
    func mergeKeepsLimits() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            var skus: [SKUModel] = []
            for n in 0..<105 { skus.append(try await Fixtures.sku(app, code: "M\(n)")) }
            let session = try await Fixtures.member(app)
            for sku in skus.prefix(95) {
                _ = try await app.send(.POST, "/api/v1/cart/lines", token: session.tokens.accessToken, json: CartLineInput(skuId: sku.id!, quantity: 1))
            }
            _ = try await app.send(.PUT, "/api/v1/cart/lines/\(skus[0].id!)", token: session.tokens.accessToken, json: CartQuantityInput(quantity: 600))
            // The guest has the member's first item (600 more) and ten others.
            var token: String?
            for sku in [skus[0]] + Array(skus.suffix(10)) {
                let added = try await app.send(.POST, "/api/v1/cart/lines", json: CartLineInput(skuId: sku.id!, quantity: sku.id == skus[0].id ? 600 : 1),
                                               headers: token.map { [CartRoutes.tokenHeader: $0] } ?? [:])
                token = token ?? added.headers.first(name: CartRoutes.tokenHeader)
                clock.advance(seconds: 1)
            }
            let merged = try await app.send(.POST, "/api/v1/cart/merge", token: session.tokens.accessToken, json: CartMergeInput(guestToken: try #require(token)))
            #expect(merged.status == .ok, "\(merged.text)")
            let lines = try merged.decode(CartView.self).groups.flatMap(\.lines)
            #expect(lines.count == 100)
            #expect(lines.first { $0.skuId == skus[0].id }?.quantity == 999)
            #expect(Set(lines.map(\.skuId)).isSuperset(of: skus[95..<100].map { $0.id! }), "the five guest lines added first are kept")
            #expect(Set(lines.map(\.skuId)).isDisjoint(with: skus[100...].map { $0.id! }))
        }
    }

    @Test("a line removed from a full cart frees its place for another item, and the next one is refused again")
    func removedLineFreesItsSlot() async throws {
        try await withTestApp { app in
            let token = try await Fixtures.member(app).tokens.accessToken
            var skus: [SKUModel] = []
            for n in 0..<102 { skus.append(try await Fixtures.sku(app, code: "F\(n)")) }
            for sku in skus.prefix(100) {
                #expect(try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: sku.id!, quantity: 1)).status == .ok)
            }
            #expect(try await app.send(.DELETE, "/api/v1/cart/lines/\(skus[40].id!)", token: token).status == .ok)
            let added = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: skus[100].id!, quantity: 2))
            #expect(added.status == .ok, "\(added.text)")
            let lines = try added.decode(CartView.self).groups.flatMap(\.lines)
            #expect(lines.count == 100 && lines.first { $0.skuId == skus[100].id }?.quantity == 2)
            let refused = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: skus[101].id!, quantity: 1))
            #expect(refused.status == .conflict && refused.problem?.detail == "A cart holds at most 100 different items.", "\(refused.text)")
            // An item already in the full cart still adds up.
            let more = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: skus[0].id!, quantity: 4))
            #expect(try more.decode(CartView.self).groups.flatMap(\.lines).first { $0.skuId == skus[0].id }?.quantity == 5)
            let slots = try await CartLineModel.query(on: app.db).all().map(\.slot)
            #expect(Set(slots) == Set(1...100), "every slot held once")
        }
    }
}
