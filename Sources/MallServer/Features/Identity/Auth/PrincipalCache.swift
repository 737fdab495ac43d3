import Foundation
import MallCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// The principals of live sessions, kept per session id so that an authenticated request reads
/// nothing to learn who is calling (issue #16: the identity check was a statement per request,
/// three for staff).
///
/// Revocation still takes effect on the next request: every writer that ends a session or
/// changes what a principal holds publishes on the `CacheInvalidationBus` after its commit
/// (`IdentityInvalidation`), and the bus calls `apply` on this instance before `publish`
/// returns. A load that was running while an invalidation arrived may have read the old rows,
/// so it is not kept (the generation check). Entries also age out after `maxAge`, a backstop
/// for a writer that forgot to publish and for another instance's message that got lost.
final class PrincipalCache: Sendable {
    struct Entry: Sendable {
        let principal: Principal
        let kind: SubjectKind
        let subjectId: UUID
        let sessionExpiresAt: Date
        let loadedAt: NIODeadline
    }

    static let capacity = 4_096
    static let maxAge = TimeAmount.minutes(2)

    private struct State {
        var entries = ClockCache<UUID, Entry>(capacity: PrincipalCache.capacity)
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())

    /// The cached entry for a session, if fresh, and the generation to hand back to `store`.
    func lookup(sessionId: UUID) -> (entry: Entry?, generation: Int) {
        state.withLockedValue { state in
            guard let entry = state.entries.value(for: sessionId) else { return (nil, state.generation) }
            guard NIODeadline.now() - entry.loadedAt < Self.maxAge else {
                state.entries.removeValue(for: sessionId)
                return (nil, state.generation)
            }
            return (entry, state.generation)
        }
    }

    /// Keeps `entry` unless an invalidation arrived since `lookup` returned `generation`.
    func store(_ entry: Entry, sessionId: UUID, generation: Int) {
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            state.entries.insert(entry, for: sessionId)
        }
    }

    func apply(_ invalidation: CacheInvalidation) {
        let ids = Set(invalidation.ids)
        state.withLockedValue { state in
            switch invalidation.topic {
            case IdentityInvalidation.sessionTopic:
                if ids.isEmpty { state.entries.removeAll { _, _ in true } }
                for id in ids { state.entries.removeValue(for: id) }
            case SubjectKind.member.rawValue, SubjectKind.staff.rawValue:
                state.entries.removeAll { _, entry in
                    entry.kind.rawValue == invalidation.topic && (ids.isEmpty || ids.contains(entry.subjectId))
                }
            default:
                return
            }
            state.generation += 1
        }
    }
}

/// The messages identity writers publish after they commit. Topics: "session" (ids: sessions
/// signed out), "member" and "staff" (ids: accounts whose sessions, status, grants or password
/// changed; no ids: every account of that kind, as when a role's permissions change).
enum IdentityInvalidation {
    static let sessionTopic = "session"

    static func session(_ id: UUID) -> CacheInvalidation {
        CacheInvalidation(topic: sessionTopic, ids: [id])
    }

    static func subject(_ kind: SubjectKind, _ id: UUID) -> CacheInvalidation {
        CacheInvalidation(topic: kind.rawValue, ids: [id])
    }

    static let everyStaffMember = CacheInvalidation(topic: SubjectKind.staff.rawValue, ids: [])
}

extension Application {
    private struct PrincipalCacheKey: StorageKey { typealias Value = PrincipalCache }

    /// Set and subscribed to the bus in `configure`, before requests arrive. Without one (tools
    /// that skip `configure`) every request reads its session.
    var principalCache: PrincipalCache? {
        get { storage[PrincipalCacheKey.self] }
        set { storage[PrincipalCacheKey.self] = newValue }
    }
}
