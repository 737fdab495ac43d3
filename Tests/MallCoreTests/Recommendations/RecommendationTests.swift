import Foundation
import MallCore
import Testing

@Suite("Recommendations: similarity, member picks, tags, offline metrics")
struct RecommendationTests {
    @Test("co-purchase: pairs bought together rank first, once per basket, rare pairs shrunk, below the support left out")
    func similarity() throws {
        var baskets: [[String]] = Array(repeating: ["牛奶", "面包"], count: 6)
        baskets += Array(repeating: ["牛奶", "咖啡"], count: 2)
        baskets += [["牛奶", "牛奶", "牛奶", "鸡蛋"]]
        baskets += [["茶", "面包"]]
        let neighbours = ItemSimilarity.neighbours(baskets: baskets)
        let milk = try #require(neighbours["牛奶"])
        #expect(milk.map(\.id) == ["面包", "咖啡"], "鸡蛋 was bought with milk once: below the support of 2")
        // cosine 6 / √(9 × 7), shrunk by 6 / (6 + 3)
        #expect(abs(milk[0].score - 6 / (9.0 * 7).squareRoot() * 6 / 9) < 1e-12)
        #expect(neighbours["面包"]?.first?.id == "牛奶" && neighbours["茶"] == nil)
        #expect(neighbours["面包"]?.first?.score == milk[0].score, "similarity is symmetric")
    }

    @Test("property: scores lie in 0…1, lists are sorted and bounded, and the result does not depend on basket order")
    func similarityProperties() {
        var random = PricingTestRandom(seed: 0xB45E7)
        for _ in 0..<40 {
            let baskets = (0..<Int.random(in: 0...120, using: &random)).map { _ in
                (0..<Int.random(in: 1...8, using: &random)).map { _ in Int.random(in: 0..<25, using: &random) }
            }
            let options = SimilarityOptions(maxBasket: 6, minSupport: 1, shrink: 2, neighbours: 5)
            let neighbours = ItemSimilarity.neighbours(baskets: baskets, options: options)
            #expect(neighbours == ItemSimilarity.neighbours(baskets: baskets.reversed(), options: options))
            for (item, list) in neighbours {
                #expect(list.count <= 5 && !list.contains { $0.id == item })
                #expect(list.allSatisfy { $0.score > 0 && $0.score <= 1 })
                #expect(zip(list, list.dropFirst()).allSatisfy { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) })
            }
        }
    }

    @Test("blending co-view with co-purchase adds weighted scores")
    func blend() {
        let bought = ["a": [SimilarItem(id: "b", score: 0.5)]]
        let viewed = ["a": [SimilarItem(id: "b", score: 0.2), SimilarItem(id: "c", score: 0.9)]]
        let blended = ItemSimilarity.blend([(bought, 1), (viewed, 0.5)], limit: 5)
        #expect(blended["a"]?.map(\.id) == ["b", "c"])
        #expect(abs((blended["a"]?[0].score ?? 0) - 0.6) < 1e-12 && abs((blended["a"]?[1].score ?? 0) - 0.45) < 1e-12)
    }

    @Test("猜你喜欢: neighbours of recent interest, recent weighing more, never what was bought or viewed, filled from best sellers, only eligible")
    func memberPicks() {
        let neighbours = ["牛奶": [SimilarItem(id: "面包", score: 0.8), SimilarItem(id: "麦片", score: 0.5)],
                          "咖啡": [SimilarItem(id: "方糖", score: 0.9), SimilarItem(id: "面包", score: 0.1)]]
        let week = 7.0 * 86_400
        let signals = [InterestSignal.decayed(id: "牛奶", base: 1, ageSeconds: 0, halfLifeDays: 7),
                       InterestSignal.decayed(id: "咖啡", base: 1, ageSeconds: 4 * week, halfLifeDays: 7)]
        #expect(abs(signals[1].weight - 1.0 / 16) < 1e-12)
        let picks = MemberRecommendations.recommend(signals: signals, neighbours: neighbours, exclude: ["麦片"],
                                                    fallback: ["牛奶", "鸡蛋", "面包", "果汁"], limit: 4) { $0 != "果汁" }
        #expect(picks == ["面包", "方糖", "鸡蛋"], "麦片 bought, 牛奶 being looked at, 果汁 not in stock nearby")
        #expect(MemberRecommendations.recommend(signals: [], neighbours: [:], exclude: [], fallback: ["x", "y"], limit: 1) == ["x"])
        #expect(MemberRecommendations.recommend(signals: signals, neighbours: neighbours, exclude: [], fallback: [], limit: 0).isEmpty)
    }

    @Test("tags: hot is the best-selling tenth with enough units, new within 30 days, well rated and repeat buyers by their thresholds")
    func tags() {
        let now = Date(timeIntervalSince1970: 1_796_600_000)
        let old = now.addingTimeInterval(-90 * 86_400)
        var facts: [Int: TagFacts] = [:]
        for id in 0..<20 { facts[id] = TagFacts(recentUnits: Int64(id), listedAt: old, ratingTenths: nil, ratingCount: 0, buyers: 0, repeatBuyers: 0) }
        facts[100] = TagFacts(recentUnits: 0, listedAt: now.addingTimeInterval(-86_400), ratingTenths: 46, ratingCount: 5, buyers: 8, repeatBuyers: 2)
        facts[101] = TagFacts(recentUnits: 0, listedAt: now.addingTimeInterval(-31 * 86_400), ratingTenths: 50, ratingCount: 4, buyers: 8, repeatBuyers: 1)
        let tags = TagRules().tags(facts, now: now)
        #expect(tags[19] == [.hot] && tags[18] == [.hot] && tags[17] == [], "19 products sold: the top 2 (10% rounded up) are hot")
        #expect(tags[100] == [.new, .wellRated, .repeatBuyers])
        #expect(tags[101] == [], "31 days old, 4 ratings, 1 of 8 came back")
        let few = TagRules().tags([1: TagFacts(recentUnits: 4, listedAt: old, ratingTenths: nil, ratingCount: 0, buyers: 0, repeatBuyers: 0)], now: now)
        #expect(few[1] == [], "the top seller with 4 units is not hot")
    }

    @Test("offline metrics: hit@k and NDCG@k with binary relevance")
    func metrics() {
        #expect(RankingMetrics.hit(at: 3, recommended: ["a", "b", "c", "d"], relevant: ["c"]))
        #expect(!RankingMetrics.hit(at: 2, recommended: ["a", "b", "c"], relevant: ["c"]))
        #expect(RankingMetrics.ndcg(at: 10, recommended: ["c", "a"], relevant: ["c"]) == 1)
        #expect(abs(RankingMetrics.ndcg(at: 10, recommended: ["a", "c"], relevant: ["c"]) - 1 / log2(3.0)) < 1e-12)
        #expect(abs(RankingMetrics.ndcg(at: 10, recommended: ["a", "c", "c"], relevant: ["c", "d"]) - (1 / log2(3.0)) / (1 + 1 / log2(3.0))) < 1e-12)
        #expect(RankingMetrics.ndcg(at: 0, recommended: ["c"], relevant: ["c"]) == 0 && RankingMetrics.ndcg(at: 5, recommended: ["c"], relevant: []) == 0)
    }

    @Test("property: tags survive their text column in any order and with duplicates; unknown names are skipped")
    func tagText() {
        var random = PricingTestRandom(seed: 0x7A65)
        for _ in 0..<200 {
            let tags = (0..<Int.random(in: 0...6, using: &random)).map { _ in RecommendedTag.allCases.randomElement(using: &random)! }
            let text = RecommendedTag.text(tags)
            #expect(RecommendedTag.list(text) == RecommendedTag.allCases.filter(tags.contains), "\(tags) → \(text)")
            #expect(RecommendedTag.list(text + ",retired") == RecommendedTag.list(text))
        }
        #expect(RecommendedTag.text([.repeatBuyers, .hot]) == "hot,repeat_buyers" && RecommendedTag.list("") == [])
    }
}

@Suite("Bundle rules (搭配购)")
struct BundleRuleTests {
    @Test("property: a bundle passes exactly when it has a name, 2 to 5 different products and a price from 1 fen to below their prices together")
    func bundleRules() {
        var random = PricingTestRandom(seed: 0xB0D1E)
        let pool = (0..<6).map { _ in UUID() }
        for _ in 0..<300 {
            let ids = (0..<Int.random(in: 0...6, using: &random)).map { _ in pool[Int.random(in: 0..<pool.count, using: &random)] }
            let name = String(repeating: "套", count: Int.random(in: 0...62, using: &random))
            let price = Int64.random(in: -5...5_000, using: &random)
            let regular = Int64.random(in: 0...5_000, using: &random)
            let valid = (1...60).contains(name.count) && (2...5).contains(ids.count) && Set(ids).count == ids.count && price >= 1 && price < regular
            #expect(BundleRules.check(name: name, priceFen: price, productIds: ids, regularPriceFen: regular).errors.isEmpty == valid,
                    "\(name.count) \(ids.count) \(price) \(regular)")
        }
        #expect(BundleRules.check(name: "早餐", priceFen: 0, productIds: [], regularPriceFen: nil).errors.map(\.field) == ["productIds", "priceFen"])
    }
}
