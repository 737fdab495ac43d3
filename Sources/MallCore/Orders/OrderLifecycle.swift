import Foundation

public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pendingPayment = "pending_payment"
    /// Paid and assigned to a store that has not accepted yet.
    case paid
    /// The store rejected it or let it time out; waiting for the next store (or HQ).
    case awaitingReallocation = "awaiting_reallocation"
    /// A group-buy order that is paid while its group has not filled: no store is asked until it
    /// fills, and it is refunded if the group fails.
    case awaitingGroup = "awaiting_group"
    case accepted
    case picking
    case shipped
    case readyForPickup = "ready_for_pickup"
    case delivered
    case pickedUp = "picked_up"
    case completed
    case cancelled
    /// Not paid within the payment window.
    case expired

    public var isTerminal: Bool {
        switch self {
        case .completed, .cancelled, .expired: true
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp: false
        }
    }
}

public enum OrderFulfilmentKind: String, Codable, Sendable, CaseIterable {
    case delivery, pickup
}

public enum RefundCause: String, Codable, Sendable {
    case cancelled
    /// The gateway confirmed a payment after the order had expired.
    case paidAfterExpiry = "paid_after_expiry"
    case paidAfterCancellation = "paid_after_cancellation"
    /// A second, different payment for an order that was already paid.
    case duplicatePayment = "duplicate_payment"
    /// The order's group buy did not fill in time.
    case groupFailed = "group_failed"
}

/// What the caller must do after an event, in the same transaction (stock, jobs) or through the
/// outbox (notifications, refunds).
public enum OrderEffect: Hashable, Codable, Sendable {
    /// Goods left the store: turn the reservation into a decrement of on-hand stock.
    case commitStock(store: StoreID)
    /// Drop the reservation at this store.
    case releaseStock(store: StoreID)
    case refundPayment(reference: String, cause: RefundCause)
    /// Run `AllocationPlanner.reallocate` leaving these stores out, then call `reallocate(to:)`.
    case reallocate(excluding: [StoreID])
    case notifyShopper(OrderStatus)
    case notifyStore(StoreID)
    /// A job that calls `acceptanceTimedOut` if the store has not accepted by then.
    case scheduleAcceptanceTimeout(store: StoreID)
    /// A job that calls `autoConfirm` at this moment.
    case scheduleAutoConfirm(at: Date)
    /// The order is final: award points, count it in the merchant's settlement.
    case settle
    /// The order will never be fulfilled (cancelled or expired): give back the points that paid
    /// for its goods.
    case returnPoints
}

public struct ShipmentTracking: Hashable, Codable, Sendable {
    public var carrier: String
    public var trackingNumber: String
}

/// An order's state machine. Each event checks that its edge exists (else `IllegalTransition`,
/// a 409), records a timeline entry and returns the effects for the caller to carry out.
///
/// Stock: reserved at checkout by the caller, released on expiry, cancellation, rejection and
/// manual reallocation, committed only when the goods physically leave (shipped or picked up),
/// so every cancellation before that is a plain release.
public struct OrderLifecycle: Hashable, Codable, Sendable {
    public typealias Entry = TimelineEntry<OrderStatus>

    public private(set) var status: OrderStatus
    public let fulfilment: OrderFulfilmentKind
    /// The store currently responsible for the order.
    public private(set) var storeId: StoreID
    public let paymentDueAt: Date
    public let autoConfirmAfterDays: Int
    /// True for a group-buy order, which waits for its group after payment. Optional so orders
    /// stored before group buying decode (as not held).
    public private(set) var heldForGroup: Bool?
    public private(set) var paymentReference: String?
    /// Stores that rejected the order or timed out, oldest first.
    public private(set) var rejectedStoreIds: [StoreID]
    public private(set) var shipment: ShipmentTracking?
    public private(set) var pickupCode: String?
    public private(set) var autoConfirmDueAt: Date?
    public private(set) var cancellationReason: String?
    public private(set) var timeline: [Entry]

    /// A new order, placed at checkout with stock reserved at `storeId`.
    public init(fulfilment: OrderFulfilmentKind, storeId: StoreID, placedBy shopper: TimelineActor, at placedAt: Date,
                paymentDueAt: Date, autoConfirmAfterDays: Int = 7, heldForGroup: Bool = false) {
        self.status = .pendingPayment
        self.heldForGroup = heldForGroup ? true : nil
        self.fulfilment = fulfilment
        self.storeId = storeId
        self.paymentDueAt = paymentDueAt
        self.autoConfirmAfterDays = autoConfirmAfterDays
        self.rejectedStoreIds = []
        self.timeline = [Entry(actor: shopper, at: placedAt, from: .pendingPayment, to: .pendingPayment, note: "order placed")]
    }

    // MARK: - Payment

    /// A payment confirmed by the gateway. Never throws: money has arrived and must be either
    /// kept or visibly returned. A repeated callback for the recorded payment is a no-op.
    public mutating func pay(reference: String, by actor: TimelineActor = .system, at: Date) -> [OrderEffect] {
        switch status {
        case .pendingPayment where heldForGroup == true:
            // Paid, but the goods go out only with the whole group: no store is asked yet.
            paymentReference = reference
            move(to: .awaitingGroup, by: actor, at: at, note: "payment \(reference); waiting for the group to fill")
            return [.notifyShopper(.awaitingGroup)]
        case .pendingPayment:
            // Paid in time: the assigned store now has to accept.
            paymentReference = reference
            move(to: .paid, by: actor, at: at, note: "payment \(reference)")
            return [.notifyShopper(.paid), .notifyStore(storeId), .scheduleAcceptanceTimeout(store: storeId)]
        case .expired, .cancelled:
            if reference == paymentReference { return [] }
            // Money for an order that no longer exists: give it back, and say so on the timeline.
            let cause: RefundCause = status == .expired ? .paidAfterExpiry : .paidAfterCancellation
            record(by: actor, at: at, note: "payment \(reference) arrived after the order was \(status.rawValue); refunded")
            return [.refundPayment(reference: reference, cause: cause), .notifyShopper(status)]
        case .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed:
            if reference == paymentReference { return [] }
            // The shopper paid twice through different channels.
            record(by: actor, at: at, note: "second payment \(reference) refunded")
            return [.refundPayment(reference: reference, cause: .duplicatePayment)]
        }
    }

    /// The payment window closed (the expiry job).
    public mutating func expire(at: Date) throws -> [OrderEffect] {
        switch status {
        case .pendingPayment:
            // The job may run early after a clock skew; the window is the order's, not the job's.
            guard at >= paymentDueAt else { throw illegal(.expired, "the payment window is still open") }
            move(to: .expired, by: .system, at: at, note: "not paid in time")
            return [.releaseStock(store: storeId), .returnPoints, .notifyShopper(.expired)]
        case .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.expired, "only an unpaid order expires")
        }
    }

    // MARK: - Store assignment

    /// The assigned store takes the order (staff of the store or merchant, or HQ on its behalf).
    public mutating func accept(by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .paid:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.accepted, "only the store accepts an order") }
            // The store commits to fulfil; the acceptance timeout job becomes a no-op.
            move(to: .accepted, by: actor, at: at)
            return [.notifyShopper(.accepted)]
        case .pendingPayment, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.accepted, "only a paid order waiting for its store can be accepted")
        }
    }

    /// The assigned store declines; the order goes to the next best store.
    public mutating func reject(by actor: TimelineActor, at: Date, reason: String) throws -> [OrderEffect] {
        switch status {
        case .paid:
            guard actor.isSeller else { throw illegal(.awaitingReallocation, "only the store rejects an order; HQ reallocates it") }
            let reason = try Self.checkReason(reason)
            // The store gives up its reservation and is never asked again for this order.
            rejectedStoreIds.append(storeId)
            move(to: .awaitingReallocation, by: actor, at: at, note: "rejected: \(reason)")
            return [.releaseStock(store: storeId), .reallocate(excluding: rejectedStoreIds)]
        case .pendingPayment, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.awaitingReallocation, "only a paid order the store has not accepted can be rejected")
        }
    }

    /// The store did not accept within the set time (the acceptance timeout job).
    public mutating func acceptanceTimedOut(at: Date) throws -> [OrderEffect] {
        switch status {
        case .paid:
            // Treated exactly like a rejection, so the same store is not picked again.
            rejectedStoreIds.append(storeId)
            move(to: .awaitingReallocation, by: .system, at: at, note: "not accepted in time")
            return [.releaseStock(store: storeId), .reallocate(excluding: rejectedStoreIds)]
        case .pendingPayment, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.awaitingReallocation, "only a paid order waiting for its store can time out")
        }
    }

    /// Assigns the order to another store whose stock the caller has just reserved: the system
    /// after a rejection, or HQ by hand (also before the store has started picking).
    public mutating func reallocate(to newStore: StoreID, by actor: TimelineActor, at: Date, note: String? = nil) throws -> [OrderEffect] {
        switch status {
        case .awaitingReallocation:
            // A pickup order goes only where the shopper will come: they choose the next store.
            let shopperPicksStore = actor.kind == .shopper && fulfilment == .pickup
            guard actor.kind == .system || actor.kind == .hq || shopperPicksStore else {
                throw illegal(.paid, "only the system or HQ reallocates an order; a shopper picks another store for a pickup order")
            }
            // The previous store already released its stock when it rejected.
            storeId = newStore
            move(to: .paid, by: actor, at: at, note: note ?? "reallocated")
            return [.notifyStore(newStore), .scheduleAcceptanceTimeout(store: newStore)]
        case .paid, .accepted:
            guard actor.kind == .hq else { throw illegal(.paid, "only HQ moves an order away from a store by hand") }
            guard newStore != storeId else { throw illegal(.paid, "the order is already with that store") }
            // HQ overrides the store: its reservation goes, and the new store starts from scratch.
            let old = storeId
            storeId = newStore
            move(to: .paid, by: actor, at: at, note: note ?? "reallocated by HQ")
            return [.releaseStock(store: old), .notifyStore(old), .notifyStore(newStore), .scheduleAcceptanceTimeout(store: newStore)]
        case .pendingPayment, .awaitingGroup, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.paid, "only a paid order that is not being picked can be reallocated")
        }
    }

    // MARK: - Group buying

    /// The order's group filled (every slot paid): the order goes to its store like any paid order.
    public mutating func groupFilled(at: Date) throws -> [OrderEffect] {
        switch status {
        case .awaitingGroup:
            // The hold ends; from here on it is an ordinary paid order waiting for its store.
            move(to: .paid, by: .system, at: at, note: "group filled")
            return [.notifyStore(storeId), .scheduleAcceptanceTimeout(store: storeId)]
        case .pendingPayment, .paid, .awaitingReallocation, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.paid, "only a paid order waiting for its group goes ahead when the group fills")
        }
    }

    /// The order's group did not fill in time: the order is cancelled, its stock released and
    /// what was paid refunded.
    public mutating func groupFailed(at: Date) throws -> [OrderEffect] {
        switch status {
        case .pendingPayment, .awaitingGroup:
            // Nothing left the store; a payment that arrives later is refunded by `pay`.
            var effects: [OrderEffect] = [.releaseStock(store: storeId)]
            if let paymentReference { effects.append(.refundPayment(reference: paymentReference, cause: .groupFailed)) }
            effects.append(contentsOf: [.returnPoints, .notifyShopper(.cancelled)])
            cancellationReason = "the group did not fill in time"
            move(to: .cancelled, by: .system, at: at, note: cancellationReason)
            return effects
        case .paid, .awaitingReallocation, .accepted, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.cancelled, "only an order still waiting for its group is cancelled when the group fails")
        }
    }

    // MARK: - Fulfilment

    public mutating func startPicking(by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .accepted:
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.picking, "only the store picks an order") }
            // Staff are collecting the goods; HQ can no longer move the order.
            move(to: .picking, by: actor, at: at)
            return []
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .picking, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.picking, "only an accepted order can be picked")
        }
    }

    /// Handed to a carrier (delivery orders only).
    public mutating func ship(carrier: String, trackingNumber: String, by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .picking:
            guard fulfilment == .delivery else { throw illegal(.shipped, "a pickup order is made ready for pickup, not shipped") }
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.shipped, "only the store ships an order") }
            var errors = FieldErrorCollector()
            let carrier = errors.collect { try TextRule.check(carrier, field: "carrier", max: 40) }
            let tracking = errors.collect { try TextRule.check(trackingNumber, field: "trackingNumber", max: 64) }
            try errors.throwIfAny()
            // The goods leave the store: the reservation becomes a real decrement.
            shipment = ShipmentTracking(carrier: carrier!, trackingNumber: tracking!)
            move(to: .shipped, by: actor, at: at, note: "\(carrier!) \(tracking!)")
            return [.commitStock(store: storeId), .notifyShopper(.shipped)]
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.shipped, "only an order being picked can be shipped")
        }
    }

    /// Packed and waiting at the counter (pickup orders only). `code` comes from the server's RNG.
    public mutating func markReadyForPickup(code: String, by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .picking:
            guard fulfilment == .pickup else { throw illegal(.readyForPickup, "a delivery order is shipped, not picked up") }
            guard actor.isSeller || actor.kind == .hq else { throw illegal(.readyForPickup, "only the store readies an order") }
            guard PickupCode.isWellFormed(code) else { throw ValidationFailure(field: "pickupCode", message: "must be 6 digits") }
            // The shopper is told to come, with the code; stock stays reserved until handover.
            pickupCode = code
            move(to: .readyForPickup, by: actor, at: at)
            return [.notifyShopper(.readyForPickup)]
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .shipped, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.readyForPickup, "only an order being picked can be made ready for pickup")
        }
    }

    /// The carrier (tracking push) or the store reports delivery.
    public mutating func markDelivered(by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .shipped:
            // Receipt is confirmed by the shopper, or automatically after the grace period.
            let due = at.addingTimeInterval(TimeInterval(autoConfirmAfterDays) * 86_400)
            autoConfirmDueAt = due
            move(to: .delivered, by: actor, at: at)
            return [.notifyShopper(.delivered), .scheduleAutoConfirm(at: due)]
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .readyForPickup, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.delivered, "only a shipped order can be delivered")
        }
    }

    /// Handover at the counter: the clerk types the shopper's code.
    public mutating func pickUp(enteredCode: String, by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .readyForPickup:
            guard actor.isSeller else { throw illegal(.pickedUp, "only store staff hand over an order") }
            guard let expected = pickupCode, PickupCode.verify(entered: enteredCode, expected: expected) else {
                throw ValidationFailure(field: "pickupCode", message: "does not match this order's pickup code")
            }
            // The goods leave the store in the shopper's hands.
            let due = at.addingTimeInterval(TimeInterval(autoConfirmAfterDays) * 86_400)
            autoConfirmDueAt = due
            move(to: .pickedUp, by: actor, at: at)
            return [.commitStock(store: storeId), .notifyShopper(.pickedUp), .scheduleAutoConfirm(at: due)]
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.pickedUp, "only an order ready for pickup can be picked up")
        }
    }

    // MARK: - Completion

    public mutating func confirmReceipt(by actor: TimelineActor, at: Date) throws -> [OrderEffect] {
        switch status {
        case .delivered, .pickedUp:
            guard actor.kind == .shopper else { throw illegal(.completed, "only the shopper confirms receipt") }
            // The shopper says all is well before the grace period ends.
            move(to: .completed, by: actor, at: at, note: "receipt confirmed")
            return [.settle]
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .completed, .cancelled, .expired:
            throw illegal(.completed, "only a delivered or picked-up order can be confirmed")
        }
    }

    /// The auto-confirm job; refuses to run before the due moment.
    public mutating func autoConfirm(at: Date) throws -> [OrderEffect] {
        switch status {
        case .delivered, .pickedUp:
            guard let due = autoConfirmDueAt, at >= due else { throw illegal(.completed, "the confirmation period has not ended") }
            // Silence counts as satisfaction once the grace period is over.
            move(to: .completed, by: .system, at: at, note: "receipt confirmed automatically")
            return [.settle]
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .shipped, .readyForPickup, .completed, .cancelled, .expired:
            throw illegal(.completed, "only a delivered or picked-up order can be confirmed")
        }
    }

    // MARK: - Cancellation

    /// Cancels the order. Shoppers may cancel until the store accepts (a reason is optional);
    /// store and merchant staff after accepting and before the goods leave; HQ and the system
    /// at any point before the goods leave. Staff and HQ must give a reason. Once shipped or
    /// picked up, only after-sales can undo the order.
    public mutating func cancel(by actor: TimelineActor, at: Date, reason: String? = nil) throws -> [OrderEffect] {
        switch status {
        case .pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .readyForPickup:
            let allowed: Bool
            switch actor.kind {
            case .shopper: allowed = [.pendingPayment, .paid, .awaitingReallocation].contains(status)
            case .storeStaff, .merchantStaff: allowed = [.accepted, .picking, .readyForPickup].contains(status)
            case .hq, .system: allowed = true
            }
            guard allowed else {
                let why = actor.kind == .shopper
                    ? (status == .awaitingGroup ? "a paid group-buy order waits for its group; it is refunded if the group does not fill"
                                                : "the store has accepted the order; ask the store or HQ to cancel it")
                    : "the store cannot cancel an order it has not accepted; reject it so it is reallocated"
                throw illegal(.cancelled, why)
            }
            var note = reason.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
            if actor.kind != .shopper { note = try Self.checkReason(reason ?? "") }
            // Nothing has left the store: release what is still reserved, refund what was paid.
            var effects: [OrderEffect] = []
            if status != .awaitingReallocation { effects.append(.releaseStock(store: storeId)) }
            if let paymentReference { effects.append(.refundPayment(reference: paymentReference, cause: .cancelled)) }
            effects.append(.returnPoints)
            if ![.pendingPayment, .awaitingReallocation, .awaitingGroup].contains(status) { effects.append(.notifyStore(storeId)) }
            effects.append(.notifyShopper(.cancelled))
            cancellationReason = note
            move(to: .cancelled, by: actor, at: at, note: note)
            return effects
        case .shipped, .delivered, .pickedUp, .completed, .cancelled, .expired:
            throw illegal(.cancelled, status.isTerminal ? "the order is already \(status.rawValue)" : "the goods have left the store; use after-sales instead")
        }
    }

    // MARK: - Helpers

    private mutating func move(to target: OrderStatus, by actor: TimelineActor, at: Date, note: String? = nil) {
        timeline.append(Entry(actor: actor, at: at, from: status, to: target, note: note))
        status = target
    }

    private mutating func record(by actor: TimelineActor, at: Date, note: String) {
        timeline.append(Entry(actor: actor, at: at, from: status, to: status, note: note))
    }

    private func illegal(_ target: OrderStatus, _ reason: String) -> IllegalTransition {
        IllegalTransition(from: status.rawValue, to: target.rawValue, reason: reason)
    }

    static func checkReason(_ reason: String) throws -> String {
        try TextRule.check(reason, field: "reason", min: 2, max: 200)
    }
}
