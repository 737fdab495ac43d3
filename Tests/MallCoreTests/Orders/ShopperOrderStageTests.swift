import Foundation
import MallCore
import Testing

@Suite("Shopper order stages")
struct ShopperOrderStageTests {
    @Test("every order status is in exactly one stage, so the tabs add up to all orders")
    func partition() {
        let claimed = ShopperOrderStage.allCases.flatMap(\.statuses)
        #expect(Set(claimed) == Set(OrderStatus.allCases))
        #expect(claimed.count == OrderStatus.allCases.count, "no status in two stages")
        for status in OrderStatus.allCases {
            #expect(ShopperOrderStage(status: status).statuses.contains(status))
        }
        #expect(ShopperOrderStage(status: .picking) == .preparing)
        #expect(ShopperOrderStage(status: .delivered) == .receiving)
        #expect(ShopperOrderStage(status: .expired) == .cancelled)
    }
}
