/// A stock transfer between two stores of one merchant (or warehouse → store).
public enum TransferStatus: String, Codable, Sendable, CaseIterable {
    case created
    /// Goods left the source; they are in transit until received.
    case shipped
    /// Some lines arrived, more may follow.
    case partiallyReceived = "partially_received"
    /// Closed: everything arrived, or the rest was written off as a discrepancy.
    case received
    case cancelled
}

public struct TransferLineState: Hashable, Codable, Sendable {
    public var quantity: Int
    public var received: Int

    public init(quantity: Int, received: Int = 0) {
        self.quantity = quantity
        self.received = received
    }

    public var outstanding: Int { quantity - received }
}

/// The transfer's state machine. Stock leaves the source on `ship` and enters the destination
/// per receipt; whatever never arrives is recorded as a discrepancy on `close`.
public struct TransferLifecycle: Equatable, Sendable {
    public private(set) var status: TransferStatus
    public private(set) var lines: [TransferLineState]

    public init(status: TransferStatus, lines: [TransferLineState]) {
        self.status = status
        self.lines = lines
    }

    public mutating func ship() throws {
        switch status {
        case .created:
            // The source hands the goods to the carrier.
            status = .shipped
        case .shipped, .partiallyReceived, .received, .cancelled:
            throw IllegalTransition(from: status.rawValue, to: TransferStatus.shipped.rawValue, reason: "only a created transfer can ship")
        }
    }

    public mutating func cancel() throws {
        switch status {
        case .created:
            // Nothing moved yet, so nothing to undo.
            status = .cancelled
        case .shipped, .partiallyReceived, .received, .cancelled:
            throw IllegalTransition(from: status.rawValue, to: TransferStatus.cancelled.rawValue,
                                    reason: "goods already left the source; receive what arrives and close the transfer")
        }
    }

    /// Records units that arrived, per line index. Receiving more than was shipped is refused.
    public mutating func receive(_ quantities: [Int: Int]) throws {
        switch status {
        case .shipped, .partiallyReceived:
            var errors = FieldErrorCollector()
            for (index, quantity) in quantities.sorted(by: { $0.key < $1.key }) {
                guard lines.indices.contains(index) else {
                    errors.add("lines[\(index)]", "is not a line of this transfer")
                    continue
                }
                if quantity < 0 { errors.add("lines[\(index)].quantity", "must not be negative") }
                if quantity > lines[index].outstanding {
                    errors.add("lines[\(index)].quantity", "is more than the \(lines[index].outstanding) still in transit")
                }
            }
            try errors.throwIfAny()
            for (index, quantity) in quantities { lines[index].received += quantity }
            // Fully received closes the transfer; otherwise it stays open for later deliveries.
            status = lines.allSatisfy { $0.outstanding == 0 } ? .received : .partiallyReceived
        case .created, .received, .cancelled:
            throw IllegalTransition(from: status.rawValue, to: TransferStatus.partiallyReceived.rawValue, reason: "only a shipped transfer can be received")
        }
    }

    /// Closes a partly received transfer; returns the missing units per line (the discrepancy).
    public mutating func close() throws -> [Int] {
        switch status {
        case .partiallyReceived, .shipped:
            // Whatever is still outstanding is declared lost in transit.
            status = .received
            return lines.map(\.outstanding)
        case .created, .received, .cancelled:
            throw IllegalTransition(from: status.rawValue, to: TransferStatus.received.rawValue, reason: "only a transfer in transit can be closed")
        }
    }
}
