import Foundation

/// Where a coupon a member holds stands.
public enum MemberCouponStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// Claimed and free to use while its window is open.
    case available
    /// Held by an unpaid checkout.
    case locked
    /// Its checkout was paid.
    case used
    /// Its window closed before it was used.
    case expired
}

/// What can happen to a held coupon. The server moves coupons with conditional UPDATEs whose
/// WHERE clause is `sources`, so the SQL and this machine cannot disagree.
public enum MemberCouponEvent: Hashable, Sendable, CaseIterable {
    case lock
    case release
    case use
    case expire
    /// The whole order it paid for was refunded and its template gives coupons back.
    case returnAfterRefund

    /// The states the event may start from.
    public var sources: [MemberCouponStatus] {
        switch self {
        case .lock: [.available]
        case .release: [.locked]
        case .use: [.locked]
        case .expire: [.available]
        case .returnAfterRefund: [.used]
        }
    }

    public var target: MemberCouponStatus {
        switch self {
        case .lock: .locked
        case .expire: .expired
        case .release, .returnAfterRefund: .available
        case .use: .used
        }
    }
}

public struct IllegalCouponTransition: Error, Hashable, Sendable {
    public var from: MemberCouponStatus
    public var event: MemberCouponEvent
}

/// One held coupon's life: claimed → locked by an unpaid checkout → used, or released when the
/// checkout is cancelled or expires; expired when its window closes unused; back to available
/// after a full refund when the template says so.
public struct MemberCouponLifecycle: Hashable, Sendable {
    public private(set) var status: MemberCouponStatus
    public private(set) var checkoutId: UUID?

    public init(status: MemberCouponStatus = .available, checkoutId: UUID? = nil) {
        self.status = status
        self.checkoutId = checkoutId
    }

    /// A checkout takes it; only one, since it must be available.
    public mutating func lock(checkout: UUID) throws {
        try move(.lock)
        checkoutId = checkout
    }

    /// The checkout was cancelled or expired unpaid: the coupon may be used again.
    public mutating func release() throws {
        try move(.release)
        checkoutId = nil
    }

    /// The checkout was paid; the coupon stays linked to it for after-sales.
    public mutating func use() throws { try move(.use) }

    /// The expiry job found its window closed. A locked coupon is left to its checkout, which
    /// either uses it or releases it (and the job then expires it).
    public mutating func expire() throws { try move(.expire) }

    /// The whole order was refunded; `returnable` is the template's rule.
    public mutating func returnAfterRefund(returnable: Bool) throws {
        guard returnable else { throw IllegalCouponTransition(from: status, event: .returnAfterRefund) }
        try move(.returnAfterRefund)
        checkoutId = nil
    }

    private mutating func move(_ event: MemberCouponEvent) throws {
        guard event.sources.contains(status) else { throw IllegalCouponTransition(from: status, event: event) }
        status = event.target
    }
}
