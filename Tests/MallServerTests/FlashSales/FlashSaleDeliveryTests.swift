import Foundation
import MallAPI
import Testing
import Vapor
@testable import MallServer

@Suite("Flash sales: collect at the item's store or have it delivered")
struct FlashSaleDeliveryTests {
    @Test("the page offers a signed-in member pickup or delivery to their mapped addresses (guests see no choice); a delivery purchase is a delivery order from the item's store at the flash price")
    func delivery() async throws {
        try await withTestApp { app in
            let sale = try await FlashSaleTests.sale(app)
            let guest = try await app.send(.GET, "/flash-sales", headers: ["Cookie": "lang=zh-CN"])
            #expect(guest.status == .ok && !guest.text.contains(#"id="flash-fulfilment""#))

            let token = try await CheckoutTests.shopper(app)
            let address = try #require(try await app.send(.GET, "/api/v1/me/addresses", token: token).decode([Address].self).first)
            let browser = TestBrowser(app)
            #expect(try await browser.signInMember().status == .seeOther)
            let page = try await browser.get("/flash-sales")
            #expect(page.text.contains(#"<input type="radio" id="flash-pickup" name="flash-fulfilment" value="pickup" checked><label for="flash-pickup">到店自提（商品所在门店）</label>"#),
                    "\(page.text)")
            #expect(page.text.contains(#"<input type="radio" id="flash-delivery" name="flash-fulfilment" value="delivery"><label for="flash-delivery">"#))
            #expect(page.text.contains(#"<option value="\#(address.id)">王小明 上海市静安区愚园路168号</option>"#))

            let bought = try await FlashSaleTests.buy(app, sale.session, token: token,
                                                      input: FlashPurchaseInput(skuId: sale.shop.milk.id!, fulfilment: .delivery, addressId: address.id))
            #expect(bought.status == .created, "\(bought.text)")
            let result = try bought.decode(FlashPurchaseResult.self)
            let order = try await app.send(.GET, "/api/v1/orders/\(try #require(result.purchase.orderId))", token: token).decode(Order.self)
            #expect(order.fulfilment == .delivery && order.storeId == sale.shop.near.id! && order.payableFen == 990)
            #expect(order.deliveryAddress?.detail == "愚园路168号")
            let stranger = try await FlashSaleTests.buy(app, sale.session, token: token,
                                                        input: FlashPurchaseInput(skuId: sale.shop.milk.id!, fulfilment: .delivery, addressId: UUID()))
            #expect(stranger.status == .unprocessableEntity && stranger.problem?.errors?.first?.field == "addressId", "\(stranger.text)")
            try await FlashSaleTests.invariants(app)
        }
    }
}
