import Fluent
import Foundation
import MallCore
import NIOCore
import Vapor

/// The resolved settings, held in memory for the hot read paths (nearby stores, product pages,
/// carts), which otherwise read the settings table on every request for the time zone and a
/// few switches. `SystemRoutes.updateSettings` publishes on the bus after it commits, and a
/// copy never outlives `maxAge`.
final class SettingsCache: Sendable {
    static let topic = "settings"
    static let maxAge = TimeAmount.seconds(60)

    private let snapshot = CachedSnapshot<ResolvedSettings>(maxAge: maxAge)

    func resolved(on db: any Database) async throws -> ResolvedSettings {
        try await snapshot.value { try await SettingsService.resolved(on: db) }
    }

    func apply(_ invalidation: CacheInvalidation) {
        if invalidation.topic == Self.topic { snapshot.invalidate() }
    }
}

extension Application {
    private struct SettingsCacheKey: StorageKey { typealias Value = SettingsCache }

    /// Set and subscribed to the bus in `configure`; tools that skip it get an empty cache on
    /// every access, so they read the table each time.
    var settingsCache: SettingsCache {
        get { storage[SettingsCacheKey.self] ?? SettingsCache() }
        set { storage[SettingsCacheKey.self] = newValue }
    }
}
