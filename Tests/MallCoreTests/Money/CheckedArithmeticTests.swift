import Foundation
import MallCore
import Testing

@Suite("Checked arithmetic on money and quantities")
struct CheckedArithmeticTests {
    static let extremes: [Int64] = [.min, .min + 1, -1, 0, 1, 1_000_000, 10_000_000_000, .max / 2, .max / 2 + 1, .max - 1, .max]

    @Test("sums, differences and products are exact when they fit and ArithmeticOverflow when they do not, over every pair of extremes")
    func everyPair() throws {
        for a in Self.extremes {
            for b in Self.extremes {
                let sum = a.addingReportingOverflow(b)
                #expect((try? Checked.add(a, b, "sum")) == (sum.overflow ? nil : sum.partialValue), "\(a) + \(b)")
                let difference = a.subtractingReportingOverflow(b)
                #expect((try? Checked.subtract(a, b, "difference")) == (difference.overflow ? nil : difference.partialValue), "\(a) - \(b)")
                let product = a.multipliedReportingOverflow(by: b)
                #expect((try? Checked.multiply(a, b, "product")) == (product.overflow ? nil : product.partialValue), "\(a) × \(b)")
            }
        }
        #expect(throws: ArithmeticOverflow("line total")) { try Checked.lineTotal(unitPrice: .max / 2, quantity: 3) }
        #expect(try Checked.lineTotal(unitPrice: 10_000_000_000, quantity: 999) == 9_990_000_000_000)
    }

    @Test("a sum stops at the first partial sum that leaves Int64, even when later terms would bring it back")
    func sums() throws {
        #expect(try Checked.sum([Int64(1), 2, 3], "total") == 6)
        #expect(try Checked.sum([Int](), "count") == 0)
        #expect(throws: ArithmeticOverflow.self) { try Checked.sum([Int64.max, 1, -5], "total") }
        #expect(throws: ArithmeticOverflow.self) { try Checked.sum([Int.max, 1], "count") }
    }

    @Test("Money adds, subtracts and multiplies checked, and refuses to mix currencies")
    func money() throws {
        let price = Money(minorUnits: 1_290)
        #expect(try price.adding(Money(minorUnits: 10)) == Money(minorUnits: 1_300))
        #expect(try price.subtracting(Money(minorUnits: 1_300)) == Money(minorUnits: -10))
        #expect(try price.times(3) == Money(minorUnits: 3_870))
        #expect(throws: ArithmeticOverflow.self) { try Money(minorUnits: .max).adding(Money(minorUnits: 1)) }
        #expect(throws: ArithmeticOverflow.self) { try Money(minorUnits: .min).subtracting(Money(minorUnits: 1)) }
        #expect(throws: ArithmeticOverflow.self) { try Money(minorUnits: .max / 2).times(3) }
        #expect(throws: CurrencyMismatch.self) { try price.adding(Money(minorUnits: 1, currency: .usd)) }
    }
}
