import Foundation
import MallCore
import Testing

/// The engine is fed the numbers a hostile or broken caller could produce — Int64.min and max,
/// their neighbours, zero, one fen past each limit — in every amount, quantity, distance, rate
/// and points field. Whatever it gets, it either prices (and the result keeps every invariant)
/// or refuses with field errors; a trap here would end the server's process.
@Suite("Pricing engine under extreme values")
struct PricingExtremeValueTests {
    typealias F = PricingFixture

    static let amounts: [Int64] = [.min, .min + 1, -1, 0, 1, 99, PricingEngine.maximumAmount, PricingEngine.maximumAmount + 1,
                                   .max / 2, .max - 1, .max]
    static let quantities: [Int] = [.min, -1, 0, 1, 999, PricingEngine.maximumQuantity, PricingEngine.maximumQuantity + 1, .max]
    static let counts: [Int] = [.min, -1, 0, 1, 10_000, 10_001, .max]

    @Test("every extreme input prices within the invariants or is refused with field errors")
    func extremes() throws {
        var random = PricingTestRandom(seed: 12)
        var priced = 0, refused = 0
        for seed in 1...3_000 {
            var request = PricingPropertyTests.randomRequest(seed: UInt64(seed))
            func amount() -> Money { Money(minorUnits: Self.amounts.randomElement(using: &random) ?? 0) }
            // Replace a few fields at random with extremes, so most requests stay valid enough
            // to reach deep into the engine.
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                switch Int.random(in: 0..<10, using: &random) {
                case 0:
                    let g = Int.random(in: 0..<request.groups.count, using: &random)
                    let l = Int.random(in: 0..<request.groups[g].lines.count, using: &random)
                    request.groups[g].lines[l].unitPrice = amount()
                case 1:
                    let g = Int.random(in: 0..<request.groups.count, using: &random)
                    let l = Int.random(in: 0..<request.groups[g].lines.count, using: &random)
                    request.groups[g].lines[l].quantity = Self.quantities.randomElement(using: &random) ?? 1
                case 2:
                    let g = Int.random(in: 0..<request.groups.count, using: &random)
                    if case .delivery = request.groups[g].fulfilment {
                        request.groups[g].fulfilment = .delivery(distanceMeters: Self.counts.randomElement(using: &random) ?? 0)
                    }
                case 3:
                    request.member.pointsBalance = Self.amounts.randomElement(using: &random) ?? 0
                case 4:
                    request.points = .upTo(Self.amounts.randomElement(using: &random) ?? 0)
                case 5:
                    request.pointsPolicy = PointsPolicy(points: Self.amounts.randomElement(using: &random) ?? 1, worth: amount(),
                                                        maximumShareBasisPoints: Self.counts.randomElement(using: &random) ?? 0)
                case 6:
                    if let merchant = request.shippingRules.keys.randomElement(using: &random) {
                        request.shippingRules[merchant] = ShippingRule(fee: .flat(amount()), freeShippingThreshold: amount())
                    }
                case 8:
                    request.member.benefits = LevelBenefits(name: "extreme", discountBasisPoints: Self.counts.randomElement(using: &random) ?? 0,
                                                            freeShippingThreshold: Bool.random(using: &random) ? amount() : nil)
                case 7:
                    request.promotions.append(Promotion(id: F.uuid(9_000 + seed), name: "extreme",
                                                        kind: Bool.random(using: &random)
                                                            ? .fullReduction(tiers: [FullReductionTier(threshold: amount(), reduction: amount())])
                                                            : .percentOff(basisPoints: Self.counts.randomElement(using: &random) ?? 0)))
                default:
                    request.coupons.append(Coupon(id: F.uuid(9_500 + seed), title: "extreme", minimumSpend: amount(),
                                                  kind: Bool.random(using: &random)
                                                      ? .amountOff(amount())
                                                      : .percentOff(basisPoints: Self.counts.randomElement(using: &random) ?? 0, cap: amount())))
                }
            }
            do {
                let result = try PricingEngine.price(request)
                try PricingPropertyTests.checkInvariants(result, request: request, seed: UInt64(seed))
                priced += 1
            } catch let failure as ValidationFailure {
                #expect(!failure.errors.isEmpty, "seed \(seed): a refusal names the fields")
                refused += 1
            }
        }
        #expect(priced > 300 && refused > 300, "both outcomes are exercised: \(priced) priced, \(refused) refused")
    }
}
