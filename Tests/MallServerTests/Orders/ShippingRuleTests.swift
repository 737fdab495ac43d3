import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Per-merchant shipping rules")
struct ShippingRuleTests {
    @Test("a merchant charges by distance band from the fulfilling store; free above a threshold; beyond the last band it does not deliver")
    func distanceBands() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let merchantId = SelfOperatedMerchant.id.rawValue
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let (_, otherAdmin) = try await Fixtures.staff(app, "other.admin", role: .merchantAdmin, scope: .merchant(MerchantID(other.id!)))
            let path = "/api/v1/admin/merchants/\(merchantId)/shipping-rule"

            let initial = try await app.send(.GET, path, token: admin).decode(ShippingRuleInfo.self)
            #expect(initial.isDefault)
            #expect(initial.mode == .flat)
            #expect(initial.flatFeeFen == 600)

            #expect(try await app.send(.PUT, path, token: otherAdmin, json: ShippingRuleInput(mode: .free)).status == .forbidden)
            let bad = try await app.send(.PUT, path, token: admin, json: ShippingRuleInput(mode: .distance, bands: [
                DistanceBandInput(upToMeters: 3_000, feeFen: 500), DistanceBandInput(upToMeters: 1_000, feeFen: -1),
            ]))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["bands[1].upToMeters", "bands[1].feeFen"])

            let bands = try await app.send(.PUT, path, token: admin, json: ShippingRuleInput(mode: .distance, bands: [
                DistanceBandInput(upToMeters: 500, feeFen: 300), DistanceBandInput(upToMeters: 3_000, feeFen: 500),
            ], freeAboveFen: 20_000)).decode(ShippingRuleInfo.self)
            #expect(!bands.isDefault)
            #expect(bands.bands.count == 2)

            // The shopper's address is about 650 m from the NEAR store: the second band.
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let result = try await CheckoutTests.checkout(app, token: token, key: "bands-0001").decode(CheckoutResult.self)
            #expect(result.orders[0].shippingFen == 500)
            #expect(result.explanation.contains { $0.contains("(up to 3 km): ¥5.00") }, "the shopper reads why: \(result.explanation)")

            // Only 100 m: the address is out of range and the checkout says so.
            _ = try await app.send(.PUT, path, token: admin, json: ShippingRuleInput(mode: .distance, bands: [DistanceBandInput(upToMeters: 100, feeFen: 300)]))
            let far = try await CheckoutTests.shopper(app, mobile: "13900000066")
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: far, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let refused = try await CheckoutTests.checkout(app, token: far, key: "bands-far-0001")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.problem?.errors?.first?.message.contains("delivery range") == true)
            #expect(try await OrderModel.query(on: app.db).count() == 1, "nothing was written for the refused checkout")

            let reset = try await app.send(.DELETE, path, token: admin).decode(ShippingRuleInfo.self)
            #expect(reset.isDefault)
        }
    }
}
