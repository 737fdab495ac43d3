import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Read models of settlement: statements, their entries, balances, payouts and fee rules.
enum SettlementQueries {
    struct StatementFilter {
        var merchantId: UUID?
        var status: StatementStatus?
        /// Statements whose period overlaps `[from, to)`.
        var from: Date?
        var to: Date?
    }

    static func statements(reach: AccessReach, filter: StatementFilter, page: PageRequest, on db: any Database) async throws -> ListPage<SettlementStatementView> {
        var query = SettlementStatementModel.query(on: db).scoped(to: reach, storeField: nil)
        if let merchant = filter.merchantId { query = query.filter(\.$merchantId == merchant) }
        if let status = filter.status { query = query.filter(\.$status == status.rawValue) }
        if let from = filter.from { query = query.filter(\.$periodEnd > from) }
        if let to = filter.to { query = query.filter(\.$periodStart < to) }
        let total = try await query.copy().count()
        let models = try await query.sort(\.$periodStart, .descending).sort(\.$merchantId).range(page.offset..<(page.offset + page.per)).all()
        return ListPage(items: try await views(models, on: db), page: page.page, per: page.per, total: total)
    }

    static func views(_ statements: [SettlementStatementModel], on db: any Database) async throws -> [SettlementStatementView] {
        guard !statements.isEmpty else { return [] }
        let ids = statements.map { $0.id! }
        let names = try await merchantNames(Array(Set(statements.map(\.merchantId))), on: db)
        let payouts = Dictionary(try await PayoutModel.query(on: db).filter(\.$statementId ~~ ids).all().map { ($0.statementId, $0) }, uniquingKeysWith: { a, _ in a })
        var counts: [UUID: Int] = [:]
        for row in try await db.sql.select().column("statement_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("settlement_entries").where("statement_id", .in, ids).groupBy("statement_id").all() {
            counts[try row.decode(column: "statement_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        let settings = try await SettingsService.resolved(on: db)
        let days = settings.integer(.settlementAutoConfirmDays)
        return try statements.map { statement in
            SettlementStatementView(
                id: statement.id!, merchantId: statement.merchantId, merchantName: names[statement.merchantId] ?? "", periodStart: statement.periodStart,
                periodEnd: statement.periodEnd, firstDay: SettlementPeriod.day(statement.periodStart, timeZone: settings.timeZone),
                lastDay: SettlementPeriod.day(statement.periodEnd.addingTimeInterval(-1), timeZone: settings.timeZone), status: try statement.lifecycle.status, issuedAt: statement.issuedAt,
                autoConfirmsAt: statement.status == StatementStatus.draft.rawValue ? statement.issuedAt.addingTimeInterval(TimeInterval(days) * 86_400) : nil,
                confirmedAt: statement.confirmedAt, confirmation: statement.confirmation.flatMap(StatementConfirmation.init(rawValue:)),
                confirmedBy: statement.confirmedBy, paidAt: statement.paidAt, entryCount: counts[statement.id!] ?? 0,
                totals: SettlementTotals(try statement.totals), broughtForwardFen: statement.broughtForwardFen, netFen: statement.netFen,
                carriedIntoStatementId: statement.carriedIntoId, payout: payouts[statement.id!].map { payoutView($0, merchantName: names[$0.merchantId] ?? "") })
        }
    }

    static func detail(_ statement: SettlementStatementModel, on db: any Database) async throws -> SettlementStatementDetail {
        let entries = try await SettlementEntryModel.query(on: db).filter(\.$statementId == statement.id!).sort(\.$bookedAt).sort(\.$entryKey).all()
        return SettlementStatementDetail(statement: try await Self.views([statement], on: db)[0], entries: try await entryViews(entries, on: db))
    }

    /// What is booked for a merchant and waits for its next statement: the breakdown of the
    /// balance's "not on a statement yet".
    static func pending(merchantId: UUID, on db: any Database) async throws -> [SettlementEntryView] {
        let entries = try await SettlementEntryModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$statementId == nil)
            .sort(\.$bookedAt).sort(\.$entryKey).range(..<SettlementQueries.pendingLimit).all()
        return try await entryViews(entries, on: db)
    }

    /// A merchant settles weekly or monthly; more open entries than this means settlement is not running.
    static let pendingLimit = 5_000

    private static func entryViews(_ entries: [SettlementEntryModel], on db: any Database) async throws -> [SettlementEntryView] {
        guard !entries.isEmpty else { return [] }
        let orders = Dictionary(try await OrderModel.query(on: db).filter(\.$id ~~ Set(entries.map(\.orderId))).all().map { ($0.id!, $0.number) },
                                uniquingKeysWith: { a, _ in a })
        let lineIds = Set(entries.compactMap(\.orderLineId))
        let lines = Dictionary(try await OrderLineModel.query(on: db).filter(\.$id ~~ lineIds).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let rates = Dictionary(try await OrderLineFeesModel.query(on: db).filter(\.$orderLineId ~~ lineIds).all().map { ($0.orderLineId, $0.commissionRateBasisPoints) },
                               uniquingKeysWith: { a, _ in a })
        return entries.map { entry in
            let line = entry.orderLineId.flatMap { lines[$0] }
            let title = line.map { [$0.title, $0.specTitle].filter { !$0.isEmpty }.joined(separator: " ") } ?? ""
            return SettlementEntryView(id: entry.id!, kind: entry.kind, orderId: entry.orderId, orderNumber: orders[entry.orderId] ?? "",
                                       orderLineId: entry.orderLineId, title: title, commissionRateBasisPoints: entry.orderLineId.flatMap { rates[$0] },
                                       bookedAt: entry.bookedAt, totals: SettlementTotals(entry.amounts))
        }
    }

    static func payoutView(_ payout: PayoutModel, merchantName: String) -> PayoutView {
        PayoutView(id: payout.id!, statementId: payout.statementId, merchantId: payout.merchantId, merchantName: merchantName, amountFen: payout.amountFen,
                   bankReference: payout.bankReference, paidOn: payout.paidOn, receiptUrl: payout.receiptURL, recordedBy: payout.recordedBy, createdAt: payout.createdAt)
    }

    static func payouts(reach: AccessReach, merchantId: UUID?, page: PageRequest, on db: any Database) async throws -> ListPage<PayoutView> {
        var query = PayoutModel.query(on: db).scoped(to: reach, storeField: nil)
        if let merchantId { query = query.filter(\.$merchantId == merchantId) }
        let total = try await query.copy().count()
        let models = try await query.sort(\.$createdAt, .descending).range(page.offset..<(page.offset + page.per)).all()
        let names = try await merchantNames(Array(Set(models.map(\.merchantId))), on: db)
        return ListPage(items: models.map { payoutView($0, merchantName: names[$0.merchantId] ?? "") }, page: page.page, per: page.per, total: total)
    }

    /// Per third-party merchant within reach: paid orders not settled yet, entries not on a statement,
    /// statements not paid (a carried-forward one until a later statement took its net), and paid out.
    /// Four grouped statements for any number of merchants, one per column of the balances table.
    static func balances(reach: AccessReach, on db: any Database) async throws -> [SettlementBalance] {
        let merchants = try await MerchantModel.query(on: db).scoped(to: reach, merchantField: "id", storeField: nil)
            .filter(\.$kind == .thirdParty).sort(\.$code).all()
        let ids = merchants.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let awaiting = try await totals(db.sql.raw("""
            SELECT o.merchant_id AS merchant_id, CAST(SUM(o.payable_fen) AS BIGINT) AS total FROM orders o JOIN order_fees f ON f.order_id = o.id
            WHERE o.merchant_id IN (\(binds: ids)) AND o.status NOT IN (\(bind: OrderStatus.cancelled.rawValue), \(bind: OrderStatus.expired.rawValue))
              AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.order_id = o.id)
            GROUP BY o.merchant_id
            """))
        let pending = try await totals(db.sql.raw("""
            SELECT merchant_id, CAST(SUM(merchant_net_fen) AS BIGINT) AS total FROM settlement_entries
            WHERE merchant_id IN (\(binds: ids)) AND statement_id IS NULL GROUP BY merchant_id
            """))
        let unpaid = try await totals(db.sql.raw("""
            SELECT merchant_id, CAST(SUM(net_fen) AS BIGINT) AS total FROM settlement_statements
            WHERE merchant_id IN (\(binds: ids)) AND status <> \(bind: StatementStatus.paid.rawValue) AND carried_into_id IS NULL
            GROUP BY merchant_id
            """))
        let paid = try await totals(db.sql.raw("""
            SELECT merchant_id, CAST(SUM(amount_fen) AS BIGINT) AS total FROM payouts WHERE merchant_id IN (\(binds: ids)) GROUP BY merchant_id
            """))
        return merchants.compactMap { merchant in
            merchant.id.map { id in
                SettlementBalance(merchantId: id, merchantName: merchant.name, awaitingSettlementFen: awaiting[id] ?? 0, pendingStatementFen: pending[id] ?? 0,
                                  settledUnpaidFen: unpaid[id] ?? 0, paidFen: paid[id] ?? 0)
            }
        }
    }

    /// PostgreSQL's SUM of BIGINT is NUMERIC: the queries cast it back.
    private static func totals(_ query: SQLRawBuilder) async throws -> [UUID: Int64] {
        var totals: [UUID: Int64] = [:]
        for row in try await query.all() {
            totals[try row.decode(column: "merchant_id", as: UUID.self)] = try row.decode(column: "total", as: Int64?.self) ?? 0
        }
        return totals
    }

    static func feeRules(merchant: MerchantModel, now: Date, on db: any Database) async throws -> FeeRuleList {
        let rules = try await FeeRuleModel.query(on: db).filter(\.$merchantId == merchant.id!).sort(\.$effectiveFrom, .descending).sort(\.$createdAt, .descending).all()
        let categoryIds = Set(rules.compactMap(\.categoryId))
        let names = Dictionary(try await CategoryModel.query(on: db).filter(\.$id ~~ categoryIds).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        // The rule in force for each reach: the latest that has started.
        var inForce: [UUID?: UUID] = [:]
        for rule in rules where rule.effectiveFrom <= now && inForce[rule.categoryId] == nil { inForce[rule.categoryId] = rule.id! }
        return FeeRuleList(
            merchantId: merchant.id!, merchantName: merchant.name, selfOperated: merchant.kind == .selfOperated,
            defaultRateBasisPoints: merchant.commissionRateBasisPoints,
            rules: rules.map { rule in
                FeeRuleView(id: rule.id!, merchantId: rule.merchantId, categoryId: rule.categoryId, categoryName: rule.categoryId.flatMap { names[$0] },
                            rateBasisPoints: rule.rateBasisPoints, fixedFeeFen: rule.fixedFeeFen, effectiveFrom: rule.effectiveFrom,
                            inForce: inForce[rule.categoryId] == rule.id, createdBy: rule.createdBy, createdAt: rule.createdAt)
            })
    }

    private static func merchantNames(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        Dictionary(try await MerchantModel.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
    }
}
