import MallCore
import Testing

@Suite("Search bigrams")
struct SearchGramsTests {
    @Test("every two-character piece once, none across a space, in scalar order")
    func bigrams() {
        #expect(SearchGrams.bigrams(of: "光明 纯牛奶 牛奶") == ["光明", "牛奶", "纯牛"])
        #expect(SearchGrams.bigrams(of: "tea") == ["ea", "te"])
        #expect(SearchGrams.bigrams(of: "奶").isEmpty)
        #expect(SearchGrams.bigrams(of: "").isEmpty)
    }

    @Test("a two-character keyword is in the bigrams exactly when the text contains it")
    func sameAnswerAsContains() {
        let texts = ["伊利 有机酸奶 3号 牛奶 压测商品", "apple 苹果汁 1l", "纯 牛 奶", "café crème"]
        for text in texts {
            let grams = Set(SearchGrams.bigrams(of: text))
            let scalars = Array(text.unicodeScalars)
            for start in 0..<(scalars.count - 1) {
                var keyword = String.UnicodeScalarView()
                keyword.append(scalars[start])
                keyword.append(scalars[start + 1])
                let word = String(keyword)
                guard SearchGrams.isBigram(word) else { continue }
                #expect(grams.contains(word), "\(word) in \(text)")
            }
            for absent in ["牛排", "pl", "奶粉"] where !text.contains(absent) {
                #expect(!grams.contains(absent))
            }
        }
        #expect(!SearchGrams.isBigram("牛 ") && !SearchGrams.isBigram("牛奶粉") && SearchGrams.isBigram("牛奶"))
    }
}
