import Foundation

/// Who moved a state machine: the timeline shows it to the shopper, the store and HQ.
public struct TimelineActor: Hashable, Codable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case shopper
        case storeStaff = "store_staff"
        case merchantStaff = "merchant_staff"
        case hq
        /// Jobs and gateway or carrier callbacks.
        case system
    }

    public var kind: Kind
    /// The account id; nil for `system`.
    public var id: UUID?

    public init(kind: Kind, id: UUID?) {
        self.kind = kind
        self.id = id
    }

    public static func shopper(_ id: UUID) -> TimelineActor { TimelineActor(kind: .shopper, id: id) }
    public static func storeStaff(_ id: UUID) -> TimelineActor { TimelineActor(kind: .storeStaff, id: id) }
    public static func merchantStaff(_ id: UUID) -> TimelineActor { TimelineActor(kind: .merchantStaff, id: id) }
    public static func hq(_ id: UUID) -> TimelineActor { TimelineActor(kind: .hq, id: id) }
    public static let system = TimelineActor(kind: .system, id: nil)

    /// Store or merchant staff: the people who run the fulfilment side.
    var isSeller: Bool { kind == .storeStaff || kind == .merchantStaff }
}

/// One recorded event of a state machine. `from == to` marks an event that changed nothing but
/// must still be visible (a late payment that is being refunded).
public struct TimelineEntry<Status: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
    public var actor: TimelineActor
    public var at: Date
    public var from: Status
    public var to: Status
    public var note: String?

    public init(actor: TimelineActor, at: Date, from: Status, to: Status, note: String? = nil) {
        self.actor = actor
        self.at = at
        self.from = from
        self.to = to
        self.note = note
    }
}
