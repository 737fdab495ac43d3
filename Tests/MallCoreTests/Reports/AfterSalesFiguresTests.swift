import Foundation
import MallCore
import Testing

@Suite("Reports: after-sales figures, percentiles, shop-day instants")
struct AfterSalesFiguresTests {
    static let store = UUID(uuidString: "00000000-0000-0000-0000-0000000000A1")!
    static let other = UUID(uuidString: "00000000-0000-0000-0000-0000000000B2")!
    static let epoch = Date(timeIntervalSince1970: 1_796_000_000)

    static func facts(_ store: UUID = store, kind: AfterSalesKind = .refundOnly, reason: AfterSalesReason = .damaged,
                      refunded: Int64 = 0, hours: Int? = nil) -> AfterSalesCaseFacts {
        AfterSalesCaseFacts(storeId: store, kind: kind, reason: reason, status: hours == nil ? .requested : .refunded, refundedFen: refunded,
                            openedAt: epoch, closedAt: hours.map { epoch.addingTimeInterval(TimeInterval($0 * 3_600)) })
    }

    @Test("nearest-rank percentiles: a value that occurred, the median of an even count is the lower middle, nothing for no values")
    func percentiles() {
        #expect(Percentile.nearestRank([15, 20, 35, 40, 50], percent: 50) == 35)
        #expect(Percentile.nearestRank([15, 20, 35, 40, 50], percent: 90) == 50)
        #expect(Percentile.nearestRank([4, 1, 3, 2], percent: 50) == 2)
        #expect(Percentile.nearestRank([7], percent: 90) == 7)
        #expect(Percentile.nearestRank([], percent: 50) == nil)
        #expect(Percentile.nearestRank([1, 2], percent: 0) == nil)
    }

    @Test("property: a percentile is a member of the values, at least that share of the values are at or below it, and it grows with the percent")
    func percentileProperties() throws {
        var random = PricingTestRandom(seed: 0xA5_F1_90)
        for _ in 0..<500 {
            let values = (0..<Int.random(in: 1...40, using: &random)).map { _ in Int64.random(in: 0...1_000_000, using: &random) }
            var previous = Int64.min
            for percent in [1, 10, 25, 50, 75, 90, 99, 100] {
                let value = try #require(Percentile.nearestRank(values, percent: percent))
                #expect(values.contains(value))
                #expect(values.filter { $0 <= value }.count * 100 >= percent * values.count)
                #expect(value >= previous)
                previous = value
            }
            #expect(Percentile.nearestRank(values, percent: 100) == values.max())
        }
    }

    @Test("figures: open and closed cases, refunds against gross sales, cases per order, handling time of the closed cases only")
    func figures() throws {
        let cases = [Self.facts(refunded: 1_000, hours: 2), Self.facts(refunded: 500, hours: 10), Self.facts(refunded: 0, hours: 30),
                     Self.facts(refunded: 0)]
        let figures = try AfterSalesReportMaths.figures(cases, base: SalesBase(orders: 40, grossFen: 60_000))
        #expect(figures.cases == 4 && figures.openCases == 1 && figures.closedCases == 3)
        #expect(figures.refundedFen == 1_500)
        #expect(figures.refundRateBasisPoints == 250, "1,500 of 60,000 is 2.5%")
        #expect(figures.caseRateBasisPoints == 1_000, "4 cases in 40 orders")
        #expect(figures.medianHandlingSeconds == 10 * 3_600 && figures.p90HandlingSeconds == 30 * 3_600)
        let none = try AfterSalesReportMaths.figures([Self.facts()], base: SalesBase())
        #expect(none.refundRateBasisPoints == nil && none.caseRateBasisPoints == nil && none.medianHandlingSeconds == nil)
        let backwards = AfterSalesCaseFacts(storeId: Self.store, kind: .exchange, reason: .other, status: .completed, refundedFen: 0,
                                            openedAt: Self.epoch, closedAt: Self.epoch.addingTimeInterval(-60))
        #expect(try AfterSalesReportMaths.figures([backwards], base: SalesBase()).medianHandlingSeconds == 0)
        #expect(throws: ArithmeticOverflow.self) {
            try AfterSalesReportMaths.figures([Self.facts(refunded: .max), Self.facts(refunded: 1)], base: SalesBase())
        }
    }

    @Test("groups: by store against each store's sales, most cases first, then most refunded, then by key; groups add up to the whole")
    func groups() throws {
        let cases = [Self.facts(refunded: 100, hours: 1), Self.facts(Self.other, reason: .changedMind, refunded: 900, hours: 5),
                     Self.facts(reason: .changedMind, refunded: 0)]
        let bases = [Self.store: SalesBase(orders: 10, grossFen: 10_000), Self.other: SalesBase(orders: 5, grossFen: 9_000)]
        let byStore = try AfterSalesReportMaths.groups(cases, by: \.storeId.uuidString) { bases[UUID(uuidString: $0)!] ?? SalesBase() }
        #expect(byStore.map(\.key) == [Self.store.uuidString, Self.other.uuidString])
        #expect(byStore[0].figures.caseRateBasisPoints == 2_000 && byStore[1].figures.refundRateBasisPoints == 1_000)
        let byReason = try AfterSalesReportMaths.groups(cases, by: \.reason.rawValue) { _ in SalesBase() }
        #expect(byReason.map(\.key) == ["changed_mind", "damaged"])
        let tie = try AfterSalesReportMaths.groups([Self.facts(kind: .exchange), Self.facts(kind: .refundOnly, refunded: 5)], by: \.kind.rawValue) { _ in SalesBase() }
        #expect(tie.map(\.key) == ["refund_only", "exchange"], "equal cases: the larger refund first")
        #expect(byReason.reduce(Int64(0)) { $0 + $1.figures.refundedFen } == 1_000 && byReason.reduce(Int64(0)) { $0 + $1.figures.cases } == 3)
    }

    @Test("a shop day starts at its local midnight: Shanghai's 8 December begins at 16:00 UTC on the 7th")
    func startOfDay() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        let day = try CalendarDate(parsing: "2026-12-08", field: "day")
        let start = LocalTime.start(of: day, in: shanghai)
        #expect(start == Date(timeIntervalSince1970: 1_796_659_200))
        #expect(LocalTime.calendarDate(of: start, in: shanghai) == day)
        #expect(LocalTime.calendarDate(of: start.addingTimeInterval(-1), in: shanghai) == day.adding(days: -1))
    }
}
