import Foundation

extension InputLimits {
    /// Members a group needs to fill.
    public static let groupBuySize = 2...50
    /// How long a group stays open after it is opened, in minutes (up to a week).
    public static let groupBuyTimeLimitMinutes = 5...10_080
    /// How long an activity runs, in minutes (up to 60 days).
    public static let groupBuyActivityMinutes = 1...86_400
    /// A group price per unit: at least a fen, at most ¥100,000.
    public static let groupBuyPriceFen: ClosedRange<Int64> = 1...10_000_000
    /// Groups one member may be in (opened or joined) per activity.
    public static let groupBuyPerMemberLimit = 1...20
    /// Empty slots the platform may fill with virtual members when time runs out.
    public static let groupBuyVirtualFill = 0...49
}

/// Where a group-buy activity stands for everyone.
public enum GroupBuyPhase: String, Codable, Sendable, CaseIterable {
    case upcoming
    /// Groups can be opened and joined.
    case live
    /// Past its end, or ended early by staff; open groups run until their own expiry.
    case ended
}

/// A group's state: open for joining, filled (every slot paid, or topped up by virtual members)
/// or failed (time ran out; every paid member refunded).
public enum GroupBuyGroupStatus: String, Codable, Sendable, CaseIterable {
    case open
    case filled
    case failed
}

/// What happens to a group whose time ran out unfilled.
public enum GroupExpiryOutcome: Sendable, Equatable {
    /// The platform tops the group up with this many virtual members; the paid members' orders go ahead.
    case fillVirtually(members: Int)
    /// Everyone who paid is refunded.
    case fail
}

/// A group as a value: slots taken by members (paid or within their payment window), slots
/// paid, and the transitions the server performs with conditional UPDATEs. Each event checks
/// its edge and throws `IllegalTransition` (a 409) when it does not exist.
public struct GroupBuyGroup: Hashable, Sendable {
    public private(set) var status: GroupBuyGroupStatus
    public let size: Int
    public let expiresAt: Date
    /// Slots held by members, paid or not.
    public private(set) var joined: Int
    /// Members who paid.
    public private(set) var paid: Int
    /// Slots the platform filled at expiry.
    public private(set) var virtualMembers: Int

    /// A group just opened by its first member (who holds the first slot).
    public init(size: Int, expiresAt: Date) {
        self.status = .open
        self.size = size
        self.expiresAt = expiresAt
        self.joined = 1
        self.paid = 0
        self.virtualMembers = 0
    }

    public var slotsLeft: Int { max(0, size - joined) }

    /// A member takes a slot: only while open, before expiry and with a slot free.
    public mutating func join(at now: Date) throws {
        guard status == .open else { throw illegal(status, "the group is \(status.rawValue)") }
        guard now < expiresAt else { throw illegal(status, "the group's time has run out") }
        guard joined < size else { throw illegal(status, "the group is full") }
        joined += 1
    }

    /// An unpaid member's order was cancelled or expired: the slot is free again.
    public mutating func release() throws {
        guard status == .open, joined > paid else { throw illegal(status, "only an open group's unpaid slot can be released") }
        joined -= 1
    }

    /// A member paid; returns true when this payment filled the group.
    public mutating func memberPaid() throws -> Bool {
        guard status == .open, paid < joined else { throw illegal(status, "only a held slot of an open group can be paid") }
        paid += 1
        // Filled only by payments: a slot held by an unpaid order may still lapse.
        if paid == size { status = .filled }
        return status == .filled
    }

    /// Time ran out: top up with virtual members when at most `virtualFill` are missing and
    /// someone paid, else fail.
    public mutating func expire(at now: Date, virtualFill: Int) throws -> GroupExpiryOutcome {
        guard status == .open else { throw illegal(status, "the group is already \(status.rawValue)") }
        guard now >= expiresAt else { throw illegal(status, "the group's time has not run out") }
        let outcome = GroupBuyRules.expiryOutcome(size: size, paid: paid, virtualFill: virtualFill)
        switch outcome {
        case .fillVirtually(let missing):
            virtualMembers = missing
            status = .filled
        case .fail:
            status = .failed
        }
        return outcome
    }

    private func illegal(_ target: GroupBuyGroupStatus, _ reason: String) -> IllegalTransition {
        IllegalTransition(from: status.rawValue, to: target.rawValue, reason: reason)
    }
}

/// One SKU offered at a group price, as staff enter it, for validation.
public struct GroupBuyDraft: Sendable, Equatable {
    public var title: String
    public var startsAt: Date
    public var endsAt: Date
    public var groupPriceFen: Int64
    public var groupSize: Int
    public var timeLimitMinutes: Int
    public var perMemberLimit: Int
    public var virtualFill: Int

    public init(title: String, startsAt: Date, endsAt: Date, groupPriceFen: Int64, groupSize: Int, timeLimitMinutes: Int,
                perMemberLimit: Int, virtualFill: Int) {
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.groupPriceFen = groupPriceFen
        self.groupSize = groupSize
        self.timeLimitMinutes = timeLimitMinutes
        self.perMemberLimit = perMemberLimit
        self.virtualFill = virtualFill
    }
}

/// The rules of group buying (拼团), independent of storage.
public enum GroupBuyRules {
    /// The activity's phase at `now`: an early end counts from the moment staff ended it.
    public static func phase(startsAt: Date, endsAt: Date, endedAt: Date?, now: Date) -> GroupBuyPhase {
        if let endedAt, now >= endedAt { return .ended }
        if now >= endsAt { return .ended }
        return now < startsAt ? .upcoming : .live
    }

    /// A group opened at `openedAt` runs for the activity's time limit, but never past the
    /// activity's end: nobody can join after that, so waiting longer only delays the refunds.
    public static func expiresAt(openedAt: Date, timeLimitMinutes: Int, activityEndsAt: Date) -> Date {
        min(openedAt.addingTimeInterval(TimeInterval(timeLimitMinutes) * 60), activityEndsAt)
    }

    /// At expiry: filled virtually when someone paid and at most `virtualFill` slots are
    /// missing; otherwise failed. A group with nobody paid is never filled by the platform alone.
    public static func expiryOutcome(size: Int, paid: Int, virtualFill: Int) -> GroupExpiryOutcome {
        let missing = max(0, size - max(0, paid))
        guard paid > 0, missing <= max(0, virtualFill) else { return .fail }
        return .fillVirtually(members: missing)
    }

    /// Staff may change an activity only before it starts (and before an early end).
    public static func editable(startsAt: Date, endedAt: Date?, now: Date) -> Bool {
        endedAt == nil && now < startsAt
    }

    /// Share of opened groups that filled, in whole percent (0 with none opened).
    public static func fillPercent(opened: Int, filled: Int) -> Int {
        guard opened > 0 else { return 0 }
        return Int(Int64(min(max(filled, 0), opened)) * 100 / Int64(opened))
    }

    /// Checks an activity as staff entered it, reporting every problem at once. `listPriceFen`
    /// is the SKU's regular price where known: the group price must be below it.
    public static func validate(_ draft: GroupBuyDraft, listPriceFen: Int64?) -> FieldErrorCollector {
        var errors = FieldErrorCollector()
        _ = errors.collect { try TextRule.check(draft.title, field: "title", min: 1, max: 60) }
        let minutes = draft.endsAt.timeIntervalSince(draft.startsAt) / 60
        if minutes < Double(InputLimits.groupBuyActivityMinutes.lowerBound) {
            errors.add("endsAt", "must be at least a minute after startsAt")
        } else if minutes > Double(InputLimits.groupBuyActivityMinutes.upperBound) {
            errors.add("endsAt", "must be at most \(InputLimits.groupBuyActivityMinutes.upperBound) minutes after startsAt")
        }
        if errors.range(draft.groupPriceFen, InputLimits.groupBuyPriceFen, "groupPriceFen"), let listPriceFen, draft.groupPriceFen >= listPriceFen {
            errors.add("groupPriceFen", "must be below the regular price of \(listPriceFen) fen")
        }
        let sized = errors.range(draft.groupSize, InputLimits.groupBuySize, "groupSize")
        errors.range(draft.timeLimitMinutes, InputLimits.groupBuyTimeLimitMinutes, "timeLimitMinutes")
        errors.range(draft.perMemberLimit, InputLimits.groupBuyPerMemberLimit, "perMemberLimit")
        if errors.range(draft.virtualFill, InputLimits.groupBuyVirtualFill, "virtualFill"), sized, draft.virtualFill >= draft.groupSize {
            errors.add("virtualFill", "must be less than groupSize: at least one member must pay")
        }
        return errors
    }
}
