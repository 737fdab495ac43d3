import Foundation
import Vapor

/// Translations of the English sentences the server writes — problem details and field errors,
/// order timeline notes, the price and allocation explanations — keyed by the English text
/// itself, as gettext does, in `Resources/Locales/server/<lang>.json`. A `{}` in a key matches
/// any text; the translation places the matched parts with `{}` (in order) or `{1}`, `{2}`, …
/// (by position), and each part is itself translated when the catalog knows it, so a status
/// named inside a sentence comes out in the same language. Text the catalog does not know stays
/// as written: a missing translation shows English, never a broken sentence.
struct ServerText: Sendable {
    private struct Pattern: Sendable {
        /// The key's literal pieces around its `{}` holes; n holes give n + 1 pieces.
        let pieces: [String]
        let translation: String
    }

    private let exact: [WebLanguage: [String: String]]
    private let patterns: [WebLanguage: [Pattern]]

    static let empty = ServerText(exact: [:], patterns: [:])

    private init(exact: [WebLanguage: [String: String]], patterns: [WebLanguage: [Pattern]]) {
        self.exact = exact
        self.patterns = patterns
    }

    static func load(from folder: String) throws -> ServerText {
        var exact: [WebLanguage: [String: String]] = [:]
        var patterns: [WebLanguage: [Pattern]] = [:]
        for language in WebLanguage.allCases where language != .en {
            let path = folder + "/\(language.rawValue).json"
            guard let data = FileManager.default.contents(atPath: path) else { throw MessageCatalogError(path: path, problem: "is missing") }
            let entries: [String: String]
            do {
                entries = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw MessageCatalogError(path: path, problem: "is not a flat JSON object of strings (\(error))")
            }
            exact[language] = entries.filter { !$0.key.contains("{}") }
            // Longer keys first: the most specific sentence wins over a shorter one it contains.
            patterns[language] = entries.filter { $0.key.contains("{}") }
                .sorted { ($0.key.count, $0.key) > ($1.key.count, $1.key) }
                .map { Pattern(pieces: $0.key.components(separatedBy: "{}"), translation: $0.value) }
        }
        return ServerText(exact: exact, patterns: patterns)
    }

    func translate(_ text: String, to language: WebLanguage) -> String {
        translate(text, to: language, depth: 0)
    }

    private func translate(_ text: String, to language: WebLanguage, depth: Int) -> String {
        guard language != .en, !text.isEmpty else { return text }
        if let hit = exact[language]?[text] { return hit }
        // Lists nest a level per item; the bound only stops a pathological text.
        guard depth < 12 else { return text }
        for pattern in patterns[language] ?? [] {
            guard let parts = Self.match(text, pattern.pieces) else { continue }
            let translated = parts.map { translate($0, to: language, depth: depth + 1) }
            return Self.fill(pattern.translation, with: translated)
        }
        return text
    }

    /// The text in each hole when `text` is the pieces with something between them; the holes
    /// take the shortest text that lets the rest match, the last one whatever remains.
    static func match(_ text: String, _ pieces: [String]) -> [String]? {
        guard let first = pieces.first, let last = pieces.last, text.hasPrefix(first), text.hasSuffix(last),
              text.count >= first.count + last.count else { return nil }
        var rest = text[text.index(text.startIndex, offsetBy: first.count)..<text.index(text.endIndex, offsetBy: -last.count)]
        var parts: [String] = []
        for piece in pieces.dropFirst().dropLast() {
            guard let range = rest.range(of: piece), range.lowerBound > rest.startIndex || piece.isEmpty else { return nil }
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts.contains(where: \.isEmpty) ? nil : parts
    }

    static func fill(_ translation: String, with parts: [String]) -> String {
        var result = translation
        for (index, part) in parts.enumerated() {
            result = result.replacingOccurrences(of: "{\(index + 1)}", with: part)
        }
        var next = 0
        while let hole = result.range(of: "{}"), next < parts.count {
            result.replaceSubrange(hole, with: parts[next])
            next += 1
        }
        return result
    }
}

extension Application {
    private struct ServerTextKey: StorageKey { typealias Value = ServerText }

    var serverText: ServerText {
        get { storage[ServerTextKey.self] ?? .empty }
        set { storage[ServerTextKey.self] = newValue }
    }
}

extension Request {
    /// The language server-written text is shown in: the site's language cookie when set; the
    /// site's default for a browser that has a session with us; otherwise the Accept-Language
    /// header, where only a Chinese preference changes the API's English.
    var textLanguage: WebLanguage {
        if let chosen = cookies[WebLanguage.cookieName].flatMap({ WebLanguage(rawValue: $0.string) }) { return chosen }
        if cookies[application.sessions.configuration.cookieName] != nil { return .zhCN }
        let preferred = headers.first(name: .acceptLanguage)?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return preferred?.hasPrefix("zh") == true ? .zhCN : .en
    }

    func serverText(_ english: String) -> String {
        application.serverText.translate(english, to: textLanguage)
    }
}
