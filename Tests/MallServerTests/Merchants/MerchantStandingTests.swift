import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Merchant standing: suspension takes goods off the storefront, open orders go on; deposits; the shopping centre")
struct MerchantStandingTests {
    struct Tenant {
        let merchant: MerchantModel
        let store: StoreModel
        let sku: SKUModel
    }

    /// A third-party merchant with one store next to the shopper's address and one SKU in stock there.
    static func tenant(_ app: Application, code: String, title: String, latitude: Double = 31.2235, longitude: Double = 121.4456) async throws -> Tenant {
        let merchant = try await Fixtures.merchant(app, code: code)
        let store = try await Fixtures.store(app, code: code + "-01", merchant: merchant.id!, latitude: latitude, longitude: longitude)
        let sku = try await Fixtures.sku(app, code: code + "-SKU", merchant: merchant.id!, priceFen: 2_000, title: title)
        try await app.db.writeTransaction { db in
            try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 20)],
                                                              context: MovementContext(now: testEpoch))
        }
        return Tenant(merchant: merchant, store: store, sku: sku)
    }

    static func setStatus(_ app: Application, _ tenant: Tenant, _ status: MerchantStatus, token: String) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/admin/merchants/\(tenant.merchant.id!)/status", token: token,
                           json: StatusChange(status: status, reason: "资质过期"))
    }

    @Test("suspended: gone from listing, search, detail, barcode and cart; an open order is still paid; reinstated: all back")
    func suspension() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let fruit = try await Self.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let shelvedOff = try await Fixtures.sku(app, code: "FRUIT-OFF", merchant: fruit.merchant.id!, title: "下架苹果")
            let off = try #require(try await ProductModel.find(shelvedOff.productId, on: app.db))
            off.onShelf = false
            try await off.update(on: app.db)
            let shopper = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: fruit.sku.id!, quantity: 1))
            let placed = try await CheckoutTests.checkout(app, token: shopper, key: "suspend-0001")
            let result = try placed.decode(CheckoutResult.self)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: fruit.sku.id!, quantity: 2))

            let suspended = try await Self.setStatus(app, fruit, .suspended, token: admin)
            #expect(try suspended.decode(Merchant.self).status == .suspended)

            let listing = try await app.send(.GET, "/api/v1/products").decode(ListPage<ProductSummary>.self)
            #expect(listing.total == 0)
            #expect(try await app.send(.GET, "/api/v1/products?keyword=脐橙").decode(ListPage<ProductSummary>.self).total == 0)
            let detail = try await app.send(.GET, "/api/v1/products/\(fruit.sku.productId)")
            #expect(detail.status == .notFound && detail.problem?.detail == "No such product on sale.")
            let add = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: fruit.sku.id!, quantity: 1))
            #expect(add.status == .notFound || add.status == .conflict, "\(add.text)")
            let cart = try await app.send(.GET, "/api/v1/cart", token: shopper).decode(CartView.self)
            #expect(cart.groups.flatMap(\.lines).first?.problems == [.offShelf])
            let checkout = try await CheckoutTests.checkout(app, token: shopper, key: "suspend-0002")
            #expect(checkout.status == .conflict, "\(checkout.text)")

            // The order placed before the suspension is paid and goes on to its store.
            let paid = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: shopper)
            #expect(paid.status == .ok, "\(paid.text)")
            try await app.jobs.runDue()
            let placedOrder = try #require(result.orders.first)
            let order = try #require(try await OrderModel.find(placedOrder.id, on: app.db))
            #expect(order.paidAt != nil, "\(order.status): \(paid.text)")
            #expect(!["cancelled", "expired", "pending_payment"].contains(order.status))

            let reinstated = try await Self.setStatus(app, fruit, .active, token: admin)
            #expect(try reinstated.decode(Merchant.self).status == .active)
            let back = try await app.send(.GET, "/api/v1/products").decode(ListPage<ProductSummary>.self)
            #expect(back.items.map(\.id) == [fruit.sku.productId], "the product the merchant had taken off stays off")
            #expect(try await app.send(.GET, "/api/v1/products/\(fruit.sku.productId)").status == .ok)
            let actions = try await AuditLogModel.query(on: app.db).filter(\.$action == "merchant.status").all()
            #expect(actions.count == 2)
            #expect(actions.compactMap(\.after).allSatisfy { $0.contains("资质过期") })
        }
    }

    @Test("the deposit is platform staff's to record, within range, audited; the merchant's own admin cannot")
    func deposit() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let fruit = try await Fixtures.merchant(app, code: "FRUIT")
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(fruit.merchantID))
            let path = "/api/v1/admin/merchants/\(fruit.id!)/deposit"
            let set = try await app.send(.PUT, path, token: admin, json: MerchantDepositInput(depositFen: 5_000_000, note: "首期保证金"))
            #expect(try set.decode(Merchant.self).depositFen == 5_000_000)
            let tooMuch = try await app.send(.PUT, path, token: admin, json: MerchantDepositInput(depositFen: 10_000_000_001))
            #expect(tooMuch.problem?.errors?.first == FieldError(field: "depositFen", message: "must be between 0 and 10000000000 fen"))
            let negative = try await app.send(.PUT, path, token: admin, json: MerchantDepositInput(depositFen: -1))
            #expect(negative.problem?.errors?.first?.field == "depositFen")
            #expect(try await app.send(.PUT, path, token: fruitAdmin, json: MerchantDepositInput(depositFen: 0)).status == .forbidden)
            #expect(try await MerchantModel.find(fruit.id!, on: app.db)?.depositFen == 5_000_000)
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action == "merchant.deposit").all()
            #expect(audit.count == 1 && audit.first?.after?.contains("首期保证金") == true)
        }
    }

    @Test("shopping centre: two merchants' stores at one address, each its own stock; one checkout makes one order per merchant")
    func shoppingCentre() async throws {
        try await withTestApp { app in
            let fruit = try await Self.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let tea = try await Self.tenant(app, code: "TEA", title: "西湖龙井")
            let shopper = try await CheckoutTests.shopper(app)
            for sku in [fruit.sku, tea.sku] {
                let added = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: sku.id!, quantity: 2))
                #expect(added.status == .ok || added.status == .created, "\(added.text)")
            }
            let placed = try await CheckoutTests.checkout(app, token: shopper, key: "centre-0001")
            #expect(placed.status == .created, "\(placed.text)")
            let result = try placed.decode(CheckoutResult.self)
            #expect(result.orders.count == 2)
            let orders = try await OrderModel.query(on: app.db).all()
            #expect(Set(orders.map(\.merchantId)) == [fruit.merchant.id!, tea.merchant.id!])
            #expect(Set(orders.map(\.storeId)) == [fruit.store.id!, tea.store.id!], "each merchant's order goes to its own store")
            #expect(try await Fixtures.level(app, sku: fruit.sku, store: fruit.store) == StockLevel(onHand: 20, reserved: 2))
            #expect(try await Fixtures.level(app, sku: tea.sku, store: tea.store) == StockLevel(onHand: 20, reserved: 2))
            #expect(try await Fixtures.level(app, sku: fruit.sku, store: tea.store) == nil, "no stock of one merchant at the other's store")
            try await Fixtures.expectLedgerMatchesProjection(app)

            // Each merchant's admin sees only its own order and store.
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(fruit.merchant.merchantID))
            let stores = try await app.send(.GET, "/api/v1/admin/stores", token: fruitAdmin).decode(ListPage<Store>.self)
            #expect(stores.items.map(\.code) == ["FRUIT-01"])
            let teaOrder = try #require(orders.first { $0.merchantId == tea.merchant.id })
            #expect(try await app.send(.GET, "/api/v1/admin/orders/\(teaOrder.id!)", token: fruitAdmin).status == .forbidden)
        }
    }
}
