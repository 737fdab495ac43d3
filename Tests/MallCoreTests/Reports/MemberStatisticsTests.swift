import Foundation
import MallCore
import Testing

@Suite("Reports: member statistics")
struct MemberStatisticsTests {
    static let store = UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!
    static let merchant = UUID(uuidString: "00000000-0000-0000-0000-0000000000C3")!
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    @Test("repurchase rate is repeat buyers per buyer; new customers made their first purchase in the period; members without orders do not count")
    func figures() {
        let figures = MemberStatistics.figures([
            "a": MemberDayOrders(orders: 3, firstOrders: 1), "b": MemberDayOrders(orders: 1, firstOrders: 0),
            "c": MemberDayOrders(orders: 2, firstOrders: 0), "d": MemberDayOrders(orders: 0, firstOrders: 0),
            "e": MemberDayOrders(orders: 1, firstOrders: 2),
        ])
        #expect(figures.buyers == 4 && figures.repeatBuyers == 2 && figures.repurchaseRateBasisPoints == 5_000)
        #expect(figures.newCustomers == 2 && figures.returningCustomers == 2, "two first orders at once (a split checkout) are one new customer")
        #expect(MemberStatistics.figures([String: MemberDayOrders]()).repurchaseRateBasisPoints == nil)
    }

    @Test("property: buyers split into new and returning; repeat buyers are never more than buyers; the rate is within 0…100%")
    func properties() {
        var random = PricingTestRandom(seed: 0x3E3B_E125)
        for _ in 0..<300 {
            var orders: [Int: MemberDayOrders] = [:]
            for member in 0..<Int.random(in: 0...30, using: &random) {
                orders[member] = MemberDayOrders(orders: Int64.random(in: 0...4, using: &random), firstOrders: Int64.random(in: 0...1, using: &random))
            }
            let figures = MemberStatistics.figures(orders)
            #expect(figures.newCustomers + figures.returningCustomers == figures.buyers)
            #expect(figures.repeatBuyers <= figures.buyers && figures.buyers == Int64(orders.values.filter { $0.orders > 0 }.count))
            #expect((0...10_000).contains(figures.repurchaseRateBasisPoints ?? 0))
        }
    }

    @Test("the fold counts a member's orders per store and shop day, first orders apart; a till sale without a member adds no member row")
    func fold() throws {
        let member = UUID()
        var deltas = SalesDeltas()
        let line = SoldOrder.Line(skuId: UUID(), quantity: 1, paidFen: 100, unitCostFen: nil)
        let evening = Date(timeIntervalSince1970: 1_796_661_000) // 16:30 UTC, already 8 December in Shanghai
        for (returning, paidAt) in [(false, evening), (true, evening.addingTimeInterval(60)), (true, evening.addingTimeInterval(-3_600))] {
            try SalesFold.fold(order: SoldOrder(storeId: Self.store, merchantId: Self.merchant, channel: .delivery, paidAt: paidAt,
                                                returningCustomer: returning, lines: [line], memberId: member), into: &deltas, timeZone: Self.shanghai)
        }
        try SalesFold.fold(order: SoldOrder(storeId: Self.store, merchantId: Self.merchant, channel: .inStore, paidAt: evening,
                                            returningCustomer: false, lines: [line]), into: &deltas, timeZone: Self.shanghai)
        let eighth = MemberDayKey(storeId: Self.store, merchantId: Self.merchant, memberId: member, day: try CalendarDate(parsing: "2026-12-08", field: "day"))
        let seventh = MemberDayKey(storeId: Self.store, merchantId: Self.merchant, memberId: member, day: try CalendarDate(parsing: "2026-12-07", field: "day"))
        #expect(deltas.members == [eighth: MemberDayOrders(orders: 2, firstOrders: 1), seventh: MemberDayOrders(orders: 1, firstOrders: 0)])
    }
}
