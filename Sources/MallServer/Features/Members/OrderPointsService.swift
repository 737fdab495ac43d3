import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Points and orders, always inside the caller's transaction: points spent at checkout (with
/// each line's share, so they can come back line by line), given back when an order is cancelled
/// or expires or its goods are refunded, earned when an order completes (at the level's
/// multiplier, on the goods paid less refunds) and clawed back when goods are refunded after
/// that. Every ledger entry carries an idempotency key, so a retried effect counts once.
struct OrderPointsService {
    let app: Application
    let db: any Database

    /// One order line's share of the checkout's points deduction.
    struct LineDeduction: Sendable {
        let orderId: UUID
        let orderLineId: UUID
        let deductionFen: Int64
    }

    // MARK: Checkout

    /// Takes the points a checkout uses (throws `PointsError.insufficient` when another spend got
    /// there first, which rolls the checkout back) and records each line's share of them.
    func spendAtCheckout(_ points: Int64, memberId: UUID, checkoutId: UUID, lines: [LineDeduction], now: Date) async throws {
        guard points > 0 else { return }
        let context = PointsService.Context(reference: ("checkout", checkoutId.uuidString), note: "checkout",
                                            idempotencyKey: "checkout-spend:\(checkoutId.uuidString)", now: now)
        guard let spent = try await PointsService(db: db).spendTakingLots(points, memberId: memberId, kind: .checkoutSpent, context: context) else {
            return
        }
        // Points coming back later expire when the latest of these lots would have: a checkout
        // and a cancellation never extend points' life.
        let expiry: Date? = spent.lotExpiries.contains { $0 == nil } ? nil : spent.lotExpiries.compactMap { $0 }.max()
        let shares = CheckoutPoints.split(points, overDeductionFen: lines.map(\.deductionFen))
        for (line, share) in zip(lines, shares) where line.deductionFen > 0 {
            let row = OrderLinePointsModel()
            row.id = UUID()
            row.orderId = line.orderId
            row.orderLineId = line.orderLineId
            row.memberId = memberId
            row.pointsSpent = share
            row.deductionFen = line.deductionFen
            row.pointsReturned = 0
            row.returnExpiresAt = expiry
            row.createdAt = now
            try await row.create(on: db)
        }
    }

    // MARK: Giving back

    /// The order was cancelled or expired: everything its lines still hold comes back.
    func returnForOrder(_ order: OrderModel, now: Date) async throws {
        let rows = try await OrderLinePointsModel.query(on: db).filter(\.$orderId == order.id!).all()
        var total: Int64 = 0
        for row in rows {
            let left = row.pointsSpent - row.pointsReturned
            guard left > 0, try await claimReturn(left, of: row) else { continue }
            total += left
        }
        try await credit(total, memberId: order.memberId, rows: rows, note: "order \(order.number) \(order.status)",
                         reference: ("order", order.id!.uuidString), key: "order-points-return:\(order.id!.uuidString)", now: now)
    }

    /// An after-sales refund went through (called in the refund's transaction, after the case
    /// recorded it): points spent on the refunded units come back, in proportion to the money
    /// refunded when staff approved less than asked; and if the order had already earned points,
    /// the share earned on the refunded goods is clawed back.
    func afterSalesRefunded(_ caseModel: AfterSalesCaseModel, refundFen: Int64, now: Date) async throws {
        guard let found = try await OrderModel.find(caseModel.orderId, on: db) else { return }
        // The order's lock orders this after its completion (or its completion after this), so
        // exactly one of the two sees the other and the refund is neither missed nor counted twice.
        guard let order = try await OrderLocks.lockOrders(checkoutId: found.checkoutId, on: db).first(where: { $0.id == found.id }) else { return }
        try await returnForRefund(caseModel, order: order, now: now)
        try await clawBack(caseModel, order: order, refundFen: refundFen, now: now)
    }

    private func returnForRefund(_ caseModel: AfterSalesCaseModel, order: OrderModel, now: Date) async throws {
        let caseLines = try await AfterSalesLineModel.query(on: db).filter(\.$caseId == caseModel.id!).all()
        let rows = Dictionary(try await OrderLinePointsModel.query(on: db).filter(\.$orderLineId ~~ caseLines.map(\.orderLineId)).all()
            .map { ($0.orderLineId, $0) }, uniquingKeysWith: { a, _ in a })
        guard !rows.isEmpty else { return }
        let quantities = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all()
            .map { ($0.id!, $0.quantity) })
        // Units of each line refunded by the order's other cases that went through before this one.
        let earlierCases = try await AfterSalesCaseModel.query(on: db).filter(\.$orderId == order.id!)
            .filter(\.$status == AfterSalesStatus.refunded.rawValue).filter(\.$id != caseModel.id!).all()
        var earlierUnits: [UUID: Int] = [:]
        if !earlierCases.isEmpty {
            for line in try await AfterSalesLineModel.query(on: db).filter(\.$caseId ~~ earlierCases.map { $0.id! }).all() {
                earlierUnits[line.orderLineId, default: 0] += line.quantity
            }
        }
        var total: Int64 = 0
        var touched: [OrderLinePointsModel] = []
        for line in caseLines {
            guard let row = rows[line.orderLineId], let quantity = quantities[line.orderLineId] else { continue }
            let forUnits = CheckoutPoints.returned(pointsSpent: row.pointsSpent, lineQuantity: quantity,
                                                   earlierUnits: earlierUnits[line.orderLineId] ?? 0, units: line.quantity)
            let give = min(CheckoutPoints.proportion(forUnits, part: caseModel.refundedFen, whole: caseModel.requestedRefundFen),
                           row.pointsSpent - row.pointsReturned)
            guard give > 0, try await claimReturn(give, of: row) else { continue }
            total += give
            touched.append(row)
        }
        try await credit(total, memberId: order.memberId, rows: touched, note: "after-sales \(caseModel.number)",
                         reference: ("after_sales", caseModel.id!.uuidString), key: "aftersales-points:\(caseModel.id!.uuidString)", now: now)
    }

    /// Marks `points` of a line's share as given back, never beyond what it spent.
    private func claimReturn(_ points: Int64, of row: OrderLinePointsModel) async throws -> Bool {
        let claimed = try await db.sql.raw("""
            UPDATE order_line_points SET points_returned = points_returned + \(bind: points)
            WHERE id = \(bind: row.id!) AND points_returned + \(bind: points) <= points_spent RETURNING id
            """).all()
        return !claimed.isEmpty
    }

    private func credit(_ points: Int64, memberId: UUID, rows: [OrderLinePointsModel], note: String, reference: (String, String), key: String,
                        now: Date) async throws {
        guard points > 0 else { return }
        let expiries = rows.map(\.returnExpiresAt)
        let expiry: Date? = expiries.contains { $0 == nil } ? nil : expiries.compactMap { $0 }.max()
        _ = try await PointsService(db: db).credit(points, memberId: memberId, kind: .checkoutReturned, expiresAt: expiry,
                                               context: .init(reference: reference, note: note, idempotencyKey: key, now: now))
    }

    // MARK: Earning

    /// The order completed (`.settle`): it earns points on the goods paid less what was refunded
    /// so far, at the member's level multiplier; the member is told, and their level evaluated.
    /// A second call for the same order changes nothing.
    func orderCompleted(_ order: OrderModel, now: Date) async throws {
        let settings = try await SettingsService.resolved(on: db)
        let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all()
        let goods = try lines.reduce(Money.zero()) { try $0.adding(Money(minorUnits: $1.payableFen), "paid goods") }.minorUnits
        let refunded = try await AfterSalesCaseModel.query(on: db).filter(\.$orderId == order.id!).all()
            .reduce(Money.zero()) { try $0.adding(Money(minorUnits: $1.refundedFen), "refunded goods") }.minorUnits
        let paid = max(0, goods - refunded)
        let (level, rights) = try await MembershipService.rights(memberId: order.memberId, on: db)
        let points = PointsEarning.forOrder(paidGoodsFen: paid, pointsPerYuan: settings.integer(.pointsEarnPerYuan),
                                            multiplierBasisPoints: rights.pointsMultiplierBasisPoints)
        let inserted = try await db.sql.raw("""
            INSERT INTO order_rewards (id, order_id, member_id, completed_at, paid_goods_fen, refunded_goods_fen, points_earned, multiplier_bp, points_clawed_back)
            VALUES (\(bind: UUID()), \(bind: order.id!), \(bind: order.memberId), \(bind: now), \(bind: paid), 0, \(bind: points),
                    \(bind: rights.pointsMultiplierBasisPoints), 0)
            ON CONFLICT (order_id) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else { return }
        let multiplier = rights.pointsMultiplierBasisPoints == 10_000 ? "" : " ×\(Self.multiplierText(rights.pointsMultiplierBasisPoints))"
        let note = "order \(order.number)" + (level.map { ", level \($0.name)\(multiplier)" } ?? "")
        if try await PointsService(db: db).earn(points, memberId: order.memberId, kind: .orderEarned,
                                                context: .init(reference: ("order", order.id!.uuidString), note: note,
                                                               idempotencyKey: Self.earnKey(order.id!), now: now),
                                                settings: settings) != nil {
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: order.memberId, merchantId: order.merchantId, storeId: order.storeId,
                title: "Points earned: +\(points)", body: "Completed order \(order.number) earned \(points) points.",
                reference: .init(type: "order", id: order.id!.uuidString), now: now)
        }
        try await MembershipService(app: app, db: db).evaluate(memberId: order.memberId, note: "order \(order.number) completed", now: now)
    }

    private func clawBack(_ caseModel: AfterSalesCaseModel, order: OrderModel, refundFen: Int64, now: Date) async throws {
        guard refundFen > 0, let reward = try await OrderRewardModel.query(on: db).filter(\.$orderId == order.id!).first() else { return }
        // Refunds never exceed what was paid; the cap keeps a stray amount from claiming more.
        reward.refundedGoodsFen = min(reward.paidGoodsFen, try Money(minorUnits: reward.refundedGoodsFen).adding(Money(minorUnits: refundFen), "refunded goods").minorUnits)
        let due = PointsEarning.clawback(earned: reward.pointsEarned, paidGoodsFen: reward.paidGoodsFen, refundedGoodsFen: reward.refundedGoodsFen)
        let more = due - reward.pointsClawedBack
        reward.pointsClawedBack = max(reward.pointsClawedBack, due)
        try await reward.update(on: db)
        guard more > 0 else { return }
        try await PointsService(db: db).clawBack(more, earnedKey: Self.earnKey(order.id!), memberId: order.memberId,
                                                 context: .init(reference: ("after_sales", caseModel.id!.uuidString),
                                                                note: "after-sales \(caseModel.number), order \(order.number)",
                                                                idempotencyKey: "aftersales-clawback:\(caseModel.id!.uuidString)", now: now))
    }

    static func earnKey(_ orderId: UUID) -> String { "order-earn:\(orderId.uuidString)" }

    /// 15000 → "1.5", 20000 → "2", 12500 → "1.25".
    static func multiplierText(_ basisPoints: Int) -> String {
        let whole = basisPoints / 10_000, rest = basisPoints % 10_000
        guard rest > 0 else { return "\(whole)" }
        var digits = String(rest + 10_000).dropFirst()
        while digits.hasSuffix("0") { digits = digits.dropLast() }
        return "\(whole).\(digits)"
    }
}
