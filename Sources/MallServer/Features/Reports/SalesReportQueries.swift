import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

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

        func includes(store storeId: UUID, merchant merchantId: UUID) -> Bool {
            if let store, store != storeId { return false }
            guard merchants != nil || stores != nil else { return true }
            return (merchants ?? []).contains(merchantId) || (stores ?? []).contains(storeId)
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

    static func sales(from: CalendarDate, to: CalendarDate, scope: Scope, timeZone: TimeZone, grain: PeriodGrain?,
                      on db: any Database) async throws -> SalesReport {
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
        var heatmap = SalesHeatmap()
        for row in try await db.sql.raw("""
            SELECT day, hour, CAST(SUM(orders) AS BIGINT) AS orders, CAST(SUM(net_sales_fen) AS BIGINT) AS net FROM sales_store_hourly
            WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition) GROUP BY day, hour
            """).all() {
            heatmap.add(day: try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day"), hour: try row.decode(column: "hour", as: Int.self),
                        orders: try row.decode(column: "orders", as: Int64?.self) ?? 0, netSalesFen: try row.decode(column: "net", as: Int64?.self) ?? 0)
        }
        var periods: [SalesPeriodComparison]?
        if let grain { periods = try await comparison(from: from, to: to, grain: grain, scope: scope, on: db) }
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
            heatmap: heatmap,
            foldedOrdersUntil: try folded("order"), foldedRefundsUntil: try folded("refund"),
            grain: grain, periods: periods)
    }

    /// Each period of the series with the two it is compared with, summed from one read of the
    /// daily totals that covers them all.
    static func comparison(from: CalendarDate, to: CalendarDate, grain: PeriodGrain, scope: Scope,
                           on db: any Database) async throws -> [SalesPeriodComparison] {
        let series = ReportPeriods.series(from: from, to: to, grain: grain)
        guard let earliest = series.flatMap({ [$0.current.start, $0.previous.start, $0.lastYear.start] }).min() else { return [] }
        var byDay: [CalendarDate: SalesFigures] = [:]
        for row in try await db.sql.raw("""
            SELECT day, \(unsafeRaw: sums) FROM sales_store_daily
            WHERE day >= \(bind: earliest.description) AND day <= \(bind: to.description) AND \(scope.condition) GROUP BY day
            """).all() {
            byDay[try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day")] = try SalesLedger.figures(row)
        }
        func sum(_ range: DayRange) throws -> SalesFigures { try SalesFigures.total(range.days.compactMap { byDay[$0] }) }
        return try series.map { periods in
            SalesPeriodComparison(periods: periods, figures: try sum(periods.current), previous: try sum(periods.previous), lastYear: try sum(periods.lastYear))
        }
    }

    static func total(from: CalendarDate, to: CalendarDate, scope: Scope, on db: any Database) async throws -> SalesFigures {
        guard let row = try await db.sql.raw("""
            SELECT \(unsafeRaw: sums) FROM sales_store_daily WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition)
            """).first() else { return .zero }
        return try SalesLedger.figures(row)
    }

    // MARK: Stores side by side

    static func stores(from: CalendarDate, to: CalendarDate, scope: Scope, today: CalendarDate, app: Application,
                       on db: any Database) async throws -> StoreComparisonReport {
        let stores = try await app.storeDirectory.every(on: db).filter { scope.includes(store: $0.id, merchant: $0.merchantId) }
        var figures: [UUID: SalesFigures] = [:]
        for row in try await db.sql.raw("""
            SELECT store_id, \(unsafeRaw: sums) FROM sales_store_daily
            WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition) GROUP BY store_id
            """).all() {
            figures[try row.decode(column: "store_id", as: UUID.self)] = try SalesLedger.figures(row)
        }
        let shown = Dictionary(uniqueKeysWithValues: stores.map { ($0.id, figures[$0.id] ?? .zero) })
        let ranks = SalesMeasure.allCases.map { ($0, StoreComparison.ranks(shown, by: $0)) }
        let month = to.firstOfMonth
        let targets = try await self.targets(month: month, storeIds: stores.map(\.id), today: today, on: db)
        return StoreComparisonReport(from: from, to: to, targetMonth: monthKey(month), stores: stores.map { store in
            StoreComparisonRow(storeId: store.id, storeCode: store.code, storeName: store.name, merchantId: store.merchantId,
                               figures: SalesReportFigures(shown[store.id] ?? .zero),
                               ranks: Dictionary(uniqueKeysWithValues: ranks.compactMap { measure, ranked in ranked[store.id].map { (measure.rawValue, $0) } }),
                               target: targets[store.id])
        })
    }

    static func monthKey(_ day: CalendarDate) -> String {
        String(day.description.prefix(7))
    }

    /// Each store's month against its target, the forecast shaped by how its weekdays sold in the
    /// four weeks before the month.
    static func targets(month: CalendarDate, storeIds: [UUID], today: CalendarDate, on db: any Database) async throws -> [UUID: TargetProgress] {
        guard !storeIds.isEmpty else { return [:] }
        var targetFen: [UUID: Int64] = [:]
        for row in try await db.sql.raw("""
            SELECT store_id, target_fen FROM store_sales_targets WHERE month = \(bind: monthKey(month)) AND store_id IN (\(binds: storeIds))
            """).all() {
            targetFen[try row.decode(column: "store_id", as: UUID.self)] = try row.decode(column: "target_fen", as: Int64.self)
        }
        guard !targetFen.isEmpty, let historyStart = month.adding(days: -28), let monthEnd = month.adding(days: month.daysInMonth - 1) else { return [:] }
        var daily: [UUID: [CalendarDate: Int64]] = [:]
        for row in try await db.sql.raw("""
            SELECT store_id, day, CAST(SUM(gross_fen - refunded_fen) AS BIGINT) AS net FROM sales_store_daily
            WHERE day >= \(bind: historyStart.description) AND day <= \(bind: monthEnd.description) AND store_id IN (\(binds: Array(targetFen.keys)))
            GROUP BY store_id, day
            """).all() {
            let day = try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day")
            daily[try row.decode(column: "store_id", as: UUID.self), default: [:]][day] = try row.decode(column: "net", as: Int64?.self) ?? 0
        }
        let history = DayRange(start: historyStart, end: month.adding(days: -1) ?? historyStart).days
        return targetFen.reduce(into: [UUID: TargetProgress]()) { result, entry in
            let sales = daily[entry.key] ?? [:]
            result[entry.key] = SalesTargets.progress(month: month, targetFen: entry.value, daily: sales.filter { $0.key >= month }, today: today,
                                                      weekdayWeights: SalesTargets.weekdayWeights(days: history, sales: sales))
        }
    }

    // MARK: Products

    static func products(from: CalendarDate, to: CalendarDate, scope: Scope, order: ProductRankingOrder, limit: Int,
                         on db: any Database) async throws -> ProductSalesReport {
        var sold: [UUID: ProductSales<UUID>] = [:]
        for row in try await db.sql.raw("""
            SELECT sku_id, CAST(SUM(units - refunded_units) AS BIGINT) AS net_units, CAST(SUM(gross_fen - refunded_fen) AS BIGINT) AS net_fen
            FROM sales_sku_daily WHERE day >= \(bind: from.description) AND day <= \(bind: to.description) AND \(scope.condition) GROUP BY sku_id
            """).all() {
            let id = try row.decode(column: "sku_id", as: UUID.self)
            sold[id] = ProductSales(id: id, netUnits: try row.decode(column: "net_units", as: Int64?.self) ?? 0,
                                    netSalesFen: try row.decode(column: "net_fen", as: Int64?.self) ?? 0)
        }
        // Candidates for slow movers: SKUs of products on the shelf within reach; for one store,
        // those it holds stock of.
        let candidates: [UUID]
        if let store = scope.store {
            candidates = try await db.sql.raw("""
                SELECT l.sku_id FROM stock_levels l JOIN skus s ON s.id = l.sku_id JOIN products p ON p.id = s.product_id
                WHERE l.store_id = \(bind: store) AND l.on_hand > 0 AND p.on_shelf = \(bind: true)
                """).all().map { try $0.decode(column: "sku_id", as: UUID.self) }
        } else {
            var reach: SQLQueryString = "1 = 1"
            if scope.merchants != nil || scope.stores != nil {
                let merchants = scope.merchants ?? []
                reach = merchants.isEmpty ? "1 = 0" : "s.merchant_id IN (\(binds: merchants))"
            }
            candidates = try await db.sql.raw("""
                SELECT s.id AS sku_id FROM skus s JOIN products p ON p.id = s.product_id WHERE p.on_shelf = \(bind: true) AND \(reach)
                """).all().map { try $0.decode(column: "sku_id", as: UUID.self) }
        }
        let bounded = max(1, limit)
        let top = ProductRanking.top(Array(sold.values), by: order, limit: bounded, tieBreak: { $0.uuidString < $1.uuidString })
        let slow = ProductRanking.slowMovers(Array(sold.values), onSale: candidates, limit: bounded, tieBreak: { $0.uuidString < $1.uuidString })
        // Names for what is shown, and the category of everything sold for the mix.
        let described = Array(Set(top.map(\.id) + slow.map(\.id) + sold.keys))
        var skus: [UUID: (product: UUID, title: String, spec: String, category: UUID)] = [:]
        for chunk in stride(from: 0, to: described.count, by: 500).map({ Array(described[$0..<min($0 + 500, described.count)]) }) {
            for row in try await db.sql.raw("""
                SELECT s.id, s.product_id, s.spec_title, p.title, p.category_id FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id IN (\(binds: chunk))
                """).all() {
                skus[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "product_id", as: UUID.self), try row.decode(column: "title", as: String.self),
                                                                     try row.decode(column: "spec_title", as: String.self), try row.decode(column: "category_id", as: UUID.self))
            }
        }
        func rows(_ sales: [ProductSales<UUID>]) -> [ProductSalesRow] {
            sales.compactMap { entry in
                skus[entry.id].map { ProductSalesRow(skuId: entry.id, productId: $0.product, title: $0.title, specTitle: $0.spec,
                                                     netUnits: entry.netUnits, netSalesFen: entry.netSalesFen) }
            }
        }
        var byCategory: [UUID: (units: Int64, fen: Int64)] = [:]
        for entry in sold.values {
            guard let category = skus[entry.id]?.category else { continue }
            let current = byCategory[category] ?? (0, 0)
            byCategory[category] = (current.units &+ entry.netUnits, current.fen &+ entry.netSalesFen)
        }
        let names = Dictionary(try await CategoryModel.query(on: db).filter(\.$id ~~ Array(byCategory.keys)).all().compactMap { category in
            category.id.map { ($0, category.name) }
        }, uniquingKeysWith: { first, _ in first })
        let total = byCategory.values.reduce(Int64(0)) { $0 &+ $1.fen }
        let categories = byCategory.map { id, sums in
            CategorySalesRow(categoryId: id, name: names[id] ?? "", netUnits: sums.units, netSalesFen: sums.fen,
                             shareBasisPoints: Ratio.basisPoints(max(0, sums.fen), of: total))
        }.sorted { $0.netSalesFen != $1.netSalesFen ? $0.netSalesFen > $1.netSalesFen : $0.name < $1.name }
        return ProductSalesReport(from: from, to: to, order: order, top: rows(top), slowMovers: rows(slow), categories: categories)
    }
}
