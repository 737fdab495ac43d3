import Fluent
import Foundation
import MallCore
import NIOCore
import Vapor

/// What the product cards need of promotions (each one's goods scope and badge), held in memory
/// so a product list does not read and decode the promotions table on every request.
///
/// It keeps every promotion that had not ended when it was loaded, with its window, and picks the
/// running ones for each request's time: the set only shrinks as time moves on, so a copy stays
/// right until a promotion is written (`PromotionService` publishes after its commit) or `maxAge`
/// passes. A request timed before the load (a clock moved back) reloads.
final class PromotionReachCache: Sendable {
    static let topic = "promotion"
    static let maxAge = TimeAmount.seconds(60)

    private struct Window: Sendable {
        let startsAt: Date
        let endsAt: Date
        let endedAt: Date?
        let reach: PromotionReach

        func isRunning(at now: Date) -> Bool {
            startsAt <= now && endsAt > now && (endedAt.map { $0 > now } ?? true)
        }
    }

    private struct Snapshot: Sendable {
        let windows: [Window]
        let validFrom: Date
    }

    private let snapshot = CachedSnapshot<Snapshot>(maxAge: maxAge)

    /// The reach of every promotion running at `now`, highest priority first.
    func reaches(at now: Date, on db: any Database) async throws -> [PromotionReach] {
        let current = try await snapshot.value(isUsable: { $0.validFrom <= now }) {
            let windows = try await PromotionService.notEnded(at: now, on: db).map { model in
                Window(startsAt: model.startsAt, endsAt: model.endsAt, endedAt: model.endedAt, reach: try ProductMarketing.reach(of: model))
            }
            return Snapshot(windows: windows, validFrom: now)
        }
        return current.windows.filter { $0.isRunning(at: now) }.map(\.reach)
    }

    func apply(_ invalidation: CacheInvalidation) {
        if invalidation.topic == Self.topic { snapshot.invalidate() }
    }
}

extension Application {
    private struct PromotionReachCacheKey: StorageKey { typealias Value = PromotionReachCache }

    /// Set and subscribed to the bus in `configure`; without it the cards read the table.
    var promotionReachCache: PromotionReachCache? {
        get { storage[PromotionReachCacheKey.self] }
        set { storage[PromotionReachCacheKey.self] = newValue }
    }
}
