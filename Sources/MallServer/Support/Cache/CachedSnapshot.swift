import NIOConcurrencyHelpers
import NIOCore

/// One value read from the database and shared by every request until it is invalidated or
/// older than `maxAge`. A load that overlapped an invalidation may have read the rows as they
/// were before the write, so it serves its own request but is not kept (the generation check).
final class CachedSnapshot<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var loadedAt = NIODeadline.uptimeNanoseconds(0)
        var generation = 0
    }

    let maxAge: TimeAmount
    private let state = NIOLockedValueBox(State())

    init(maxAge: TimeAmount) {
        self.maxAge = maxAge
    }

    /// The kept value when it is fresh and `isUsable` accepts it, else what `load` reads.
    func value(isUsable: (Value) -> Bool = { _ in true }, load: () async throws -> Value) async throws -> Value {
        let (cached, generation) = state.withLockedValue { state in
            (state.value.flatMap { NIODeadline.now() - state.loadedAt < maxAge && isUsable($0) ? $0 : nil }, state.generation)
        }
        if let cached { return cached }
        let loadedAt = NIODeadline.now()
        let loaded = try await load()
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            state.value = loaded
            state.loadedAt = loadedAt
        }
        return loaded
    }

    func invalidate() {
        state.withLockedValue { state in
            state.value = nil
            state.generation += 1
        }
    }
}
