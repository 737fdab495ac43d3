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
        let levels = try await StockSnapshot.available(skus: skuIds, stores: storeIds, on: db)
        let delisted = try await StockSnapshot.delistings(products: Array(productIds.values), on: db)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let midnight = calendar.startOfDay(for: now)
        // Counted by the database: the day's orders grow with the day, and reading them row by
        // row made every checkout slower than the one before (docs/benchmarks.md).
        let load = Dictionary(uniqueKeysWithValues: try await db.sql.select().column("store_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "placed")
            .from(OrderModel.schema).where("store_id", .in, storeIds).where("created_at", .greaterThanOrEqual, midnight)
            .where("status", .notIn, [OrderStatus.cancelled.rawValue, OrderStatus.expired.rawValue]).groupBy("store_id").all()
            .map { (try $0.decode(column: "store_id", as: UUID.self), try $0.decode(column: "placed", as: Int.self)) })
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
}
