/// Whether a store is trading. Suspension is the platform's lever (a compliance problem), so it
/// is lifted to `closed` and the store then reopens itself deliberately.
public enum StoreStatus: String, Codable, Sendable, CaseIterable {
    case open, closed, suspended

    /// Returns the status after a requested change, or throws when the step is not allowed.
    public func changing(to target: StoreStatus) throws -> StoreStatus {
        switch (self, target) {
        case (.open, .closed), (.closed, .open):
            // Ordinary trading decisions: a store closes for renovation and reopens.
            return target
        case (.open, .suspended), (.closed, .suspended):
            // The platform stops a store from trading whatever its own wish.
            return target
        case (.suspended, .closed):
            // Lifting a suspension does not reopen the store by surprise.
            return target
        case (.suspended, .open):
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "a suspended store is first reinstated as closed")
        case (.open, .open), (.closed, .closed), (.suspended, .suspended):
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "the store is already \(rawValue)")
        }
    }
}

public enum StoreKind: String, Codable, Sendable, CaseIterable {
    /// A shop shoppers can visit, pick up from and get deliveries from.
    case store
    /// Stock only: fulfils deliveries, never shown to shoppers as a place to visit.
    case warehouse
}

/// An attempt to move a state machine along an edge it does not have.
public struct IllegalTransition: Error, Sendable, Equatable {
    public var from: String
    public var to: String
    public var reason: String

    public init(from: String, to: String, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// "cannot change from paid to shipped: …"; a step into the state it is already in (two
    /// people pressing Accept) says only why, not "from accepted to accepted".
    public var message: String { from == to ? reason : "cannot change from \(from) to \(to): \(reason)" }
}

public enum StoreRules {
    /// Store codes are printed on slips and typed by staff: short, upper-case, no ambiguity.
    public static func checkCode(_ code: String, field: String = "code") throws -> String {
        let normalized = code.trimmingWhitespace().uppercased()
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        guard (2...20).contains(normalized.count), normalized.allSatisfy({ allowed.contains($0) }) else {
            throw ValidationFailure(field: field, message: "must be 2–20 letters, digits, '-' or '_'")
        }
        return normalized
    }

    public static func checkDeliveryRadius(_ km: Double, field: String = "deliveryRadiusKm") throws {
        guard km.isFinite, (0...100).contains(km) else {
            throw ValidationFailure(field: field, message: "must be between 0 and 100 km")
        }
    }

    public static func checkDailyCapacity(_ orders: Int, field: String = "dailyOrderCapacity") throws {
        guard (0...100_000).contains(orders) else {
            throw ValidationFailure(field: field, message: "must be between 0 and 100000 orders")
        }
    }

    /// Landlines with area code (021-12345678), mobiles, and 400/800 service numbers.
    public static func checkPhone(_ phone: String, field: String = "phone") throws -> String {
        let trimmed = phone.trimmingWhitespace()
        let digits = trimmed.filter(\.isNumber)
        let allowed = Set("0123456789-+ ()")
        guard trimmed.allSatisfy({ allowed.contains($0) }), (7...15).contains(digits.count) else {
            throw ValidationFailure(field: field, message: "must be a phone number such as 021-62345678 or 13812345678")
        }
        return trimmed
    }
}
