import Foundation
import MallCore
import Testing

@Suite("Campaign effect summaries")
struct CampaignSummaryTests {
    @Test("revenue is net of refunds, averages and rates round half up, the change is against the baseline's average")
    func scenario() throws {
        let influenced = [SummaryOrder(payableFen: 20_000, discountFen: 3_000), SummaryOrder(payableFen: 10_000, refundedFen: 2_500, discountFen: 1_000),
                          SummaryOrder(payableFen: 5_001, discountFen: 0)]
        let baseline = [SummaryOrder(payableFen: 8_000), SummaryOrder(payableFen: 12_000, refundedFen: 12_000), SummaryOrder(payableFen: 10_000)]
        let summary = try CampaignEffect.summarize(influenced: influenced, baseline: baseline, claims: 3, uses: 2)
        #expect(summary.orders == 3 && summary.revenueFen == 32_501 && summary.discountFen == 4_000)
        #expect(summary.averageOrderFen == 10_834, "32 501 / 3 = 10 833.67")
        #expect(summary.baselineRevenueFen == 18_000 && summary.baselineAverageOrderFen == 6_000)
        #expect(summary.averageOrderChangeBasisPoints == 8_057, "(10 834 - 6 000) / 6 000 = 80.57 %")
        #expect(summary.costRatioBasisPoints == 1_231, "4 000 / 32 501 = 12.307 %")
        #expect(summary.useRateBasisPoints == 6_667)
    }

    @Test("nothing to divide by gives no rate, never zero or a trap")
    func zeroDenominators() throws {
        let empty = try CampaignEffect.summarize(influenced: [], baseline: [], claims: 0, uses: 0)
        #expect(empty.averageOrderFen == nil && empty.baselineAverageOrderFen == nil && empty.averageOrderChangeBasisPoints == nil)
        #expect(empty.costRatioBasisPoints == nil && empty.useRateBasisPoints == nil)
        let refunded = try CampaignEffect.summarize(influenced: [SummaryOrder(payableFen: 500, refundedFen: 500, discountFen: 100)], baseline: [])
        #expect(refunded.revenueFen == 0 && refunded.averageOrderFen == 0 && refunded.costRatioBasisPoints == nil)
        #expect(CampaignEffect.ratio(.max, 1, scale: 10_000) == .max && CampaignEffect.ratio(.min, 1, scale: 10_000) == .min)
        #expect(CampaignEffect.ratio(-5, 10, scale: 1) == -1 && CampaignEffect.ratio(-4, 10, scale: 1) == 0)
    }

    @Test("property: sums are fen-exact, averages within half a fen, rates agree with exact fractions")
    func properties() throws {
        for seed in UInt64(1)...500 {
            var random = PricingTestRandom(seed: seed)
            func orders() -> [SummaryOrder] {
                (0..<Int.random(in: 0...12, using: &random)).map { _ in
                    let payable = Int64.random(in: 0...2_000_000, using: &random)
                    return SummaryOrder(payableFen: payable, refundedFen: Bool.random(using: &random) ? Int64.random(in: 0...payable, using: &random) : 0,
                                        discountFen: Int64.random(in: 0...50_000, using: &random))
                }
            }
            let influenced = orders(), baseline = orders()
            let claims = Int.random(in: 0...100, using: &random)
            let uses = Int.random(in: 0...claims, using: &random)
            let summary = try CampaignEffect.summarize(influenced: influenced, baseline: baseline, claims: claims, uses: uses)
            let revenue = influenced.reduce(Int64(0)) { $0 + $1.payableFen - $1.refundedFen }
            #expect(summary.revenueFen == revenue && summary.discountFen == influenced.reduce(0) { $0 + $1.discountFen }, "seed \(seed)")
            if let average = summary.averageOrderFen {
                // |average × n − revenue| ≤ n / 2: the nearest fen.
                #expect(abs(average * Int64(influenced.count) - revenue) * 2 <= Int64(influenced.count), "seed \(seed)")
            } else {
                #expect(influenced.isEmpty, "seed \(seed)")
            }
            if let rate = summary.useRateBasisPoints {
                #expect((0...10_000).contains(rate) && abs(rate * Int64(claims) - Int64(uses) * 10_000) * 2 <= Int64(claims), "seed \(seed)")
            } else {
                #expect(claims == 0, "seed \(seed)")
            }
            #expect((summary.costRatioBasisPoints == nil) == (revenue == 0), "seed \(seed)")
        }
    }

    @Test("a campaign price's saving is (regular − campaign price) × units, never negative, an overflow an error rather than a trap")
    func priceCut() throws {
        #expect(try CampaignEffect.priceCutFen(regularFen: 1_250, campaignPriceFen: 990, units: 3) == 780)
        #expect(try CampaignEffect.priceCutFen(regularFen: 900, campaignPriceFen: 990, units: 3) == 0, "the regular price fell below the campaign's")
        #expect(throws: ArithmeticOverflow.self) { try CampaignEffect.priceCutFen(regularFen: .max, campaignPriceFen: -1, units: 1) }
        #expect(throws: ArithmeticOverflow.self) { try CampaignEffect.priceCutFen(regularFen: .max, campaignPriceFen: 0, units: 2) }
    }

    @Test("property: the saving over several purchases is the sum of each purchase's, and never above regular × units")
    func priceCutProperties() throws {
        for seed in UInt64(1)...500 {
            var random = PricingTestRandom(seed: seed)
            let regular = Int64.random(in: 0...10_000_000, using: &random)
            let price = Int64.random(in: 0...10_000_000, using: &random)
            let first = Int.random(in: 0...1_000, using: &random), second = Int.random(in: 0...1_000, using: &random)
            let whole = try CampaignEffect.priceCutFen(regularFen: regular, campaignPriceFen: price, units: first + second)
            let parts = try CampaignEffect.priceCutFen(regularFen: regular, campaignPriceFen: price, units: first)
                + CampaignEffect.priceCutFen(regularFen: regular, campaignPriceFen: price, units: second)
            #expect(whole == parts && whole >= 0 && whole <= regular * Int64(first + second), "seed \(seed)")
            #expect((whole == 0) == (regular <= price || first + second == 0), "seed \(seed)")
        }
    }
}
