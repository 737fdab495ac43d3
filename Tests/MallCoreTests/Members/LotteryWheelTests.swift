import Foundation
import MallCore
import Testing

@Suite("Lottery wheel: the draw as a function of a random value and the weights")
struct LotteryWheelTests {
    /// The smallest 64-bit value whose scaled point reaches `cumulative` on a wheel of `total`:
    /// ⌈cumulative · 2⁶⁴ / total⌉.
    static func firstValue(reaching cumulative: UInt64, total: UInt64) -> UInt64? {
        guard cumulative > 0 else { return 0 }
        let (quotient, remainder) = total.dividingFullWidth((high: cumulative, low: 0))
        let (value, overflow) = quotient.addingReportingOverflow(remainder > 0 ? 1 : 0)
        return overflow ? nil : value
    }

    @Test("edges: 0 lands on the first slot with weight, the largest value on the last; no weight, no slot")
    func edges() {
        #expect(LotteryWheel.slot(for: 0, weights: [0, 5, 0, 3, 0]) == 1)
        #expect(LotteryWheel.slot(for: .max, weights: [0, 5, 0, 3, 0]) == 3)
        #expect(LotteryWheel.slot(for: 12345, weights: []) == nil)
        #expect(LotteryWheel.slot(for: 12345, weights: [0, 0]) == nil)
        #expect(LotteryWheel.slot(for: 12345, weights: [-4, 0]) == nil, "a negative weight counts as zero")
        #expect(LotteryWheel.slot(for: .max, weights: [Int.max, Int.max, 2]) == nil, "a total beyond 64 bits is refused, not wrapped")
        for value: UInt64 in [0, 1, 1 << 63, .max] {
            #expect(LotteryWheel.slot(for: value, weights: [0, 7, 0]) == 1, "a single prize with weight is always drawn")
        }
        // Halves: below 2⁶³ is the first of two equal slots, from 2⁶³ on the second.
        #expect(LotteryWheel.slot(for: (1 << 63) - 1, weights: [1, 1]) == 0)
        #expect(LotteryWheel.slot(for: 1 << 63, weights: [1, 1]) == 1)
    }

    @Test("random wheels: each slot owns exactly the values from ⌈start·2⁶⁴/total⌉ to the next slot's start, so its share is its weight's to within one value in 2⁶⁴")
    func exactPartition() throws {
        var random = CatalogTestRandom(seed: 0x10_77E2)
        for _ in 0..<3_000 {
            let weights = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                Bool.random(using: &random) && Bool.random(using: &random) ? 0 : Int.random(in: 1...1_000_000, using: &random)
            }
            let total = UInt64(weights.reduce(0, +))
            guard total > 0 else {
                #expect(LotteryWheel.slot(for: random.next(), weights: weights) == nil)
                continue
            }
            var cumulative: UInt64 = 0
            var previous: Int?
            for (index, weight) in weights.enumerated() where weight > 0 {
                let start = try #require(Self.firstValue(reaching: cumulative, total: total))
                #expect(LotteryWheel.slot(for: start, weights: weights) == index, "\(weights): slot \(index) starts at \(start)")
                if let previous, start > 0 {
                    #expect(LotteryWheel.slot(for: start - 1, weights: weights) == previous, "\(weights): the value before belongs to slot \(previous)")
                }
                cumulative += UInt64(weight)
                previous = index
            }
            #expect(LotteryWheel.slot(for: .max, weights: weights) == previous)
        }
    }

    @Test("sampled: 200,000 draws on weights 1:2:3:4:0 come out in those shares (within 1 %) and never on the zero-weight slot")
    func sampledDistribution() {
        var random = CatalogTestRandom(seed: 42)
        let weights = [1, 2, 3, 4, 0]
        var counts = [0, 0, 0, 0, 0]
        let draws = 200_000
        for _ in 0..<draws {
            if let slot = LotteryWheel.slot(for: random.next(), weights: weights) { counts[slot] += 1 }
        }
        #expect(counts.reduce(0, +) == draws)
        #expect(counts[4] == 0)
        for (index, weight) in weights.enumerated() {
            let share = Double(counts[index]) / Double(draws)
            #expect(abs(share - Double(weight) / 10) < 0.01, "slot \(index): \(share)")
        }
    }

    @Test("the same stored value and weights always replay to the same slot")
    func replay() {
        var random = CatalogTestRandom(seed: 7)
        for _ in 0..<1_000 {
            let weights = (0..<6).map { _ in Int.random(in: 0...50, using: &random) }
            let value = random.next()
            #expect(LotteryWheel.slot(for: value, weights: weights) == LotteryWheel.slot(for: value, weights: weights))
        }
    }

    @Test("a fallback lands on the first nothing slot, or stays on the drawn one when the wheel has none")
    func landing() {
        let kinds: [LotteryPrizeKind] = [.points, .sku, .nothing, .nothing]
        #expect(LotteryWheel.landing(drawn: 1, fellBack: false, kinds: kinds) == 1)
        #expect(LotteryWheel.landing(drawn: 1, fellBack: true, kinds: kinds) == 2)
        #expect(LotteryWheel.landing(drawn: 1, fellBack: true, kinds: [.points, .sku]) == 1)
    }

    @Test("chances for display: rounded down, never above 100 %")
    func chances() {
        #expect(LotteryWheel.chanceBasisPoints(weights: [1, 1, 1]) == [3_333, 3_333, 3_333])
        #expect(LotteryWheel.chanceBasisPoints(weights: [0, 0]) == [0, 0])
        var random = CatalogTestRandom(seed: 9)
        for _ in 0..<500 {
            let weights = (0..<Int.random(in: 1...12, using: &random)).map { _ in Int.random(in: 0...1_000_000, using: &random) }
            let chances = LotteryWheel.chanceBasisPoints(weights: weights)
            #expect(chances.reduce(0, +) <= 10_000)
            #expect(zip(weights, chances).allSatisfy { $0.0 > 0 || $0.1 == 0 })
        }
    }

    @Test("a wheel as staff enter it: 2–12 prizes, each kind with its own fields, some weight, stock in range")
    func validation() {
        let id = true
        let good = [
            LotteryPrizeSpec(name: "100 积分", kind: .points, points: 100, hasSKU: false, hasStore: false, weight: 10, stock: 50),
            LotteryPrizeSpec(name: "牛奶", kind: .sku, points: nil, hasSKU: id, hasStore: id, weight: 1, stock: 3),
            LotteryPrizeSpec(name: "谢谢参与", kind: .nothing, points: nil, hasSKU: false, hasStore: false, weight: 89, stock: nil),
        ]
        #expect(LotteryWheel.validate(good).errors.isEmpty)
        #expect(LotteryWheel.validate(Array(good.prefix(1))).errors.map(\.field) == ["prizes"])
        #expect(LotteryWheel.validate(Array(repeating: good[2], count: 13)).errors.map(\.field) == ["prizes"])
        let bad = [
            LotteryPrizeSpec(name: "", kind: .points, points: nil, hasSKU: true, hasStore: false, weight: -1, stock: 1_000_001),
            LotteryPrizeSpec(name: "牛奶", kind: .sku, points: 5, hasSKU: false, hasStore: false, weight: 0, stock: nil),
            LotteryPrizeSpec(name: "谢谢参与", kind: .nothing, points: 1, hasSKU: false, hasStore: false, weight: 0, stock: 2),
        ]
        let fields = LotteryWheel.validate(bad).errors.map(\.field)
        #expect(fields == ["prizes[0].name", "prizes[0].weight", "prizes[0].stock", "prizes[0].points", "prizes[0].skuId",
                           "prizes[1].skuId", "prizes[1].storeId", "prizes[1].points", "prizes[1].stock", "prizes[2].kind", "prizes[2].stock", "prizes"])
    }
}

@Suite("Points mall rules")
struct PointsMallRulesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("availability: off, then the window, then stock")
    func availability() {
        let before = Self.now.addingTimeInterval(-60), after = Self.now.addingTimeInterval(60)
        #expect(PointsMallRules.availability(enabled: false, startsAt: after, endsAt: nil, remaining: 0, now: Self.now) == .off)
        #expect(PointsMallRules.availability(enabled: true, startsAt: after, endsAt: nil, remaining: 0, now: Self.now) == .notStarted)
        #expect(PointsMallRules.availability(enabled: true, startsAt: before, endsAt: Self.now, remaining: 0, now: Self.now) == .ended, "the end is exclusive")
        #expect(PointsMallRules.availability(enabled: true, startsAt: Self.now, endsAt: after, remaining: 0, now: Self.now) == .soldOut)
        #expect(PointsMallRules.availability(enabled: true, startsAt: nil, endsAt: nil, remaining: 1, now: Self.now) == .open)
        #expect(PointsMallRules.availability(enabled: true, startsAt: nil, endsAt: nil, remaining: nil, now: Self.now) == .open, "no stock of its own: unlimited")
    }

    @Test("the member's remaining limit never goes below zero; no limit is nil")
    func remainingLimit() {
        #expect(PointsMallRules.remainingLimit(perMember: 3, redeemed: 1) == 2)
        #expect(PointsMallRules.remainingLimit(perMember: 3, redeemed: 5) == 0)
        #expect(PointsMallRules.remainingLimit(perMember: nil, redeemed: 5) == nil)
    }

    @Test("cost: points and cash times the quantity; overflow is an error, not a trap")
    func cost() throws {
        let cost = try PointsMallRules.cost(pricePoints: 1_500, cashFen: 990, quantity: 3)
        #expect(cost.points == 4_500 && cost.cashFen == 2_970)
        #expect(throws: ArithmeticOverflow.self) { try PointsMallRules.cost(pricePoints: .max, cashFen: 0, quantity: 2) }
    }

    @Test("items: SKU items need a SKU, coupon items a coupon template and no cash; ranges and the window are checked")
    func validation() {
        func fields(_ kind: PointsMallItemKind, sku: Bool = false, coupon: Bool = false, points: Int64 = 100, cash: Int64 = 0, stock: Int = 10,
                    limit: Int? = 2, starts: Date? = nil, ends: Date? = nil, title: String = "牛奶") -> [String] {
            PointsMallRules.validate(kind: kind, title: title, hasSKU: sku, hasCouponTemplate: coupon, pricePoints: points, cashFen: cash, stock: stock,
                                     perMemberLimit: limit, sortOrder: 0, startsAt: starts, endsAt: ends).errors.map(\.field)
        }
        #expect(fields(.sku, sku: true) == [])
        #expect(fields(.sku) == ["skuId"])
        #expect(fields(.coupon, coupon: true) == [])
        #expect(fields(.coupon, sku: true, cash: 100) == ["skuId", "couponTemplateId", "cashFen"])
        #expect(fields(.sku, sku: true, points: 0, cash: -1, stock: -1, limit: 0, starts: Self.now, ends: Self.now, title: " ")
                == ["title", "pricePoints", "cashFen", "stock", "perMemberLimit", "endsAt"])
    }
}
