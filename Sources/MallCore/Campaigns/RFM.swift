import Foundation

/// What segmentation knows of a member: when they joined and what they bought (paid orders net of
/// fully refunded ones, amounts in fen). Days are shop days.
public struct CustomerActivity: Hashable, Sendable {
    public let memberId: UUID
    public let registeredOn: CalendarDate
    public let firstOrderOn: CalendarDate?
    public let lastOrderOn: CalendarDate?
    public let orders: Int
    public let spentFen: Int64

    public init(memberId: UUID, registeredOn: CalendarDate, firstOrderOn: CalendarDate?, lastOrderOn: CalendarDate?, orders: Int, spentFen: Int64) {
        self.memberId = memberId
        self.registeredOn = registeredOn
        self.firstOrderOn = firstOrderOn
        self.lastOrderOn = lastOrderOn
        self.orders = orders
        self.spentFen = spentFen
    }
}

/// Recency, frequency and monetary value, each 1 (lowest fifth of buyers) to 5 (highest).
public struct RFMScore: Hashable, Codable, Sendable {
    public let recency: Int
    public let frequency: Int
    public let monetary: Int

    public init(recency: Int, frequency: Int, monetary: Int) {
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
    }

    /// "R5F3M4", the way marketers write a cell of the RFM cube.
    public var code: String { "R\(recency)F\(frequency)M\(monetary)" }
}

/// The named groups a marketer targets. Every member is in exactly one.
public enum RFMGroup: String, Codable, Sendable, CaseIterable {
    /// Recent, frequent and big spenders (高价值).
    case highValue = "high_value"
    /// Buy often and still come back (忠诚).
    case loyal
    /// Bought recently but not yet often or much (潜力).
    case potential
    /// Joined or first bought within the last days of `newWithinDays` (新客).
    case new
    /// Used to buy often or much and have not come back for a while (流失风险).
    case atRisk = "at_risk"
    /// No order for `dormantAfterDays`, or never one since joining that long ago (沉睡).
    case dormant
    /// Everyone else: occasional buyers in the middle of every scale.
    case occasional
}

/// The settings that turn scores into groups.
public struct RFMRules: Hashable, Codable, Sendable {
    public var dormantAfterDays: Int
    public var newWithinDays: Int

    public init(dormantAfterDays: Int = 180, newWithinDays: Int = 30) {
        self.dormantAfterDays = dormantAfterDays
        self.newWithinDays = newWithinDays
    }
}

public enum RFM {
    /// Scores each value 1...5 by its percentile among all values: the lowest fifth scores 1,
    /// the top fifth 5. Equal values share the middle of the places they take (mid-rank), so
    /// they always score alike: when most members bought once, they all sit in the middle
    /// rather than at the bottom, and a tie for the best is still near the top.
    public static func quintiles<Value: Comparable>(_ values: [Value]) -> [Int] {
        guard !values.isEmpty else { return [] }
        let sorted = values.sorted()
        func firstIndex(where isAfter: (Value) -> Bool) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if isAfter(sorted[middle]) { high = middle } else { low = middle + 1 }
            }
            return low
        }
        return values.map { value in
            let below = firstIndex { !($0 < value) }
            let equal = firstIndex { value < $0 } - below
            // Percentile (below + equal / 2) / n, in integers; the very top stays within the fifth band.
            return 1 + min(4, (5 * (2 * below + equal)) / (2 * sorted.count))
        }
    }

    /// Scores every member with at least one order against the other buyers; members who never
    /// ordered have no score.
    public static func scores(_ activities: [CustomerActivity], today: CalendarDate) -> [UUID: RFMScore] {
        let buyers = activities.filter { $0.orders > 0 && $0.lastOrderOn != nil }
        // Fewer days since the last order is better, so recency ranks the negated age.
        let recency = quintiles(buyers.map { -(today.dayNumber - ($0.lastOrderOn?.dayNumber ?? today.dayNumber)) })
        let frequency = quintiles(buyers.map(\.orders))
        let monetary = quintiles(buyers.map(\.spentFen))
        var result: [UUID: RFMScore] = [:]
        for (index, buyer) in buyers.enumerated() {
            result[buyer.memberId] = RFMScore(recency: recency[index], frequency: frequency[index], monetary: monetary[index])
        }
        return result
    }

    /// The member's group. Time comes first (dormant, then new), then the scores, best first.
    public static func group(_ activity: CustomerActivity, score: RFMScore?, today: CalendarDate, rules: RFMRules) -> RFMGroup {
        let lastSeen = activity.lastOrderOn ?? activity.registeredOn
        if today.dayNumber - lastSeen.dayNumber >= rules.dormantAfterDays { return .dormant }
        let arrived = activity.firstOrderOn ?? activity.registeredOn
        if activity.orders <= 1 && today.dayNumber - arrived.dayNumber < rules.newWithinDays { return .new }
        guard let score else { return .dormant }
        if score.recency >= 4 && score.frequency >= 4 && score.monetary >= 4 { return .highValue }
        if score.frequency >= 4 && score.recency >= 3 { return .loyal }
        if score.recency <= 2 && (score.frequency >= 3 || score.monetary >= 3) { return .atRisk }
        if score.recency >= 4 { return .potential }
        return .occasional
    }

    /// Scores and groups every member in one pass.
    public static func segment(_ activities: [CustomerActivity], today: CalendarDate, rules: RFMRules) -> [UUID: (score: RFMScore?, group: RFMGroup)] {
        let scores = scores(activities, today: today)
        var result: [UUID: (score: RFMScore?, group: RFMGroup)] = [:]
        for activity in activities {
            let score = scores[activity.memberId]
            result[activity.memberId] = (score, group(activity, score: score, today: today, rules: rules))
        }
        return result
    }
}
