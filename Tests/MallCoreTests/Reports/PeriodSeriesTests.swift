import Foundation
import MallCore
import Testing

@Suite("Reports: period series and changes on every measure")
struct PeriodSeriesTests {
    static func day(_ text: String) throws -> CalendarDate {
        try CalendarDate(parsing: text, field: "day")
    }

    @Test("a series runs whole weeks or months from the one holding from; the last ends at to and is compared with as many days")
    func series() throws {
        let weeks = ReportPeriods.series(from: try Self.day("2026-11-25"), to: try Self.day("2026-12-09"), grain: .week)
        #expect(weeks.map(\.current.start.description) == ["2026-11-23", "2026-11-30", "2026-12-07"])
        #expect(weeks.last?.current.end == (try Self.day("2026-12-09")) && weeks.last?.previous.dayCount == 3 && weeks.last?.lastYear.dayCount == 3)
        let months = ReportPeriods.series(from: try Self.day("2026-01-31"), to: try Self.day("2026-03-31"), grain: .month)
        #expect(months.map(\.current.dayCount) == [31, 28, 31])
        #expect(months[2].previous == DayRange(start: try Self.day("2026-02-01"), end: try Self.day("2026-02-28")))
        #expect(ReportPeriods.series(from: try Self.day("2026-12-09"), to: try Self.day("2026-12-01"), grain: .day).isEmpty)
    }

    @Test("property: day, week and month series cover from…to without gaps or overlaps, each period compared with one of equal or shorter length")
    func seriesProperty() throws {
        var random = PricingTestRandom(seed: 0x5E41E5)
        for _ in 0..<300 {
            let from = try #require(CalendarDate(dayNumber: Int.random(in: 18_000...22_000, using: &random)))
            let to = try #require(from.adding(days: Int.random(in: 0...399, using: &random)))
            for grain in PeriodGrain.allCases {
                let series = ReportPeriods.series(from: from, to: to, grain: grain)
                #expect(series.first.map { $0.current.start <= from && $0.current.contains(from) } == true)
                #expect(series.last?.current.end == to)
                for (earlier, later) in zip(series, series.dropFirst()) {
                    #expect(earlier.current.end.adding(days: 1) == later.current.start)
                }
                for periods in series {
                    #expect(periods.previous.dayCount <= periods.current.dayCount && periods.previous.end < periods.current.start)
                    #expect(periods.lastYear.dayCount <= periods.current.dayCount)
                }
            }
        }
    }

    @Test("changes on every measure both figures have; a measure missing on either side is left out")
    func changes() {
        var now = SalesFigures()
        now.orders = 12
        now.grossFen = 12_000
        var then = SalesFigures()
        then.orders = 10
        then.grossFen = 10_000
        let changes = SalesMeasure.changes(now, against: then)
        #expect(changes["netSales"] == Change(current: 12_000, base: 10_000) && changes["netSales"]?.basisPoints == 2_000)
        #expect(changes["orders"]?.difference == 2 && changes["averageOrder"]?.difference == 0)
        #expect(changes["grossMargin"] == nil, "no cost prices: no margin to compare")
        #expect(SalesMeasure.changes(now, against: SalesFigures())["averageOrder"] == nil)
    }
}
