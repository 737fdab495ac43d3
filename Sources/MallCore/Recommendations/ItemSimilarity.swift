import Foundation

/// A neighbour of an item and how strongly the two go together (0…1).
public struct SimilarItem<ID: Hashable & Sendable>: Hashable, Sendable {
    public let id: ID
    public let score: Double

    public init(id: ID, score: Double) {
        self.id = id
        self.score = score
    }
}

/// How item-to-item neighbours are worked out from baskets.
public struct SimilarityOptions: Hashable, Sendable {
    /// Items of a basket beyond this many are left out (a visitor who viewed 300 products says
    /// little about any pair of them, and pairs grow with the square of a basket).
    public var maxBasket: Int = 30
    /// Pairs seen together fewer times are noise.
    public var minSupport: Int = 2
    /// Shrinks the scores of pairs seen rarely: the cosine is multiplied by c / (c + shrink).
    public var shrink: Double = 3
    /// Neighbours kept per item.
    public var neighbours: Int = 20

    public init(maxBasket: Int = 30, minSupport: Int = 2, shrink: Double = 3, neighbours: Int = 20) {
        self.maxBasket = maxBasket
        self.minSupport = minSupport
        self.shrink = shrink
        self.neighbours = neighbours
    }
}

/// 买了又买 / 看了又看: items that appear in the same baskets (an order's products, a
/// visitor's products viewed within a day), scored by the cosine of their occurrence vectors
/// — pairs count once per basket, so a shopper buying three of the same changes nothing —
/// shrunk for rare pairs so that two products bought together once do not rank first.
public enum ItemSimilarity {
    public static func neighbours<ID: Hashable & Comparable & Sendable, Baskets: Sequence>(
        baskets: Baskets, options: SimilarityOptions = SimilarityOptions()
    ) -> [ID: [SimilarItem<ID>]] where Baskets.Element == [ID] {
        var occurrences: [ID: Int] = [:]
        var pairs: [Pair<ID>: Int] = [:]
        for basket in baskets {
            var seen = Set<ID>()
            let items = basket.filter { seen.insert($0).inserted }.prefix(max(0, options.maxBasket))
            for item in items { occurrences[item, default: 0] += 1 }
            let ordered = items.sorted()
            for (index, first) in ordered.enumerated() {
                for second in ordered[(index + 1)...] { pairs[Pair(first, second), default: 0] += 1 }
            }
        }
        var result: [ID: [SimilarItem<ID>]] = [:]
        for (pair, together) in pairs where together >= options.minSupport {
            guard let a = occurrences[pair.first], let b = occurrences[pair.second], a > 0, b > 0 else { continue }
            let cosine = Double(together) / (Double(a) * Double(b)).squareRoot()
            let score = cosine * Double(together) / (Double(together) + max(0, options.shrink))
            result[pair.first, default: []].append(SimilarItem(id: pair.second, score: score))
            result[pair.second, default: []].append(SimilarItem(id: pair.first, score: score))
        }
        return result.mapValues { Array($0.sorted(by: Self.ranked).prefix(max(0, options.neighbours))) }
    }

    /// Blends neighbour lists (co-purchase and co-view, say) with weights, keeping the best
    /// `limit` per item.
    public static func blend<ID: Hashable & Comparable & Sendable>(_ sources: [(neighbours: [ID: [SimilarItem<ID>]], weight: Double)],
                                                                   limit: Int) -> [ID: [SimilarItem<ID>]] {
        var scores: [ID: [ID: Double]] = [:]
        for (neighbours, weight) in sources where weight > 0 {
            for (item, list) in neighbours {
                for neighbour in list { scores[item, default: [:]][neighbour.id, default: 0] += weight * neighbour.score }
            }
        }
        return scores.mapValues { row in
            Array(row.map { SimilarItem(id: $0.key, score: $0.value) }.sorted(by: ranked).prefix(max(0, limit)))
        }
    }

    /// Best score first; equal scores in id order, so results never depend on hashing.
    static func ranked<ID: Comparable>(_ a: SimilarItem<ID>, _ b: SimilarItem<ID>) -> Bool {
        a.score != b.score ? a.score > b.score : a.id < b.id
    }

    private struct Pair<Item: Hashable>: Hashable {
        let first: Item
        let second: Item

        init(_ first: Item, _ second: Item) {
            self.first = first
            self.second = second
        }
    }
}
