/// Two-character pieces of a product's search text. Chinese keywords are mostly two characters
/// (牛奶, 苹果), and trigram indexes (SQLite FTS5 `trigram`, PostgreSQL `pg_trgm`) cannot serve a
/// LIKE pattern that short, so such a search scanned every product. A text contains a
/// two-character keyword exactly when the keyword is one of its bigrams, so an index of these
/// answers the same question as `LIKE '%keyword%'`.
public enum SearchGrams {
    /// The distinct bigrams of `text`, counted in Unicode scalars as SQL's LIKE counts characters,
    /// leaving out pairs with whitespace (a trimmed two-character keyword never holds any).
    public static func bigrams(of text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2 else { return [] }
        var grams = Set<String>()
        for index in 0..<(scalars.count - 1) {
            let pair = (scalars[index], scalars[index + 1])
            if pair.0.properties.isWhitespace || pair.1.properties.isWhitespace { continue }
            var gram = String.UnicodeScalarView()
            gram.append(pair.0)
            gram.append(pair.1)
            grams.insert(String(gram))
        }
        return grams.sorted()
    }

    /// Whether a (trimmed, lower-cased) keyword is looked up in the bigram index.
    public static func isBigram(_ keyword: String) -> Bool {
        keyword.unicodeScalars.count == 2 && !keyword.unicodeScalars.contains { $0.properties.isWhitespace }
    }
}
