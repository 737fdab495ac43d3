import Foundation
import MallCore

public struct StockLineInput: Codable, Sendable {
    /// The SKU by id, or by barcode / SKU code as a scanner reads it.
    public var skuId: UUID?
    public var barcode: String?
    public var skuCode: String?
    public var quantity: Int

    public init(skuId: UUID? = nil, barcode: String? = nil, skuCode: String? = nil, quantity: Int) {
        self.skuId = skuId
        self.barcode = barcode
        self.skuCode = skuCode
        self.quantity = quantity
    }
}

public struct StockReceiptInput: Codable, Sendable {
    public var storeId: UUID
    public var reference: String?
    public var note: String?
    public var lines: [StockLineInput]

    public init(storeId: UUID, reference: String? = nil, note: String? = nil, lines: [StockLineInput]) {
        self.storeId = storeId
        self.reference = reference
        self.note = note
        self.lines = lines
    }
}

public struct StockOutboundInput: Codable, Sendable {
    public var storeId: UUID
    public var reason: String
    public var lines: [StockLineInput]

    public init(storeId: UUID, reason: String, lines: [StockLineInput]) {
        self.storeId = storeId
        self.reason = reason
        self.lines = lines
    }
}

/// A signed correction of on-hand stock with a reason (damaged, found, miscounted…).
public struct StockAdjustmentInput: Codable, Sendable {
    public var storeId: UUID
    public var skuId: UUID
    public var delta: Int
    public var reason: String

    public init(storeId: UUID, skuId: UUID, delta: Int, reason: String) {
        self.storeId = storeId
        self.skuId = skuId
        self.delta = delta
        self.reason = reason
    }
}

public struct StockThresholdInput: Codable, Sendable {
    /// nil returns the SKU to the shop-wide default threshold.
    public var lowStockThreshold: Int?
    public init(lowStockThreshold: Int?) { self.lowStockThreshold = lowStockThreshold }
}

public struct StockLevelEntry: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var skuCode: String
    public var productId: UUID
    public var productTitle: String
    public var specTitle: String
    public var storeId: UUID
    public var onHand: Int
    public var reserved: Int
    public var available: Int
    public var lowStockThreshold: Int
    public var thresholdIsDefault: Bool
    public var isLow: Bool

    public init(skuId: UUID, skuCode: String, productId: UUID, productTitle: String, specTitle: String, storeId: UUID, onHand: Int,
                reserved: Int, available: Int, lowStockThreshold: Int, thresholdIsDefault: Bool, isLow: Bool) {
        self.skuId = skuId
        self.skuCode = skuCode
        self.productId = productId
        self.productTitle = productTitle
        self.specTitle = specTitle
        self.storeId = storeId
        self.onHand = onHand
        self.reserved = reserved
        self.available = available
        self.lowStockThreshold = lowStockThreshold
        self.thresholdIsDefault = thresholdIsDefault
        self.isLow = isLow
    }
}

public struct StockMovementEntry: Codable, Sendable, Equatable {
    public var id: UUID
    public var seq: Int64
    public var storeId: UUID
    public var skuId: UUID
    public var kind: StockMovementKind
    public var onHandDelta: Int
    public var reservedDelta: Int
    public var onHandAfter: Int
    public var reservedAfter: Int
    public var reason: String?
    public var referenceType: String?
    public var referenceId: String?
    public var actorStaffId: UUID?
    public var createdAt: Date

    public init(id: UUID, seq: Int64, storeId: UUID, skuId: UUID, kind: StockMovementKind, onHandDelta: Int, reservedDelta: Int,
                onHandAfter: Int, reservedAfter: Int, reason: String?, referenceType: String?, referenceId: String?,
                actorStaffId: UUID?, createdAt: Date) {
        self.id = id
        self.seq = seq
        self.storeId = storeId
        self.skuId = skuId
        self.kind = kind
        self.onHandDelta = onHandDelta
        self.reservedDelta = reservedDelta
        self.onHandAfter = onHandAfter
        self.reservedAfter = reservedAfter
        self.reason = reason
        self.referenceType = referenceType
        self.referenceId = referenceId
        self.actorStaffId = actorStaffId
        self.createdAt = createdAt
    }
}

public struct LowStockAlert: Codable, Sendable, Equatable {
    public var id: UUID
    public var skuId: UUID
    public var storeId: UUID
    public var threshold: Int
    public var available: Int
    public var status: String
    public var createdAt: Date
    public var resolvedAt: Date?

    public init(id: UUID, skuId: UUID, storeId: UUID, threshold: Int, available: Int, status: String, createdAt: Date, resolvedAt: Date?) {
        self.id = id
        self.skuId = skuId
        self.storeId = storeId
        self.threshold = threshold
        self.available = available
        self.status = status
        self.createdAt = createdAt
        self.resolvedAt = resolvedAt
    }
}

public struct StocktakeInput: Codable, Sendable {
    public var storeId: UUID
    public var note: String?
    public init(storeId: UUID, note: String? = nil) {
        self.storeId = storeId
        self.note = note
    }
}

/// Counted quantities. `set` replaces a line's count (typed), `add` adds to it (one scan = 1).
public struct StocktakeCountInput: Codable, Sendable {
    public enum Mode: String, Codable, Sendable { case set, add }
    public var mode: Mode
    public var lines: [StockLineInput]
    public init(mode: Mode, lines: [StockLineInput]) {
        self.mode = mode
        self.lines = lines
    }
}

public struct StocktakeLine: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var skuCode: String
    public var counted: Int
    /// On-hand on the books: as it stands now while the sheet is open, frozen when it is posted;
    /// nil on a cancelled sheet.
    public var bookQuantity: Int?
    public var difference: Int?

    public init(skuId: UUID, skuCode: String, counted: Int, bookQuantity: Int?, difference: Int?) {
        self.skuId = skuId
        self.skuCode = skuCode
        self.counted = counted
        self.bookQuantity = bookQuantity
        self.difference = difference
    }
}

public struct Stocktake: Codable, Sendable {
    public var id: UUID
    public var storeId: UUID
    public var status: StocktakeStatus
    public var note: String?
    public var lines: [StocktakeLine]
    public var createdAt: Date
    public var postedAt: Date?

    public init(id: UUID, storeId: UUID, status: StocktakeStatus, note: String?, lines: [StocktakeLine], createdAt: Date, postedAt: Date?) {
        self.id = id
        self.storeId = storeId
        self.status = status
        self.note = note
        self.lines = lines
        self.createdAt = createdAt
        self.postedAt = postedAt
    }
}

public struct TransferInput: Codable, Sendable {
    public var fromStoreId: UUID
    public var toStoreId: UUID
    public var expectedArrivalAt: Date?
    public var note: String?
    public var lines: [StockLineInput]

    public init(fromStoreId: UUID, toStoreId: UUID, expectedArrivalAt: Date? = nil, note: String? = nil, lines: [StockLineInput]) {
        self.fromStoreId = fromStoreId
        self.toStoreId = toStoreId
        self.expectedArrivalAt = expectedArrivalAt
        self.note = note
        self.lines = lines
    }
}

public struct TransferReceiptInput: Codable, Sendable {
    public var lines: [StockLineInput]
    public init(lines: [StockLineInput]) { self.lines = lines }
}

public struct TransferLine: Codable, Sendable, Equatable {
    public var skuId: UUID
    public var skuCode: String
    /// Product title and spec, for people reading the transfer.
    public var title: String
    public var quantity: Int
    public var receivedQuantity: Int
    public var discrepancy: Int

    public init(skuId: UUID, skuCode: String, title: String, quantity: Int, receivedQuantity: Int, discrepancy: Int) {
        self.skuId = skuId
        self.skuCode = skuCode
        self.title = title
        self.quantity = quantity
        self.receivedQuantity = receivedQuantity
        self.discrepancy = discrepancy
    }
}

public struct Transfer: Codable, Sendable {
    public var id: UUID
    public var number: String
    public var fromStoreId: UUID
    /// Store names travel with the transfer: each side may read a transfer whose other store it
    /// cannot look up.
    public var fromStoreName: String
    public var toStoreId: UUID
    public var toStoreName: String
    public var status: TransferStatus
    public var note: String?
    public var expectedArrivalAt: Date?
    public var lines: [TransferLine]
    public var createdAt: Date
    public var shippedAt: Date?
    public var receivedAt: Date?

    public init(id: UUID, number: String, fromStoreId: UUID, fromStoreName: String, toStoreId: UUID, toStoreName: String,
                status: TransferStatus, note: String?, expectedArrivalAt: Date?, lines: [TransferLine], createdAt: Date,
                shippedAt: Date?, receivedAt: Date?) {
        self.id = id
        self.number = number
        self.fromStoreId = fromStoreId
        self.fromStoreName = fromStoreName
        self.toStoreId = toStoreId
        self.toStoreName = toStoreName
        self.status = status
        self.note = note
        self.expectedArrivalAt = expectedArrivalAt
        self.lines = lines
        self.createdAt = createdAt
        self.shippedAt = shippedAt
        self.receivedAt = receivedAt
    }
}

/// A batch pushed by a store's POS or ERP. Sending the same `externalReference` again returns
/// the first result and changes nothing.
public struct StockSyncBatchInput: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// Quantities are counts: on-hand becomes exactly this.
        case counts
        /// Quantities are signed movements the store recorded (sales at the till, deliveries).
        case movements
    }
    public var externalReference: String
    public var kind: Kind
    public var lines: [StockLineInput]

    public init(externalReference: String, kind: Kind, lines: [StockLineInput]) {
        self.externalReference = externalReference
        self.kind = kind
        self.lines = lines
    }
}

public struct StockSyncResult: Codable, Sendable, Equatable {
    public var externalReference: String
    public var replayed: Bool
    public var changedLines: Int
    public var unchangedLines: Int
    /// The store's movement cursor after this batch.
    public var cursor: Int64

    public init(externalReference: String, replayed: Bool, changedLines: Int, unchangedLines: Int, cursor: Int64) {
        self.externalReference = externalReference
        self.replayed = replayed
        self.changedLines = changedLines
        self.unchangedLines = unchangedLines
        self.cursor = cursor
    }
}

/// Movements of one store after a cursor, oldest first; pass `nextCursor` back to continue.
public struct StockChanges: Codable, Sendable {
    public var changes: [StockMovementEntry]
    public var nextCursor: Int64
    public var hasMore: Bool

    public init(changes: [StockMovementEntry], nextCursor: Int64, hasMore: Bool) {
        self.changes = changes
        self.nextCursor = nextCursor
        self.hasMore = hasMore
    }
}
