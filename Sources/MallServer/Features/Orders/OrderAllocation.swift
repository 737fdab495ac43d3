import Fluent
import Foundation
import MallCore
import SQLKit
import Vapor

/// Builds the snapshot `AllocationPlanner` decides on: the merchant's stores with their hours,
/// load today and available stock of the requested SKUs. Used at checkout and to reallocate.
enum OrderAllocation {
    static func plan(merchantId: UUID, lines: [AllocationLine], fulfilment: AllocationFulfilment, excluding: Set<StoreID> = [],
                     productIds: [UUID: UUID], directory: StoreDirectory, on db: any Database,
                     now: Date, settings known: ResolvedSettings? = nil) async throws -> (AllocationDecision, [UUID: StoreDirectory.Entry]) {
        let settings = if let known { known } else { try await SettingsService.resolved(on: db) }
        let (weekday, minute) = LocalTime.weekdayAndMinute(of: now, in: settings.timeZone)
        let stores = try await directory.stores(of: merchantId, on: db)
        let storeIds = stores.map(\.id)
        let skuIds = lines.map(\.skuId)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let midnight = calendar.startOfDay(for: now)
        let (levels, delisted, load) = try await snapshot(skus: skuIds, stores: storeIds, products: Array(Set(productIds.values)), since: midnight, on: db)
        let candidates = stores.map { store in
            var available: [UUID: Int] = [:]
            for level in levels where level.storeId == store.id {
                if delisted.contains(where: { $0.storeId == store.id && $0.productId == productIds[level.skuId] }) { continue }
                available[level.skuId] = level.available
            }
            return StoreCandidate(id: StoreID(store.id), name: store.name, kind: store.kind, status: store.status, location: store.location,
                                  deliveryRadiusKm: store.deliveryRadiusKm, hours: store.weeklyHours, pickupEnabled: store.pickupEnabled,
                                  ordersToday: load[store.id] ?? 0, dailyCapacity: store.dailyOrderCapacity, available: available)
        }
        let decision = AllocationPlanner.plan(request: AllocationRequest(
            lines: lines, fulfilment: fulfilment, candidates: candidates, weekday: weekday, minute: minute,
            openingWindowMinutes: settings.integer(.allocationOpeningWindowMinutes), excluding: excluding))
        return (decision, Dictionary(uniqueKeysWithValues: stores.map { ($0.id, $0) }))
    }

    /// The stock of `skus` at `stores`, the stores' delistings of `products` and how many orders
    /// each store took since `since`, in one statement.
    private static func snapshot(skus: [UUID], stores: [UUID], products: [UUID], since: Date,
                                 on db: any Database) async throws -> ([StockSnapshot.Available], [StockSnapshot.Delisting], [UUID: Int]) {
        var parts = SQLUnionParts(slots: [("a", "UUID"), ("b", "UUID"), ("n1", "BIGINT"), ("n2", "BIGINT")])
        if !skus.isEmpty, !stores.isEmpty {
            parts.add("s", ["a": "sku_id", "b": "store_id", "n1": "on_hand", "n2": "reserved"],
                      from: "stock_levels WHERE sku_id IN (\(binds: skus)) AND store_id IN (\(binds: stores))")
        }
        if !products.isEmpty {
            parts.add("d", ["a": "product_id", "b": "store_id"], from: "product_store_delistings WHERE product_id IN (\(binds: products))")
        }
        // Counted by the database: the day's orders grow with the day, and reading them row by
        // row made every checkout slower than the one before (docs/benchmarks.md).
        if !stores.isEmpty {
            let over = [OrderStatus.cancelled.rawValue, OrderStatus.expired.rawValue]
            parts.add("c", ["a": "store_id", "n1": "COUNT(*)"], from: """
                orders WHERE store_id IN (\(binds: stores)) AND created_at >= \(bind: since) AND status NOT IN (\(binds: over)) GROUP BY store_id
                """)
        }
        var levels: [StockSnapshot.Available] = [], delisted: [StockSnapshot.Delisting] = [], load: [UUID: Int] = [:]
        for row in try await parts.rows(on: db) {
            guard let a = try row.decode(column: "a", as: UUID?.self) else { continue }
            let b = try row.decode(column: "b", as: UUID?.self)
            switch try row.decode(column: "part", as: String.self) {
            case "s":
                guard let b else { continue }
                let onHand = try row.decode(column: "n1", as: Int.self), reserved = try row.decode(column: "n2", as: Int.self)
                levels.append(StockSnapshot.Available(skuId: a, storeId: b, available: max(0, onHand - reserved)))
            case "d":
                guard let b else { continue }
                delisted.append(StockSnapshot.Delisting(productId: a, storeId: b))
            default:
                load[a] = try row.decode(column: "n1", as: Int.self)
            }
        }
        return (levels, delisted, load)
    }
}
