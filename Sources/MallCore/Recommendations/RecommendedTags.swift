import Foundation

/// Labels a product earns from how it sells and is rated (个性化推荐标签).
public enum RecommendedTag: String, Codable, Sendable, CaseIterable {
    /// 热销: among the best sellers of the last days.
    case hot
    /// 新品: listed recently.
    case new
    /// 好评: rated well by enough buyers.
    case wellRated = "well_rated"
    /// 回头客多: many of its buyers came back for it.
    case repeatBuyers = "repeat_buyers"

    /// Tags as stored in one text column: raw values joined by commas, in declaration order.
    public static func text(_ tags: [RecommendedTag]) -> String {
        allCases.filter(tags.contains).map(\.rawValue).joined(separator: ",")
    }

    /// The tags in `text`; unknown names (a tag retired since) are skipped.
    public static func list(_ text: String) -> [RecommendedTag] {
        let names = Set(text.split(separator: ",").map(String.init))
        return allCases.filter { names.contains($0.rawValue) }
    }
}

/// What the tag rules look at for one product.
public struct TagFacts: Hashable, Sendable {
    /// Net units over the hot window.
    public var recentUnits: Int64
    public var listedAt: Date
    /// Mean rating in tenths of a star (4.6 stars is 46) and how many ratings it rests on.
    public var ratingTenths: Int?
    public var ratingCount: Int
    /// Distinct members who bought it, and of those, members who bought it in two or more orders.
    public var buyers: Int
    public var repeatBuyers: Int

    public init(recentUnits: Int64, listedAt: Date, ratingTenths: Int?, ratingCount: Int, buyers: Int, repeatBuyers: Int) {
        self.recentUnits = recentUnits
        self.listedAt = listedAt
        self.ratingTenths = ratingTenths
        self.ratingCount = ratingCount
        self.buyers = buyers
        self.repeatBuyers = repeatBuyers
    }
}

public struct TagRules: Hashable, Sendable {
    /// Hot: within the best-selling share of the products that sold, with at least this many units.
    public var hotShareBasisPoints = 1_000
    public var hotMinUnits: Int64 = 5
    public var newDays = 30
    public var wellRatedMinTenths = 45
    public var wellRatedMinCount = 5
    public var repeatMinBuyers = 5
    public var repeatMinShareBasisPoints = 2_500

    public init() {}

    /// The tags of every product, from the facts of all of them (hot is relative to the others).
    public func tags<ID: Hashable & Comparable>(_ facts: [ID: TagFacts], now: Date) -> [ID: [RecommendedTag]] {
        let selling = facts.filter { $0.value.recentUnits > 0 }.sorted { a, b in
            a.value.recentUnits != b.value.recentUnits ? a.value.recentUnits > b.value.recentUnits : a.key < b.key
        }
        // At least one product is hot once anything sells enough; the share rounds up.
        let hotCount = (selling.count * hotShareBasisPoints + 9_999) / 10_000
        let hot = Set(selling.prefix(hotCount).filter { $0.value.recentUnits >= hotMinUnits }.map(\.key))
        var result: [ID: [RecommendedTag]] = [:]
        for (id, fact) in facts {
            var tags: [RecommendedTag] = []
            if hot.contains(id) { tags.append(.hot) }
            if fact.listedAt <= now, now.timeIntervalSince(fact.listedAt) < Double(newDays) * 86_400 { tags.append(.new) }
            if let rating = fact.ratingTenths, rating >= wellRatedMinTenths, fact.ratingCount >= wellRatedMinCount { tags.append(.wellRated) }
            if fact.buyers >= repeatMinBuyers, fact.repeatBuyers * 10_000 >= fact.buyers * repeatMinShareBasisPoints { tags.append(.repeatBuyers) }
            result[id] = tags
        }
        return result
    }
}
