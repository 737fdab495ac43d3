import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Reports: period comparison")
struct PeriodComparisonTests {
    @Test("?grain=week lists the report's weeks, each with its figures, the week before and the same week last year; the weeks add up to the report; a bad grain is a field error")
    func weeks() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            _ = try await OrderDeskTests.paidOrder(app, quantity: 2, pickupAt: StoreModel(), in: shop, mobile: "13900000501")
            clock.advance(seconds: 8 * 86_400)
            _ = try await OrderDeskTests.paidOrder(app, quantity: 3, pickupAt: StoreModel(), in: shop, mobile: "13900000502")
            clock.advance(seconds: 60)
            _ = try await SalesLedger(app: app, db: app.db).fold(now: clock.now())
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
            let first = LocalTime.calendarDate(of: testEpoch, in: shanghai)
            let monday = try #require(first.adding(days: 1 - first.weekday.rawValue))
            let to = LocalTime.calendarDate(of: clock.now(), in: shanghai)
            let response = try await app.send(.GET, "/api/v1/admin/reports/sales?grain=week&from=\(monday)&to=\(to)", token: admin)
            let report = try response.decode(SalesReport.self)
            let periods = try #require(report.periods, "\(response.text)")
            #expect(report.grain == .week && periods.count == ReportPeriods.series(from: monday, to: to, grain: .week).count)
            #expect(periods.first?.periods.current.start == monday && periods.last?.periods.current.end == to)
            #expect(periods.reduce(Int64(0)) { $0 + $1.figures.netSalesFen } == report.totals.netSalesFen && report.totals.figures.orders == 2)
            let withSales = periods.filter { $0.figures.figures.orders > 0 }
            #expect(withSales.count == 2 && withSales[0].figures.figures.units == 2 && withSales[1].figures.figures.units == 3)
            #expect(withSales[1].previous == withSales[0].figures || withSales[1].previous.figures.orders == 0, "the week before holds the first order unless a week lies between")
            #expect(withSales[0].changes["netSales"]?.basisPoints == nil && withSales[0].lastYear.figures == .zero)
            #expect(try await app.send(.GET, "/api/v1/admin/reports/sales", token: admin).decode(SalesReport.self).periods == nil)
            let bad = try await app.send(.GET, "/api/v1/admin/reports/sales?grain=year", token: admin)
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.map(\.field) == ["grain"])
        }
    }
}
