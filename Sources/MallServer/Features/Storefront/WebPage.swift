import Foundation
import MallCore
import Vapor

/// What every page template gets beside its own data: the language and its messages, the
/// shop's name, the CSRF token for forms, who is signed in. Templates read `#(t.key)` for UI
/// text and `#(data.…)` for the page's own model.
struct WebPage<Data: Encodable & Sendable>: Encodable, Sendable {
    let lang: String
    let t: [String: String]
    let shopName: String
    let csrf: String
    /// Path and query of this page: where the language switch and sign-in come back to.
    let path: String
    /// `path` encoded for a query value (`/login?next=…`), so its own query survives the trip.
    let pathParam: String
    let title: String
    let member: String?
    let staff: String?
    let data: Data
}

struct NoPageData: Encodable, Sendable {}

extension Request {
    var webLanguage: WebLanguage { WebLanguage(request: self) }

    func message(_ key: String, _ values: [String: String] = [:]) -> String {
        application.messageCatalogs.text(key, webLanguage, values)
    }

    /// Renders `template` inside the site chrome. Pages carry personal data and a CSRF token,
    /// so shared caches must not keep them.
    func renderPage<Data: Encodable & Sendable>(_ template: String, title: String, data: Data,
                                               status: HTTPResponseStatus = .ok) async throws -> Response {
        let language = webLanguage
        let settings = try await SettingsService.resolved(on: db)
        var memberName: String?
        var staffName: String?
        switch principal {
        case .member(let member): memberName = try await MemberModel.find(member.memberId, on: db)?.nickname
        case .staff(let staff): staffName = staff.displayName
        case nil: break
        }
        let here = url.path + (url.query.map { "?" + $0 } ?? "")
        let page = WebPage(lang: language.rawValue, t: application.messageCatalogs.catalog(language),
                           shopName: settings.string(.shopName), csrf: CSRFMiddleware.token(for: self),
                           path: here, pathParam: here.addingPercentEncoding(withAllowedCharacters: Self.queryValueCharacters) ?? "/", title: title,
                           member: memberName, staff: staffName, data: data)
        let view = try await self.view.render(template, page).get()
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        response.headers.replaceOrAdd(name: .contentLanguage, value: language.rawValue)
        return response
    }

    private static let queryValueCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")

    /// Only same-site paths are followed after sign-in or a language switch, so a crafted link
    /// cannot bounce a shopper to another site.
    func safeReturnPath(_ raw: String?, fallback: String = "/") -> String {
        guard let raw, raw.hasPrefix("/"), !raw.hasPrefix("//"), !raw.hasPrefix("/\\"), !raw.contains("\r"), !raw.contains("\n") else { return fallback }
        return raw
    }
}

/// Display formats shared by the pages: money as yuan, times in the shop's time zone.
enum WebFormat {
    static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        return "\(sign)¥\(magnitude / 100).\(String(format: "%02d", Int(magnitude % 100)))"
    }

    static func priceRange(_ minFen: Int64, _ maxFen: Int64) -> String {
        minFen == maxFen ? yuan(minFen) : yuan(minFen) + "–" + yuan(maxFen)
    }

    static func dateTime(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// Hours and minutes only, for times within the day (flash-sale sessions).
    static func time(_ date: Date, in timeZone: TimeZone) -> String {
        String(dateTime(date, in: timeZone).suffix(5))
    }

    static func distance(_ meters: Int) -> String {
        meters < 1000 ? "\(meters) m" : String(format: "%.1f km", Double(meters) / 1000)
    }

    /// Sizes in binary units, one decimal from a megabyte up: "840 KB", "1.2 MB".
    static func byteSize(_ bytes: Int) -> String {
        bytes < 1024 * 1024 ? "\(max(1, (bytes + 1023) / 1024)) KB" : String(format: "%.1f MB", Double(bytes) / (1024 * 1024))
    }
}
