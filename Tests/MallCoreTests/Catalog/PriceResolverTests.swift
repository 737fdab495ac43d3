import Foundation
import MallCore
import Testing

@Suite("Price resolution")
struct PriceResolverTests {
    let jingan = StoreID(UUID(uuidString: "00000000-0000-4000-8000-00000000000a")!)
    let pudong = StoreID(UUID(uuidString: "00000000-0000-4000-8000-00000000000b")!)
    /// 2026-03-01T00:00:00Z
    let march = Date(timeIntervalSince1970: 1_772_323_200)

    func yuan(_ fen: Int64) -> Money { Money(minorUnits: fen) }
    func day(_ offset: Double) -> Date { march.addingTimeInterval(offset * 86_400) }

    @Test("with no other rule the list price is the price")
    func basePrice() {
        let quote = PriceResolver.resolve(PriceInput(basePrice: yuan(1_000)), storeId: jingan, memberLevel: "gold", at: march)
        #expect(quote == PriceQuote(price: yuan(1_000), steps: [PriceStep(rule: "base", description: "List price ¥10.00", price: yuan(1_000))]))
    }

    @Test("the latest schedule in effect replaces the list price; future ones wait")
    func scheduledPrices() {
        let input = PriceInput(basePrice: yuan(1_000), scheduled: [
            ScheduledPrice(price: yuan(900), effectiveFrom: day(-10)),
            ScheduledPrice(price: yuan(850), effectiveFrom: day(-1)),
            ScheduledPrice(price: yuan(700), effectiveFrom: day(5)),
        ])
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: nil, at: day(-20)).price == yuan(1_000))
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: nil, at: day(-5)).price == yuan(900))
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: nil, at: march).price == yuan(850))
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: nil, at: day(5)).price == yuan(700), "effective from the very instant")
    }

    @Test("a schedule for this store beats any schedule for all stores, even a newer one")
    func storeScheduleWins() {
        let input = PriceInput(basePrice: yuan(1_000), scheduled: [
            ScheduledPrice(price: yuan(880), effectiveFrom: day(-10), storeId: jingan),
            ScheduledPrice(price: yuan(800), effectiveFrom: day(-1)),
            ScheduledPrice(price: yuan(600), effectiveFrom: day(-1), storeId: pudong),
        ])
        let quote = PriceResolver.resolve(input, storeId: jingan, memberLevel: nil, at: march)
        #expect(quote.price == yuan(880))
        #expect(quote.steps.last?.description == "Scheduled price ¥8.80 for this store since 2026-02-19T00:00:00Z replaces the list price")
        #expect(PriceResolver.resolve(input, storeId: pudong, memberLevel: nil, at: march).price == yuan(600))
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: nil, at: march).price == yuan(800), "no store: only mall-wide schedules count")
    }

    @Test("schedules starting at the same instant resolve to the lower price")
    func simultaneousSchedules() {
        let a = ScheduledPrice(price: yuan(950), effectiveFrom: day(-1))
        let b = ScheduledPrice(price: yuan(920), effectiveFrom: day(-1))
        for order in [[a, b], [b, a]] {
            #expect(PriceResolver.resolve(PriceInput(basePrice: yuan(1_000), scheduled: order), storeId: nil, memberLevel: nil, at: march).price == yuan(920))
        }
    }

    @Test("the static store price replaces the list price and mall-wide schedules, not the store's own schedule")
    func storeOverride() {
        let plain = PriceInput(basePrice: yuan(1_000), storeOverride: yuan(1_250))
        let quote = PriceResolver.resolve(plain, storeId: jingan, memberLevel: nil, at: march)
        #expect(quote.steps.map(\.rule) == ["base", "store"])
        #expect(quote.steps.last == PriceStep(rule: "store", description: "Store price ¥12.50 replaces the list price", price: yuan(1_250)))
        #expect(PriceResolver.resolve(plain, storeId: nil, memberLevel: nil, at: march).price == yuan(1_000), "no store, no store price")

        let mallWide = PriceInput(basePrice: yuan(1_000), storeOverride: yuan(1_250), scheduled: [ScheduledPrice(price: yuan(900), effectiveFrom: day(-1))])
        let overMallWide = PriceResolver.resolve(mallWide, storeId: jingan, memberLevel: nil, at: march)
        #expect(overMallWide.price == yuan(1_250))
        #expect(overMallWide.steps.map(\.rule) == ["base", "scheduled", "store"])
        #expect(overMallWide.steps.last?.description == "Store price ¥12.50 replaces the scheduled price")

        let ownSchedule = PriceInput(basePrice: yuan(1_000), storeOverride: yuan(1_250), scheduled: [ScheduledPrice(price: yuan(990), effectiveFrom: day(-1), storeId: jingan)])
        let scheduled = PriceResolver.resolve(ownSchedule, storeId: jingan, memberLevel: nil, at: march)
        #expect(scheduled.price == yuan(990))
        #expect(scheduled.steps.map(\.rule) == ["base", "scheduled"])
    }

    @Test("members pay a fixed price or a share rounded half up to the fen")
    func memberPrices() {
        let levels = [
            MemberLevelPrice(level: "silver", discountBasisPoints: 9_500),
            MemberLevelPrice(level: "gold", discountBasisPoints: 9_000, fixedPrice: yuan(799)),
            MemberLevelPrice(level: "odd", discountBasisPoints: 9_550),
        ]
        func price(_ base: Int64, _ level: String?) -> Money {
            PriceResolver.resolve(PriceInput(basePrice: yuan(base), memberLevelPrices: levels), storeId: nil, memberLevel: level, at: march).price
        }
        #expect(price(1_000, "silver") == yuan(950))
        #expect(price(999, "silver") == yuan(949), "949.05 fen rounds down")
        #expect(price(1_010, "odd") == yuan(965), "964.55 fen rounds half up")
        #expect(price(1_000, "gold") == yuan(799), "the fixed price overrides the percentage")
        #expect(price(1_000, "bronze") == yuan(1_000), "unknown level")
        #expect(price(1_000, nil) == yuan(1_000), "not a member")
        #expect(price(1, "odd") == yuan(1), "0.955 fen rounds to 1")

        let quote = PriceResolver.resolve(PriceInput(basePrice: yuan(1_010), memberLevelPrices: levels), storeId: nil, memberLevel: "odd", at: march)
        #expect(quote.steps.last == PriceStep(rule: "member", description: "Member level odd pays 95.5% of ¥10.10: ¥9.65", price: yuan(965)))
        let gold = PriceResolver.resolve(PriceInput(basePrice: yuan(1_000), memberLevelPrices: levels), storeId: nil, memberLevel: "gold", at: march)
        #expect(gold.steps.last?.description == "Member level gold pays the fixed price ¥7.99 instead of ¥10.00")
    }

    @Test("a member rule that would raise the price is ignored")
    func memberNeverPaysMore() {
        let levels = [
            MemberLevelPrice(level: "gold", fixedPrice: yuan(1_200)),
            MemberLevelPrice(level: "odd", discountBasisPoints: 10_500),
        ]
        for level in ["gold", "odd"] {
            let quote = PriceResolver.resolve(PriceInput(basePrice: yuan(1_000), memberLevelPrices: levels), storeId: nil, memberLevel: level, at: march)
            #expect(quote.price == yuan(1_000))
            #expect(quote.steps.map(\.rule) == ["base"])
        }
    }

    @Test("prices never go below zero")
    func neverNegative() {
        let negativeBase = PriceResolver.resolve(PriceInput(basePrice: yuan(-100)), storeId: nil, memberLevel: nil, at: march)
        #expect(negativeBase.price == yuan(0))
        #expect(negativeBase.steps[0].description == "List price -¥1.00 is negative and counts as ¥0.00")
        let input = PriceInput(basePrice: yuan(1_000), storeOverride: yuan(-5), memberLevelPrices: [
            MemberLevelPrice(level: "staff", discountBasisPoints: -2_000), MemberLevelPrice(level: "vip", fixedPrice: yuan(-1)),
        ])
        #expect(PriceResolver.resolve(input, storeId: jingan, memberLevel: nil, at: march).price == yuan(0))
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: "staff", at: march).price == yuan(0))
        #expect(PriceResolver.resolve(input, storeId: nil, memberLevel: "vip", at: march).price == yuan(0))
    }

    @Test("prices in another currency are ignored rather than compared")
    func otherCurrencies() {
        let hkd = Money(minorUnits: 500, currency: .hkd)
        let input = PriceInput(basePrice: yuan(1_000), storeOverride: hkd, scheduled: [ScheduledPrice(price: hkd, effectiveFrom: day(-1))],
                               memberLevelPrices: [MemberLevelPrice(level: "gold", fixedPrice: hkd)])
        let quote = PriceResolver.resolve(input, storeId: jingan, memberLevel: "gold", at: march)
        #expect(quote.price == yuan(1_000))
        #expect(quote.steps.map(\.rule) == ["base"])
    }

    @Test("every rule together explains itself step by step")
    func fullExplanation() {
        let input = PriceInput(
            basePrice: yuan(1_500),
            storeOverride: yuan(1_250),
            scheduled: [ScheduledPrice(price: yuan(1_400), effectiveFrom: march)],
            memberLevelPrices: [MemberLevelPrice(level: "gold", discountBasisPoints: 8_800)]
        )
        let quote = PriceResolver.resolve(input, storeId: jingan, memberLevel: "gold", at: day(1))
        #expect(quote.steps == [
            PriceStep(rule: "base", description: "List price ¥15.00", price: yuan(1_500)),
            PriceStep(rule: "scheduled", description: "Scheduled price ¥14.00 for all stores since 2026-03-01T00:00:00Z replaces the list price", price: yuan(1_400)),
            PriceStep(rule: "store", description: "Store price ¥12.50 replaces the scheduled price", price: yuan(1_250)),
            PriceStep(rule: "member", description: "Member level gold pays 88% of ¥12.50: ¥11.00", price: yuan(1_100)),
        ])
        #expect(quote.price == yuan(1_100))
    }

    @Test("huge prices do not overflow the percentage arithmetic")
    func hugePrices() {
        let input = PriceInput(basePrice: Money(minorUnits: .max), memberLevelPrices: [MemberLevelPrice(level: "gold", discountBasisPoints: 9_999)])
        let price = PriceResolver.resolve(input, storeId: nil, memberLevel: "gold", at: march).price
        #expect(price.minorUnits > 0 && price.minorUnits < .max)
    }

    @Test("quotes round-trip through JSON")
    func codable() throws {
        let input = PriceInput(basePrice: yuan(1_000), scheduled: [ScheduledPrice(price: yuan(900), effectiveFrom: march, storeId: jingan)])
        let quote = PriceResolver.resolve(input, storeId: jingan, memberLevel: nil, at: march)
        #expect(try JSONDecoder().decode(PriceQuote.self, from: JSONEncoder().encode(quote)) == quote)
        let schedule = input.scheduled[0]
        #expect(try JSONDecoder().decode(ScheduledPrice.self, from: JSONEncoder().encode(schedule)) == schedule)
    }

    @Test("for any input: deterministic, order-blind, never negative, members never pay more")
    func properties() {
        var random = CatalogTestRandom(seed: 8_888)
        let stores = [jingan, pudong]
        let levels = ["silver", "gold", "vip"]
        for _ in 0..<2_000 {
            func money() -> Money { yuan(Int64.random(in: -200...20_000, using: &random)) }
            let input = PriceInput(
                basePrice: money(),
                storeOverride: Bool.random(using: &random) ? money() : nil,
                scheduled: (0..<Int.random(in: 0...5, using: &random)).map { _ in
                    ScheduledPrice(price: money(), effectiveFrom: day(Double(Int.random(in: -30...30, using: &random))),
                                   storeId: Bool.random(using: &random) ? stores.randomElement(using: &random)! : nil)
                },
                memberLevelPrices: levels.compactMap { level in
                    guard Bool.random(using: &random) else { return nil }
                    return MemberLevelPrice(level: level, discountBasisPoints: Int.random(in: -500...12_000, using: &random),
                                            fixedPrice: Bool.random(using: &random) ? money() : nil)
                }
            )
            let store = Bool.random(using: &random) ? stores.randomElement(using: &random)! : nil
            let level = levels.randomElement(using: &random)!
            let instant = day(Double(Int.random(in: -40...40, using: &random)))

            let quote = PriceResolver.resolve(input, storeId: store, memberLevel: level, at: instant)
            let nonMember = PriceResolver.resolve(input, storeId: store, memberLevel: nil, at: instant)
            var shuffled = input
            shuffled.scheduled.shuffle(using: &random)

            #expect(PriceResolver.resolve(input, storeId: store, memberLevel: level, at: instant) == quote)
            #expect(PriceResolver.resolve(shuffled, storeId: store, memberLevel: level, at: instant) == quote)
            #expect(quote.price.minorUnits >= 0)
            #expect(quote.steps.allSatisfy { $0.price.minorUnits >= 0 })
            #expect(quote.price <= nonMember.price)
            #expect(quote.steps.first?.rule == "base")
            #expect(quote.steps.last?.price == quote.price)
            #expect(Array(quote.steps.prefix(nonMember.steps.count)) == nonMember.steps, "membership only ever adds a last step")
        }
    }
}
