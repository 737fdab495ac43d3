import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

extension SalesReport: Content {}

/// Reports for staff with `report.view`: HQ sees every store, a merchant its own, a store
/// manager their store.
struct ReportRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("reports")
        reports.get("sales", use: sales)
    }

    /// `from`/`to` are shop days (YYYY-MM-DD, at most `InputLimits.reportDays` apart; default the
    /// last 30 days through today); `storeId` narrows to one store within the caller's reach.
    func sales(req: Request) async throws -> SalesReport {
        let (_, reach) = try req.reach(.reportView)
        let settings = try await SettingsService.resolved(on: req.db)
        let today = LocalTime.calendarDate(of: req.now, in: settings.timeZone)
        var errors = FieldErrorCollector()
        let to: CalendarDate? = Self.day(req, "to", errors: &errors, default: today)
        let from: CalendarDate? = Self.day(req, "from", errors: &errors, default: to?.adding(days: -29) ?? today)
        let storeId: UUID? = (errors.collect { try req.query[String.self, at: "storeId"].map { try Self.uuid($0, field: "storeId") } }) ?? nil
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
        return try await SalesReportQueries.sales(from: from, to: to, scope: .init(reach: reach, store: storeId), timeZone: settings.timeZone, on: req.db)
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
