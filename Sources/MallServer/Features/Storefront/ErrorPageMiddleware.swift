import Foundation
import Vapor

/// The page a browser sees instead of problem details when a page request fails: the same
/// status, in the shopper's language, inside the site chrome, with a way back. It sits inside
/// the session middleware so the page's CSRF token is saved with the session. API paths and
/// clients that do not ask for HTML keep RFC 9457 problem details.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            guard Self.isWanted(by: request) else { throw error }
            let problem = ProblemMiddleware().render(error, for: request)
            return (try? await Self.render(for: request, problem: problem)) ?? problem
        }
    }

    static func isWanted(by request: Request) -> Bool {
        guard request.method == .GET || request.method == .HEAD, !request.url.path.hasPrefix("/api/") else { return false }
        return request.headers[.accept].contains { $0.contains("text/html") }
    }

    struct Data: Encodable, Sendable {
        let heading: String
        let text: String
        let requestId: String?
        let isNotFound: Bool
        /// Back to where the reader came from: the console for staff pages, else the shop.
        let homeHref: String
        let homeLabel: String
    }

    static func render(for request: Request, problem: Response) async throws -> Response {
        let status = problem.status
        let (headingKey, textKey): (String, String) = switch status.code {
        case 404, 410: ("error_not_found_title", "error_not_found_text")
        case 401, 403: ("error_forbidden_title", "error_forbidden_text")
        case 429: ("error_busy_title", "error_busy_text")
        case 500...: ("error_server_title", "error_server_text")
        default: ("error_request_title", "error_request_text")
        }
        let inConsole = request.url.path == "/console" || request.url.path.hasPrefix("/console/")
        let text = inConsole && textKey == "error_not_found_text" ? "error_console_not_found_text" : textKey
        let data = Data(heading: request.message(headingKey), text: request.message(text),
                        requestId: status.code >= 500 ? request.requestId : nil,
                        isNotFound: !inConsole && (status.code == 404 || status.code == 410),
                        homeHref: inConsole ? "/console" : "/", homeLabel: request.message(inConsole ? "error_console_home" : "error_home"))
        let page = try await request.renderPage("storefront/error", title: data.heading, data: data, status: status)
        for (name, value) in problem.headers where ["retry-after", "www-authenticate"].contains(name.lowercased()) {
            page.headers.replaceOrAdd(name: name, value: value)
        }
        return page
    }
}
