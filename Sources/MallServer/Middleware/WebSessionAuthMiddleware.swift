import Fluent
import Foundation
import MallCore
import SQLKit
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
/// per page. It also keeps `_fluent_sessions.touched_at`: set on every write, and a session in
/// use is written at least once a day (its data carries the day it was last touched), so the
/// hourly purge can drop the sessions of browsers that stopped coming.
struct UnchangedSessionSkippingDriver: SessionDriver {
    let base: any SessionDriver

    private struct ReadKey: StorageKey { typealias Value = SessionData }
    static let touchedDayKey = "_touched"

    static func day(_ date: Date) -> String { String(Int(date.timeIntervalSince1970 / 86_400)) }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        var stamped = data
        stamped[Self.touchedDayKey] = Self.day(request.now)
        return base.createSession(stamped, for: request).flatMap { id in touch(id, for: request) }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        base.readSession(sessionID, for: request).map { data in
            guard var data else { return nil }
            request.storage[ReadKey.self] = data
            // A new day makes the data differ from what was read, so this request writes it.
            data[Self.touchedDayKey] = Self.day(request.now)
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if request.storage[ReadKey.self] == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return base.updateSession(sessionID, to: data, for: request).flatMap { id in touch(id, for: request) }
    }

    private func touch(_ id: SessionID, for request: Request) -> EventLoopFuture<SessionID> {
        request.eventLoop.makeFutureWithTask {
            try await request.db.sql.raw("UPDATE _fluent_sessions SET touched_at = \(bind: request.now) WHERE key = \(bind: id.string)").run()
            return id
        }
    }

    /// Sessions untouched for longer than the cookie lives (7 days) can no longer be presented.
    static func purge(on db: any Database, now: Date) async throws {
        try await db.sql.raw("DELETE FROM _fluent_sessions WHERE touched_at < \(bind: now.addingTimeInterval(-8 * 86_400))").run()
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        base.deleteSession(sessionID, for: request)
    }
}
