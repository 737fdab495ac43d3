import Fluent
import Foundation
import MallCore
import SQLKit
import Vapor

/// Keeps the daily sales aggregates: a job folds in every order paid and every refund
/// completed since its last run (`SalesFold` decides what each adds), once each — a row in
/// `sales_folds` per source, written in the same transaction as the additions. Folding lags
/// payments by the job's interval; the hot write paths stay as they are.
struct SalesLedger {
    let app: Application
    let db: any Database

    static let foldJob = "reports.fold"
    /// Each run looks this far behind its cursor again, for transactions that committed late.
    static let lookBehind: TimeInterval = 600
    /// Payments younger than this wait for the next run, so a member's earlier order (paid a
    /// moment before, committing a moment after) is seen when deciding new against returning.
    static let settle: TimeInterval = 5
    static let batch = 500

    struct Folded: Content, Equatable {
        var orders = 0
        var refunds = 0
    }

    private static let salesRefundCauses = [RefundCause.cancelled, .groupFailed].map(\.rawValue)

    func fold(now: Date) async throws -> Folded {
        let timeZone = try await SettingsService.resolved(on: db).timeZone
        var folded = Folded()
        while true {
            let orders = try await foldOrders(now: now, timeZone: timeZone)
            folded.orders += orders
            if orders < Self.batch { break }
        }
        while true {
            let refunds = try await foldRefunds(now: now, timeZone: timeZone)
            folded.refunds += refunds
            if refunds < Self.batch { break }
        }
        return folded
    }

    // MARK: Orders

    private func foldOrders(now: Date, timeZone: TimeZone) async throws -> Int {
        let from = try await cursor("order").addingTimeInterval(-Self.lookBehind)
        let rows = try await db.sql.raw("""
            \(unsafeRaw: Self.orderColumns) WHERE o.paid_at IS NOT NULL AND o.paid_at >= \(bind: from) AND o.paid_at <= \(bind: now.addingTimeInterval(-Self.settle))
              AND NOT EXISTS (SELECT 1 FROM sales_folds f WHERE f.source_kind = 'order' AND f.source_id = o.id)
            ORDER BY o.paid_at, o.id LIMIT \(unsafeRaw: String(Self.batch))
            """).all()
        guard !rows.isEmpty else { return 0 }
        let orders = try await Self.soldOrders(rows, on: db)
        try await db.writeTransaction { tx in
            var deltas = SalesDeltas()
            var latest: Date?
            for (id, order) in orders where try await Self.claim("order", id, now: now, on: tx) {
                try SalesFold.fold(order: order, into: &deltas, timeZone: timeZone)
                latest = max(latest ?? order.paidAt, order.paidAt)
            }
            try await Self.apply(deltas, on: tx)
            if let latest { try await Self.advance("order", to: latest, on: tx) }
        }
        return rows.count
    }

    /// A paid order's store, channel, time and whether its member had paid for an order before.
    private static let orderColumns = """
        SELECT o.id, o.store_id, o.merchant_id, o.member_id, o.fulfilment, o.paid_at,
               CASE WHEN EXISTS (SELECT 1 FROM orders p WHERE p.member_id = o.member_id AND p.paid_at IS NOT NULL AND p.paid_at < o.paid_at)
                    THEN 1 ELSE 0 END AS returning_customer
        FROM orders o
        """

    /// The orders of `rows` (selected with `orderColumns`) with their lines and cost prices,
    /// in the rows' order.
    static func soldOrders(_ rows: [any SQLRow], on db: any Database) async throws -> [(UUID, SoldOrder)] {
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        var lines: [UUID: [SoldOrder.Line]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            for row in try await db.sql.raw("""
                SELECT l.order_id, l.sku_id, l.quantity, l.payable_fen, s.cost_fen FROM order_lines l LEFT JOIN skus s ON s.id = l.sku_id
                WHERE l.order_id IN (\(binds: chunk)) ORDER BY l.order_id, l.id
                """).all() {
                lines[try row.decode(column: "order_id", as: UUID.self), default: []].append(SoldOrder.Line(
                    skuId: try row.decode(column: "sku_id", as: UUID.self), quantity: Int64(try row.decode(column: "quantity", as: Int.self)),
                    paidFen: try row.decode(column: "payable_fen", as: Int64.self), unitCostFen: try row.decode(column: "cost_fen", as: Int64?.self)))
            }
        }
        return try zip(ids, rows).map { id, row in
            let fulfilment = OrderFulfilmentKind(rawValue: try row.decode(column: "fulfilment", as: String.self)) ?? .delivery
            return (id, SoldOrder(storeId: try row.decode(column: "store_id", as: UUID.self), merchantId: try row.decode(column: "merchant_id", as: UUID.self),
                                  channel: fulfilment == .pickup ? .pickup : .delivery, paidAt: try row.decode(column: "paid_at", as: Date.self),
                                  returningCustomer: try row.decode(column: "returning_customer", as: Int.self) == 1, lines: lines[id] ?? [],
                                  memberId: try row.decode(column: "member_id", as: UUID?.self)))
        }
    }

    // MARK: Refunds

    private func foldRefunds(now: Date, timeZone: TimeZone) async throws -> Int {
        let from = try await cursor("refund").addingTimeInterval(-Self.lookBehind)
        let rows = try await db.sql.raw("""
            SELECT r.id AS refund_id, r.amount_fen, r.after_sales_id, r.completed_at, r.order_id FROM refunds r JOIN orders o ON o.id = r.order_id
            WHERE r.status = \(bind: RefundStatus.succeeded.rawValue) AND r.completed_at >= \(bind: from) AND r.completed_at <= \(bind: now)
              AND o.paid_at IS NOT NULL AND (r.after_sales_id IS NOT NULL OR r.cause IN (\(binds: Self.salesRefundCauses)))
              AND NOT EXISTS (SELECT 1 FROM sales_folds f WHERE f.source_kind = 'refund' AND f.source_id = r.id)
            ORDER BY r.completed_at, r.id LIMIT \(unsafeRaw: String(Self.batch))
            """).all()
        guard !rows.isEmpty else { return 0 }
        let refunds = try await Self.salesRefunds(rows, on: db)
        try await db.writeTransaction { tx in
            var deltas = SalesDeltas()
            var latest: Date?
            for refund in refunds where try await Self.claim("refund", refund.id, now: now, on: tx) {
                let first = try await Self.claim("refunded_order", refund.orderId, now: now, on: tx)
                try SalesFold.fold(refund: refund.refund(firstForOrder: first), into: &deltas, timeZone: timeZone)
                latest = max(latest ?? refund.completedAt, refund.completedAt)
            }
            try await Self.apply(deltas, on: tx)
            if let latest { try await Self.advance("refund", to: latest, on: tx) }
        }
        return rows.count
    }

    struct PendingRefund {
        let id: UUID
        let orderId: UUID
        let completedAt: Date
        let amountFen: Int64
        let order: SoldOrder
        /// nil: the whole order was refunded.
        let lines: [SalesRefund.Line]?

        func refund(firstForOrder: Bool) -> SalesRefund {
            lines.map { SalesRefund(order: order, amountFen: amountFen, lines: $0, firstForOrder: firstForOrder) }
                ?? .whole(order, amountFen: amountFen, firstForOrder: firstForOrder)
        }
    }

    /// Refund rows (with refund_id, amount_fen, after_sales_id, completed_at, order_id) with their
    /// orders and, for after-sales refunds, the case's lines.
    static func salesRefunds(_ rows: [any SQLRow], on db: any Database) async throws -> [PendingRefund] {
        let orderIds = Array(Set(try rows.map { try $0.decode(column: "order_id", as: UUID.self) }))
        var orders: [UUID: SoldOrder] = [:]
        for chunk in stride(from: 0, to: orderIds.count, by: 500).map({ Array(orderIds[$0..<min($0 + 500, orderIds.count)]) }) {
            let orderRows = try await db.sql.raw("\(unsafeRaw: orderColumns) WHERE o.id IN (\(binds: chunk))").all()
            for (id, order) in try await soldOrders(orderRows, on: db) { orders[id] = order }
        }
        let caseIds = try rows.compactMap { try $0.decode(column: "after_sales_id", as: UUID?.self) }
        var caseLines: [UUID: [SalesRefund.Line]] = [:]
        if !caseIds.isEmpty {
            for row in try await db.sql.raw("""
                SELECT case_id, sku_id, quantity, refund_fen FROM after_sales_lines WHERE case_id IN (\(binds: caseIds)) ORDER BY case_id, id
                """).all() {
                caseLines[try row.decode(column: "case_id", as: UUID.self), default: []].append(SalesRefund.Line(
                    skuId: try row.decode(column: "sku_id", as: UUID.self), quantity: Int64(try row.decode(column: "quantity", as: Int.self)),
                    amountFen: try row.decode(column: "refund_fen", as: Int64.self)))
            }
        }
        return try rows.compactMap { row in
            let orderId = try row.decode(column: "order_id", as: UUID.self)
            guard let order = orders[orderId] else { return nil }
            let caseId = try row.decode(column: "after_sales_id", as: UUID?.self)
            return PendingRefund(id: try row.decode(column: "refund_id", as: UUID.self), orderId: orderId,
                                 completedAt: try row.decode(column: "completed_at", as: Date.self), amountFen: try row.decode(column: "amount_fen", as: Int64.self),
                                 order: order, lines: caseId.map { caseLines[$0] ?? [] })
        }
    }

    // MARK: Check

    /// Recomputes the aggregates from every folded order and refund and lists each row that
    /// differs from the tables (empty when they agree): the check behind `reports-check`.
    func check() async throws -> [String] {
        let timeZone = try await SettingsService.resolved(on: db).timeZone
        var expected = SalesDeltas()
        let orderRows = try await db.sql.raw("""
            \(unsafeRaw: Self.orderColumns) WHERE EXISTS (SELECT 1 FROM sales_folds f WHERE f.source_kind = 'order' AND f.source_id = o.id)
            ORDER BY o.paid_at, o.id
            """).all()
        for (_, order) in try await Self.soldOrders(orderRows, on: db) { try SalesFold.fold(order: order, into: &expected, timeZone: timeZone) }
        let refundRows = try await db.sql.raw("""
            SELECT r.id AS refund_id, r.amount_fen, r.after_sales_id, r.completed_at, r.order_id FROM refunds r
            WHERE EXISTS (SELECT 1 FROM sales_folds f WHERE f.source_kind = 'refund' AND f.source_id = r.id)
            ORDER BY r.completed_at, r.id
            """).all()
        var refundedOrders = Set<UUID>()
        for refund in try await Self.salesRefunds(refundRows, on: db) {
            try SalesFold.fold(refund: refund.refund(firstForOrder: refundedOrders.insert(refund.orderId).inserted), into: &expected, timeZone: timeZone)
        }
        var differences: [String] = []
        var stored: [StoreDayKey: SalesFigures] = [:]
        for row in try await db.sql.raw("SELECT * FROM sales_store_daily").all() {
            stored[try Self.storeKey(row)] = try Self.figures(row)
        }
        for key in Set(stored.keys).union(expected.stores.keys).sorted() where (stored[key] ?? .zero) != (expected.stores[key] ?? .zero) {
            differences.append("store \(key.storeId) \(key.day) \(key.channel.rawValue): stored \(stored[key] ?? .zero), recomputed \(expected.stores[key] ?? .zero)")
        }
        var storedSKUs: [SKUDayKey: SalesFigures] = [:]
        for row in try await db.sql.raw("SELECT * FROM sales_sku_daily").all() {
            storedSKUs[SKUDayKey(store: try Self.storeKey(row), skuId: try row.decode(column: "sku_id", as: UUID.self))] = try Self.figures(row)
        }
        for key in Set(storedSKUs.keys).union(expected.skus.keys) where (storedSKUs[key] ?? .zero) != (expected.skus[key] ?? .zero) {
            differences.append("SKU \(key.skuId) at \(key.store.storeId) \(key.store.day) \(key.store.channel.rawValue): stored \(storedSKUs[key] ?? .zero), recomputed \(expected.skus[key] ?? .zero)")
        }
        var storedHours: [StoreHourKey: SalesHeatmap.Cell] = [:]
        for row in try await db.sql.raw("SELECT store_id, merchant_id, day, hour, orders, net_sales_fen FROM sales_store_hourly").all() {
            storedHours[StoreHourKey(storeId: try row.decode(column: "store_id", as: UUID.self), merchantId: try row.decode(column: "merchant_id", as: UUID.self),
                                     day: try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day"),
                                     hour: try row.decode(column: "hour", as: Int.self))] =
                SalesHeatmap.Cell(orders: try row.decode(column: "orders", as: Int64.self), netSalesFen: try row.decode(column: "net_sales_fen", as: Int64.self))
        }
        for key in Set(storedHours.keys).union(expected.hours.keys) where (storedHours[key] ?? .init()) != (expected.hours[key] ?? .init()) {
            differences.append("hour \(key.hour) of \(key.day) at \(key.storeId): stored \(storedHours[key] ?? .init()), recomputed \(expected.hours[key] ?? .init())")
        }
        var storedMembers: [MemberDayKey: MemberDayOrders] = [:]
        for row in try await db.sql.raw("SELECT store_id, merchant_id, member_id, day, orders, first_orders FROM sales_member_daily").all() {
            storedMembers[MemberDayKey(storeId: try row.decode(column: "store_id", as: UUID.self), merchantId: try row.decode(column: "merchant_id", as: UUID.self),
                                       memberId: try row.decode(column: "member_id", as: UUID.self),
                                       day: try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day"))] =
                MemberDayOrders(orders: try row.decode(column: "orders", as: Int64.self), firstOrders: try row.decode(column: "first_orders", as: Int64.self))
        }
        for key in Set(storedMembers.keys).union(expected.members.keys) where (storedMembers[key] ?? .init()) != (expected.members[key] ?? .init()) {
            differences.append("member \(key.memberId) at \(key.storeId) \(key.day): stored \(storedMembers[key] ?? .init()), recomputed \(expected.members[key] ?? .init())")
        }
        return differences.sorted()
    }

    private static func storeKey(_ row: any SQLRow) throws -> StoreDayKey {
        StoreDayKey(storeId: try row.decode(column: "store_id", as: UUID.self), merchantId: try row.decode(column: "merchant_id", as: UUID.self),
                    day: try CalendarDate(parsing: try row.decode(column: "day", as: String.self), field: "day"),
                    channel: SalesChannel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .delivery)
    }

    // MARK: Storage

    /// Records that a source is folded; false when it already was (by another run).
    private static func claim(_ kind: String, _ id: UUID, now: Date, on tx: any Database) async throws -> Bool {
        try await !tx.sql.raw("""
            INSERT INTO sales_folds (id, source_kind, source_id, folded_at) VALUES (\(bind: UUID()), \(bind: kind), \(bind: id), \(bind: now))
            ON CONFLICT (source_kind, source_id) DO NOTHING RETURNING id
            """).all().isEmpty
    }

    private func cursor(_ kind: String) async throws -> Date {
        try await db.sql.raw("SELECT position FROM sales_fold_cursors WHERE kind = \(bind: kind)").first()?
            .decode(column: "position", as: Date.self) ?? Date(timeIntervalSince1970: 0)
    }

    private static func advance(_ kind: String, to position: Date, on tx: any Database) async throws {
        try await tx.sql.raw("""
            INSERT INTO sales_fold_cursors (id, kind, position) VALUES (\(bind: UUID()), \(bind: kind), \(bind: position))
            ON CONFLICT (kind) DO UPDATE SET position = excluded.position WHERE sales_fold_cursors.position < excluded.position
            """).run()
    }

    static let figureColumns = ["orders", "units", "gross_fen", "refunded_fen", "refunded_units", "refunded_orders", "costed_gross_fen",
                                "costed_refunded_fen", "cost_fen", "refunded_cost_fen", "new_customer_orders", "returning_customer_orders"]

    static func values(_ figures: SalesFigures) -> [any Encodable & Sendable] {
        SalesFigures.counterPaths.map { figures[keyPath: $0] }
    }

    static func figures(_ row: any SQLRow) throws -> SalesFigures {
        var figures = SalesFigures()
        let paths = SalesFigures.counterPaths
        for (column, path) in zip(figureColumns, paths) { figures[keyPath: path] = try row.decode(column: column, as: Int64?.self) ?? 0 }
        return figures
    }

    private static func apply(_ deltas: SalesDeltas, on tx: any Database) async throws {
        let additions = figureColumns.map { "\($0) = {t}.\($0) + excluded.\($0)" }.joined(separator: ", ")
        let columns = figureColumns.joined(separator: ", ")
        for (key, figures) in deltas.stores.sorted(by: { $0.key < $1.key }) {
            try await tx.sql.raw("""
                INSERT INTO sales_store_daily (id, store_id, merchant_id, day, channel, \(unsafeRaw: columns))
                VALUES (\(bind: UUID()), \(bind: key.storeId), \(bind: key.merchantId), \(bind: key.day.description), \(bind: key.channel.rawValue),
                        \(binds: values(figures)))
                ON CONFLICT (store_id, day, channel) DO UPDATE SET \(unsafeRaw: additions.replacingOccurrences(of: "{t}", with: "sales_store_daily"))
                """).run()
        }
        for (key, figures) in deltas.skus.sorted(by: { ($0.key.store, $0.key.skuId.uuidString) < ($1.key.store, $1.key.skuId.uuidString) }) {
            try await tx.sql.raw("""
                INSERT INTO sales_sku_daily (id, store_id, merchant_id, day, channel, sku_id, \(unsafeRaw: columns))
                VALUES (\(bind: UUID()), \(bind: key.store.storeId), \(bind: key.store.merchantId), \(bind: key.store.day.description),
                        \(bind: key.store.channel.rawValue), \(bind: key.skuId), \(binds: values(figures)))
                ON CONFLICT (store_id, day, channel, sku_id) DO UPDATE SET \(unsafeRaw: additions.replacingOccurrences(of: "{t}", with: "sales_sku_daily"))
                """).run()
        }
        for (key, cell) in deltas.hours.sorted(by: { ($0.key.day, $0.key.storeId.uuidString, $0.key.hour) < ($1.key.day, $1.key.storeId.uuidString, $1.key.hour) }) {
            try await tx.sql.raw("""
                INSERT INTO sales_store_hourly (id, store_id, merchant_id, day, hour, orders, net_sales_fen)
                VALUES (\(bind: UUID()), \(bind: key.storeId), \(bind: key.merchantId), \(bind: key.day.description), \(bind: key.hour),
                        \(bind: cell.orders), \(bind: cell.netSalesFen))
                ON CONFLICT (store_id, day, hour) DO UPDATE SET orders = sales_store_hourly.orders + excluded.orders,
                    net_sales_fen = sales_store_hourly.net_sales_fen + excluded.net_sales_fen
                """).run()
        }
        for (key, counted) in deltas.members.sorted(by: { ($0.key.day, $0.key.storeId.uuidString, $0.key.memberId.uuidString) < ($1.key.day, $1.key.storeId.uuidString, $1.key.memberId.uuidString) }) {
            try await tx.sql.raw("""
                INSERT INTO sales_member_daily (id, store_id, merchant_id, member_id, day, orders, first_orders)
                VALUES (\(bind: UUID()), \(bind: key.storeId), \(bind: key.merchantId), \(bind: key.memberId), \(bind: key.day.description),
                        \(bind: counted.orders), \(bind: counted.firstOrders))
                ON CONFLICT (store_id, day, member_id) DO UPDATE SET orders = sales_member_daily.orders + excluded.orders,
                    first_orders = sales_member_daily.first_orders + excluded.first_orders
                """).run()
        }
    }
}
