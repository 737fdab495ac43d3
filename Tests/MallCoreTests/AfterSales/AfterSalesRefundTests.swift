import Foundation
import MallCore
import Testing

@Suite("After-sales refund amounts")
struct AfterSalesRefundTests {
    @Test("any way of returning a line's units refunds exactly what the line cost, each step at most a fair share")
    func partitionsAddUp() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let quantity = Int.random(in: 1...12, using: &generator)
            let payable = Money(minorUnits: Int64.random(in: 0...500_000, using: &generator))
            var returned = 0
            var total: Int64 = 0
            while returned < quantity {
                let units = Int.random(in: 1...(quantity - returned), using: &generator)
                let amount = try AfterSalesRefund.amount(linePayable: payable, lineQuantity: quantity, earlierUnits: returned, units: units)
                #expect(amount.minorUnits >= 0)
                // Never more than the units' exact share rounded up.
                let fairCeiling = (payable.minorUnits * Int64(units) + Int64(quantity) - 1) / Int64(quantity)
                #expect(amount.minorUnits <= fairCeiling + 1)
                total += amount.minorUnits
                returned += units
            }
            #expect(total == payable.minorUnits, "a fully returned line gives back exactly what was paid")
        }
    }

    @Test("a refund's breakdown adds up to the refund, and over every return of a line to its price and each discount it carried")
    func breakdownsAddUp() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let quantity = Int.random(in: 1...12, using: &generator)
            let subtotal = Int64.random(in: 0...500_000, using: &generator)
            var left = subtotal
            var allocations: [LineAllocation] = []
            for source in [DiscountSource.memberLevel, .promotion(UUID()), .coupon(UUID()), .points] where Bool.random(using: &generator) {
                let amount = Int64.random(in: 0...left, using: &generator)
                left -= amount
                allocations.append(LineAllocation(source: source, amount: Money(minorUnits: amount)))
            }
            var returned = 0
            var sums = (goods: Int64(0), level: Int64(0), promotion: Int64(0), coupon: Int64(0), points: Int64(0), refund: Int64(0))
            while returned < quantity {
                let units = Int.random(in: 1...(quantity - returned), using: &generator)
                let step = try AfterSalesRefund.breakdown(lineSubtotal: Money(minorUnits: subtotal), allocations: allocations,
                                                          lineQuantity: quantity, earlierUnits: returned, units: units)
                let discounts = step.levelDiscount + step.promotionDiscount + step.couponDiscount + step.pointsDeduction
                #expect(step.goods - discounts == step.refund)
                #expect(step.refund == (try AfterSalesRefund.amount(linePayable: Money(minorUnits: left), lineQuantity: quantity,
                                                                    earlierUnits: returned, units: units)))
                #expect([step.levelDiscount, step.promotionDiscount, step.couponDiscount, step.pointsDeduction, step.refund].allSatisfy { $0.minorUnits >= 0 })
                sums = (sums.goods + step.goods.minorUnits, sums.level + step.levelDiscount.minorUnits, sums.promotion + step.promotionDiscount.minorUnits,
                        sums.coupon + step.couponDiscount.minorUnits, sums.points + step.pointsDeduction.minorUnits, sums.refund + step.refund.minorUnits)
                returned += units
            }
            func given(_ kind: (DiscountSource) -> Bool) -> Int64 { allocations.filter { kind($0.source) }.reduce(0) { $0 + $1.amount.minorUnits } }
            #expect(sums.goods == subtotal)
            #expect(sums.refund == left)
            #expect(sums.level == given { $0 == .memberLevel })
            #expect(sums.promotion == given { if case .promotion = $0 { true } else { false } })
            #expect(sums.coupon == given { if case .coupon = $0 { true } else { false } })
            #expect(sums.points == given { $0 == .points })
        }
    }

    @Test("worked example: a ¥59.90 line with ¥5.99 of a 满减 and ¥2.50 of a coupon refunds ¥51.41 = ¥59.90 - ¥5.99 - ¥2.50")
    func breakdownWorkedExample() throws {
        let step = try AfterSalesRefund.breakdown(
            lineSubtotal: Money(minorUnits: 5_990),
            allocations: [LineAllocation(source: .promotion(UUID()), amount: Money(minorUnits: 599)), LineAllocation(source: .coupon(UUID()), amount: Money(minorUnits: 250))],
            lineQuantity: 1, earlierUnits: 0, units: 1)
        #expect(step == RefundBreakdown(goods: Money(minorUnits: 5_990), levelDiscount: .zero(), promotionDiscount: Money(minorUnits: 599),
                                        couponDiscount: Money(minorUnits: 250), pointsDeduction: .zero(), refund: Money(minorUnits: 5_141)))
    }

    @Test("worked example: 3 units for 3,749 fen return one at a time as 1,249 + 1,250 + 1,250")
    func workedExample() throws {
        let payable = Money(minorUnits: 3_749)
        let steps = try (0..<3).map { try AfterSalesRefund.amount(linePayable: payable, lineQuantity: 3, earlierUnits: $0, units: 1).minorUnits }
        #expect(steps == [1_249, 1_250, 1_250])
        #expect(try AfterSalesRefund.amount(linePayable: payable, lineQuantity: 3, earlierUnits: 0, units: 2).minorUnits == 2_499)
    }

    @Test("extreme stored amounts neither trap nor give back more than was paid; impossible unit counts are refused")
    func extremes() throws {
        for payable: Int64 in [Int64.max, Int64.max - 1, 9_300_000_000_000 * 999, 1] {
            for quantity in [1, 2, 999, 1_000_000] {
                var total: Int64 = 0
                var returned = 0
                for units in [quantity / 3, 1, quantity] where returned + units <= quantity && units > 0 {
                    let amount = try AfterSalesRefund.amount(linePayable: Money(minorUnits: payable), lineQuantity: quantity, earlierUnits: returned, units: units)
                    #expect(amount.minorUnits >= 0)
                    total += amount.minorUnits
                    returned += units
                }
                #expect(total <= payable)
            }
        }
        #expect(throws: ValidationFailure.self) {
            try AfterSalesRefund.amount(linePayable: Money(minorUnits: 100), lineQuantity: 3, earlierUnits: 2, units: 2)
        }
        #expect(throws: ValidationFailure.self) {
            try AfterSalesRefund.amount(linePayable: Money(minorUnits: 100), lineQuantity: 3, earlierUnits: Int.max, units: Int.max)
        }
        #expect(throws: ArithmeticOverflow.self) {
            try AfterSalesRefund.amount(linePayable: Money(minorUnits: -1), lineQuantity: 3, earlierUnits: 0, units: 1)
        }
    }
}
