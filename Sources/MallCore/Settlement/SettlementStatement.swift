import Foundation

/// Where a merchant's statement stands.
public enum StatementStatus: String, Codable, Sendable, CaseIterable {
    /// Issued after its period (T+N days), waiting for the merchant.
    case draft
    /// Agreed, by the merchant or automatically after the confirmation period.
    case confirmed
    /// The platform paid it out (a payout record names the transfer).
    case paid
    /// Closed without a payout: confirmed with a net of zero or less (late refunds beyond the
    /// period's sales), which no transfer can pay; the net is brought forward into the
    /// merchant's next statement instead.
    case carriedForward = "carried_forward"
}

/// Where a confirmed statement goes next.
public enum StatementClosing: Equatable, Sendable {
    /// The platform owes the merchant `netFen` (> 0): a payout of exactly that closes it.
    case awaitingPayout(netFen: Int64)
    /// Nothing to pay (`netFen` ≤ 0): closed now; the net is owed into the next statement.
    case carriedForward(netFen: Int64)
}

/// How a statement was confirmed.
public enum StatementConfirmation: String, Codable, Sendable {
    case merchant
    case automatic
}

/// A statement's life: draft → confirmed → paid, or draft → carried forward when its net is
/// zero or negative. Nothing goes back: a mistake found later is an adjustment in the next
/// statement.
public struct StatementLifecycle: Codable, Hashable, Sendable {
    public private(set) var status: StatementStatus

    public init(status: StatementStatus = .draft) {
        self.status = status
    }

    /// The merchant agrees (or the confirmation period ran out) to a statement whose net is
    /// `netFen`. A positive net waits for its payout; zero or less closes it at once as carried
    /// forward, since a payout must be a positive transfer of exactly the net.
    @discardableResult
    public mutating func confirm(_ how: StatementConfirmation, netFen: Int64) throws -> StatementClosing {
        switch status {
        case .draft:
            if netFen > 0 {
                status = .confirmed
                return .awaitingPayout(netFen: netFen)
            }
            status = .carriedForward
            return .carriedForward(netFen: netFen)
        case .confirmed, .paid, .carriedForward:
            throw IllegalTransition(from: status.rawValue, to: StatementStatus.confirmed.rawValue, reason: "the statement is already \(status.rawValue)")
        }
    }

    /// The platform recorded the payout of `amountFen` for a statement whose merchant net is
    /// `netFen`; only a confirmed statement is paid, and only for exactly what it says.
    public mutating func pay(amountFen: Int64, netFen: Int64) throws {
        switch status {
        case .confirmed:
            guard amountFen == netFen else {
                throw ValidationFailure(field: "amountFen", message: "must be the statement's net amount, \(Money(minorUnits: netFen))")
            }
            status = .paid
        case .draft:
            throw IllegalTransition(from: status.rawValue, to: StatementStatus.paid.rawValue, reason: "the merchant has not confirmed the statement yet")
        case .paid:
            throw IllegalTransition(from: status.rawValue, to: StatementStatus.paid.rawValue, reason: "the statement is already paid")
        case .carriedForward:
            throw IllegalTransition(from: status.rawValue, to: StatementStatus.paid.rawValue, reason: "the statement's net was carried into the next statement")
        }
    }
}

/// Negative (or zero) statements: their net is brought forward into the merchant's next
/// statement, whose net is its own entries' plus what it brings forward.
public enum StatementCarry {
    /// The net of a statement: its entries' merchant net plus the nets brought forward from the
    /// merchant's earlier carried statements.
    public static func net(entriesNetFen: Int64, broughtForwardFen: Int64) throws -> Int64 {
        try Checked.add(entriesNetFen, broughtForwardFen, "statement net")
    }
}

/// How long a statement's period is.
public enum SettlementCycle: String, Codable, Sendable {
    /// Monday to Sunday in the shop's time zone.
    case weekly
    /// Calendar months in the shop's time zone.
    case monthly
}

/// A half-open period `[start, end)` of settlement.
public struct SettlementPeriod: Hashable, Codable, Sendable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// The period holding `date`, in `timeZone`'s calendar.
    public static func containing(_ date: Date, cycle: SettlementCycle, timeZone: TimeZone) -> SettlementPeriod {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        let component: Calendar.Component = cycle == .weekly ? .weekOfYear : .month
        guard let interval = calendar.dateInterval(of: component, for: date) else {
            return SettlementPeriod(start: date, end: date)
        }
        return SettlementPeriod(start: interval.start, end: interval.end)
    }

    /// A day as people write it (YYYY-MM-DD) in `timeZone`: the period's first day is `start`'s,
    /// its last `end` minus a second's.
    public static func day(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Whether the statement of this period is due at `now`: `delayDays` (the N of T+N) after
    /// its end, so late evening orders and the day's refunds are in.
    public func isDue(at now: Date, delayDays: Int) -> Bool {
        now >= end.addingTimeInterval(TimeInterval(delayDays) * 86_400)
    }
}

public enum SettlementRules {
    /// Whether an order's lines are final and may be settled: completed, and the after-sales
    /// window after delivery or pickup closed. Refunds that come later still land, as
    /// adjustments in the next statement.
    public static func isFinal(status: OrderStatus, handedOverAt: Date?, completedAt: Date?, windowDays: Int, now: Date) -> Bool {
        guard status == .completed, let from = handedOverAt ?? completedAt else { return false }
        return now >= from.addingTimeInterval(TimeInterval(windowDays) * 86_400)
    }

    /// A draft statement the merchant left alone is confirmed `days` after it was issued.
    public static func autoConfirms(issuedAt: Date, days: Int, now: Date) -> Bool {
        now >= issuedAt.addingTimeInterval(TimeInterval(days) * 86_400)
    }
}
