import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// 会员统计 from the members' daily order counts the fold keeps, and the members table for
/// registrations and levels.
enum MemberReportQueries {
    static func report(from: CalendarDate, to: CalendarDate, scope: SalesReportQueries.Scope, timeZone: TimeZone,
                       on db: any Database) async throws -> MemberReport {
        let days: SQLQueryString = "day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition)"
        var orders: [UUID: MemberDayOrders] = [:]
        for row in try await db.sql.raw("""
            SELECT member_id, CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(first_orders) AS BIGINT) AS first_orders FROM sales_member_daily
            WHERE \(days) GROUP BY member_id
            """).all() {
            orders[try row.decode(column: "member_id", as: UUID.self)] = MemberDayOrders(
                orders: try row.decode(column: "orders", as: Int64?.self) ?? 0, firstOrders: try row.decode(column: "first_orders", as: Int64?.self) ?? 0)
        }
        let registeredFrom = LocalTime.start(of: from, in: timeZone)
        let registeredBefore = LocalTime.start(of: to.adding(days: 1) ?? to, in: timeZone)
        let everyone = scope.merchants == nil && scope.stores == nil && scope.store == nil
        let members: SQLQueryString = everyone ? "1 = 1" : "id IN (SELECT member_id FROM sales_member_daily WHERE \(days))"
        let newMembers = try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM members WHERE created_at >= \(bind: registeredFrom) AND created_at < \(bind: registeredBefore) AND \(members)
            """).first()?.decode(column: "n", as: Int64.self) ?? 0
        let names = Dictionary(try await db.sql.raw("SELECT code, name FROM member_levels").all().map {
            (try $0.decode(column: "code", as: String.self), try $0.decode(column: "name", as: String.self))
        }, uniquingKeysWith: { first, _ in first })
        let byLevel = try await db.sql.raw("SELECT level, COUNT(*) AS n FROM members WHERE \(members) GROUP BY level").all().map { row in
            let level = try row.decode(column: "level", as: String?.self)
            return MemberLevelCount(level: level, name: level.flatMap { names[$0] } ?? level ?? "", members: try row.decode(column: "n", as: Int64.self))
        }.sorted { $0.members != $1.members ? $0.members > $1.members : ($0.level ?? "") < ($1.level ?? "") }
        return MemberReport(from: from, to: to, newMembers: newMembers, figures: MemberStatistics.figures(orders), byLevel: byLevel)
    }
}
