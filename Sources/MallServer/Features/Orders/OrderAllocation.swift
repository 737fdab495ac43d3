import Fluent
import Foundation
import MallCore
import Vapor

/// Builds the snapshot `AllocationPlanner` decides on: the merchant's stores with their hours,
/// load today and available stock of the requested SKUs. Used at checkout and to reallocate.
enum OrderAllocation {
    static func plan(merchantId: UUID, lines: [AllocationLine], fulfilment: AllocationFulfilment, excluding: Set<StoreID> = [],
                     productIds: [UUID: UUID], on db: any Database, now: Date) async throws -> (AllocationDecision, [UUID: StoreModel]) {
        let settings = try await SettingsService.resolved(on: db)
        let (weekday, minute) = LocalTime.weekdayAndMinute(of: now, in: settings.timeZone)
        let stores = try await StoreModel.query(on: db).filter(\.$merchantId == merchantId).all()
        let skuIds = lines.map(\.skuId)
        let levels = try await StockLevelModel.query(on: db).filter(\.$skuId ~~ skuIds).filter(\.$storeId ~~ stores.compactMap(\.id)).all()
        let delisted = try await ProductStoreDelistingModel.query(on: db).filter(\.$productId ~~ Array(Set(productIds.values))).all()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let midnight = calendar.startOfDay(for: now)
        let todays = try await OrderModel.query(on: db).filter(\.$storeId ~~ stores.compactMap(\.id)).filter(\.$createdAt >= midnight)
            .filter(\.$status !~ [OrderStatus.cancelled.rawValue, OrderStatus.expired.rawValue]).all(\.$storeId)
        let load = todays.reduce(into: [UUID: Int]()) { $0[$1, default: 0] += 1 }
        let candidates = stores.map { store in
            var available: [UUID: Int] = [:]
            for level in levels where level.storeId == store.id {
                if delisted.contains(where: { $0.storeId == store.id && $0.productId == productIds[level.skuId] }) { continue }
                available[level.skuId] = max(0, level.onHand - level.reserved)
            }
            return StoreCandidate(id: StoreID(store.id!), name: store.name, kind: store.kind, status: store.status, location: store.location,
                                  deliveryRadiusKm: store.deliveryRadiusKm, hours: store.weeklyHours, pickupEnabled: store.pickupEnabled,
                                  ordersToday: load[store.id!] ?? 0, dailyCapacity: store.dailyOrderCapacity, available: available)
        }
        let decision = AllocationPlanner.plan(request: AllocationRequest(
            lines: lines, fulfilment: fulfilment, candidates: candidates, weekday: weekday, minute: minute,
            openingWindowMinutes: settings.integer(.allocationOpeningWindowMinutes), excluding: excluding))
        return (decision, Dictionary(uniqueKeysWithValues: stores.map { ($0.id!, $0) }))
    }
}
