import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

extension FeeRuleList: Content {}
extension FeeRuleView: Content {}
extension SettlementStatementView: Content {}
extension SettlementStatementDetail: Content {}
extension SettlementRunResult: Content {}
extension SettlementBalance: Content {}
extension SettlementEntryView: Content {}
extension PayoutView: Content {}

/// Service-fee rules (read: `settlement.view` on the merchant; write: `settlement.manage`),
/// statements (merchants see their own; confirm: `settlement.confirm`), exports, balances,
/// settlement runs and payouts (`settlement.manage`).
struct SettlementAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchants", ":merchantId", "fee-rules", use: feeRules)
        routes.post("merchants", ":merchantId", "fee-rules", use: addFeeRule)
        let settlements = routes.grouped("settlements")
        settlements.get(use: statements)
        settlements.get("balances", use: balances)
        settlements.get("balances", ":merchantId", "entries", use: pendingEntries)
        settlements.post("runs", use: run)
        settlements.post("issue", use: issueNow)
        settlements.get(":statementId", use: statement)
        settlements.post(":statementId", "confirm", use: confirm)
        settlements.get(":statementId", "export.csv", use: exportCSV)
        settlements.get(":statementId", "export.xlsx", use: exportXLSX)
        routes.get("payouts", use: payouts)
        routes.post("payouts", use: recordPayout)
    }

    func feeRules(req: Request) async throws -> FeeRuleList {
        let id = try req.pathId("merchantId", notFound: "No such merchant.")
        try req.authorize(.settlementView, on: .merchant(MerchantID(id)))
        guard let merchant = try await MerchantModel.find(id, on: req.db) else { throw MallError.notFound("No such merchant.") }
        return try await SettlementQueries.feeRules(merchant: merchant, now: req.now, on: req.db)
    }

    func addFeeRule(req: Request) async throws -> Response {
        try req.authorize(.settlementManage, on: .platform)
        let id = try req.pathId("merchantId", notFound: "No such merchant.")
        let input = try req.content.decode(FeeRuleInput.self)
        let rule = try await SettlementService(app: req.application, db: req.db).addFeeRule(merchantId: id, input, audit: req.audit)
        guard let merchant = try await MerchantModel.find(id, on: req.db) else { throw MallError.notFound("No such merchant.") }
        let list = try await SettlementQueries.feeRules(merchant: merchant, now: req.now, on: req.db)
        guard let view = list.rules.first(where: { $0.id == rule.id }) else { throw MallError.notFound("No such fee rule.") }
        return try Response.json(view, status: .created)
    }

    func statements(req: Request) async throws -> ListPage<SettlementStatementView> {
        let (_, reach) = try req.reach(.settlementView)
        var errors = FieldErrorCollector()
        var filter = SettlementQueries.StatementFilter()
        filter.merchantId = req.optionalQuery(UUID.self, "merchantId", into: &errors, message: "must be a merchant id")
        if let status = req.query[String.self, at: "status"] {
            filter.status = StatementStatus(rawValue: status)
            if filter.status == nil { errors.add("status", "must be one of draft, confirmed, paid") }
        }
        if let day = req.query[String.self, at: "period"] {
            if let date = errors.collect({ try SettlementService.checkDate(day, field: "period") }),
               let start = try await Self.startOfDay(date, on: req.db) {
                (filter.from, filter.to) = (start, start.addingTimeInterval(86_400))
            }
        }
        let page = errors.collect { try PageRequest(from: req) }
        try errors.throwIfAny()
        return try await SettlementQueries.statements(reach: reach, filter: filter, page: page ?? PageRequest(), on: req.db)
    }

    /// Midnight of a YYYY-MM-DD day in the shop's time zone.
    static func startOfDay(_ day: String, on db: any Database) async throws -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try await SettingsService.resolved(on: db).timeZone
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    func statement(req: Request) async throws -> SettlementStatementDetail {
        let (_, reach) = try req.reach(.settlementView)
        let id = try req.pathId("statementId", notFound: "No such statement.")
        return try await SettlementQueries.detail(try await SettlementService.statement(id, reach: reach, on: req.db), on: req.db)
    }

    func confirm(req: Request) async throws -> SettlementStatementView {
        let (_, reach) = try req.reach(.settlementConfirm)
        let id = try req.pathId("statementId", notFound: "No such statement.")
        let statement = try await SettlementService(app: req.application, db: req.db).confirm(statementId: id, reach: reach, audit: req.audit)
        return try await SettlementQueries.views([statement], on: req.db)[0]
    }

    func exportCSV(req: Request) async throws -> Response {
        let (detail, _) = try await export(req)
        let rows = SettlementExport.rows(detail, text: req.serverText)
        let response = Response(status: .ok, body: .init(string: "\u{FEFF}" + CSV.write(rows.map { $0.map(SettlementExport.text) })))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(SettlementExport.fileName(detail)).csv\"")
        return response
    }

    func exportXLSX(req: Request) async throws -> Response {
        let (detail, timeZone) = try await export(req)
        var sheet = SpreadsheetWriter(sheetName: req.serverText(SettlementExport.sheetName), timeZone: timeZone)
        for row in SettlementExport.rows(detail, text: req.serverText) { sheet.append(row) }
        let response = Response(status: .ok, body: .init(data: Data(sheet.data())))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(SettlementExport.fileName(detail)).xlsx\"")
        return response
    }

    private func export(_ req: Request) async throws -> (SettlementStatementDetail, TimeZone) {
        let (_, reach) = try req.reach(.settlementView)
        let id = try req.pathId("statementId", notFound: "No such statement.")
        let detail = try await SettlementQueries.detail(try await SettlementService.statement(id, reach: reach, on: req.db), on: req.db)
        return (detail, try await SettingsService.resolved(on: req.db).timeZone)
    }

    func balances(req: Request) async throws -> [SettlementBalance] {
        let (_, reach) = try req.reach(.settlementView)
        return try await SettlementQueries.balances(reach: reach, on: req.db)
    }

    func pendingEntries(req: Request) async throws -> [SettlementEntryView] {
        let id = try req.pathId("merchantId", notFound: "No such merchant.")
        try req.authorize(.settlementView, on: .merchant(MerchantID(id)))
        guard try await MerchantModel.find(id, on: req.db) != nil else { throw MallError.notFound("No such merchant.") }
        return try await SettlementQueries.pending(merchantId: id, on: req.db)
    }

    func run(req: Request) async throws -> SettlementRunResult {
        try req.authorize(.settlementManage, on: .platform)
        return try await SettlementService(app: req.application, db: req.db).runRequested(audit: req.audit)
    }

    func issueNow(req: Request) async throws -> Response {
        try req.authorize(.settlementManage, on: .platform)
        let input = try req.content.decode(IssueStatementInput.self)
        let statement = try await SettlementService(app: req.application, db: req.db).issueNow(merchantId: input.merchantId, audit: req.audit)
        return try Response.json(try await SettlementQueries.views([statement], on: req.db)[0], status: .created)
    }

    func payouts(req: Request) async throws -> ListPage<PayoutView> {
        let (_, reach) = try req.reach(.settlementView)
        var errors = FieldErrorCollector()
        let merchantId = req.optionalQuery(UUID.self, "merchantId", into: &errors, message: "must be a merchant id")
        let page = errors.collect { try PageRequest(from: req) }
        try errors.throwIfAny()
        return try await SettlementQueries.payouts(reach: reach, merchantId: merchantId, page: page ?? PageRequest(), on: req.db)
    }

    func recordPayout(req: Request) async throws -> Response {
        try req.authorize(.settlementManage, on: .platform)
        let input = try req.content.decode(PayoutInput.self)
        let payout = try await SettlementService(app: req.application, db: req.db).recordPayout(input, audit: req.audit)
        let name = try await MerchantModel.find(payout.merchantId, on: req.db)?.name ?? ""
        return try Response.json(SettlementQueries.payoutView(payout, merchantName: name), status: .created)
    }
}

/// A statement as rows for CSV and XLSX: a header, one row per entry, the totals. Headers, entry
/// kinds and the status are written in the reader's language (`text` is `Request.serverText`,
/// whose Chinese is in `Resources/Locales/server/zh-CN.json`).
enum SettlementExport {
    static func fileName(_ detail: SettlementStatementDetail) -> String {
        "statement-\(detail.statement.id.uuidString.prefix(8).lowercased())"
    }

    static let header = ["Booked", "Kind", "Order", "Item", "Rate (bp)", "Paid by shopper", "Refunded", "Platform-funded discount",
                         "Commission", "Channel fee", "Delivery", "Merchant net"]

    static let sheetName = "Statement"

    /// An entry kind as a reader names it, as the console does (the API keeps the codes).
    static func kindLabel(_ kind: String) -> String {
        switch SettlementService.EntryKind(rawValue: kind) {
        case .line: "Goods"
        case .order: "Delivery and order fee"
        case .lineAdjustment: "Refund adjustment"
        case .orderAdjustment: "Order fee returned"
        case nil: kind
        }
    }

    static let totalLabel = "Statement total"
    static let broughtForwardLabel = "Brought forward from earlier statements"
    static let netLabel = "Net due"

    static func rows(_ detail: SettlementStatementDetail, text: (String) -> String = { $0 }) -> [[SpreadsheetWriter.Cell]] {
        func amounts(_ totals: SettlementTotals) -> [SpreadsheetWriter.Cell] {
            [.money(fen: totals.shopperPaidFen), .money(fen: totals.refundedFen), .money(fen: totals.platformDiscountFen), .money(fen: totals.commissionFen),
             .money(fen: totals.channelFeeFen), .money(fen: totals.shippingFen), .money(fen: totals.merchantNetFen)]
        }
        var rows: [[SpreadsheetWriter.Cell]] = [header.map { .text(text($0)) }]
        for entry in detail.entries {
            rows.append([.date(entry.bookedAt), .text(text(kindLabel(entry.kind))), .text(entry.orderNumber), .text(entry.title),
                         entry.commissionRateBasisPoints.map { .integer(Int64($0)) } ?? .text("")] + amounts(entry.totals))
        }
        let statement = detail.statement
        rows.append([.date(statement.periodStart), .text(text(totalLabel)), .text(statement.merchantName), .text(text(statement.status.rawValue)), .text("")]
                    + amounts(statement.totals))
        if statement.broughtForwardFen != 0 {
            // Earlier statements' nets carried into this one, then what it comes to.
            let blanks = Array(repeating: SpreadsheetWriter.Cell.text(""), count: 9)
            rows.append([.date(statement.periodStart), .text(text(broughtForwardLabel)), .text(""), .text("")] + blanks + [.money(fen: statement.broughtForwardFen)])
            rows.append([.date(statement.periodStart), .text(text(netLabel)), .text(""), .text("")] + blanks + [.money(fen: statement.netFen)])
        }
        return rows
    }

    /// The CSV form of a cell: amounts in yuan, dates in ISO 8601 (UTC).
    static func text(_ cell: SpreadsheetWriter.Cell) -> String {
        switch cell {
        case .text(let text): text
        case .integer(let value): String(value)
        case .money(let fen): YuanText.format(fen: fen)
        case .date(let date): ISO8601DateFormatter().string(from: date)
        }
    }
}
