import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

extension SalesReport: Content {}
extension StoreComparisonReport: Content {}
extension StoreTarget: Content {}
extension ProductSalesReport: Content {}
extension AfterSalesReport: Content {}
extension MemberReport: Content {}

/// Reports for staff with `report.view`: HQ sees every store, a merchant its own, a store
/// manager their store.
struct ReportRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports")
        reports.get("sales", use: sales)
        reports.get("stores", use: stores)
        reports.get("products", use: products)
        reports.get("after-sales", use: afterSales)
        reports.get("members", use: members)
        // One route per report: Vapor's router does not fall back from `sales` to `:report`.
        for kind in ReportExport.Kind.allCases {
            reports.get(kind.path, "export") { req in try await export(req: req, kind: kind) }
        }
        routes.put("stores", ":storeId", "targets", ":month", use: setTarget)
    }

    /// `from`/`to` are shop days (YYYY-MM-DD, at most `InputLimits.reportDays` apart; default the
    /// last 30 days through today); `storeId` narrows to one store within the caller's reach.
    /// `grain` (day, week or month) adds the period comparison over the same days.
    func sales(req: Request) async throws -> SalesReport {
        let query = try await ReportQuery(req)
        var errors = FieldErrorCollector()
        let grain = req.query[String.self, at: "grain"].map { PeriodGrain(rawValue: $0) }
        if let grain, grain == nil { errors.add("grain", "must be day, week or month") }
        try errors.throwIfAny()
        return try await SalesReportQueries.sales(from: query.from, to: query.to, scope: query.scope, timeZone: query.timeZone, grain: grain ?? nil,
                                                  on: req.db)
    }

    /// Every store within reach side by side, ranked on every measure, with its month's target.
    func stores(req: Request) async throws -> StoreComparisonReport {
        let query = try await ReportQuery(req)
        return try await SalesReportQueries.stores(from: query.from, to: query.to, scope: query.scope, today: query.today,
                                                   app: req.application, on: req.db)
    }

    /// 商品销量排名: `order` units (default) or amount, `limit` 1–100 (default 20).
    func products(req: Request) async throws -> ProductSalesReport {
        let query = try await ReportQuery(req)
        var errors = FieldErrorCollector()
        let limit = req.boundedQuery("limit", InputLimits.reportRows, into: &errors) ?? 20
        let raw = req.query[String.self, at: "order"] ?? ProductRankingOrder.units.rawValue
        let order = ProductRankingOrder(rawValue: raw)
        if order == nil { errors.add("order", "must be units or amount") }
        try errors.throwIfAny()
        return try await SalesReportQueries.products(from: query.from, to: query.to, scope: query.scope, order: order ?? .units, limit: limit, on: req.db)
    }

    /// 售后数据统计: the cases opened over the days, by kind, reason and store.
    func afterSales(req: Request) async throws -> AfterSalesReport {
        let query = try await ReportQuery(req)
        return try await AfterSalesReportQueries.report(from: query.from, to: query.to, scope: query.scope, timeZone: query.timeZone,
                                                        app: req.application, on: req.db)
    }

    /// 会员统计: new members, members by level, repurchase rate, new against returning customers.
    func members(req: Request) async throws -> MemberReport {
        let query = try await ReportQuery(req)
        return try await MemberReportQueries.report(from: query.from, to: query.to, scope: query.scope, timeZone: query.timeZone, on: req.db)
    }

    /// `GET /admin/reports/{report}/export?format=csv|xlsx`: the report the same query gives,
    /// as a CSV (UTF-8 with a BOM, RFC 4180) or an XLSX workbook with typed cells.
    func export(req: Request, kind: ReportExport.Kind) async throws -> Response {
        var errors = FieldErrorCollector()
        let format = req.query[String.self, at: "format"] ?? "csv"
        if !["csv", "xlsx"].contains(format) { errors.add("format", "must be csv or xlsx") }
        try errors.throwIfAny()
        let timeZone = try await SettingsService.resolved(on: req.db).timeZone
        let rows: [[SpreadsheetWriter.Cell]]
        let range: (CalendarDate, CalendarDate)
        switch kind {
        case .sales:
            let report = try await sales(req: req)
            (rows, range) = (ReportExport.sales(report, timeZone: timeZone, text: req.serverText), (report.from, report.to))
        case .stores:
            let report = try await stores(req: req)
            (rows, range) = (ReportExport.stores(report, text: req.serverText), (report.from, report.to))
        case .products:
            let report = try await products(req: req)
            (rows, range) = (ReportExport.products(report, text: req.serverText), (report.from, report.to))
        case .afterSales:
            let report = try await afterSales(req: req)
            (rows, range) = (ReportExport.afterSales(report, text: req.serverText), (report.from, report.to))
        case .members:
            let report = try await members(req: req)
            (rows, range) = (ReportExport.members(report, text: req.serverText), (report.from, report.to))
        }
        let name = "\(kind.rawValue)-\(range.0)-\(range.1).\(format)"
        let response: Response
        if format == "xlsx" {
            response = Response(status: .ok, body: .init(data: Data(ReportExport.xlsx(rows, sheetName: kind.rawValue, timeZone: timeZone))))
            response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        } else {
            response = Response(status: .ok, body: .init(string: ReportExport.csv(rows, timeZone: timeZone)))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        }
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return response
    }

    /// A store's net sales target for a month (YYYY-MM): headquarters or the store's merchant.
    func setTarget(req: Request) async throws -> StoreTarget {
        let storeId = try req.pathId("storeId", notFound: "No such store.")
        guard let store = try await req.application.storeDirectory.store(storeId, on: req.db) else { throw MallError.notFound("No such store.") }
        try req.authorize(.storeManage, on: .merchant(MerchantID(store.merchantId)))
        let input = try req.content.decode(StoreTargetInput.self)
        var errors = FieldErrorCollector()
        let month = req.parameters.get("month") ?? ""
        let first = errors.collect { try CalendarDate(parsing: month + "-01", field: "month") }
        if month.count != 7 { errors.add("month", "must be a month written YYYY-MM") }
        errors.range(input.targetFen, InputLimits.priceFen, "targetFen")
        try errors.throwIfAny()
        guard let first else { throw MallError.badRequest("Unreadable month.") }
        let key = SalesReportQueries.monthKey(first)
        let before = try await req.db.sql.raw("SELECT target_fen FROM store_sales_targets WHERE store_id = \(bind: storeId) AND month = \(bind: key)").first()
            .map { try $0.decode(column: "target_fen", as: Int64.self) }
        try await req.db.writeTransaction { db in
            try await db.sql.raw("""
                INSERT INTO store_sales_targets (id, store_id, month, target_fen, updated_at)
                VALUES (\(bind: UUID()), \(bind: storeId), \(bind: key), \(bind: input.targetFen), \(bind: req.now))
                ON CONFLICT (store_id, month) DO UPDATE SET target_fen = excluded.target_fen, updated_at = excluded.updated_at
                """).run()
            try await req.audit.record(on: db, action: "store.target", owner: .store(StoreID(storeId), merchant: MerchantID(store.merchantId)),
                                       targetType: "store", targetId: storeId.uuidString, before: before.map { StoreTarget(storeId: storeId, month: key, targetFen: $0) },
                                       after: StoreTarget(storeId: storeId, month: key, targetFen: input.targetFen))
        }
        return StoreTarget(storeId: storeId, month: key, targetFen: input.targetFen)
    }

    /// What every report reads from its query: shop days `from`/`to` (at most
    /// `InputLimits.reportDays`; default the 30 days through today) and an optional `storeId`
    /// within the caller's `report.view` reach.
    struct ReportQuery {
        let from: CalendarDate
        let to: CalendarDate
        let today: CalendarDate
        let timeZone: TimeZone
        let scope: SalesReportQueries.Scope

        init(_ req: Request) async throws {
            let (_, reach) = try req.reach(.reportView)
            timeZone = try await SettingsService.resolved(on: req.db).timeZone
            today = LocalTime.calendarDate(of: req.now, in: timeZone)
            var errors = FieldErrorCollector()
            let to: CalendarDate? = ReportRoutes.day(req, "to", errors: &errors, default: today)
            let from: CalendarDate? = ReportRoutes.day(req, "from", errors: &errors, default: to?.adding(days: -29) ?? today)
            let storeId: UUID? = (errors.collect { try req.query[String.self, at: "storeId"].map { try ReportRoutes.uuid($0, field: "storeId") } }) ?? nil
            if let from, let to {
                if to < from { errors.add("to", "must not be before from") }
                else if to.dayNumber - from.dayNumber + 1 > InputLimits.reportDays.upperBound {
                    errors.add("to", "must be at most \(InputLimits.reportDays.upperBound) days after from")
                }
            }
            try errors.throwIfAny()
            guard let from, let to else { throw MallError.badRequest("Unreadable report period.") }
            if let storeId {
                guard let store = try await req.application.storeDirectory.store(storeId, on: req.db) else {
                    throw ValidationFailure(field: "storeId", message: "is not a store")
                }
                try req.authorize(.reportView, on: .store(StoreID(store.id), merchant: MerchantID(store.merchantId)))
            }
            self.from = from
            self.to = to
            scope = SalesReportQueries.Scope(reach: reach, store: storeId)
        }
    }

    /// A shop day from the query, the default when absent, nil (with a field error) when unreadable.
    static func day(_ req: Request, _ name: String, errors: inout FieldErrorCollector, default value: CalendarDate) -> CalendarDate? {
        guard let text = req.query[String.self, at: name] else { return value }
        return errors.collect { try CalendarDate(parsing: text, field: name) }
    }

    static func uuid(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw ValidationFailure(field: field, message: "must be a UUID") }
        return id
    }
}
