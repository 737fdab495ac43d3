import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Member segments (issue #18): every member's RFM scores and group, recomputed from paid orders
/// by a daily job and on demand. The scoring is `RFM` in MallCore; this reads the figures it
/// needs in one grouped statement and replaces the table in one transaction, so readers see
/// either the old computation or the new one, never half of each.
struct SegmentService {
    let app: Application
    let db: any Database

    static let computeJob = "segments.compute"
    static let insertChunk = 400
    /// Two runs at once (the daily job and a button) would each delete and insert the same
    /// ids; on PostgreSQL they take turns on this advisory lock (SQLite's writer already does).
    static let replaceLockKey = 0x5E6_3E27

    struct Computed: Content, Equatable {
        var members: Int
        var groups: [String: Int]
    }

    func recompute(now: Date) async throws -> Computed {
        let settings = try await SettingsService.resolved(on: db)
        let timeZone = settings.timeZone
        let today = LocalTime.calendarDate(of: now, in: timeZone)
        let rules = RFMRules(dormantAfterDays: settings.integer(.memberDormantAfterDays), newWithinDays: settings.integer(.memberNewWithinDays))
        // An order counts while some of it is kept: a fully refunded order is no purchase.
        let rows = try await db.sql.raw("""
            SELECT m.id, m.created_at, COUNT(o.id) AS orders, CAST(COALESCE(SUM(o.kept_fen), 0) AS BIGINT) AS spent_fen,
                   MIN(o.paid_at) AS first_paid_at, MAX(o.paid_at) AS last_paid_at
            FROM members m LEFT JOIN (
                SELECT o.id, o.member_id, o.paid_at,
                       o.payable_fen - COALESCE((SELECT SUM(r.amount_fen) FROM refunds r
                                                 WHERE r.order_id = o.id AND r.status = \(bind: RefundStatus.succeeded.rawValue)), 0) AS kept_fen
                FROM orders o WHERE o.paid_at IS NOT NULL
            ) o ON o.member_id = m.id AND o.kept_fen > 0
            GROUP BY m.id, m.created_at
            """).all()
        let day = { (instant: Date) in LocalTime.calendarDate(of: instant, in: timeZone) }
        let activities = try rows.map { row in
            let firstPaid = try row.decode(column: "first_paid_at", as: Date?.self)
            let lastPaid = try row.decode(column: "last_paid_at", as: Date?.self)
            return CustomerActivity(memberId: try row.decode(column: "id", as: UUID.self),
                                    registeredOn: day(try row.decode(column: "created_at", as: Date?.self) ?? now),
                                    firstOrderOn: firstPaid.map(day), lastOrderOn: lastPaid.map(day),
                                    orders: try row.decode(column: "orders", as: Int.self), spentFen: try row.decode(column: "spent_fen", as: Int64.self))
        }
        let segments = RFM.segment(activities, today: today, rules: rules)
        try await db.writeTransaction { tx in
            if !tx.isSQLite { try await tx.sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: String(Self.replaceLockKey)))").run() }
            try await tx.sql.raw("DELETE FROM member_rfm").run()
            for start in stride(from: 0, to: activities.count, by: Self.insertChunk) {
                var insert = tx.sql.insert(into: "member_rfm").columns("id", "recency", "frequency", "monetary", "rfm_group", "orders", "spent_fen",
                                                                      "first_order_on", "last_order_on", "computed_at")
                for activity in activities[start..<min(start + Self.insertChunk, activities.count)] {
                    let segment = segments[activity.memberId]
                    insert = insert.values(SQLBind(activity.memberId), SQLBind(segment?.score?.recency), SQLBind(segment?.score?.frequency),
                                           SQLBind(segment?.score?.monetary), SQLBind((segment?.group ?? .occasional).rawValue),
                                           SQLBind(Int64(activity.orders)), SQLBind(activity.spentFen), SQLBind(activity.firstOrderOn?.description),
                                           SQLBind(activity.lastOrderOn?.description), SQLBind(now))
                }
                try await insert.run()
            }
        }
        var groups: [String: Int] = [:]
        for (_, segment) in segments { groups[segment.group.rawValue, default: 0] += 1 }
        return Computed(members: activities.count, groups: groups)
    }

    static func overview(on db: any Database) async throws -> SegmentOverview {
        let settings = try await SettingsService.resolved(on: db)
        let rows = try await db.sql.raw("""
            SELECT rfm_group, COUNT(*) AS members, CAST(COALESCE(SUM(spent_fen), 0) AS BIGINT) AS spent_fen,
                   CAST(COALESCE(SUM(orders), 0) AS BIGINT) AS orders, MAX(computed_at) AS computed_at
            FROM member_rfm GROUP BY rfm_group
            """).all()
        var byGroup: [RFMGroup: SegmentGroupSummary] = [:]
        var computedAt: Date?
        for row in rows {
            guard let group = RFMGroup(rawValue: try row.decode(column: "rfm_group", as: String.self)) else { continue }
            byGroup[group] = SegmentGroupSummary(group: group, members: try row.decode(column: "members", as: Int.self),
                                                 spentFen: try row.decode(column: "spent_fen", as: Int64.self), orders: try row.decode(column: "orders", as: Int64.self))
            computedAt = max(computedAt ?? .distantPast, try row.decode(column: "computed_at", as: Date.self))
        }
        let groups = RFMGroup.allCases.map { byGroup[$0] ?? SegmentGroupSummary(group: $0, members: 0, spentFen: 0, orders: 0) }
        return SegmentOverview(computedAt: computedAt, members: groups.reduce(0) { $0 + $1.members },
                               dormantAfterDays: settings.integer(.memberDormantAfterDays), newWithinDays: settings.integer(.memberNewWithinDays),
                               groups: groups)
    }

    /// A group's members, biggest spenders first.
    static func members(of group: RFMGroup, page: PageRequest, on db: any Database) async throws -> ListPage<SegmentMember> {
        let total = try await db.sql.raw("SELECT COUNT(*) AS n FROM member_rfm WHERE rfm_group = \(bind: group.rawValue)").first()?
            .decode(column: "n", as: Int.self) ?? 0
        let rows = try await db.sql.raw("""
            SELECT r.id, r.recency, r.frequency, r.monetary, r.orders, r.spent_fen, r.last_order_on, m.nickname, m.mobile, m.level
            FROM member_rfm r JOIN members m ON m.id = r.id
            WHERE r.rfm_group = \(bind: group.rawValue)
            ORDER BY r.spent_fen DESC, r.id LIMIT \(unsafeRaw: String(page.per)) OFFSET \(unsafeRaw: String(page.offset))
            """).all()
        let items = try rows.map { row in
            let scores = [try row.decode(column: "recency", as: Int?.self), try row.decode(column: "frequency", as: Int?.self),
                          try row.decode(column: "monetary", as: Int?.self)]
            let score = scores.allSatisfy { $0 != nil } ? RFMScore(recency: scores[0] ?? 0, frequency: scores[1] ?? 0, monetary: scores[2] ?? 0) : nil
            return SegmentMember(memberId: try row.decode(column: "id", as: UUID.self), nickname: try row.decode(column: "nickname", as: String.self),
                                 mobile: try row.decode(column: "mobile", as: String?.self), level: try row.decode(column: "level", as: String?.self),
                                 group: group, score: score, orders: try row.decode(column: "orders", as: Int64.self),
                                 spentFen: try row.decode(column: "spent_fen", as: Int64.self),
                                 lastOrderOn: try row.decode(column: "last_order_on", as: String?.self).flatMap { try? CalendarDate(parsing: $0, field: "lastOrderOn") })
        }
        return ListPage(items: items, page: page.page, per: page.per, total: total)
    }
}
