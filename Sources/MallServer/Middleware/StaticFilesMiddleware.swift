import Vapor

/// Serves `Public/` (CSS, JavaScript, icons, the web app manifest and service worker). Only
/// paths under the known static prefixes touch the file system, so API requests do not pay
/// for a file lookup each.
struct StaticFilesMiddleware: AsyncMiddleware {
    static let prefixes = ["/css/", "/js/", "/icons/", "/i18n/"]
    static let rootFiles: Set<String> = ["/manifest.webmanifest", "/sw.js", "/favicon.svg", "/favicon.ico", "/robots.txt"]

    let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil, directoryAction: .none, advancedETagComparison: true)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard request.method == .GET || request.method == .HEAD,
              Self.rootFiles.contains(path) || Self.prefixes.contains(where: path.hasPrefix),
              !path.contains("..")
        else { return try await next.respond(to: request) }
        let response = try await files.respond(to: request, chainingTo: next)
        if path == "/sw.js" {
            // The browser must see a new worker as soon as it is deployed.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
            response.headers.replaceOrAdd(name: "Service-Worker-Allowed", value: "/")
        } else if path == "/manifest.webmanifest" {
            response.headers.replaceOrAdd(name: .contentType, value: "application/manifest+json")
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        } else if response.status == .ok {
            response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        }
        return response
    }
}
