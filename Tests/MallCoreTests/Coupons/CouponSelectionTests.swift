import Foundation
import MallCore
import Testing

@Suite("Coupon selection: the best combination the rules allow")
struct CouponSelectionTests {
    typealias F = PricingFixture

    @Test("picks the merchant's better coupon and the platform coupon on top")
    func example() throws {
        let groups = [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [F.teaLine, F.cupLine])]
        let small = Coupon(id: F.uuid(710), title: "¥5", merchantId: F.teaShop, minimumSpend: .zero(), kind: .amountOff(F.yuan(5)))
        let large = Coupon(id: F.uuid(711), title: "¥15 off ¥100", merchantId: F.teaShop, minimumSpend: F.yuan(100), kind: .amountOff(F.yuan(15)))
        let unreachable = Coupon(id: F.uuid(712), title: "¥50 off ¥500", minimumSpend: F.yuan(500), kind: .amountOff(F.yuan(50)))
        let choice = try CouponSelection.best(for: F.request(groups: groups), from: [small, large, unreachable, F.platformCoupon])
        #expect(choice.coupons.map(\.id) == [F.uuid(711), F.uuid(602)].sorted { $0.uuidString < $1.uuidString })
        #expect(choice.priced.totals.payable == F.yuan(120 - 15 - 5))
    }

    @Test("on equal savings the coupon that expires sooner is used, then the smaller id")
    func tieBreak() throws {
        let groups = [OrderGroup(merchantId: F.teaShop, storeId: F.teaStore, fulfilment: .pickup, lines: [F.cupLine])]
        let later = Coupon(id: F.uuid(720), title: "later", minimumSpend: .zero(), kind: .amountOff(F.yuan(3)), validUntil: F.now.addingTimeInterval(7_200))
        let sooner = Coupon(id: F.uuid(721), title: "sooner", minimumSpend: .zero(), kind: .amountOff(F.yuan(3)), validUntil: F.now.addingTimeInterval(3_600))
        #expect(try CouponSelection.best(for: F.request(groups: groups), from: [later, sooner]).coupons.map(\.id) == [F.uuid(721)])
        let twin = Coupon(id: F.uuid(719), title: "twin", minimumSpend: .zero(), kind: .amountOff(F.yuan(3)), validUntil: F.now.addingTimeInterval(3_600))
        #expect(try CouponSelection.best(for: F.request(groups: groups), from: [sooner, twin]).coupons.map(\.id) == [F.uuid(719)])
        #expect(try CouponSelection.best(for: F.request(groups: groups), from: []).coupons.isEmpty)
    }

    @Test("on random carts the choice is exactly as cheap as the best of every allowed combination (brute force)")
    func matchesBruteForce() throws {
        for seed in UInt64(1)...600 {
            var request = PricingPropertyTests.randomRequest(seed: seed)
            let candidates = request.coupons
            guard candidates.count <= 5 else { continue }
            request.points = .off
            let choice = try CouponSelection.best(for: request, from: candidates)
            try PricingPropertyTests.checkInvariants(choice.priced, request: { var r = request; r.coupons = choice.coupons; return r }(), seed: seed)
            // At most one per issuer slot, and every chosen coupon applied.
            #expect(Set(choice.coupons.map(\.issuerSlot)).count == choice.coupons.count, "seed \(seed)")
            #expect(choice.priced.coupons.allSatisfy { if case .applied = $0.status { true } else { false } }, "seed \(seed)")

            var best = Int64.max
            for mask in 0..<(1 << candidates.count) {
                let subset = candidates.indices.filter { mask & (1 << $0) != 0 }.map { candidates[$0] }
                guard Set(subset.map(\.issuerSlot)).count == subset.count else { continue }
                var trial = request
                trial.coupons = subset
                best = min(best, try PricingEngine.price(trial).totals.payable.minorUnits)
            }
            #expect(choice.priced.totals.payable.minorUnits == best, "seed \(seed)")
            #expect(try CouponSelection.best(for: request, from: candidates.reversed()).coupons == choice.coupons, "seed \(seed)")
        }
    }
}
