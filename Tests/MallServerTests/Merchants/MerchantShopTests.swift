import Fluent
import SQLKit
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Merchant shop: public shop data, follow and unfollow, the shop and product pages")
struct MerchantShopTests {
    @Test("the shop shows name, description, rating, goods and open stores but no contact or bank data; members follow once")
    func shopAndFollow() async throws {
        try await withTestApp { app in
            let fruit = try await MerchantStandingTests.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let product = try #require(try await ProductModel.find(fruit.sku.productId, on: app.db))
            try await app.db.sql.raw("UPDATE products SET review_count = 2, review_star_total = 9 WHERE id = \(bind: product.id!)").run()
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(fruit.merchant.merchantID))
            let face = try await app.send(.PUT, "/api/v1/admin/merchants/\(fruit.merchant.id!)/shop", token: fruitAdmin,
                                          json: MerchantShopInput(description: "产地直采", logoUrl: nil))
            #expect(try face.decode(Merchant.self).description == "产地直采")
            let badLogo = try await app.send(.PUT, "/api/v1/admin/merchants/\(fruit.merchant.id!)/shop", token: fruitAdmin,
                                             json: MerchantShopInput(description: nil, logoUrl: "https://evil.example/logo.png"))
            #expect(badLogo.problem?.errors?.first?.field == "logoUrl")

            let response = try await app.send(.GET, "/api/v1/merchants/\(fruit.merchant.id!)")
            #expect(!response.text.contains("contactPhone") && !response.text.contains("bank"))
            let shop = try response.decode(MerchantShop.self)
            #expect(shop.name == "Merchant FRUIT" && shop.description == "产地直采" && shop.rating == 4.5 && shop.reviewCount == 2)
            #expect(shop.productCount == 1 && shop.followerCount == 0 && shop.followedByMe == nil)
            #expect(shop.stores.map(\.name) == [fruit.store.name])
            let goods = try await app.send(.GET, "/api/v1/products?merchantId=\(fruit.merchant.id!)").decode(ListPage<ProductSummary>.self)
            #expect(goods.items.map(\.id) == [product.id!])

            let member = try await Fixtures.member(app).tokens.accessToken
            for _ in 0..<2 {
                let followed = try await app.send(.PUT, "/api/v1/me/followed-merchants/\(fruit.merchant.id!)", token: member).decode(MerchantShop.self)
                #expect(followed.followerCount == 1 && followed.followedByMe == true)
            }
            let mine = try await app.send(.GET, "/api/v1/me/followed-merchants", token: member).decode([MerchantShop].self)
            #expect(mine.map(\.id) == [fruit.merchant.id!])
            #expect(try await app.send(.GET, "/member/shops").status == .seeOther, "the page asks a guest to sign in")
            let unfollowed = try await app.send(.DELETE, "/api/v1/me/followed-merchants/\(fruit.merchant.id!)", token: member).decode(MerchantShop.self)
            #expect(unfollowed.followerCount == 0 && unfollowed.followedByMe == false)
            #expect(try await app.send(.PUT, "/api/v1/me/followed-merchants/\(fruit.merchant.id!)").status == .unauthorized)

            let page = try await app.send(.GET, "/merchants/\(fruit.merchant.id!)")
            #expect(page.status == .ok && page.text.contains("产地直采") && page.text.contains("赣南脐橙") && page.text.contains(fruit.store.name))
            let productPage = try await app.send(.GET, "/product/\(product.id!)")
            #expect(productPage.text.contains("href=\"/merchants/\(fruit.merchant.id!)\""))

            let admin = try await PointsTests.admin(app)
            _ = try await MerchantStandingTests.setStatus(app, fruit, .suspended, token: admin)
            #expect(try await app.send(.GET, "/api/v1/merchants/\(fruit.merchant.id!)").status == .notFound)
        }
    }
}
