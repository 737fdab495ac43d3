import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Member levels in the cart and at checkout")
struct MemberLevelPricingTests {
    @Test("a gold member sees and pays the gold price in the product page, the cart and the order; others pay the base price")
    func goldMemberPays() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let (_, manager) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            #expect(try await app.send(.PUT, "/api/v1/admin/skus/\(shop.milk.id!)/level-prices/gold", token: admin,
                                       json: LevelPriceInput(discountBasisPoints: 9_000)).status == .ok)
            let gold = try await CheckoutTests.shopper(app)
            let plain = try await CheckoutTests.shopper(app, mobile: "13900000055")
            let goldId = try #require(try await MemberModel.query(on: app.db).filter(\.$mobile == "13800138000").first()?.id)

            #expect(try await app.send(.PUT, "/api/v1/admin/members/\(goldId)/level", token: manager, json: MemberLevelInput(level: "gold")).status == .forbidden,
                    "a store manager cannot change a member's level")
            let bad = try await app.send(.PUT, "/api/v1/admin/members/\(goldId)/level", token: admin, json: MemberLevelInput(level: "金 卡"))
            #expect(bad.problem?.errors?.first?.field == "level")
            let undefined = try await app.send(.PUT, "/api/v1/admin/members/\(goldId)/level", token: admin, json: MemberLevelInput(level: "gold"))
            #expect(undefined.problem?.errors?.first?.message == "is not a defined member level", "only a defined level can be given")
            // A gold level without rights of its own: the level price alone makes the difference here.
            #expect(try await app.send(.POST, "/api/v1/admin/member-levels", token: admin,
                                       json: MemberLevelDefinitionInput(code: "gold", name: "金卡", rank: 3, conditions: LevelConditions(minimumSpendFen: 1_000_000))).status == .created)
            let profile = try await app.send(.PUT, "/api/v1/admin/members/\(goldId)/level", token: admin, json: MemberLevelInput(level: "Gold")).decode(MemberProfile.self)
            #expect(profile.level == "gold")
            let found = try await app.send(.GET, "/api/v1/admin/members?level=gold", token: admin).decode(ListPage<MemberProfile>.self)
            #expect(found.items.map(\.id) == [goldId])
            #expect(try await app.send(.GET, "/api/v1/me", token: gold).decode(MemberProfile.self).level == "gold")

            let detail = try await app.send(.GET, "/api/v1/products/\(shop.milk.productId)", token: gold).decode(ProductDetail.self)
            #expect(detail.skus.first?.priceFen == 1_125)
            #expect(detail.skus.first?.priceExplanation.last?.rule == "member")
            #expect(try await app.send(.GET, "/api/v1/products/\(shop.milk.productId)").decode(ProductDetail.self).skus.first?.priceFen == 1_250)

            for token in [gold, plain] {
                _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            }
            let goldCart = try await app.send(.GET, "/api/v1/cart", token: gold).decode(CartView.self)
            #expect(goldCart.groups.first?.lines.first?.unitPriceFen == 1_125)
            #expect(try await app.send(.GET, "/api/v1/cart", token: plain).decode(CartView.self).groups.first?.lines.first?.unitPriceFen == 1_250)

            let order = try await CheckoutTests.checkout(app, token: gold, key: "gold-checkout").decode(CheckoutResult.self).orders[0]
            #expect(order.lines.first?.unitPriceFen == 1_125)
            #expect(order.goodsFen == 2_250)
            let plainOrder = try await CheckoutTests.checkout(app, token: plain, key: "plain-checkout").decode(CheckoutResult.self).orders[0]
            #expect(plainOrder.goodsFen == 2_500)
        }
    }
}
