import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// 售后数据统计: the cases opened over shop days, read straight from the cases (there are few
/// next to orders), with rates against the sales aggregates of the same stores and days.
enum AfterSalesReportQueries {
    static func report(from: CalendarDate, to: CalendarDate, scope: SalesReportQueries.Scope, timeZone: TimeZone, app: Application,
                       on db: any Database) async throws -> AfterSalesReport {
        let opened = LocalTime.start(of: from, in: timeZone)
        let before = LocalTime.start(of: to.adding(days: 1) ?? to, in: timeZone)
        // A final state is never left, so a closed case's last update is when it closed.
        let cases = try await db.sql.raw("""
            SELECT store_id, kind, reason, status, refunded_fen, created_at, updated_at FROM after_sales_cases
            WHERE created_at >= \(bind: opened) AND created_at < \(bind: before) AND \(scope.condition)
            """).all().map { row in
            let status = AfterSalesStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .requested
            return AfterSalesCaseFacts(
                storeId: try row.decode(column: "store_id", as: UUID.self),
                kind: AfterSalesKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .refundOnly,
                reason: AfterSalesReason(rawValue: try row.decode(column: "reason", as: String.self)) ?? .other,
                status: status, refundedFen: try row.decode(column: "refunded_fen", as: Int64.self),
                openedAt: try row.decode(column: "created_at", as: Date.self),
                closedAt: status.isTerminal ? try row.decode(column: "updated_at", as: Date.self) : nil)
        }
        var bases: [String: SalesBase] = [:]
        for row in try await db.sql.raw("""
            SELECT store_id, CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(gross_fen) AS BIGINT) AS gross_fen FROM sales_store_daily
            WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition) GROUP BY store_id
            """).all() {
            bases[try row.decode(column: "store_id", as: UUID.self).uuidString] = SalesBase(orders: try row.decode(column: "orders", as: Int64?.self) ?? 0,
                                                                               grossFen: try row.decode(column: "gross_fen", as: Int64?.self) ?? 0)
        }
        let whole = try bases.values.reduce(SalesBase()) { total, base in
            SalesBase(orders: try Checked.add(total.orders, base.orders, "orders"), grossFen: try Checked.add(total.grossFen, base.grossFen, "sales"))
        }
        let stores = Dictionary(try await app.storeDirectory.every(on: db).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func rows(_ groups: [(key: String, figures: AfterSalesFigures)]) -> [AfterSalesReportRow] {
            groups.map { AfterSalesReportRow(key: $0.key, figures: $0.figures) }
        }
        return AfterSalesReport(
            from: from, to: to, totals: try AfterSalesReportMaths.figures(cases, base: whole),
            byKind: rows(try AfterSalesReportMaths.groups(cases, by: \.kind.rawValue) { _ in whole }),
            byReason: rows(try AfterSalesReportMaths.groups(cases, by: \.reason.rawValue) { _ in whole }),
            byStore: try AfterSalesReportMaths.groups(cases, by: \.storeId.uuidString) { bases[$0] ?? SalesBase() }
                .compactMap { group in
                    guard let id = UUID(uuidString: group.key) else { return nil }
                    return AfterSalesStoreRow(storeId: id, storeCode: stores[id]?.code ?? "", storeName: stores[id]?.name ?? "", figures: group.figures)
                })
    }
}
