import Foundation

public enum AfterSalesStatus: String, Codable, Sendable, CaseIterable {
    case requested
    case rejected
    /// Withdrawn by the shopper before a decision.
    case cancelled
    /// Approved; the shopper has to send the goods back.
    case awaitingReturn = "awaiting_return"
    case returnShipped = "return_shipped"
    case returnReceived = "return_received"
    /// The goods came back not as described; they are sent back to the shopper.
    case inspectionFailed = "inspection_failed"
    case refunding
    case refunded
    case replacementReserved = "replacement_reserved"
    case replacementShipped = "replacement_shipped"
    /// An exchange the shopper received.
    case completed

    public var isTerminal: Bool {
        switch self {
        case .rejected, .cancelled, .inspectionFailed, .refunded, .completed: true
        case .requested, .awaitingReturn, .returnShipped, .returnReceived, .refunding, .replacementReserved, .replacementShipped: false
        }
    }
}

public enum AfterSalesEffect: Hashable, Codable, Sendable {
    /// Start a refund through the payment gateway; its callback calls `refundSucceeded`.
    case issueRefund(Money)
    /// Returned goods passed inspection: put them back into sellable stock at the store.
    case restock([AfterSalesLine])
    /// Reserve the replacement units at the store (same transaction; fails the event if short).
    case reserveReplacement([AfterSalesLine])
    /// The replacement left the store: the reservation becomes a decrement.
    case commitReplacement([AfterSalesLine])
    /// Returned goods failed inspection: ship them back to the shopper.
    case sendGoodsBack
    case notifyShopper(AfterSalesStatus)
    case notifyStore
}

/// One after-sales case's state machine.
///
/// ```
/// requested ─┬─ reject ─→ rejected            requested ─ cancel (shopper) ─→ cancelled
///            └─ approve ─┬─ refund only ──────────────────────────────→ refunding → refunded
///                        └─ return / exchange → awaitingReturn → returnShipped → returnReceived
///                              returnReceived ─ inspect ok ─┬─ return ──→ refunding → refunded
///                                                           └─ exchange → replacementReserved
///                                                                → replacementShipped → completed
///                              returnReceived ─ inspect failed → inspectionFailed
/// ```
public struct AfterSalesCase: Hashable, Codable, Sendable {
    public typealias Entry = TimelineEntry<AfterSalesStatus>

    public private(set) var status: AfterSalesStatus
    public let kind: AfterSalesKind
    public let lines: [AfterSalesLine]
    public let reason: String
    public let photoURLs: [String]
    /// What the shopper asked for (zero for an exchange).
    public let requestedRefund: Money
    /// What was approved; may be less than requested (a partial refund), never more.
    public private(set) var approvedRefund: Money?
    public private(set) var rejectionReason: String?
    public private(set) var returnShipment: ShipmentTracking?
    public private(set) var replacementShipment: ShipmentTracking?
    public private(set) var refundReference: String?
    public private(set) var timeline: [Entry]

    public init(request: AfterSalesRequest, requestedRefund: Money, by shopper: TimelineActor, at: Date) {
        self.status = .requested
        self.kind = request.kind
        self.lines = request.lines
        self.reason = request.reason
        self.photoURLs = request.photoURLs
        self.requestedRefund = request.kind == .exchange ? .zero(requestedRefund.currency) : requestedRefund
        self.timeline = [Entry(actor: shopper, at: at, from: .requested, to: .requested, note: request.reason)]
    }

    /// Store, merchant or HQ agrees. `refund` lowers the amount for a partial refund.
    public mutating func approve(by actor: TimelineActor, at: Date, refund: Money? = nil) throws -> [AfterSalesEffect] {
        switch status {
        case .requested:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.awaitingReturn, "only the store or HQ decides on a request") }
            let amount = refund ?? requestedRefund
            if kind != .exchange {
                guard amount.currency == requestedRefund.currency, amount.minorUnits > 0, amount <= requestedRefund else {
                    throw ValidationFailure(field: "refund", message: "must be more than zero and at most \(requestedRefund)")
                }
                approvedRefund = amount
            }
            switch kind {
            case .refundOnly:
                // Nothing comes back, so the money goes out straight away.
                move(to: .refunding, by: actor, at: at, note: "approved, refund \(amount)")
                return [.issueRefund(amount), .notifyShopper(.refunding)]
            case .returnAndRefund, .exchange:
                // The shopper now ships the goods back; money or replacement waits for inspection.
                move(to: .awaitingReturn, by: actor, at: at, note: "approved")
                return [.notifyShopper(.awaitingReturn)]
            }
        case .rejected, .cancelled, .awaitingReturn, .returnShipped, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(.awaitingReturn, "only a pending request can be approved")
        }
    }

    public mutating func reject(by actor: TimelineActor, at: Date, reason: String) throws -> [AfterSalesEffect] {
        switch status {
        case .requested:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.rejected, "only the store or HQ decides on a request") }
            let reason = try TextRule.check(reason, field: "reason", min: 2, max: 500)
            // The shopper must be told why; the lines become claimable again.
            rejectionReason = reason
            move(to: .rejected, by: actor, at: at, note: reason)
            return [.notifyShopper(.rejected)]
        case .rejected, .cancelled, .awaitingReturn, .returnShipped, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(.rejected, "only a pending request can be rejected")
        }
    }

    /// The shopper withdraws the request before anyone decided.
    public mutating func cancel(by actor: TimelineActor, at: Date) throws -> [AfterSalesEffect] {
        switch status {
        case .requested:
            guard actor.kind == .shopper else { throw illegal(.cancelled, "only the shopper withdraws a request; staff reject it") }
            move(to: .cancelled, by: actor, at: at)
            return [.notifyStore]
        case .rejected, .cancelled, .awaitingReturn, .returnShipped, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(.cancelled, "a request can only be withdrawn before it is decided")
        }
    }

    /// The shopper handed the goods to a carrier.
    public mutating func shipReturn(carrier: String, trackingNumber: String, by actor: TimelineActor, at: Date) throws -> [AfterSalesEffect] {
        switch status {
        case .awaitingReturn:
            guard actor.kind == .shopper || actor.kind == .hq else { throw illegal(.returnShipped, "the shopper sends the goods back") }
            returnShipment = try Self.tracking(carrier: carrier, trackingNumber: trackingNumber)
            move(to: .returnShipped, by: actor, at: at, note: "\(returnShipment!.carrier) \(returnShipment!.trackingNumber)")
            return [.notifyStore]
        case .requested, .rejected, .cancelled, .returnShipped, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(.returnShipped, "only an approved return awaiting the goods can be shipped back")
        }
    }

    public mutating func receiveReturn(by actor: TimelineActor, at: Date) throws -> [AfterSalesEffect] {
        switch status {
        case .returnShipped:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.returnReceived, "only the store receives returned goods") }
            // In the store's hands, not yet judged.
            move(to: .returnReceived, by: actor, at: at)
            return []
        case .requested, .rejected, .cancelled, .awaitingReturn, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(.returnReceived, "only goods on their way back can be received")
        }
    }

    /// The store checks the returned goods.
    public mutating func inspect(passed: Bool, by actor: TimelineActor, at: Date, note: String? = nil) throws -> [AfterSalesEffect] {
        switch status {
        case .returnReceived:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(passed ? .refunding : .inspectionFailed, "only the store inspects returned goods") }
            guard passed else {
                // Not as described (used, damaged by the shopper): no refund, goods go back.
                let note = try TextRule.check(note ?? "", field: "note", min: 2, max: 500)
                move(to: .inspectionFailed, by: actor, at: at, note: note)
                return [.sendGoodsBack, .notifyShopper(.inspectionFailed)]
            }
            switch kind {
            case .returnAndRefund:
                let amount = approvedRefund ?? requestedRefund
                move(to: .refunding, by: actor, at: at, note: note ?? "inspection passed")
                return [.restock(lines), .issueRefund(amount), .notifyShopper(.refunding)]
            case .exchange:
                // The replacement is held before anyone promises the shopper a shipment, and
                // before the returned unit is booked back, so the unit that came back is never
                // the one sent out again.
                move(to: .replacementReserved, by: actor, at: at, note: note ?? "inspection passed")
                return [.reserveReplacement(lines), .restock(lines), .notifyShopper(.replacementReserved)]
            case .refundOnly:
                throw illegal(.refunding, "a refund-only case has no returned goods")
            }
        case .requested, .rejected, .cancelled, .awaitingReturn, .returnShipped, .inspectionFailed, .refunding, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(passed ? .refunding : .inspectionFailed, "only received goods can be inspected")
        }
    }

    /// The gateway confirmed the refund.
    public mutating func refundSucceeded(reference: String, by actor: TimelineActor = .system, at: Date) throws -> [AfterSalesEffect] {
        switch status {
        case .refunding:
            refundReference = reference
            move(to: .refunded, by: actor, at: at, note: "refund \(reference)")
            return [.notifyShopper(.refunded)]
        case .requested, .rejected, .cancelled, .awaitingReturn, .returnShipped, .returnReceived, .inspectionFailed, .refunded, .replacementReserved, .replacementShipped, .completed:
            throw illegal(.refunded, "no refund is in progress")
        }
    }

    public mutating func shipReplacement(carrier: String, trackingNumber: String, by actor: TimelineActor, at: Date) throws -> [AfterSalesEffect] {
        switch status {
        case .replacementReserved:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.replacementShipped, "only the store ships the replacement") }
            replacementShipment = try Self.tracking(carrier: carrier, trackingNumber: trackingNumber)
            move(to: .replacementShipped, by: actor, at: at, note: "\(replacementShipment!.carrier) \(replacementShipment!.trackingNumber)")
            return [.commitReplacement(lines), .notifyShopper(.replacementShipped)]
        case .requested, .rejected, .cancelled, .awaitingReturn, .returnShipped, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementShipped, .completed:
            throw illegal(.replacementShipped, "only a reserved replacement can be shipped")
        }
    }

    /// The shopper (or the auto-confirm job) confirms the replacement arrived.
    public mutating func completeExchange(by actor: TimelineActor, at: Date) throws -> [AfterSalesEffect] {
        switch status {
        case .replacementShipped:
            guard actor.kind == .shopper || actor.kind == .system || actor.kind == .hq else {
                throw illegal(.completed, "the shopper confirms the replacement arrived")
            }
            move(to: .completed, by: actor, at: at)
            return []
        case .requested, .rejected, .cancelled, .awaitingReturn, .returnShipped, .returnReceived, .inspectionFailed, .refunding, .refunded, .replacementReserved, .completed:
            throw illegal(.completed, "only a shipped replacement can complete an exchange")
        }
    }

    // MARK: - Helpers

    private static func tracking(carrier: String, trackingNumber: String) throws -> ShipmentTracking {
        var errors = FieldErrorCollector()
        let carrier = errors.collect { try TextRule.check(carrier, field: "carrier", max: 40) }
        let tracking = errors.collect { try TextRule.check(trackingNumber, field: "trackingNumber", max: 64) }
        try errors.throwIfAny()
        return ShipmentTracking(carrier: carrier!, trackingNumber: tracking!)
    }

    private mutating func move(to target: AfterSalesStatus, by actor: TimelineActor, at: Date, note: String? = nil) {
        timeline.append(Entry(actor: actor, at: at, from: status, to: target, note: note))
        status = target
    }

    private func illegal(_ target: AfterSalesStatus, _ reason: String) -> IllegalTransition {
        IllegalTransition(from: status.rawValue, to: target.rawValue, reason: reason)
    }
}
