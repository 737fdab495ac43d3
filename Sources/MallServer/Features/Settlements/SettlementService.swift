import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Settlement with merchants: the job that books final order lines (and late refunds) as
/// entries, issues statements per merchant and period, confirms the ones left alone; the
/// merchant's confirmation; the platform's payouts; fee rules.
struct SettlementService {
    let app: Application
    let db: any Database

    static let runJob = "settlement.run"
    static let auditTarget = "settlement_statement"

    enum EntryKind: String {
        case line
        case order
        case lineAdjustment = "line_adjustment"
        case orderAdjustment = "order_adjustment"
    }

    enum Failure: ProblemConvertible, Equatable {
        case noStatement
        case alreadyConfirmed
        case notConfirmedYet
        case alreadyPaid
        case carriedForward
        case changed
        case noMerchant
        case selfOperated
        case nothingBooked

        var status: HTTPResponseStatus { self == .noStatement || self == .noMerchant ? .notFound : .conflict }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .noStatement: "No such statement."
            case .alreadyConfirmed: "This statement was confirmed already."
            case .notConfirmedYet: "The merchant has not confirmed this statement yet."
            case .alreadyPaid: "This statement was paid already."
            case .carriedForward: "This statement's net was zero or less and was carried into the merchant's next statement; there is nothing to pay."
            case .changed: "This statement changed meanwhile; reload it and try again."
            case .noMerchant: "No such merchant."
            case .selfOperated: "The self-operated merchant is not settled: the platform does not pay itself."
            case .nothingBooked: "Nothing is booked for this merchant yet: an order counts once its after-sales window has passed."
            }
        }

        static func from(_ status: StatementStatus) -> Failure {
            switch status {
            case .draft: .notConfirmedYet
            case .confirmed: .alreadyConfirmed
            case .paid: .alreadyPaid
            case .carriedForward: .carriedForward
            }
        }
    }

    // MARK: the run

    /// Books what became final, issues what is due, confirms what waited long enough. Safe to
    /// run on several instances at once: every entry and statement is claimed by a unique key.
    func run(now: Date) async throws -> SettlementRunResult {
        let booked = try await settle(now: now)
        let issued = try await issueStatements(now: now)
        let confirmed = try await autoConfirm(now: now)
        return SettlementRunResult(entriesBooked: booked, statementsIssued: issued, statementsAutoConfirmed: confirmed)
    }

    /// A run a staff member asked for (demos, tests, a late correction), audited.
    func runRequested(audit: AuditRecorder) async throws -> SettlementRunResult {
        let result = try await run(now: audit.now)
        try await audit.record(on: db, action: "settlement.run", owner: .platform, targetType: "settlement_run", targetId: audit.requestId, after: result)
        return result
    }

    /// Completed orders past the after-sales window get their entries; settled lines refunded
    /// since get adjustments.
    func settle(now: Date) async throws -> Int {
        let settings = try await SettingsService.resolved(on: db)
        let windowDays = settings.integer(.afterSalesWindowDays)
        let waiting = try await db.sql.raw("""
            SELECT o.id FROM orders o
            WHERE o.status = \(bind: OrderStatus.completed.rawValue)
              AND NOT EXISTS (SELECT 1 FROM settlement_entries e WHERE e.order_id = o.id AND e.kind = \(bind: EntryKind.order.rawValue))
            ORDER BY o.id
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        var booked = 0
        for orderId in waiting {
            guard let order = try await OrderModel.find(orderId, on: db) else { continue }
            let lifecycle = try order.lifecycle
            let handedOver = lifecycle.timeline.last { $0.to == .delivered || $0.to == .pickedUp }?.at
            let completed = lifecycle.timeline.last { $0.to == .completed }?.at
            guard SettlementRules.isFinal(status: lifecycle.status, handedOverAt: handedOver, completedAt: completed, windowDays: windowDays, now: now) else { continue }
            booked += try await db.writeTransaction { tx in
                try await SettlementFees(db: tx).freezeIfMissing(order, now: now)
                return try await Self.book(order, now: now, on: tx)
            }
        }
        booked += try await adjustRefunds(now: now)
        return booked
    }

    /// An order's entries: one per line (net of what was refunded so far) and one for its own part.
    private static func book(_ order: OrderModel, now: Date, on db: any Database) async throws -> Int {
        guard let fees = try await OrderFeesModel.query(on: db).filter(\.$orderId == order.id!).first(),
              let bearer = ChannelFeeBearer(rawValue: fees.bearer) else { return 0 }
        let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all()
        let lineFees = Dictionary(try await OrderLineFeesModel.query(on: db).filter(\.$orderId == order.id!).all().map { ($0.orderLineId, $0) },
                                  uniquingKeysWith: { first, _ in first })
        let refunded = try await refundedByLine(orderIds: [order.id!], on: db)
        var booked = 0
        var everyLineRefunded = true
        for line in lines {
            guard let settlement = settlementLine(line, lineFees[line.id!]) else { continue }
            let refund = refunded[line.id!] ?? 0
            if refund < settlement.goodsPaidFen { everyLineRefunded = false }
            let amounts = try SettlementMaths.line(settlement, refundedFen: refund, bearer: bearer)
            booked += try await insert(key: "line:\(line.id!.uuidString)", kind: .line, order: order, lineId: line.id, basis: refund, amounts: amounts, now: now, on: db)
        }
        let part = SettlementOrderPart(shippingFen: order.shippingFen, shippingChannelFeeFen: fees.shippingChannelFeeFen, fixedFeeFen: fees.fixedFeeFen)
        let amounts = try SettlementMaths.order(part, everyLineRefunded: everyLineRefunded && !lines.isEmpty, bearer: bearer)
        booked += try await insert(key: "order:\(order.id!.uuidString)", kind: .order, order: order, lineId: nil, basis: everyLineRefunded ? 1 : 0,
                                   amounts: amounts, now: now, on: db)
        return booked
    }

    /// Refunds that came after a line was settled: the difference, booked now (so it lands in the
    /// statement open now). Keyed by where the line stood, so two runs book a change once.
    private func adjustRefunds(now: Date) async throws -> Int {
        let rows = try await db.sql.raw("""
            SELECT e.order_id, e.order_line_id, MAX(e.refunded_basis_fen) AS basis FROM settlement_entries e
            WHERE e.order_line_id IS NOT NULL AND e.order_id IN (
                SELECT c.order_id FROM after_sales_cases c WHERE c.status = \(bind: AfterSalesStatus.refunded.rawValue))
            GROUP BY e.order_id, e.order_line_id
            """).all()
        var settledBasis: [UUID: (order: UUID, fen: Int64)] = [:]
        for row in rows {
            settledBasis[try row.decode(column: "order_line_id", as: UUID.self)] = (try row.decode(column: "order_id", as: UUID.self), try row.decode(column: "basis", as: Int64.self))
        }
        let basis = settledBasis
        let refunded = try await Self.refundedByLine(orderIds: Array(Set(basis.values.map(\.order))), on: db)
        let changedOrders = Set(basis.filter { (refunded[$0.key] ?? 0) > $0.value.fen }.map(\.value.order))
        var booked = 0
        for orderId in changedOrders.sorted(by: { $0.uuidString < $1.uuidString }) {
            booked += try await db.writeTransaction { tx in
                guard let order = try await OrderModel.find(orderId, on: tx),
                      let fees = try await OrderFeesModel.query(on: tx).filter(\.$orderId == orderId).first(),
                      let bearer = ChannelFeeBearer(rawValue: fees.bearer) else { return 0 }
                let lines = try await OrderLineModel.query(on: tx).filter(\.$orderId == orderId).all()
                let lineFees = Dictionary(try await OrderLineFeesModel.query(on: tx).filter(\.$orderId == orderId).all().map { ($0.orderLineId, $0) },
                                          uniquingKeysWith: { first, _ in first })
                let refundedNow = try await Self.refundedByLine(orderIds: [orderId], on: tx)
                var count = 0
                var everyLineRefunded = true
                for line in lines {
                    guard let settlement = Self.settlementLine(line, lineFees[line.id!]) else { continue }
                    let after = min(refundedNow[line.id!] ?? 0, settlement.goodsPaidFen)
                    if after < settlement.goodsPaidFen { everyLineRefunded = false }
                    guard let before = basis[line.id!]?.fen, after > before else { continue }
                    let amounts = try SettlementMaths.lineAdjustment(settlement, refundedBefore: before, refundedAfter: after, bearer: bearer)
                    count += try await Self.insert(key: "line-adj:\(line.id!.uuidString):\(before)", kind: .lineAdjustment, order: order, lineId: line.id,
                                                   basis: after, amounts: amounts, now: now, on: tx)
                }
                if everyLineRefunded && !lines.isEmpty {
                    // The fixed fee falls away with the last line; booked once per order.
                    let part = SettlementOrderPart(shippingFen: order.shippingFen, shippingChannelFeeFen: fees.shippingChannelFeeFen, fixedFeeFen: fees.fixedFeeFen)
                    let settled = try await SettlementEntryModel.query(on: tx).filter(\.$orderId == orderId).filter(\.$kind == EntryKind.order.rawValue).first()
                    if settled?.refundedBasisFen == 0 {
                        let change = try SettlementMaths.order(part, everyLineRefunded: true, bearer: bearer).minus(SettlementMaths.order(part, everyLineRefunded: false, bearer: bearer))
                        count += try await Self.insert(key: "order-adj:\(orderId.uuidString)", kind: .orderAdjustment, order: order, lineId: nil, basis: 1,
                                                       amounts: change, now: now, on: tx)
                    }
                }
                return count
            }
        }
        return booked
    }

    private static func settlementLine(_ line: OrderLineModel, _ fees: OrderLineFeesModel?) -> SettlementLine? {
        guard let fees else { return nil }
        return SettlementLine(goodsPaidFen: line.payableFen, platformDiscountFen: fees.platformDiscountFen,
                              commissionRateBasisPoints: fees.commissionRateBasisPoints, channelFeeFen: fees.channelFeeFen)
    }

    /// What after-sales gave back per order line (cases whose refund went through).
    static func refundedByLine(orderIds: [UUID], on db: any Database) async throws -> [UUID: Int64] {
        guard !orderIds.isEmpty else { return [:] }
        let ids = orderIds.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
        let rows = try await db.sql.raw("""
            SELECT l.order_line_id, CAST(SUM(l.refund_fen) AS BIGINT) AS refunded FROM after_sales_lines l JOIN after_sales_cases c ON c.id = l.case_id
            WHERE c.status = \(bind: AfterSalesStatus.refunded.rawValue) AND c.order_id IN (\(ids))
            GROUP BY l.order_line_id
            """).all()
        return Dictionary(try rows.map { (try $0.decode(column: "order_line_id", as: UUID.self), try $0.decode(column: "refunded", as: Int64.self)) },
                          uniquingKeysWith: +)
    }

    /// Books one entry unless its key was booked already; 1 when this call booked it.
    private static func insert(key: String, kind: EntryKind, order: OrderModel, lineId: UUID?, basis: Int64, amounts: SettlementAmounts,
                               now: Date, on db: any Database) async throws -> Int {
        let rows = try await db.sql.raw("""
            INSERT INTO settlement_entries (id, entry_key, kind, merchant_id, order_id, order_line_id, refunded_basis_fen, shopper_paid_fen, refunded_fen,
                platform_discount_fen, commission_fen, channel_fee_fen, platform_channel_fee_fen, shipping_fen, merchant_net_fen, booked_at)
            VALUES (\(bind: UUID()), \(bind: key), \(bind: kind.rawValue), \(bind: order.merchantId), \(bind: order.id!), \(bind: lineId), \(bind: basis),
                \(bind: amounts.shopperPaidFen), \(bind: amounts.refundedFen), \(bind: amounts.platformDiscountFen), \(bind: amounts.commissionFen),
                \(bind: amounts.channelFeeFen), \(bind: amounts.platformChannelFeeFen), \(bind: amounts.shippingFen), \(bind: amounts.merchantNetFen), \(bind: now))
            ON CONFLICT (entry_key) DO NOTHING RETURNING id
            """).all()
        return rows.count
    }

    /// For every third-party merchant (the self-operated one's entries are for reports: the
    /// platform does not settle with itself), statements for each ended period (T+N days after its end) holding its
    /// entries not yet on a statement.
    func issueStatements(now: Date) async throws -> Int {
        let settings = try await SettingsService.resolved(on: db)
        let cycle: SettlementCycle = settings.boolean(.settlementMonthly) ? .monthly : .weekly
        let delay = settings.integer(.settlementDelayDays)
        var issued = 0
        // Each pass issues at least one statement or moves entries on; the bound only guards
        // against a mistake turning the hourly job into a spin.
        for _ in 0..<10_000 {
            let open = try await db.sql.raw("""
                SELECT merchant_id, MIN(booked_at) AS first FROM settlement_entries
                WHERE statement_id IS NULL AND merchant_id <> \(bind: SelfOperatedMerchant.id.rawValue) GROUP BY merchant_id ORDER BY merchant_id
                """).all()
            var progressed = false
            for row in open {
                let merchantId = try row.decode(column: "merchant_id", as: UUID.self)
                let first = try row.decode(column: "first", as: Date.self)
                let period = SettlementPeriod.containing(first, cycle: cycle, timeZone: settings.timeZone)
                guard period.isDue(at: now, delayDays: delay) else { continue }
                if try await issue(merchantId: merchantId, period: period, now: now) != nil { issued += 1 }
                progressed = true
            }
            if !progressed { return issued }
        }
        return issued
    }

    /// A statement before its period ends (提前结算: a merchant leaving the platform, or one HQ
    /// agreed to pay early): everything booked for the merchant so far, after booking what became
    /// final. Its period runs from the first open entry to now, so the regular statement of the
    /// period later takes only what is booked after it.
    func issueNow(merchantId: UUID, audit: AuditRecorder) async throws -> SettlementStatementModel {
        guard merchantId != SelfOperatedMerchant.id.rawValue else { throw Failure.selfOperated }
        guard try await MerchantModel.find(merchantId, on: db) != nil else { throw Failure.noMerchant }
        _ = try await settle(now: audit.now)
        let open = try await db.sql.raw("""
            SELECT MIN(booked_at) AS first FROM settlement_entries WHERE merchant_id = \(bind: merchantId) AND statement_id IS NULL
            """).first()
        guard let start = try open?.decode(column: "first", as: Date?.self) else { throw Failure.nothingBooked }
        // Entries booked by this very run carry `now`, and a period's end is exclusive.
        let period = SettlementPeriod(start: start, end: audit.now.addingTimeInterval(0.001))
        guard let id = try await issue(merchantId: merchantId, period: period, now: audit.now),
              let statement = try await SettlementStatementModel.find(id, on: db) else { throw Failure.changed }
        try await audit.record(on: db, action: "settlement.statement.issueNow", owner: statement.owner, targetType: Self.auditTarget,
                               targetId: id.uuidString, after: ["netFen": statement.netFen])
        return statement
    }

    /// One statement: claimed by (merchant, period start), then given every open entry booked
    /// before the period's end. Its id when this run claimed it, nil when another run issued it first.
    private func issue(merchantId: UUID, period: SettlementPeriod, now: Date) async throws -> UUID? {
        try await db.writeTransaction { tx in
            let statementId = UUID()
            let claimed = try await tx.sql.raw("""
                INSERT INTO settlement_statements (id, merchant_id, period_start, period_end, status, issued_at, totals, net_fen)
                VALUES (\(bind: statementId), \(bind: merchantId), \(bind: period.start), \(bind: period.end), \(bind: StatementStatus.draft.rawValue), \(bind: now), '{}', 0)
                ON CONFLICT (merchant_id, period_start) DO NOTHING RETURNING id
                """).all()
            let target: UUID
            if claimed.isEmpty {
                // Issued before (entries of a late run for a past period): they join it only while
                // it is a draft; otherwise they wait for the next period's statement.
                guard let existing = try await SettlementStatementModel.query(on: tx).filter(\.$merchantId == merchantId)
                        .filter(\.$periodStart == period.start).first(), existing.status == StatementStatus.draft.rawValue else {
                    try await tx.sql.raw("""
                        UPDATE settlement_entries SET booked_at = \(bind: period.end) WHERE merchant_id = \(bind: merchantId) AND statement_id IS NULL AND booked_at < \(bind: period.end)
                        """).run()
                    return nil
                }
                target = existing.id!
            } else {
                target = statementId
            }
            try await tx.sql.raw("""
                UPDATE settlement_entries SET statement_id = \(bind: target)
                WHERE merchant_id = \(bind: merchantId) AND statement_id IS NULL AND booked_at < \(bind: period.end)
                """).run()
            let entries = try await SettlementEntryModel.query(on: tx).filter(\.$statementId == target).all()
            let totals = try entries.reduce(SettlementAmounts.zero) { try $0.plus($1.amounts) }
            // Earlier statements carried forward and not yet taken by a later one come in here.
            let carried = try await tx.sql.raw("""
                UPDATE settlement_statements SET carried_into_id = \(bind: target)
                WHERE merchant_id = \(bind: merchantId) AND status = \(bind: StatementStatus.carriedForward.rawValue) AND carried_into_id IS NULL
                  AND period_start < \(bind: period.start)
                RETURNING net_fen
                """).all()
            var brought = try await SettlementStatementModel.find(target, on: tx)?.broughtForwardFen ?? 0
            for row in carried { brought = try Checked.add(brought, try row.decode(column: "net_fen", as: Int64.self), "brought forward") }
            try await SettlementStatementModel.query(on: tx).filter(\.$id == target)
                .set(\.$totalsJSON, to: try JSONText.encode(totals)).set(\.$broughtForwardFen, to: brought)
                .set(\.$netFen, to: try StatementCarry.net(entriesNetFen: totals.merchantNetFen, broughtForwardFen: brought)).update()
            return claimed.isEmpty ? nil : target
        }
    }

    /// Drafts left alone for `settlement.autoConfirmDays` are confirmed.
    func autoConfirm(now: Date) async throws -> Int {
        let settings = try await SettingsService.resolved(on: db)
        let days = settings.integer(.settlementAutoConfirmDays)
        let drafts = try await SettlementStatementModel.query(on: db).filter(\.$status == StatementStatus.draft.rawValue).all()
        var confirmed = 0
        for draft in drafts where SettlementRules.autoConfirms(issuedAt: draft.issuedAt, days: days, now: now) {
            do {
                if try await db.writeTransaction({ tx in try await confirmRow(draft, how: .automatic, by: nil, now: now, on: tx) }) { confirmed += 1 }
            } catch Failure.changed {
                continue
            }
        }
        return confirmed
    }

    /// `StatementLifecycle.confirm` as one conditional UPDATE on a draft whose net is still the
    /// one it was confirmed for; in the caller's transaction. A net of zero or less closes it as
    /// carried forward, into the merchant's later draft when there is one already (else the next
    /// statement issued takes it).
    private func confirmRow(_ statement: SettlementStatementModel, how: StatementConfirmation, by: String?, now: Date,
                            on db: any Database) async throws -> Bool {
        var lifecycle = StatementLifecycle(status: .draft)
        let closing = try lifecycle.confirm(how, netFen: statement.netFen)
        let rows = try await db.sql.raw("""
            UPDATE settlement_statements SET status = \(bind: lifecycle.status.rawValue), confirmed_at = \(bind: now), confirmation = \(bind: how.rawValue),
                confirmed_by = \(bind: by)
            WHERE id = \(bind: statement.id!) AND status = \(bind: StatementStatus.draft.rawValue) AND net_fen = \(bind: statement.netFen) RETURNING id
            """).all()
        guard !rows.isEmpty else { return false }
        if case .carriedForward(let net) = closing,
           let later = try await SettlementStatementModel.query(on: db).filter(\.$merchantId == statement.merchantId)
               .filter(\.$status == StatementStatus.draft.rawValue).filter(\.$periodStart > statement.periodStart).sort(\.$periodStart, .descending).first() {
            let taken = try await db.sql.raw("""
                UPDATE settlement_statements SET carried_into_id = \(bind: later.id!) WHERE id = \(bind: statement.id!) AND carried_into_id IS NULL RETURNING id
                """).all()
            guard !taken.isEmpty else { return true }
            let moved = try await db.sql.raw("""
                UPDATE settlement_statements SET brought_forward_fen = brought_forward_fen + \(bind: net), net_fen = net_fen + \(bind: net)
                WHERE id = \(bind: later.id!) AND status = \(bind: StatementStatus.draft.rawValue) RETURNING id
                """).all()
            // The later draft was confirmed meanwhile: undo all of it; the next run tries again.
            guard !moved.isEmpty else { throw Failure.changed }
        }
        return true
    }

    // MARK: staff actions

    static func statement(_ id: UUID, reach: AccessReach, on db: any Database) async throws -> SettlementStatementModel {
        guard let statement = try await SettlementStatementModel.find(id, on: db), reach.includes(statement.owner) else { throw Failure.noStatement }
        return statement
    }

    /// The merchant agrees to its statement.
    func confirm(statementId: UUID, reach: AccessReach, audit: AuditRecorder) async throws -> SettlementStatementModel {
        try await db.writeTransaction { tx in
            let statement = try await Self.statement(statementId, reach: reach, on: tx)
            var lifecycle = try statement.lifecycle
            do { try lifecycle.confirm(.merchant, netFen: statement.netFen) } catch is IllegalTransition { throw Failure.from(lifecycle.status) }
            guard try await confirmRow(statement, how: .merchant, by: audit.actorName, now: audit.now, on: tx) else { throw Failure.changed }
            try await audit.record(on: tx, action: "settlement.statement.confirm", owner: statement.owner, targetType: Self.auditTarget,
                                   targetId: statementId.uuidString, before: ["status": statement.status], after: ["status": lifecycle.status.rawValue])
            return try await Self.statement(statementId, reach: reach, on: tx)
        }
    }

    /// The platform paid a confirmed statement: the payout is recorded and the statement paid,
    /// once (the payout's unique statement and a conditional UPDATE on `confirmed`).
    func recordPayout(_ input: PayoutInput, audit: AuditRecorder) async throws -> PayoutModel {
        var errors = FieldErrorCollector()
        errors.range(input.amountFen, InputLimits.priceFen, "amountFen", unit: "fen")
        let reference = errors.collect { try TextRule.check(input.bankReference, field: "bankReference", min: 1, max: 60) }
        let paidOn = errors.collect { try Self.checkDate(input.paidOn, field: "paidOn") }
        let receipt = errors.collect { try input.receiptUrl.map { try TextRule.check($0, field: "receiptUrl", min: 1, max: 300) } } ?? nil
        if let receipt, !receipt.hasPrefix("/files/") { errors.add("receiptUrl", "must be a file uploaded through the media upload (/files/…)") }
        try errors.throwIfAny()
        return try await db.writeTransaction { tx in
            let statement = try await Self.statement(input.statementId, reach: .everything, on: tx)
            var lifecycle = try statement.lifecycle
            do { try lifecycle.pay(amountFen: input.amountFen, netFen: statement.netFen) } catch is IllegalTransition { throw Failure.from(lifecycle.status) }
            let rows = try await tx.sql.raw("""
                UPDATE settlement_statements SET status = \(bind: StatementStatus.paid.rawValue), paid_at = \(bind: audit.now)
                WHERE id = \(bind: statement.id!) AND status = \(bind: StatementStatus.confirmed.rawValue) RETURNING id
                """).all()
            guard !rows.isEmpty else { throw Failure.changed }
            let payout = PayoutModel()
            payout.statementId = statement.id!
            payout.merchantId = statement.merchantId
            payout.amountFen = input.amountFen
            payout.bankReference = reference ?? ""
            payout.paidOn = paidOn ?? ""
            payout.receiptURL = receipt
            payout.recordedBy = audit.actorName
            payout.createdAt = audit.now
            try await payout.create(on: tx)
            try await audit.record(on: tx, action: "settlement.payout.record", owner: statement.owner, targetType: Self.auditTarget,
                                   targetId: statement.id!.uuidString, before: ["status": statement.status],
                                   after: ["status": StatementStatus.paid.rawValue, "bankReference": payout.bankReference, "amountFen": String(input.amountFen)])
            return payout
        }
    }

    /// A calendar date as YYYY-MM-DD.
    static func checkDate(_ text: String, field: String) throws -> String {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (2000...2100).contains(year), (1...12).contains(month), (1...31).contains(day) else {
            throw ValidationFailure(field: field, message: "must be a date written YYYY-MM-DD")
        }
        return text
    }

    // MARK: fee rules

    /// A new rule, in force from its date on; never backdated, so it cannot reach a paid order.
    func addFeeRule(merchantId: UUID, _ input: FeeRuleInput, audit: AuditRecorder) async throws -> FeeRuleModel {
        var errors = FieldErrorCollector()
        FeeSchedule.check(rateBasisPoints: input.rateBasisPoints, fixedFeeFen: input.fixedFeeFen ?? 0, into: &errors)
        let from = input.effectiveFrom ?? audit.now
        errors.require(from >= audit.now.addingTimeInterval(-60), "effectiveFrom", "must not be in the past: a rule never reaches orders already paid")
        try errors.throwIfAny()
        return try await db.writeTransaction { tx in
            guard let merchant = try await MerchantModel.find(merchantId, on: tx) else { throw MallError.notFound("No such merchant.") }
            if let category = input.categoryId, try await CategoryModel.find(category, on: tx) == nil {
                throw ValidationFailure(field: "categoryId", message: "is not a category")
            }
            let rule = FeeRuleModel()
            rule.merchantId = merchantId
            rule.categoryId = input.categoryId
            rule.rateBasisPoints = input.rateBasisPoints
            rule.fixedFeeFen = input.fixedFeeFen ?? 0
            rule.effectiveFrom = from
            rule.createdBy = audit.actorName
            rule.createdAt = audit.now
            try await rule.create(on: tx)
            try await audit.record(on: tx, action: "settlement.feeRule.create", owner: .merchant(merchant.merchantID), targetType: "fee_rule", targetId: rule.id!.uuidString,
                                   after: input)
            return rule
        }
    }
}
