import Foundation

/// Something a member did with an item, weighted by how much it says about their taste.
public struct InterestSignal<ID: Hashable & Sendable>: Hashable, Sendable {
    public let id: ID
    public let weight: Double

    public init(id: ID, weight: Double) {
        self.id = id
        self.weight = weight
    }

    /// A view or purchase `ageSeconds` ago counts `base` at first and half as much every
    /// `halfLifeDays`, so this week's browsing outweighs last season's.
    public static func decayed(id: ID, base: Double, ageSeconds: Double, halfLifeDays: Double) -> InterestSignal {
        let halfLife = max(1, halfLifeDays) * 86_400
        return InterestSignal(id: id, weight: base * pow(0.5, max(0, ageSeconds) / halfLife))
    }
}

/// 猜你喜欢: items near what the member looked at and bought, scored by signal weight times
/// similarity, without what they already bought or are looking at, filled up from the
/// fallback (best sellers) when their history says too little.
public enum MemberRecommendations {
    public static func recommend<ID: Hashable & Comparable & Sendable>(
        signals: [InterestSignal<ID>], neighbours: [ID: [SimilarItem<ID>]], exclude: Set<ID>, fallback: [ID], limit: Int,
        eligible: (ID) -> Bool = { _ in true }
    ) -> [ID] {
        guard limit > 0 else { return [] }
        let seeds = Set(signals.map(\.id))
        var scores: [ID: Double] = [:]
        for signal in signals where signal.weight > 0 {
            for neighbour in neighbours[signal.id] ?? [] where !exclude.contains(neighbour.id) && !seeds.contains(neighbour.id) {
                scores[neighbour.id, default: 0] += signal.weight * neighbour.score
            }
        }
        var picked = scores.filter { eligible($0.key) }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        picked = Array(picked.prefix(limit))
        var taken = Set(picked)
        for item in fallback where picked.count < limit {
            guard !taken.contains(item), !exclude.contains(item), !seeds.contains(item), eligible(item) else { continue }
            picked.append(item)
            taken.insert(item)
        }
        return picked
    }
}

/// Offline evaluation of a recommender against held-out purchases.
public enum RankingMetrics {
    /// Whether any of the first `k` recommendations is relevant (hit rate@k over many members).
    public static func hit<ID: Hashable>(at k: Int, recommended: [ID], relevant: Set<ID>) -> Bool {
        recommended.prefix(max(0, k)).contains { relevant.contains($0) }
    }

    /// Normalised discounted cumulative gain at `k` with binary relevance: 1 when the relevant
    /// items lead the list, less the further down they are, 0 when none is in the first `k`.
    public static func ndcg<ID: Hashable>(at k: Int, recommended: [ID], relevant: Set<ID>) -> Double {
        guard k > 0, !relevant.isEmpty else { return 0 }
        var seen = Set<ID>()
        var gain = 0.0
        for (position, item) in recommended.prefix(k).enumerated() where relevant.contains(item) && seen.insert(item).inserted {
            gain += 1 / log2(Double(position) + 2)
        }
        let ideal = (0..<min(k, relevant.count)).reduce(0.0) { $0 + 1 / log2(Double($1) + 2) }
        return ideal > 0 ? gain / ideal : 0
    }
}
