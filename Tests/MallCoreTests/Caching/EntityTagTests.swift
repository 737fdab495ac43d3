import MallCore
import Testing

@Suite("Entity tags")
struct EntityTagTests {
    @Test("If-None-Match names a tag strong or weak, in a list or in several headers, or as *")
    func matches() {
        let tag = EntityTag("7-abc")
        #expect(tag.headerValue == "\"7-abc\"")
        #expect(tag.isMatched(byIfNoneMatch: ["\"7-abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["W/\"7-abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["\"1-x\", \"7-abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["\"1-x\"", " \"7-abc\" "]))
        #expect(tag.isMatched(byIfNoneMatch: ["*"]))
    }

    @Test("another tag, an unquoted tag, a prefix or no header does not match")
    func misses() {
        let tag = EntityTag("7-abc")
        #expect(!tag.isMatched(byIfNoneMatch: []))
        #expect(!tag.isMatched(byIfNoneMatch: ["\"8-abc\""]))
        #expect(!tag.isMatched(byIfNoneMatch: ["7-abc"]))
        #expect(!tag.isMatched(byIfNoneMatch: ["\"7-ab\""]))
        #expect(!tag.isMatched(byIfNoneMatch: [""]))
    }

    @Test("over random lists of tags, a tag matches exactly when the list holds it (weak or strong) or *")
    func matchesAModel() {
        let names = ["a", "b", "1-x", "7-abc", "z9"]
        for seed in PricingPropertyTests.seeds.prefix(300) {
            var random = PricingTestRandom(seed: seed)
            let tag = EntityTag(names.randomElement(using: &random)!)
            var headers: [String] = []
            var listed: Set<String> = []
            var star = false
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                var items: [String] = []
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    if Int.random(in: 0..<12, using: &random) == 0 {
                        items.append("*")
                        star = true
                        continue
                    }
                    let name = names.randomElement(using: &random)!
                    listed.insert(name)
                    items.append((Bool.random(using: &random) ? "W/" : "") + "\"\(name)\"")
                }
                headers.append(items.joined(separator: Bool.random(using: &random) ? "," : ", "))
            }
            #expect(tag.isMatched(byIfNoneMatch: headers) == (star || listed.contains(tag.opaque)), "\(headers) against \(tag.opaque)")
        }
    }
}
