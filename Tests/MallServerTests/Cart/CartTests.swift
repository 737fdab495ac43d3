import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Cart")
struct CartTests {
    func receive(_ app: Application, _ sku: SKUModel, at store: StoreModel, _ quantity: Int) async throws {
        try await app.db.writeTransaction { db in
            try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: quantity)],
                                                              context: MovementContext(now: testEpoch))
        }
    }

    @Test("a guest fills a cart by token; signing in merges it into the member's cart")
    func guestCartMerges() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK", priceFen: 350)
            let tea = try await Fixtures.sku(app, code: "TEA", priceFen: 1_200)
            try await receive(app, milk, at: store, 50)
            try await receive(app, tea, at: store, 50)

            let first = try await app.send(.POST, "/api/v1/cart/lines", json: CartLineInput(skuId: milk.id!, quantity: 2))
            #expect(first.status == .ok, "\(first.text)")
            let token = try #require(first.headers.first(name: CartRoutes.tokenHeader))
            #expect(try first.decode(CartView.self).guestToken == token)
            _ = try await app.send(.POST, "/api/v1/cart/lines", json: CartLineInput(skuId: milk.id!, quantity: 1), headers: [CartRoutes.tokenHeader: token])
            let guest = try await app.send(.GET, "/api/v1/cart", headers: [CartRoutes.tokenHeader: token]).decode(CartView.self)
            #expect(guest.itemCount == 3, "adding the same SKU again adds to its quantity")
            #expect(guest.subtotalFen == 1_050)

            let session = try await Fixtures.member(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: session.tokens.accessToken, json: CartLineInput(skuId: tea.id!, quantity: 1))
            let login = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: Fixtures.password),
                                           headers: [CartRoutes.tokenHeader: token])
            let member = try login.decode(MemberSession.self).tokens.accessToken
            let merged = try await app.send(.GET, "/api/v1/cart", token: member).decode(CartView.self)
            #expect(merged.groups.flatMap(\.lines).map { "\($0.specTitle)\($0.title):\($0.quantity)" }.sorted() ==
                    ["纯牛奶 MILK:3", "纯牛奶 TEA:1"])
            #expect(merged.subtotalFen == 3 * 350 + 1_200)
            #expect(try await app.send(.GET, "/api/v1/cart", headers: [CartRoutes.tokenHeader: token]).decode(CartView.self).itemCount == 0,
                    "the guest cart is gone after the merge")
        }
    }

    @Test("quantities are validated; unknown and off-sale items are refused; staff have no cart")
    func validation() async throws {
        try await withTestApp { app in
            let milk = try await Fixtures.sku(app, code: "MILK")
            #expect(try await app.send(.POST, "/api/v1/cart/lines", json: CartLineInput(skuId: milk.id!, quantity: 0)).problem?.errors?.first?.field == "quantity")
            #expect(try await app.send(.POST, "/api/v1/cart/lines", json: CartLineInput(skuId: UUID(), quantity: 1)).problem?.errors?.first?.field == "skuId")
            try await ProductModel.query(on: app.db).set(\.$onShelf, to: false).filter(\.$id == milk.productId).update()
            #expect(try await app.send(.POST, "/api/v1/cart/lines", json: CartLineInput(skuId: milk.id!, quantity: 1)).status == .conflict)
            let (_, staff) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            #expect(try await app.send(.GET, "/api/v1/cart", token: staff).status == .forbidden)
        }
    }

    @Test("lines that cannot be bought are flagged, not dropped: off shelf, disabled, short at the pickup store, out of stock")
    func problems() async throws {
        try await withTestApp { app in
            let near = try await Fixtures.store(app, code: "NEAR", latitude: 31.2235, longitude: 121.4456, radiusKm: 3)
            let far = try await Fixtures.store(app, code: "FAR", latitude: 31.2368, longitude: 121.5012, radiusKm: 3)
            let milk = try await Fixtures.sku(app, code: "MILK")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let juice = try await Fixtures.sku(app, code: "JUICE")
            let snack = try await Fixtures.sku(app, code: "SNACK")
            try await receive(app, milk, at: near, 1)
            try await receive(app, tea, at: far, 10)
            try await receive(app, juice, at: near, 10)
            try await receive(app, snack, at: near, 10)
            let session = try await Fixtures.member(app)
            let token = session.tokens.accessToken
            _ = try await app.send(.POST, "/api/v1/me/addresses", token: token,
                                   json: AddressInput(contactName: "王", phone: "13800138000", province: "上海市", city: "上海市", district: "静安区",
                                                      detail: "愚园路168号", latitude: 31.2220, longitude: 121.4390))
            for sku in [milk, tea, juice, snack] {
                _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: sku.id!, quantity: 2))
            }
            try await ProductModel.query(on: app.db).set(\.$onShelf, to: false).filter(\.$id == juice.productId).update()
            try await SKUModel.query(on: app.db).set(\.$enabled, to: false).filter(\.$id == snack.id!).update()

            let delivery = try await app.send(.GET, "/api/v1/cart", token: token).decode(CartView.self)
            let byCode = Dictionary(uniqueKeysWithValues: delivery.groups.flatMap(\.lines).map { ($0.title, $0) })
            #expect(byCode["纯牛奶 MILK"]?.problems == [.shortOfStock], "two asked for, one unit within reach of the address")
            #expect(byCode["纯牛奶 MILK"]?.available == 1)
            #expect(byCode["纯牛奶 TEA"]?.problems == [.outOfStockEverywhere], "the far store does not deliver this far")
            #expect(byCode["纯牛奶 JUICE"]?.problems == [.offShelf])
            #expect(byCode["纯牛奶 SNACK"]?.problems == [.skuDisabled])
            #expect(delivery.hasProblems)
            #expect(delivery.groups.flatMap(\.lines).count == 4)

            let pickup = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: token,
                                            json: FulfilmentInput(mode: .pickup, storeId: near.id!)).decode(CartView.self)
            let milkAtStore = try #require(pickup.groups.first?.lines.first { $0.title == "纯牛奶 MILK" })
            #expect(milkAtStore.problems == [.insufficientAtStore])
            #expect(milkAtStore.available == 1)
            #expect(pickup.groups.first?.storeName == "Store NEAR")

            let warehouse = try await Fixtures.store(app, code: "WH", kind: .warehouse)
            let badPickup = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: token,
                                               json: FulfilmentInput(mode: .pickup, storeId: warehouse.id!))
            #expect(badPickup.problem?.errors?.first?.field == "storeId")
            let strangerAddress = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: token,
                                                     json: FulfilmentInput(mode: .delivery, addressId: UUID()))
            #expect(strangerAddress.problem?.errors?.first?.field == "addressId")
        }
    }
}
