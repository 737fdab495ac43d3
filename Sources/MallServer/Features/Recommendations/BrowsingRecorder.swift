import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Product views wait in memory and reach `browsing_events` many rows to one INSERT, written
/// by a task of their own, so serving a product detail costs no statement for them. A view is
/// a hint, not a record: views beyond `capacity` while the database lags are dropped, and a
/// crash loses at most one batch.
final class BrowsingRecorder: LifecycleHandler, Sendable {
    struct View: Sendable, Equatable {
        let visitorKey: String
        let memberId: UUID?
        let productId: UUID
        let viewedAt: Date
    }

    private struct State {
        var pending: [View] = []
        var writing: Task<Void, Never>?
    }

    let batchSize: Int
    let maxWait: TimeInterval
    let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(batchSize: Int = 100, maxWait: TimeInterval = 5, capacity: Int = 20_000) {
        self.batchSize = batchSize
        self.maxWait = maxWait
        self.capacity = capacity
    }

    /// Who is looking: a member by id; a guest by the digest of their guest cart token (API
    /// clients) or of the storefront's visitor cookie, never the raw token, which opens the cart.
    static func visitorKey(memberId: UUID?, cartToken: String?, visitorCookie: String?) -> String? {
        if let memberId { return "m:" + memberId.uuidString.lowercased() }
        for (prefix, token) in [("c:", cartToken), ("v:", visitorCookie)] {
            if let token, (16...200).contains(token.count) { return prefix + SecureToken.digest(token).prefix(32) }
        }
        return nil
    }

    /// Queues a view; starts a write when a batch is full or the oldest view waited long enough.
    func record(_ view: View, app: Application) {
        let due: [View]? = state.withLockedValue { state in
            if state.pending.count < capacity { state.pending.append(view) }
            guard state.writing == nil, let oldest = state.pending.first,
                  state.pending.count >= batchSize || view.viewedAt.timeIntervalSince(oldest.viewedAt) >= maxWait else { return nil }
            defer { state.pending = [] }
            return state.pending
        }
        guard let due else { return }
        let task = Task {
            await Self.write(due, app: app)
            self.state.withLockedValue { $0.writing = nil }
        }
        state.withLockedValue { $0.writing = task }
    }

    /// Writes whatever waits now (tests, the recomputation job, shutdown).
    func flush(app: Application) async {
        if let running = state.withLockedValue({ $0.writing }) { await running.value }
        let due = state.withLockedValue { state in
            defer { state.pending = [] }
            return state.pending
        }
        await Self.write(due, app: app)
    }

    var pendingCount: Int { state.withLockedValue { $0.pending.count } }

    /// A member's views still waiting here, so 猜你喜欢 follows what they looked at a moment ago.
    func pending(memberId: UUID) -> [View] {
        state.withLockedValue { $0.pending.filter { $0.memberId == memberId } }
    }

    func shutdownAsync(_ application: Application) async {
        await flush(app: application)
    }

    private static func write(_ views: [View], app: Application) async {
        guard !views.isEmpty else { return }
        // At shutdown the databases may already be closed, where `app.db` would trap.
        guard let db = app.databases.database(logger: app.logger, on: app.eventLoopGroup.any()) else {
            app.logger.warning("browsing events not written: no database", metadata: ["views": "\(views.count)"])
            return
        }
        do {
            try await insert(views, on: db)
        } catch {
            app.logger.warning("browsing events not written", metadata: ["views": "\(views.count)", "error": "\(error)"])
        }
    }

    /// Many views to a statement (the recorder's batches, the demo's history).
    static func insert(_ views: [View], on db: any Database) async throws {
        for start in stride(from: 0, to: views.count, by: 500) {
            var insert = db.sql.insert(into: "browsing_events").columns("id", "visitor_key", "member_id", "product_id", "viewed_at")
            for view in views[start..<min(start + 500, views.count)] {
                insert = insert.values(SQLBind(UUID()), SQLBind(view.visitorKey), SQLBind(view.memberId), SQLBind(view.productId),
                                       SQLBind(view.viewedAt))
            }
            try await insert.run()
        }
    }
}

extension Application {
    private struct BrowsingRecorderKey: StorageKey { typealias Value = BrowsingRecorder }

    /// Set once at configuration, before requests arrive.
    var browsingRecorder: BrowsingRecorder? {
        get { storage[BrowsingRecorderKey.self] }
        set { storage[BrowsingRecorderKey.self] = newValue }
    }
}

extension Request {
    static let visitorCookie = "mall_visitor"

    /// Notes that this shopper looked at a product (staff and unidentified guests are not counted).
    func recordProductView(_ productId: UUID) {
        var memberId: UUID?
        switch principal {
        case .staff: return
        case .member(let member): memberId = member.memberId
        case nil: memberId = nil
        }
        guard let recorder = application.browsingRecorder,
              let key = BrowsingRecorder.visitorKey(memberId: memberId, cartToken: headers.first(name: CartRoutes.tokenHeader),
                                                    visitorCookie: cookies[Self.visitorCookie]?.string) else { return }
        recorder.record(.init(visitorKey: key, memberId: memberId, productId: productId, viewedAt: now), app: application)
    }
}
