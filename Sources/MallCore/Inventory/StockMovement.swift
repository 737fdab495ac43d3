/// Why stock changed. Every change to a store's stock is one of these, written to the ledger in
/// the same transaction as the projection it moves.
public enum StockMovementKind: String, Codable, Sendable, CaseIterable {
    /// Goods received from a supplier or headquarters.
    case receipt
    /// Goods leaving for a reason other than a sale (damage, sample, return to supplier).
    case outbound
    /// An order holds units: available drops, on hand stays.
    case reserve
    /// A held order is fulfilled: the held units leave the shelf.
    case commit
    /// A held order is cancelled or expires: the units are available again.
    case release
    /// A correction with a reason; may go either way.
    case adjustment
    /// The difference between a physical count and the books.
    case stocktake
    /// Units leave on a transfer to another store.
    case transferOut = "transfer_out"
    /// Units arrive from a transfer.
    case transferIn = "transfer_in"
    /// A shopper's return put back on the shelf.
    case `return`
    /// A store system's count replaced the books (POS/ERP sync).
    case sync
}

/// One SKU's stock at one store. `available` is what can still be promised to a shopper.
public struct StockLevel: Hashable, Codable, Sendable {
    public var onHand: Int
    public var reserved: Int

    public init(onHand: Int, reserved: Int) {
        self.onHand = onHand
        self.reserved = reserved
    }

    /// Saturates rather than traps for levels beyond any real stock (every movement is at most a
    /// million units, so such a level can only come from data written around the ledger).
    public var available: Int {
        let (difference, overflow) = onHand.subtractingReportingOverflow(reserved)
        return overflow ? (reserved < 0 ? .max : .min) : difference
    }
}

/// A requested change expressed as deltas plus the condition the current level must meet.
/// The server turns it into one conditional UPDATE, so the check and the write cannot be
/// separated by another request: this is what prevents overselling.
public struct StockChange: Hashable, Sendable {
    public let kind: StockMovementKind
    public let onHandDelta: Int
    public let reservedDelta: Int
    /// The update applies only when `available >= minimumAvailable` …
    public let minimumAvailable: Int
    /// … and `reserved >= minimumReserved`.
    public let minimumReserved: Int

    /// Builds the change for a movement of `quantity` units (a signed delta for adjustments).
    public static func movement(_ kind: StockMovementKind, quantity: Int, field: String = "quantity") throws -> StockChange {
        switch kind {
        case .adjustment, .stocktake, .sync:
            guard quantity != 0 else { throw ValidationFailure(field: field, message: "must not be zero") }
            // A range test, not abs(): abs(Int.min) traps.
            guard (-maximumQuantity...maximumQuantity).contains(quantity) else {
                throw ValidationFailure(field: field, message: "must be between -\(maximumQuantity) and \(maximumQuantity) units")
            }
            // Taking stock down may not eat into units already promised to orders.
            return StockChange(kind: kind, onHandDelta: quantity, reservedDelta: 0, minimumAvailable: max(0, -quantity), minimumReserved: 0)
        default:
            guard quantity > 0 else { throw ValidationFailure(field: field, message: "must be at least 1") }
            guard quantity <= maximumQuantity else { throw ValidationFailure(field: field, message: "must be at most \(maximumQuantity) units") }
        }
        switch kind {
        case .receipt, .transferIn, .return:
            return StockChange(kind: kind, onHandDelta: quantity, reservedDelta: 0, minimumAvailable: 0, minimumReserved: 0)
        case .outbound, .transferOut:
            return StockChange(kind: kind, onHandDelta: -quantity, reservedDelta: 0, minimumAvailable: quantity, minimumReserved: 0)
        case .reserve:
            return StockChange(kind: kind, onHandDelta: 0, reservedDelta: quantity, minimumAvailable: quantity, minimumReserved: 0)
        case .release:
            return StockChange(kind: kind, onHandDelta: 0, reservedDelta: -quantity, minimumAvailable: 0, minimumReserved: quantity)
        case .commit:
            return StockChange(kind: kind, onHandDelta: -quantity, reservedDelta: -quantity, minimumAvailable: 0, minimumReserved: quantity)
        case .adjustment, .stocktake, .sync:
            fatalError("handled above")
        }
    }

    /// The largest single movement; guards against typos such as a barcode pasted into a quantity.
    public static let maximumQuantity = InputLimits.stockQuantity.upperBound

    /// True for changes that only add stock and so succeed on any level, even a missing one.
    public var alwaysApplies: Bool {
        onHandDelta >= 0 && reservedDelta >= 0 && minimumAvailable <= 0 && minimumReserved <= 0
    }

    /// Applies the change to a level, or nil when the condition fails. The server's SQL does the
    /// same; tests compare the two.
    public func applied(to level: StockLevel) -> StockLevel? {
        let (available, availableOverflow) = level.onHand.subtractingReportingOverflow(level.reserved)
        let (onHand, onHandOverflow) = level.onHand.addingReportingOverflow(onHandDelta)
        let (reserved, reservedOverflow) = level.reserved.addingReportingOverflow(reservedDelta)
        // A level no arithmetic can move (only from data written around the ledger) takes no change.
        guard !availableOverflow, !onHandOverflow, !reservedOverflow,
              available >= minimumAvailable, level.reserved >= minimumReserved else { return nil }
        return StockLevel(onHand: onHand, reserved: reserved)
    }
}

/// Low-stock alerts fire once when available falls below the threshold and re-arm only after
/// stock has recovered to the threshold, so a level hovering at the edge does not spam managers.
public enum LowStockRule {
    public enum Decision: Equatable, Sendable {
        case raise
        case resolve
        case nothing
    }

    public static func decide(available: Int, threshold: Int, alertOpen: Bool) -> Decision {
        let low = available < threshold
        switch (low, alertOpen) {
        case (true, false): return .raise
        case (false, true): return .resolve
        default: return .nothing
        }
    }
}
