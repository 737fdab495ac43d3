import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Where business code gets "now". Tests swap in a `ManualClock` to drive expiry and jobs.
public protocol MallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: MallClock {
    public init() {}
    public func now() -> Date { Date() }
}

public final class ManualClock: MallClock, @unchecked Sendable {
    private let lock = NIOLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func advance(seconds: TimeInterval) { lock.withLock { current += seconds } }

    public func set(_ date: Date) { lock.withLock { current = date } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = any MallClock }

    public var clock: any MallClock {
        get { storage[ClockKey.self] ?? SystemClock() }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    public var now: Date { application.clock.now() }
}
