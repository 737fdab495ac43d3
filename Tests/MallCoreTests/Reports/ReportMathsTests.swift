import Foundation
import MallCore
import Testing

@Suite("Reports: days, periods, figures, comparisons, targets")
struct ReportMathsTests {
    static func day(_ text: String) throws -> CalendarDate {
        try CalendarDate(parsing: text, field: "day")
    }

    @Test("property: day numbers agree with Foundation's Gregorian calendar in both directions, weekdays included, 1900–2199")
    func dayNumbers() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = PricingTestRandom(seed: 0x5EED_DA75)
        for _ in 0..<2_000 {
            let number = Int.random(in: -25_567...84_000, using: &random)
            let instant = Date(timeIntervalSince1970: Double(number) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: instant)
            let date = try #require(CalendarDate(dayNumber: number))
            #expect([date.year, date.month, date.day] == [parts.year, parts.month, parts.day], "day \(number)")
            #expect(date.dayNumber == number)
            #expect(date.weekday == LocalTime.weekdayAndMinute(of: instant, in: calendar.timeZone).0)
        }
        #expect(try Self.day("1970-01-01").dayNumber == 0 && Self.day("1970-01-01").weekday == .thursday)
        #expect(CalendarDate(dayNumber: 3_000_000) == nil, "beyond year 9999 is no date, not a trap")
    }

    @Test("months add by clamping to the month's last day; a shop's day follows its time zone")
    func monthsAndZones() throws {
        #expect(try Self.day("2026-03-31").adding(months: -1) == Self.day("2026-02-28"))
        #expect(try Self.day("2024-03-31").adding(months: -1) == Self.day("2024-02-29"))
        #expect(try Self.day("2026-01-15").adding(months: -13) == Self.day("2024-12-15"))
        #expect(try Self.day("2026-12-07").adding(months: 1) == Self.day("2027-01-07"))
        // 16:30 UTC on 7 December is already the 8th in Shanghai.
        let instant = Date(timeIntervalSince1970: 1_796_661_000)
        #expect(LocalTime.calendarDate(of: instant, in: TimeZone(identifier: "UTC")!).description == "2026-12-07")
        #expect(LocalTime.calendarDate(of: instant, in: TimeZone(identifier: "Asia/Shanghai")!).description == "2026-12-08")
    }

    @Test("periods: an ISO week runs Monday to Sunday; a month to date is compared with as many days of the last month and of last year")
    func periods() throws {
        let monday = try #require(ReportPeriods.periods(containing: Self.day("2026-12-09"), grain: .week))
        #expect(monday.current == DayRange(start: try Self.day("2026-12-07"), end: try Self.day("2026-12-13")))
        #expect(monday.previous == DayRange(start: try Self.day("2026-11-30"), end: try Self.day("2026-12-06")))
        #expect(monday.lastYear == DayRange(start: try Self.day("2025-12-07"), end: try Self.day("2025-12-13")))

        let monthToDate = try #require(ReportPeriods.periods(containing: Self.day("2026-03-15"), grain: .month, toDate: true))
        #expect(monthToDate.current == DayRange(start: try Self.day("2026-03-01"), end: try Self.day("2026-03-15")))
        #expect(monthToDate.previous == DayRange(start: try Self.day("2026-02-01"), end: try Self.day("2026-02-15")))
        #expect(monthToDate.lastYear == DayRange(start: try Self.day("2025-03-01"), end: try Self.day("2025-03-15")))

        let march = try #require(ReportPeriods.periods(containing: Self.day("2026-03-31"), grain: .month))
        #expect(march.previous == DayRange(start: try Self.day("2026-02-01"), end: try Self.day("2026-02-28")), "February is shorter; it ends with itself")
        let leap = try #require(ReportPeriods.periods(containing: Self.day("2028-02-29"), grain: .day))
        #expect(leap.lastYear == DayRange(start: try Self.day("2027-02-28"), end: try Self.day("2027-02-28")))
        #expect(leap.previous.dayCount == 1 && leap.current.dayCount == 1)
    }

    @Test("figures: sales, AOV, items per order, refund rate and margin are net of refunds and rounded half up")
    func figures() throws {
        var store = SalesFigures()
        store.orders = 3
        store.units = 8
        store.grossFen = 100_000
        store.refundedFen = 10_001
        store.refundedUnits = 1
        store.refundedOrders = 1
        store.costedGrossFen = 60_000
        store.costedRefundedFen = 6_000
        store.costFen = 30_000
        store.refundedCostFen = 3_000
        store.newCustomerOrders = 1
        store.returningCustomerOrders = 2
        #expect(store.netSalesFen == 89_999)
        #expect(store.averageOrderFen == 30_000, "89,999 / 3 = 29,999.67 rounds to 30,000")
        #expect(store.unitsPerOrderHundredths == 233, "7 net units over 3 orders")
        #expect(store.refundRateBasisPoints == 1_000, "10.001% shows as 10.00%")
        #expect(store.grossMarginFen == 27_000 && store.grossMarginBasisPoints == 5_000)
        #expect(store.returningShareBasisPoints == 6_667)
        #expect(SalesFigures().averageOrderFen == nil && SalesFigures().refundRateBasisPoints == nil && SalesFigures().grossMarginFen == nil)

        let doubled = try store.adding(store)
        #expect(doubled.netSalesFen == 179_998 && doubled.averageOrderFen == 30_000 && doubled.orders == 6)
        var huge = SalesFigures()
        huge.grossFen = .max
        #expect(throws: ArithmeticOverflow.self) { try huge.adding(store) }
    }

    @Test("property: totals are the same in any order and grouping; net sales of a total are the sum of the parts' net sales")
    func totalsCommute() throws {
        var random = PricingTestRandom(seed: 0xF16E)
        for _ in 0..<200 {
            let parts = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                var figures = SalesFigures()
                figures.orders = Int64.random(in: 0...50, using: &random)
                figures.grossFen = Int64.random(in: 0...5_000_000, using: &random)
                figures.refundedFen = Int64.random(in: 0...figures.grossFen, using: &random)
                figures.units = Int64.random(in: 0...200, using: &random)
                return figures
            }
            let total = try SalesFigures.total(parts)
            #expect(try SalesFigures.total(parts.shuffled(using: &random)) == total)
            #expect(total.netSalesFen == parts.reduce(0) { $0 + $1.netSalesFen })
            if let aov = total.averageOrderFen {
                #expect(abs(aov * total.orders - total.netSalesFen) <= total.orders, "the average is within half a fen per order")
            }
        }
    }

    @Test("changes: the difference and the change in basis points of the base; a zero base has no percentage; overflow saturates")
    func changes() {
        #expect(Change(current: 12_000, base: 10_000) == Change(current: 12_000, base: 10_000))
        #expect(Change(current: 12_000, base: 10_000).basisPoints == 2_000 && Change(current: 12_000, base: 10_000).difference == 2_000)
        #expect(Change(current: 7_500, base: 10_000).basisPoints == -2_500)
        #expect(Change(current: 5, base: 0).basisPoints == nil && Change(current: 5, base: 0).difference == 5)
        #expect(Change(current: .max, base: -5).difference == .max)
        #expect(Ratio.basisPoints(.max, of: 1) == Int.max, "absurd ratios saturate instead of trapping")
        #expect(Ratio.average(-7, per: 2) == -4 && Ratio.average(7, per: 2) == 4 && Ratio.average(7, per: 0) == nil)
    }

    @Test("store comparison ranks each measure, ties share a rank, refunds rank the fewest first, stores without a value go unranked")
    func storeRanks() {
        func figures(orders: Int64, gross: Int64, refunded: Int64) -> SalesFigures {
            var value = SalesFigures()
            value.orders = orders
            value.grossFen = gross
            value.refundedFen = refunded
            return value
        }
        let stores = ["静安": figures(orders: 10, gross: 50_000, refunded: 0), "徐汇": figures(orders: 10, gross: 80_000, refunded: 5_000),
                      "浦东": figures(orders: 20, gross: 45_000, refunded: 0), "虹口": figures(orders: 0, gross: 0, refunded: 0)]
        #expect(StoreComparison.ranks(stores, by: .netSales) == ["徐汇": 1, "静安": 2, "浦东": 3, "虹口": 4])
        #expect(StoreComparison.ranks(stores, by: .orders) == ["浦东": 1, "静安": 2, "徐汇": 2, "虹口": 4])
        #expect(StoreComparison.ranks(stores, by: .refundRate) == ["静安": 1, "浦东": 1, "徐汇": 3], "no sales, no refund rate")
        #expect(StoreComparison.ranks(stores, by: .averageOrder)["虹口"] == nil)
    }

    @Test("target: attainment so far and a forecast at the pace of whole days, shaped by weekday weights")
    func target() throws {
        let month = try Self.day("2026-12-01")
        var daily: [CalendarDate: Int64] = [:]
        for offset in 0..<10 { daily[try #require(month.adding(days: offset))] = 10_000 }
        daily[try Self.day("2026-12-11")] = 4_000
        let flat = SalesTargets.progress(month: month, targetFen: 300_000, daily: daily, today: try Self.day("2026-12-11"))
        #expect(flat.actualFen == 104_000 && flat.attainmentBasisPoints == 3_467 && flat.daysElapsed == 10 && flat.daysInMonth == 31)
        // 20 days after today at 10,000 a day, and today's missing 6,000.
        #expect(flat.forecastFen == 104_000 + 200_000 + 6_000 && flat.forecastAttainmentBasisPoints == 10_333)

        let weekends = SalesTargets.progress(month: month, targetFen: 300_000, daily: daily, today: try Self.day("2026-12-11"),
                                             weekdayWeights: [.saturday: 2, .sunday: 2])
        #expect(weekends.forecastFen > flat.forecastFen, "busy weekends ahead lift the forecast")

        let ended = SalesTargets.progress(month: month, targetFen: 0, daily: daily, today: try Self.day("2027-01-05"))
        #expect(ended.forecastFen == ended.actualFen && ended.attainmentBasisPoints == nil && ended.daysElapsed == 31)
        let ahead = SalesTargets.progress(month: month, targetFen: 100, daily: [:], today: try Self.day("2026-11-20"))
        #expect(ahead.actualFen == 0 && ahead.forecastFen == 0 && ahead.daysElapsed == 0)
        let firstDay = SalesTargets.progress(month: month, targetFen: 310_000, daily: [month: 5_000], today: month)
        #expect(firstDay.forecastFen == 5_000 * 31, "on the first day the pace is today's sales")
    }

    @Test("weekday weights compare each weekday's average with the average day")
    func weekdayWeights() throws {
        let start = try Self.day("2026-11-02")
        let days = (0..<28).compactMap { start.adding(days: $0) }
        let sales = Dictionary(uniqueKeysWithValues: days.map { ($0, Int64($0.weekday == .saturday ? 30_000 : 10_000)) })
        let weights = SalesTargets.weekdayWeights(days: days, sales: sales)
        #expect(abs((weights[.saturday] ?? 0) - 30_000 / (90_000.0 / 7)) < 1e-9 && abs((weights[.monday] ?? 0) - 10_000 / (90_000.0 / 7)) < 1e-9)
        #expect(SalesTargets.weekdayWeights(days: [], sales: [:]).isEmpty)
    }

    @Test("heat map: cells by weekday and hour, bad hours ignored, the peak is the busiest cell")
    func heatmap() throws {
        var map = SalesHeatmap()
        map.add(day: try Self.day("2026-12-05"), hour: 19, orders: 5, netSalesFen: 50_000)
        map.add(day: try Self.day("2026-12-12"), hour: 19, orders: 3, netSalesFen: 20_000)
        map.add(day: try Self.day("2026-12-07"), hour: 9, orders: 4, netSalesFen: 9_000)
        map.add(day: try Self.day("2026-12-07"), hour: 24, orders: 100, netSalesFen: 1)
        #expect(map.cell(.saturday, hour: 19) == SalesHeatmap.Cell(orders: 8, netSalesFen: 70_000))
        #expect(map.cell(.monday, hour: 9).orders == 4 && map.cell(.monday, hour: 25) == SalesHeatmap.Cell())
        #expect(map.peak?.weekday == .saturday && map.peak?.hour == 19)
        #expect(SalesHeatmap().peak == nil)
    }

    @Test("product ranking by units or amount with stable ties; slow movers put unsold goods first")
    func ranking() {
        let sales = [ProductSales(id: "牛奶", netUnits: 30, netSalesFen: 37_500), ProductSales(id: "面包", netUnits: 30, netSalesFen: 24_000),
                     ProductSales(id: "咖啡", netUnits: 5, netSalesFen: 60_000), ProductSales(id: "茶", netUnits: 1, netSalesFen: 1_000)]
        #expect(ProductRanking.top(sales, by: .units, limit: 3, tieBreak: <).map(\.id) == ["牛奶", "面包", "咖啡"])
        #expect(ProductRanking.top(sales, by: .amount, limit: 2, tieBreak: <).map(\.id) == ["咖啡", "牛奶"])
        #expect(ProductRanking.slowMovers(sales, onSale: ["茶", "面包", "果汁", "咖啡"], limit: 3, tieBreak: <).map(\.id) == ["果汁", "茶", "咖啡"])
        #expect(ProductRanking.top(sales, by: .units, limit: -1, tieBreak: <).isEmpty)
    }
}
