import Fluent
import Foundation
import MallCore
import SQLKit
import Vapor

/// Raises an alert the moment available stock drops below its threshold and resolves it when
/// stock recovers. The partial unique index on open alerts makes "raise" idempotent, so the
/// inline check and the periodic scan can never open two alerts for one SKU at one store.
struct LowStockAlerts {
    let app: Application
    let db: any Database

    static let scanJob = "inventory.scanLowStock"

    func evaluate(sku: SKUModel, storeId: UUID, before: StockLevel, after: StockLevel, threshold: Int, now: Date) async throws {
        let wasLow = before.available < threshold
        switch LowStockRule.decide(available: after.available, threshold: threshold, alertOpen: wasLow) {
        case .raise:
            try await raise(skuId: sku.id!, storeId: storeId, merchantId: sku.merchantId, threshold: threshold, available: after.available, now: now)
        case .resolve:
            try await resolve([(sku.id!, storeId)], now: now)
        case .nothing:
            break
        }
    }

    func raise(skuId: UUID, storeId: UUID, merchantId: UUID, threshold: Int, available: Int, now: Date) async throws {
        let alertId = UUID()
        let inserted = try await db.sql.raw("""
            INSERT INTO low_stock_alerts (id, sku_id, store_id, merchant_id, threshold, available, status, created_at)
            VALUES (\(bind: alertId), \(bind: skuId), \(bind: storeId), \(bind: merchantId), \(bind: threshold), \(bind: available), 'open', \(bind: now))
            ON CONFLICT (sku_id, store_id) WHERE status = 'open' DO NOTHING
            RETURNING id
            """).all()
        guard !inserted.isEmpty else { return }
        // The words of the message in one read: a reservation at checkout can raise this.
        guard let words = try await db.sql.raw("""
            SELECT s.code, s.spec_title, p.title, st.name AS store_name, st.code AS store_code
            FROM skus s LEFT JOIN products p ON p.id = s.product_id JOIN stores st ON st.id = \(bind: storeId)
            WHERE s.id = \(bind: skuId)
            """).first() else { return }
        let specTitle = try words.decode(column: "spec_title", as: String.self)
        let name = [try words.decode(column: "title", as: String?.self), specTitle.isEmpty ? nil : specTitle].compactMap { $0 }.joined(separator: " ")
        let (storeName, storeCode, skuCode) = (try words.decode(column: "store_name", as: String.self),
                                               try words.decode(column: "store_code", as: String.self), try words.decode(column: "code", as: String.self))
        let title = "Low stock: \(name)"
        let body = "\(storeName) (\(storeCode)): \(name) (\(skuCode)) has \(available) left to sell, below the alert level of \(threshold). Please restock."
        try await NotificationOutbox(app: app, db: db).sendInApp(to: [.storeManagers, .headquarters], merchantId: merchantId, storeId: storeId,
                                                                 title: title, body: body,
                                                                 reference: .init(type: "low_stock_alert", id: alertId.uuidString), now: now)
    }

    func resolve(_ levels: [(skuId: UUID, storeId: UUID)], now: Date) async throws {
        guard !levels.isEmpty else { return }
        let rows = levels.map { level -> SQLQueryString in "(\(bind: level.skuId), \(bind: level.storeId))" }
        try await db.sql.raw("""
            WITH recovered(sku_id, store_id) AS (VALUES \(rows.joined(separator: ", ")))
            UPDATE low_stock_alerts SET status = 'resolved', resolved_at = \(bind: now)
            WHERE status = 'open'
              AND EXISTS (SELECT 1 FROM recovered r WHERE r.sku_id = low_stock_alerts.sku_id AND r.store_id = low_stock_alerts.store_id)
            """).run()
    }

    /// The periodic sweep: catches levels that were already low when an alert could not fire
    /// (a threshold raised, the default changed, stock first created below its threshold).
    func scan(now: Date) async throws {
        let settings = try await SettingsService.resolved(on: db)
        let defaultThreshold = settings.integer(.lowStockThreshold)
        let low = try await db.sql.raw("""
            SELECT l.sku_id, l.store_id, l.merchant_id, l.on_hand - l.reserved AS available,
                   COALESCE(l.low_stock_threshold, \(bind: defaultThreshold)) AS threshold
            FROM stock_levels l JOIN skus s ON s.id = l.sku_id
            WHERE s.enabled = \(bind: true)
              AND l.on_hand - l.reserved < COALESCE(l.low_stock_threshold, \(bind: defaultThreshold))
              AND NOT EXISTS (SELECT 1 FROM low_stock_alerts a WHERE a.sku_id = l.sku_id AND a.store_id = l.store_id AND a.status = 'open')
            """).all()
        for row in low {
            try await db.writeTransaction { tx in
                try await LowStockAlerts(app: app, db: tx).raise(
                    skuId: try row.decode(column: "sku_id", as: UUID.self), storeId: try row.decode(column: "store_id", as: UUID.self),
                    merchantId: try row.decode(column: "merchant_id", as: UUID.self), threshold: try row.decode(column: "threshold", as: Int.self),
                    available: try row.decode(column: "available", as: Int.self), now: now)
            }
        }
        try await db.sql.raw("""
            UPDATE low_stock_alerts SET status = 'resolved', resolved_at = \(bind: now)
            WHERE status = 'open' AND EXISTS (
                SELECT 1 FROM stock_levels l WHERE l.sku_id = low_stock_alerts.sku_id AND l.store_id = low_stock_alerts.store_id
                  AND l.on_hand - l.reserved >= COALESCE(l.low_stock_threshold, \(bind: defaultThreshold)))
            """).run()
    }
}
