import Foundation
import MallCore
import Vapor

/// Signs in requests that carry the browser's session cookie: the cookie session names a
/// server-side auth session (the same rows bearer tokens point at), so signing out anywhere —
/// or staff disabling the account — ends the browser session too. Runs after Vapor's
/// `SessionsMiddleware` and before `CSRFMiddleware`.
struct WebSessionAuthMiddleware: AsyncMiddleware {
    static let sessionKey = "auth.session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.headers.bearerAuthorization == nil, request.hasSession,
           let raw = request.session.data[Self.sessionKey], let sessionId = UUID(uuidString: raw) {
            do {
                request.principal = try await PrincipalLoader.principal(sessionId: sessionId, subject: nil, on: request)
            } catch let error as MallError {
                guard error.status == .unauthorized else { throw error }
                request.session.data[Self.sessionKey] = nil
            }
        }
        return try await next.respond(to: request)
    }

    /// Binds the browser session to a fresh auth session after a password sign-in. The cookie
    /// session id is replaced so an id planted before sign-in is worthless afterwards.
    static func signIn(_ request: Request, kind: SubjectKind, subjectId: UUID) async throws {
        let authSessionId = try await TokenService(app: request.application, db: request.db)
            .startBrowserSession(kind: kind, subjectId: subjectId, userAgent: request.headers.first(name: .userAgent), ip: request.clientIP)
        request.session.id = nil
        request.session.data[Self.sessionKey] = authSessionId.uuidString
        request.session.data[CSRFMiddleware.sessionKey] = SecureToken.generate()
    }
}

/// Vapor's sessions middleware saves the session after every response. This driver remembers
/// what it read and skips the write when nothing changed, so browsing costs no database write
/// per page.
struct UnchangedSessionSkippingDriver: SessionDriver {
    let base: any SessionDriver

    private struct ReadKey: StorageKey { typealias Value = SessionData }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        base.createSession(data, for: request)
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        base.readSession(sessionID, for: request).map { data in
            if let data { request.storage[ReadKey.self] = data }
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[ReadKey.self] == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return base.updateSession(sessionID, to: data, for: request)
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        base.deleteSession(sessionID, for: request)
    }
}
