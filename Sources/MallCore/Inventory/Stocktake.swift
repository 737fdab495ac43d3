/// A count sheet: opened, filled in by scanning or typing, then posted once (or cancelled).
public enum StocktakeStatus: String, Codable, Sendable, CaseIterable {
    case open, posted, cancelled

    public func posting() throws -> StocktakeStatus {
        guard self == .open else {
            throw IllegalTransition(from: rawValue, to: StocktakeStatus.posted.rawValue, reason: "only an open count sheet can be posted")
        }
        return .posted
    }

    public func cancelling() throws -> StocktakeStatus {
        guard self == .open else {
            throw IllegalTransition(from: rawValue, to: StocktakeStatus.cancelled.rawValue, reason: "only an open count sheet can be cancelled")
        }
        return .cancelled
    }

    public func counting() throws {
        guard self == .open else {
            throw IllegalTransition(from: rawValue, to: rawValue, reason: "the count sheet is \(rawValue); open a new one to count again")
        }
    }
}
