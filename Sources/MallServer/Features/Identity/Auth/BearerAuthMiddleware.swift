import Fluent
import Foundation
import JWT
import MallCore
import NIOCore
import SQLKit
import Vapor

/// Reads `Authorization: Bearer …` when present and turns it into a `Principal`. A bad token is
/// an immediate 401 rather than a silent fall back to anonymous, so a client learns its token died.
struct BearerAuthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            request.principal = try await Self.authenticate(token: bearer.token, request: request)
        }
        return try await next.respond(to: request)
    }

    static func authenticate(token: String, request: Request) async throws -> Principal {
        let expired = MallError.unauthorized("The access token is invalid or has expired.")
        let claims: AccessClaims
        do {
            claims = try await request.application.jwt.keys.verify(token, as: AccessClaims.self)
        } catch {
            throw expired
        }
        guard claims.exp.value > request.now,
              let sessionId = UUID(uuidString: claims.sid), let subjectId = UUID(uuidString: claims.sub.value)
        else { throw expired }
        return try await PrincipalLoader.principal(sessionId: sessionId, subject: (subjectId, claims.kind), on: request)
    }
}

/// Turns a live auth session into the caller's principal: for staff with the roles and scopes
/// they hold now. Principals come from `PrincipalCache` when it has them; the writers that
/// revoke a session or change a grant invalidate it, so a revocation still takes effect on the
/// next request.
enum PrincipalLoader {
    /// `subject` is what a bearer token claims, checked against the session; a browser session
    /// cookie names only the session.
    static func principal(sessionId: UUID, subject: (id: UUID, kind: SubjectKind)?, on request: Request) async throws -> Principal {
        let signedOut = MallError.unauthorized("This session has been signed out.")
        let cache = request.application.principalCache
        let (cached, generation) = cache?.lookup(sessionId: sessionId) ?? (nil, 0)
        let entry: PrincipalCache.Entry
        if let cached {
            entry = cached
        } else {
            entry = try await load(sessionId: sessionId, on: request)
            cache?.store(entry, sessionId: sessionId, generation: generation)
        }
        // Checked on every request, cached or not: the session's own end comes with time, not with a write.
        guard entry.sessionExpiresAt > request.now, subject.map({ $0.id == entry.subjectId && $0.kind == entry.kind }) ?? true else {
            throw signedOut
        }
        return entry.principal
    }

    private static func load(sessionId: UUID, on request: Request) async throws -> PrincipalCache.Entry {
        let loadedAt = NIODeadline.now()
        // One indexed row, read as plain columns.
        let row = try await request.db.sql.raw("""
            SELECT subject_kind, subject_id, expires_at FROM auth_sessions WHERE id = \(bind: sessionId) AND revoked_at IS NULL
            """).first()
        guard let row, let kind = SubjectKind(rawValue: try row.decode(column: "subject_kind", as: String.self)) else {
            throw MallError.unauthorized("This session has been signed out.")
        }
        let subjectId = try row.decode(column: "subject_id", as: UUID.self)
        let expiresAt = try row.decode(column: "expires_at", as: Date.self)
        let principal: Principal
        switch kind {
        case .member:
            principal = .member(MemberPrincipal(memberId: subjectId, sessionId: sessionId))
        case .staff:
            guard let staff = try await StaffModel.find(subjectId, on: request.db), staff.status == .active else {
                throw MallError.unauthorized("This staff account is disabled.")
            }
            // A password someone else chose unlocks nothing but its own replacement.
            let grants = staff.mustChangePassword ? [] : try await StaffRoleGrantModel.grants(of: [subjectId], on: request.db)
            let policy = AccessPolicy(grants: grants.map { AccessGrant(permissions: $0.role.permissions, scope: $0.scope) })
            principal = .staff(StaffPrincipal(staffId: subjectId, username: staff.username, displayName: staff.displayName,
                                              sessionId: sessionId, policy: policy))
        }
        return PrincipalCache.Entry(principal: principal, kind: kind, subjectId: subjectId, sessionExpiresAt: expiresAt, loadedAt: loadedAt)
    }
}
