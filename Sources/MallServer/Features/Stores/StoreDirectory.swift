import Fluent
import Foundation
import MallCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Every store and warehouse, held in memory. Every product page, nearby list, in-stock search
/// and checkout allocation needs them, and decoding fifty store rows per request was the
/// largest single cost of a product page and a tenth of a checkout (docs/benchmarks.md). Stores change rarely: any write
/// through Fluent in this process empties the copy at once (`StoreDirectoryInvalidator`), and
/// a copy is never older than `maxAge`, so another instance's change shows within seconds.
final class StoreDirectory: Sendable {
    struct Entry: Sendable {
        let id: UUID
        let code: String
        let name: String
        let merchantId: UUID
        let kind: StoreKind
        let status: StoreStatus
        let city: String
        let district: String
        let address: String
        let location: GeoPoint
        let phone: String
        let weeklyHours: WeeklyHours
        let openingHours: [String: [String]]
        let pickupEnabled: Bool
        let deliveryRadiusKm: Double
        let dailyOrderCapacity: Int
    }

    static let maxAge = TimeAmount.seconds(5)
    /// The bus topic store writers publish on after they commit, so other instances drop their
    /// copy without waiting for `maxAge`.
    static let topic = "store"

    static func changed(_ storeId: UUID) -> CacheInvalidation {
        CacheInvalidation(topic: topic, ids: [storeId])
    }

    private struct Snapshot {
        var entries: [Entry]
        var loadedAt: NIODeadline
        var generation: Int
    }

    private let state = NIOLockedValueBox<(snapshot: Snapshot?, generation: Int)>((nil, 0))

    /// Open stores (not warehouses), ordered by code.
    func openStores(on db: any Database) async throws -> [Entry] {
        try await all(on: db).filter { $0.status == .open && $0.kind == .store }
    }

    /// All stores and warehouses of one merchant, whatever their state, ordered by code.
    func stores(of merchantId: UUID, on db: any Database) async throws -> [Entry] {
        try await all(on: db).filter { $0.merchantId == merchantId }
    }

    func store(_ id: UUID, on db: any Database) async throws -> Entry? {
        try await all(on: db).first { $0.id == id }
    }

    func names(of ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        Dictionary(uniqueKeysWithValues: try await all(on: db).filter { ids.contains($0.id) }.map { ($0.id, $0.name) })
    }

    /// Every store, by code.
    func every(on db: any Database) async throws -> [Entry] {
        try await all(on: db)
    }

    private func all(on db: any Database) async throws -> [Entry] {
        let (cached, generation) = state.withLockedValue { ($0.snapshot, $0.generation) }
        if let cached, cached.generation == generation, NIODeadline.now() - cached.loadedAt < Self.maxAge {
            return cached.entries
        }
        let rows = try await StoreModel.query(on: db).sort(\.$code).all()
        let entries = rows.map { store in
            Entry(id: store.id!, code: store.code, name: store.name, merchantId: store.merchantId, kind: store.kind, status: store.status,
                  city: store.city, district: store.district, address: store.address, location: store.location, phone: store.phone,
                  weeklyHours: store.weeklyHours, openingHours: store.openingHoursText, pickupEnabled: store.pickupEnabled,
                  deliveryRadiusKm: store.deliveryRadiusKm, dailyOrderCapacity: store.dailyOrderCapacity)
        }
        state.withLockedValue { value in
            // A write that happened while this load ran bumped the generation: keep nothing then.
            if value.generation == generation { value.snapshot = Snapshot(entries: entries, loadedAt: .now(), generation: generation) }
        }
        return entries
    }

    func invalidate() {
        state.withLockedValue { value in
            value.generation += 1
            value.snapshot = nil
        }
    }
}

/// Empties the directory whenever a store is created, changed or deleted through Fluent.
struct StoreDirectoryInvalidator: AsyncModelMiddleware {
    let directory: StoreDirectory

    func create(model: StoreModel, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        directory.invalidate()
        try await next.create(model, on: db)
        directory.invalidate()
    }

    func update(model: StoreModel, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        directory.invalidate()
        try await next.update(model, on: db)
        directory.invalidate()
    }

    func delete(model: StoreModel, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        directory.invalidate()
        try await next.delete(model, force: force, on: db)
        directory.invalidate()
    }
}

extension Application {
    private struct StoreDirectoryKey: StorageKey { typealias Value = StoreDirectory }

    var storeDirectory: StoreDirectory {
        if let existing = storage[StoreDirectoryKey.self] { return existing }
        let directory = StoreDirectory()
        storage[StoreDirectoryKey.self] = directory
        return directory
    }
}
