import Foundation
import Vapor

/// The languages the web pages speak. Simplified Chinese is the default (the mall's market);
/// the shopper's choice is remembered in the `lang` cookie.
enum WebLanguage: String, CaseIterable, Sendable {
    case zhCN = "zh-CN"
    case en

    static let cookieName = "lang"

    init(request: Request) {
        self = request.cookies[Self.cookieName].flatMap { WebLanguage(rawValue: $0.string) } ?? .zhCN
    }
}

/// UI text for every page, one flat `key → text` catalog per language, loaded once at start
/// from `Resources/Locales/<lang>.json`. A key missing from a catalog falls back to the
/// Chinese text, so a page never shows a raw key; a test keeps the catalogs in step.
struct MessageCatalogs: Sendable {
    let messages: [WebLanguage: [String: String]]

    static func load(from folder: String) throws -> MessageCatalogs {
        var messages: [WebLanguage: [String: String]] = [:]
        for language in WebLanguage.allCases {
            let path = folder + "/\(language.rawValue).json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MessageCatalogError(path: path, problem: "is missing")
            }
            do {
                messages[language] = try JSONDecoder().decode([String: String].self, from: data)
            } catch {
                throw MessageCatalogError(path: path, problem: "is not a flat JSON object of strings (\(error))")
            }
        }
        let fallback = messages[.zhCN] ?? [:]
        for language in WebLanguage.allCases where language != .zhCN {
            messages[language] = fallback.merging(messages[language] ?? [:]) { _, translated in translated }
        }
        return MessageCatalogs(messages: messages)
    }

    func catalog(_ language: WebLanguage) -> [String: String] {
        messages[language] ?? [:]
    }

    /// One message with `{name}` placeholders filled in.
    func text(_ key: String, _ language: WebLanguage, _ values: [String: String] = [:]) -> String {
        var text = catalog(language)[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }
}

struct MessageCatalogError: Error, CustomStringConvertible {
    let path: String
    let problem: String
    var description: String { "Message catalog \(path) \(problem)" }
}

extension Application {
    private struct CatalogsKey: StorageKey { typealias Value = MessageCatalogs }

    var messageCatalogs: MessageCatalogs {
        get { storage[CatalogsKey.self] ?? MessageCatalogs(messages: [:]) }
        set { storage[CatalogsKey.self] = newValue }
    }
}
