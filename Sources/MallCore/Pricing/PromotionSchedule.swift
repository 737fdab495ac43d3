import Foundation

/// Where a promotion is in its life. Staff may edit it only while scheduled, so no order was
/// ever priced by a rule that later changed; ending early moves it straight to ended.
public enum PromotionPhase: String, Codable, Sendable {
    case scheduled, running, ended
}

public enum PromotionSchedule {
    /// The window is half-open, `[startsAt, endsAt)`; an early end closes it at `endedAt`.
    public static func phase(startsAt: Date, endsAt: Date, endedAt: Date?, at now: Date) -> PromotionPhase {
        if let endedAt, endedAt <= now { return .ended }
        if now < startsAt { return .scheduled }
        return now < endsAt ? .running : .ended
    }

    /// Whether a member who used it `used` times may use it again under `limit` (nil: no limit).
    public static func allows(used: Int, limit: Int?) -> Bool {
        limit.map { used < $0 } ?? true
    }

    /// The running promotions a member may use at `now`, in the engine's order: higher priority
    /// first, then by id, so the same promotions always stack the same way whatever order the
    /// database returned them in.
    public static func usable(_ entries: [(promotion: Promotion, startsAt: Date, endsAt: Date, endedAt: Date?, limit: Int?, used: Int)],
                              at now: Date) -> [Promotion] {
        entries.filter { phase(startsAt: $0.startsAt, endsAt: $0.endsAt, endedAt: $0.endedAt, at: now) == .running && allows(used: $0.used, limit: $0.limit) }
            .map(\.promotion)
            .sorted { $0.priority != $1.priority ? $0.priority > $1.priority : $0.id.uuidString < $1.id.uuidString }
    }
}
