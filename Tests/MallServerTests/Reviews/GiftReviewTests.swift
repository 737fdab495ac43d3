import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Product reviews: a promotion's free gift is not reviewed")
struct GiftReviewTests {
    @Test("a delivered order's free gift line is not open for review (no 评价 button on the order page) and a review of it is refused; the bought line is reviewed as usual")
    func giftLine() async throws {
        try await ReviewTests.app { app, _ in
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
            let shop = try await CheckoutTests.shop(app)
            let towel = try await PromotionTests.towel(app, stockedAt: shop.near)
            _ = try await PromotionTests.create(app, token: hq, PromotionTests.input("满50送毛巾", rule: PromotionRuleInput(kind: .gift, thresholdFen: 5_000,
                                                                                                                      giftSkuId: towel.id!)))
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 5))
            let (_, manager) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            let (_, order) = try await ReviewTests.deliveredOrder(app, shop: shop, manager: manager, mobile: "13800138000", signedIn: token)
            let gift = try #require(order.lines.first { $0.skuId == towel.id! })
            let milk = try #require(order.lines.first { $0.skuId == shop.milk.id! })
            #expect(gift.unitPriceFen == 0 && order.lines.count == 2)

            let pending = try await app.send(.GET, "/api/v1/me/reviews?state=pending&orderId=\(order.id)", token: token).decode(MyReviews.self)
            #expect(pending.items.items.map(\.orderLineId) == [milk.id] && pending.pendingCount == 1, "\(pending.items.items)")

            let refused = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: token, json: ReviewInput(lines: [
                ReviewLineInput(orderLineId: gift.id, rating: 5, text: "毛巾不错"),
            ]))
            #expect(refused.status == .unprocessableEntity && refused.problem?.errors?.first?.field == "lines[0].orderLineId"
                    && refused.problem?.errors?.first?.message == "is a free gift, which is not reviewed", "\(refused.text)")
            let chinese = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: token, json: ReviewInput(lines: [
                ReviewLineInput(orderLineId: gift.id, rating: 5, text: "毛巾不错"),
            ]), headers: ["Accept-Language": "zh-CN"])
            #expect(chinese.problem?.errors?.first?.message == "是赠品，无需评价", "\(chinese.text)")
            #expect(try await ProductReviewModel.query(on: app.db).count() == 0, "a refused review leaves no rows")

            let reviewed = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: token, json: ReviewInput(lines: [
                ReviewLineInput(orderLineId: milk.id, rating: 5, text: "很新鲜，好喝"),
            ]))
            #expect(reviewed.status == .created, "\(reviewed.text)")
        }
    }
}
