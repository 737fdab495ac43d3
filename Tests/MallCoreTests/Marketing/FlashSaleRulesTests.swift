import Foundation
import MallCore
import Testing

@Suite("Flash sales: phases, head start, sold share, validation")
struct FlashSaleRulesTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var end: Date { start.addingTimeInterval(2 * 3_600) }

    @Test("a session is upcoming before its start, live until its end or an early end, then ended")
    func phases() {
        #expect(FlashSaleRules.phase(startsAt: start, endsAt: end, endedAt: nil, now: start.addingTimeInterval(-1)) == .upcoming)
        #expect(FlashSaleRules.phase(startsAt: start, endsAt: end, endedAt: nil, now: start) == .live)
        #expect(FlashSaleRules.phase(startsAt: start, endsAt: end, endedAt: nil, now: end) == .ended)
        let early = start.addingTimeInterval(600)
        #expect(FlashSaleRules.phase(startsAt: start, endsAt: end, endedAt: early, now: early.addingTimeInterval(-1)) == .live)
        #expect(FlashSaleRules.phase(startsAt: start, endsAt: end, endedAt: early, now: early) == .ended)
        #expect(FlashSaleRules.countdownTarget(startsAt: start, endsAt: end, endedAt: nil, now: start.addingTimeInterval(-5)) == start)
        #expect(FlashSaleRules.countdownTarget(startsAt: start, endsAt: end, endedAt: nil, now: start) == end)
        #expect(FlashSaleRules.countdownTarget(startsAt: start, endsAt: end, endedAt: nil, now: end) == nil)
    }

    @Test("a level's priority minutes open the session that much earlier for its members, never after the end")
    func headStart() {
        let tenBefore = start.addingTimeInterval(-600)
        #expect(FlashSaleRules.window(startsAt: start, endsAt: end, endedAt: nil, priorityMinutes: 30, now: tenBefore) == .open)
        #expect(FlashSaleRules.window(startsAt: start, endsAt: end, endedAt: nil, priorityMinutes: 5, now: tenBefore)
                == .notYet(opensAt: start.addingTimeInterval(-300)))
        #expect(FlashSaleRules.window(startsAt: start, endsAt: end, endedAt: nil, priorityMinutes: 0, now: tenBefore) == .notYet(opensAt: start))
        #expect(FlashSaleRules.window(startsAt: start, endsAt: end, endedAt: nil, priorityMinutes: 60, now: end) == .ended)
        #expect(FlashSaleRules.opensAt(startsAt: start, priorityMinutes: -20) == start)
        #expect(FlashSaleRules.opensAt(startsAt: start, priorityMinutes: 100_000) == start.addingTimeInterval(-1_440 * 60))
    }

    @Test("property: the head start only ever widens the window, and the sold share stays within 0…100, 100 only when sold out")
    func properties() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let now = start.addingTimeInterval(TimeInterval(Int.random(in: -7_200...10_800, using: &random)))
            let minutes = Int.random(in: -10...2_000, using: &random)
            let withPriority = FlashSaleRules.window(startsAt: start, endsAt: end, endedAt: nil, priorityMinutes: minutes, now: now)
            let without = FlashSaleRules.window(startsAt: start, endsAt: end, endedAt: nil, priorityMinutes: 0, now: now)
            if without == .open { #expect(withPriority == .open) }
            if without == .ended { #expect(withPriority == .ended) }
            let quota = Int.random(in: 0...100_000, using: &random)
            let sold = Int.random(in: -5...100_005, using: &random)
            let percent = FlashSaleRules.soldPercent(quota: quota, sold: sold)
            #expect((0...100).contains(percent))
            if quota > 0 { #expect((percent == 100) == (sold >= quota), "quota \(quota) sold \(sold)") }
        }
    }

    @Test("staff input: every broken rule is reported at once; a flash price must be below the regular price")
    func validation() {
        let sku = UUID()
        let good = FlashSaleRules.validate(title: "10点场", startsAt: start, endsAt: end, perMemberLimit: 2,
                                           items: [FlashItemDraft(skuId: sku, flashPriceFen: 990, quota: 100)], listPrices: [sku: 1_250])
        #expect(good.errors.isEmpty)
        let bad = FlashSaleRules.validate(title: "", startsAt: start, endsAt: start, perMemberLimit: 0,
                                          items: [FlashItemDraft(skuId: sku, flashPriceFen: 1_250, quota: 0),
                                                  FlashItemDraft(skuId: sku, flashPriceFen: 0, quota: 100_001)],
                                          listPrices: [sku: 1_250])
        #expect(Set(bad.errors.map(\.field)) == ["title", "perMemberLimit", "endsAt", "items[0].flashPriceFen", "items[0].quota",
                                                  "items[1].skuId", "items[1].flashPriceFen", "items[1].quota"])
        let none = FlashSaleRules.validate(title: "x", startsAt: start, endsAt: start.addingTimeInterval(8 * 86_400), perMemberLimit: 1, items: [], listPrices: [:])
        #expect(Set(none.errors.map(\.field)) == ["endsAt", "items"])
        #expect(FlashSaleRules.editable(startsAt: start, endedAt: nil, now: start.addingTimeInterval(-1)))
        #expect(!FlashSaleRules.editable(startsAt: start, endedAt: nil, now: start))
        #expect(!FlashSaleRules.editable(startsAt: start, endedAt: start.addingTimeInterval(-60), now: start.addingTimeInterval(-30)))
    }
}
