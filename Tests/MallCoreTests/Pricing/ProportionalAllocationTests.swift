import Foundation
import MallCore
import Testing

@Suite("Proportional allocation")
struct ProportionalAllocationTests {
    private func allocate(_ total: Int64, _ weights: [Int64]) -> [Int64] {
        ProportionalAllocation.allocate(total: Money(minorUnits: total), weights: weights.map { Money(minorUnits: $0) })
            .map(\.minorUnits)
    }

    @Test("exact shares need no rounding")
    func exactShares() {
        #expect(allocate(2_000, [9_000, 3_000]) == [1_500, 500])
        #expect(allocate(1_000, [10_000]) == [1_000])
    }

    @Test("leftover fen go to the largest remainders")
    func largestRemainder() {
        // 500 over 6750/2250/3000: exact 281.25, 93.75, 125 — the .75 gets the fen.
        #expect(allocate(500, [6_750, 2_250, 3_000]) == [281, 94, 125])
    }

    @Test("equal remainders go to the earlier part")
    func tieBreakByOrder() {
        #expect(allocate(100, [1, 1, 1]) == [34, 33, 33])
        #expect(allocate(2, [5, 5, 5]) == [1, 1, 0])
    }

    @Test("a zero weight gets nothing; all-zero weights split evenly")
    func zeroWeights() {
        #expect(allocate(7, [0, 3, 0, 4]) == [0, 3, 0, 4])
        #expect(allocate(5, [0, 0]) == [3, 2])
        #expect(allocate(0, [0, 5]) == [0, 0])
        #expect(allocate(0, []) == [])
    }

    @Test("a negative total is allocated like its magnitude")
    func negativeTotal() {
        #expect(allocate(-100, [1, 1, 1]) == [-34, -33, -33])
    }

    @Test("huge amounts do not overflow")
    func noOverflow() {
        let big = Int64.max / 2
        let shares = allocate(big, [big, big / 3, 1])
        #expect(shares.reduce(0, +) == big)
        #expect(shares[0] > shares[1])
    }

    @Test("currency is kept")
    func currency() {
        let shares = ProportionalAllocation.allocate(
            total: Money(minorUnits: 10, currency: .hkd),
            weights: [Money(minorUnits: 1, currency: .hkd), Money(minorUnits: 1, currency: .hkd)]
        )
        #expect(shares == [Money(minorUnits: 5, currency: .hkd), Money(minorUnits: 5, currency: .hkd)])
    }

    @Test("property: shares sum exactly, stay within one fen of exact, never exceed their weight")
    func properties() {
        var random = PricingTestRandom(seed: 0xA110C)
        for _ in 0..<2_000 {
            let count = Int.random(in: 1...8, using: &random)
            let weights = (0..<count).map { _ in
                Bool.random(using: &random) ? Int64.random(in: 0...100, using: &random) : Int64.random(in: 0...10_000_000, using: &random)
            }
            let sum = weights.reduce(0, +)
            let total = Int64.random(in: 0...max(sum, 1), using: &random)
            let shares = allocate(total, weights)

            #expect(shares.count == weights.count)
            #expect(shares.reduce(0, +) == total, "weights \(weights) total \(total)")
            #expect(allocate(total, weights) == shares)
            for (share, weight) in zip(shares, weights) {
                #expect(share >= 0)
                if sum > 0 {
                    #expect(share <= weight, "weights \(weights) total \(total)")
                    // |share − total·weight/sum| < 1, in integers.
                    let exact = Double(total) * Double(weight) / Double(sum)
                    #expect(abs(Double(share) - exact) < 1.000_001)
                }
            }
        }
    }
}
