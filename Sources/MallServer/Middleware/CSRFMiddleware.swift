import Vapor

/// Synchronizer-token CSRF protection for cookie-session pages. The token lives in the server-side
/// session; forms send it as `_csrf`, scripts as the `X-CSRF-Token` header. Requests that
/// authenticate with a bearer token and carry no session cookie are not exposed to CSRF (a
/// browser never attaches an Authorization header on its own) and pass untouched.
///
/// On the API, a request with no session cookie at all also passes: nothing ambient rides on
/// it, and app clients sign in and register that way. Pages keep the check even then, so a
/// forged sign-in form cannot log a visitor into someone else's account.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let headerName = "X-CSRF-Token"
    static let formField = "_csrf"

    var cookielessRequestsPass = false

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cookieName = request.application.sessions.configuration.cookieName
        let noCookie = request.cookies[cookieName] == nil
        let exempt = noCookie && (cookielessRequestsPass || request.headers.bearerAuthorization != nil)
        if Self.isStateChanging(request.method) && !exempt {
            let expected = request.session.data[Self.sessionKey]
            let presented = request.headers.first(name: Self.headerName) ?? Self.formToken(request)
            guard let expected, let presented, SecureToken.constantTimeEquals(expected, presented) else {
                throw MallError.forbidden("The form has expired or did not come from this site. Reload the page and try again.")
            }
        }
        return try await next.respond(to: request)
    }

    static func isStateChanging(_ method: HTTPMethod) -> Bool {
        ![.GET, .HEAD, .OPTIONS].contains(method)
    }

    static func formToken(_ request: Request) -> String? {
        guard request.headers.contentType == .urlEncodedForm || request.headers.contentType == .formData else { return nil }
        return try? request.content.get(String.self, at: formField)
    }

    /// The token for the current session, created on first use; pages embed it in forms.
    static func token(for request: Request) -> String {
        if let existing = request.session.data[sessionKey] { return existing }
        let token = SecureToken.generate()
        request.session.data[sessionKey] = token
        return token
    }
}
