import Foundation
import MallCore
import Testing

@Suite("After-sales statistics")
struct AfterSalesStatisticsTests {
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

    @Test("a case's refund is shared over its products by what each asked, to the fen, and the breakdowns add up")
    func breakdowns() throws {
        let storeA = Self.id(1), storeB = Self.id(2), tea = Self.id(10), cup = Self.id(11)
        let cases = [
            AfterSalesStatistics.Case(id: Self.id(100), storeId: storeA, reason: .damaged, status: "refunded", refundedFen: 1_000),
            AfterSalesStatistics.Case(id: Self.id(101), storeId: storeA, reason: .changedMind, status: "requested", refundedFen: 0),
            AfterSalesStatistics.Case(id: Self.id(102), storeId: storeB, reason: .damaged, status: "refunded", refundedFen: 500),
        ]
        let lines = [
            AfterSalesStatistics.Line(caseId: Self.id(100), productId: tea, quantity: 2, refundFen: 900),
            AfterSalesStatistics.Line(caseId: Self.id(100), productId: cup, quantity: 1, refundFen: 300),
            AfterSalesStatistics.Line(caseId: Self.id(101), productId: cup, quantity: 1, refundFen: 300),
            AfterSalesStatistics.Line(caseId: Self.id(102), productId: tea, quantity: 1, refundFen: 500),
        ]
        let figures = try AfterSalesStatistics.compute(cases: cases, lines: lines)
        #expect(figures.totalCases == 3)
        #expect(figures.byStatus == ["refunded": 2, "requested": 1])
        #expect(figures.byStore.map(\.key) == [storeA.uuidString, storeB.uuidString])
        #expect(figures.byStore.map(\.refundedFen) == [1_000, 500])
        #expect(figures.byStore.map(\.units) == [4, 1])
        // Case 100 refunded 1,000 of the 1,200 asked: 750 for tea (900 asked), 250 for the cup.
        let byProduct = Dictionary(uniqueKeysWithValues: figures.byProduct.map { ($0.key, $0) })
        #expect(byProduct[tea.uuidString]?.refundedFen == 1_250)
        #expect(byProduct[cup.uuidString]?.refundedFen == 250)
        #expect(byProduct[cup.uuidString]?.cases == 2)
        #expect(figures.byProduct.map(\.refundedFen).reduce(0, +) == 1_500, "products add up to what went back")
        #expect(figures.byReason.first?.key == AfterSalesReason.damaged.rawValue)
    }

    @Test("large real refunds (¥31 million in one case) are counted exactly; amounts beyond Int64 are refused, not trapped on")
    func largeAmounts() throws {
        let big = AfterSalesStatistics.Case(id: Self.id(1), storeId: Self.id(2), reason: .damaged, status: "refunded", refundedFen: 3_100_000_000)
        let line = AfterSalesStatistics.Line(caseId: Self.id(1), productId: Self.id(3), quantity: 1, refundFen: 3_100_000_000)
        let figures = try AfterSalesStatistics.compute(cases: [big], lines: [line])
        #expect(figures.byProduct.first?.refundedFen == 3_100_000_000)

        let huge = (0..<3).map { AfterSalesStatistics.Case(id: Self.id(10 + $0), storeId: Self.id(2), reason: .other, status: "refunded", refundedFen: .max / 2) }
        #expect(throws: ArithmeticOverflow.self) { try AfterSalesStatistics.compute(cases: huge, lines: []) }
        let hugeLines = (0..<3).map { _ in AfterSalesStatistics.Line(caseId: Self.id(1), productId: Self.id(3), quantity: 1, refundFen: .max / 2) }
        #expect(throws: ArithmeticOverflow.self) { try AfterSalesStatistics.compute(cases: [big], lines: hugeLines) }
    }
}
