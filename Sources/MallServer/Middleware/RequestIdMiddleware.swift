import Foundation
import Vapor

/// Echoes the request id on every response, so a user's bug report and our log lines meet.
/// An incoming `X-Request-Id` is kept when it is a plausible id (1–64 letters, digits, `-`, `_`,
/// `.`, `:`), as a proxy in front sets it; anything else — a 100 KB header, a line break forged
/// into the logs, markup for the error page — is replaced by a fresh id.
struct RequestIdMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.requestId != request.id {
            request.logger[metadataKey: "request-id"] = .string(request.requestId)
        }
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: .xRequestId, value: request.requestId)
        return response
    }

    static func isAcceptable(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
    }
}

extension Request {
    private struct RequestIdKey: StorageKey { typealias Value = String }

    /// Vapor's `id` taken from `X-Request-Id` verbatim when the client sends one; this is the id
    /// to show and log: the client's when acceptable, otherwise one of our own.
    var requestId: String {
        if let chosen = storage[RequestIdKey.self] { return chosen }
        let chosen = RequestIdMiddleware.isAcceptable(id) ? id : UUID().uuidString
        storage[RequestIdKey.self] = chosen
        return chosen
    }
}

/// Headers every response carries whatever its content. The Content-Security-Policy allows
/// scripts and styles from our own files only: no inline script, no inline style, no third
/// party, so an injected `<script>` in shop data cannot run even if escaping were ever missed.
/// Pages that need a narrower policy (the printable slip, the sandbox pay page) set their own.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "font-src 'self'",
        "connect-src 'self'", "media-src 'self' blob:", "worker-src 'self'", "manifest-src 'self'", "object-src 'none'",
        "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if !response.headers.contains(name: "Content-Security-Policy") {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        }
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "strict-origin-when-cross-origin")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        return response
    }
}
