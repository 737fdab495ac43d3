import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// Reads of the daily aggregates: three grouped statements a report, whatever the number of
/// orders behind it.
enum SalesReportQueries {
    /// Which stores a report covers: everything, or the caller's merchants and stores (a store
    /// manager's store only), narrowed to one store when asked.
    struct Scope: Sendable {
        var merchants: [UUID]?
        var stores: [UUID]?
        var store: UUID?

        init(reach: AccessReach, store: UUID?) {
            switch reach {
            case .everything:
                merchants = nil
                stores = nil
            case .limited(let merchantIds, let storeIds):
                merchants = merchantIds.map(\.rawValue)
                stores = storeIds.map(\.rawValue)
            }
            self.store = store
        }

        /// A WHERE condition on a table with store_id and merchant_id.
        var condition: SQLQueryString {
            var parts: [SQLQueryString] = []
            if merchants != nil || stores != nil {
                let merchantIds = merchants ?? []
                let storeIds = stores ?? []
                var reach: [SQLQueryString] = []
                if !merchantIds.isEmpty { reach.append("merchant_id IN (\(binds: merchantIds))") }
                if !storeIds.isEmpty { reach.append("store_id IN (\(binds: storeIds))") }
                parts.append(reach.isEmpty ? "1 = 0" : "(\(reach.joined(separator: " OR ")))")
            }
            if let store { parts.append("store_id = \(bind: store)") }
            return parts.isEmpty ? "1 = 1" : parts.joined(separator: " AND ")
        }
    }

    static var sums: String {
        SalesLedger.figureColumns.map { "CAST(SUM(\($0)) AS BIGINT) AS \($0)" }.joined(separator: ", ")
    }

    static func sales(from: CalendarDate, to: CalendarDate, scope: Scope, timeZone: TimeZone, on db: any Database) async throws -> SalesReport {
        let rows = try await db.sql.raw("""
            SELECT day, channel, \(unsafeRaw: sums) FROM sales_store_daily
            WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition)
            GROUP BY day, channel ORDER BY day, channel
            """).all()
        var byDay: [CalendarDate: SalesFigures] = [:]
        var byChannel: [SalesChannel: SalesFigures] = [:]
        for row in rows {
            let figures = try SalesLedger.figures(row)
            let day = try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day")
            byDay[day] = try (byDay[day] ?? .zero).adding(figures)
            if let channel = SalesChannel(rawValue: try row.decode(column: "channel", as: String.self)) {
                byChannel[channel] = try (byChannel[channel] ?? .zero).adding(figures)
            }
        }
        let totals = try SalesFigures.total(byDay.values)
        let length = to.dayNumber - from.dayNumber
        let previousTo = from.adding(days: -1) ?? from
        let previous = try await total(from: previousTo.adding(days: -length) ?? previousTo, to: previousTo, scope: scope, on: db)
        let lastYear = try await total(from: from.adding(months: -12) ?? from, to: to.adding(months: -12) ?? to, scope: scope, on: db)
        let cursors = try await db.sql.raw("SELECT kind, position FROM sales_fold_cursors").all()
        func folded(_ kind: String) throws -> Date? {
            try cursors.first { try $0.decode(column: "kind", as: String.self) == kind }?.decode(column: "position", as: Date.self)
        }
        return SalesReport(
            from: from, to: to, timeZone: timeZone.identifier, storeIds: scope.store.map { [$0] } ?? scope.stores ?? [],
            totals: SalesReportFigures(totals), previous: SalesReportFigures(previous), lastYear: SalesReportFigures(lastYear),
            netSalesChange: Change(current: totals.netSalesFen, base: previous.netSalesFen),
            netSalesChangeOnLastYear: Change(current: totals.netSalesFen, base: lastYear.netSalesFen),
            days: DayRange(start: from, end: to).days.map { SalesReportDay(day: $0, figures: SalesReportFigures(byDay[$0] ?? .zero)) },
            channels: SalesChannel.allCases.map { SalesReportChannel(channel: $0, figures: SalesReportFigures(byChannel[$0] ?? .zero)) },
            foldedOrdersUntil: try folded("order"), foldedRefundsUntil: try folded("refund"))
    }

    static func total(from: CalendarDate, to: CalendarDate, scope: Scope, on db: any Database) async throws -> SalesFigures {
        guard let row = try await db.sql.raw("""
            SELECT \(unsafeRaw: sums) FROM sales_store_daily WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition)
            """).first() else { return .zero }
        return try SalesLedger.figures(row)
    }
}
