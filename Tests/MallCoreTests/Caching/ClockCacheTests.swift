import MallCore
import Testing

@Suite("Clock cache")
struct ClockCacheTests {
    @Test("a full cache evicts an entry nobody read since the hand last passed, and keeps the ones read")
    func evictsUnreferenced() {
        var cache = ClockCache<String, Int>(capacity: 3)
        cache.insert(1, for: "a")
        cache.insert(2, for: "b")
        cache.insert(3, for: "c")
        #expect(cache.value(for: "a") == 1)
        cache.insert(4, for: "d")
        #expect(cache.count == 3)
        #expect(cache.value(for: "b") == nil, "b was the first entry without a reference")
        #expect(cache.value(for: "a") == 1 && cache.value(for: "c") == 3 && cache.value(for: "d") == 4)
    }

    @Test("replacing a value keeps one entry; removing by key or by predicate forgets exactly those")
    func replaceAndRemove() {
        var cache = ClockCache<String, Int>(capacity: 4)
        for (key, value) in [("a", 1), ("b", 2), ("c", 3)] { cache.insert(value, for: key) }
        cache.insert(10, for: "a")
        #expect(cache.count == 3 && cache.value(for: "a") == 10)
        cache.removeValue(for: "a")
        #expect(cache.value(for: "a") == nil && cache.value(for: "b") == 2 && cache.value(for: "c") == 3)
        cache.removeAll { _, value in value == 2 }
        #expect(cache.count == 1 && cache.value(for: "b") == nil && cache.value(for: "c") == 3)
        #expect(ClockCache<String, Int>(capacity: 0).capacity == 1)
    }

    @Test("over random operations the cache never exceeds its capacity, and what it returns is what was last stored")
    func matchesAModel() {
        for seed in PricingPropertyTests.seeds.prefix(200) {
            var random = PricingTestRandom(seed: seed)
            let capacity = Int.random(in: 1...8, using: &random)
            var cache = ClockCache<Int, Int>(capacity: capacity)
            var model: [Int: Int] = [:]
            for step in 0..<300 {
                let key = Int.random(in: 0..<12, using: &random)
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<4:
                    cache.insert(step, for: key)
                    model[key] = step
                case 4:
                    cache.removeValue(for: key)
                    model[key] = nil
                case 5:
                    cache.removeAll { key, _ in key % 3 == 0 }
                    model = model.filter { $0.key % 3 != 0 }
                default:
                    if let value = cache.value(for: key) {
                        #expect(model[key] == value, "seed \(seed): a stale or foreign value")
                    }
                }
                #expect(cache.count <= capacity, "seed \(seed)")
            }
            // Whatever survived eviction still agrees with the model.
            for key in 0..<12 {
                if let value = cache.value(for: key) { #expect(model[key] == value, "seed \(seed)") }
            }
        }
    }
}
