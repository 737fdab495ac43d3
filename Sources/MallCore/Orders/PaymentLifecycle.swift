/// Where a checkout's payment stands.
public enum PaymentStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for the shopper's money.
    case pending
    /// Paid in full, nothing refunded.
    case paid
    /// Paid, and some of it went back.
    case partiallyRefunded = "partially_refunded"
    /// Everything went back.
    case refunded
}

/// The money of one payment: what arrived, from which transaction, and how much of it was booked
/// to go back. The server applies the same rules as single conditional UPDATEs (so concurrent
/// notifications and refunds cannot interleave); `status(refunded:of:)` is the CASE those
/// statements write, and the events below are the rules for code that holds the row.
public struct PaymentLifecycle: Hashable, Sendable {
    public private(set) var status: PaymentStatus
    public let amountFen: Int64
    public private(set) var refundedFen: Int64
    /// The transaction that paid, once paid.
    public private(set) var transactionId: String?

    public init(status: PaymentStatus, amountFen: Int64, refundedFen: Int64, transactionId: String?) {
        self.status = status
        self.amountFen = amountFen
        self.refundedFen = refundedFen
        self.transactionId = transactionId
    }

    /// What money arriving means for this payment.
    public enum Arrival: Hashable, Sendable {
        /// The payment is now paid: pay its orders.
        case paid
        /// The same transaction reported again: nothing to do.
        case replay
        /// Another transaction for a payment already paid: the shopper paid twice; refund it.
        case duplicate
    }

    /// Money arrived in `transactionId`.
    public mutating func pay(transactionId: String) -> Arrival {
        switch status {
        case .pending:
            // A pending payment with a transaction booked (the sandbox books it on the pay page)
            // is paid only by that transaction; another one is a second payment.
            if let booked = self.transactionId, booked != transactionId { return .duplicate }
            status = .paid
            self.transactionId = transactionId
            return .paid
        case .paid, .partiallyRefunded, .refunded:
            return self.transactionId == transactionId ? .replay : .duplicate
        }
    }

    /// A refund of `amountFen` is booked against the payment.
    public mutating func bookRefund(_ amountFen: Int64) throws {
        guard status != .pending else {
            throw IllegalTransition(from: status.rawValue, to: PaymentStatus.refunded.rawValue, reason: "nothing has been paid yet")
        }
        let (total, overflow) = refundedFen.addingReportingOverflow(amountFen)
        guard amountFen > 0, !overflow, total <= self.amountFen else {
            throw IllegalTransition(from: status.rawValue, to: PaymentStatus.refunded.rawValue,
                                    reason: "refunds would exceed what is left of the payment")
        }
        refundedFen = total
        status = Self.status(refundedFen: total, of: self.amountFen)
    }

    /// A booked refund the provider refused: its amount counts as paid again.
    public mutating func refundFailed(_ amountFen: Int64) throws {
        guard amountFen > 0, amountFen <= refundedFen, status != .pending else {
            throw IllegalTransition(from: status.rawValue, to: PaymentStatus.paid.rawValue, reason: "no such refund was booked")
        }
        refundedFen -= amountFen
        status = Self.status(refundedFen: refundedFen, of: self.amountFen)
    }

    /// The status of a paid payment once `refundedFen` of `amountFen` has been booked to go back.
    public static func status(refundedFen: Int64, of amountFen: Int64) -> PaymentStatus {
        if refundedFen <= 0 { return .paid }
        return refundedFen >= amountFen ? .refunded : .partiallyRefunded
    }
}

/// Where a refund stands with its provider.
public enum RefundStatus: String, Codable, Sendable, CaseIterable {
    /// Booked; the call to the provider is queued.
    case pending
    /// The provider accepted it and will report the outcome.
    case processing
    case succeeded
    /// The provider refused it; staff may send it again.
    case failed
    /// A failed refund sent again as a new refund.
    case retried

    /// The statuses a refund may reach this one from: the source of the server's conditional
    /// `UPDATE … WHERE status IN (…)`, so each outcome is recorded once.
    public var predecessors: [RefundStatus] {
        switch self {
        case .pending: []
        case .processing: [.pending]
        case .succeeded, .failed: [.pending, .processing]
        case .retried: [.failed]
        }
    }

    public var isFinal: Bool {
        switch self {
        case .succeeded, .retried: true
        case .pending, .processing, .failed: false
        }
    }
}

/// One refund's way through its provider: pending → processing → succeeded or failed, and a
/// failed one retried once. Every event checks where the refund is and says why it cannot move.
public struct RefundLifecycle: Hashable, Sendable {
    public private(set) var status: RefundStatus

    public init(status: RefundStatus) {
        self.status = status
    }

    /// The provider accepted the refund and will report its outcome later.
    public mutating func accepted() throws { try move(to: .processing) }

    /// The money went back.
    public mutating func succeeded() throws { try move(to: .succeeded) }

    /// The provider refused it.
    public mutating func failed() throws { try move(to: .failed) }

    /// Staff send a failed refund again (as a new refund).
    public mutating func retried() throws { try move(to: .retried) }

    private mutating func move(to target: RefundStatus) throws {
        guard target.predecessors.contains(status) else {
            let reason = status == target ? "the refund is already \(target.rawValue)" : "a \(status.rawValue) refund cannot become \(target.rawValue)"
            throw IllegalTransition(from: status.rawValue, to: target.rawValue, reason: reason)
        }
        status = target
    }
}
