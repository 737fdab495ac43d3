import Fluent
import Foundation
import JWT
import MallAPI
import MallCore
import SQLKit
import Vapor

/// What an access token says. Expiry is checked against the application clock (not the wall
/// clock inside JWTKit) so tests can move time.
struct AccessClaims: JWTPayload {
    var sub: SubjectClaim
    var kind: SubjectKind
    var sid: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Issues, rotates and revokes tokens. Refresh tokens are single use: using one twice means it
/// was stolen (or replayed), and the whole session is revoked.
struct TokenService {
    let app: Application
    let db: any Database

    struct Issued {
        let tokens: TokenPair
        let sessionId: UUID
    }

    func startSession(kind: SubjectKind, subjectId: UUID, userAgent: String?, ip: String?) async throws -> Issued {
        let session = try await createSession(kind: kind, subjectId: subjectId, userAgent: userAgent, ip: ip)
        return try await issue(session: session, now: session.createdAt)
    }

    /// A session for a browser: the cookie session points at it, so it needs no tokens.
    func startBrowserSession(kind: SubjectKind, subjectId: UUID, userAgent: String?, ip: String?) async throws -> UUID {
        try await createSession(kind: kind, subjectId: subjectId, userAgent: userAgent, ip: ip).id!
    }

    private func createSession(kind: SubjectKind, subjectId: UUID, userAgent: String?, ip: String?) async throws -> AuthSessionModel {
        let now = app.clock.now()
        let session = AuthSessionModel(
            id: UUID(), subjectKind: kind, subjectId: subjectId, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(app.config.refreshTokenTTL)),
            userAgent: userAgent.map { String($0.prefix(300)) }, ip: ip
        )
        try await session.create(on: db)
        return session
    }

    private func issue(session: AuthSessionModel, now: Date) async throws -> Issued {
        let refresh = SecureToken.generate()
        let refreshExpiry = min(session.expiresAt, now.addingTimeInterval(TimeInterval(app.config.refreshTokenTTL)))
        try await RefreshTokenModel(sessionId: session.id!, tokenHash: SecureToken.digest(refresh), createdAt: now, expiresAt: refreshExpiry)
            .create(on: db)
        let ttl = app.config.accessTokenTTL
        let claims = AccessClaims(
            sub: .init(value: session.subjectId.uuidString), kind: session.subjectKind, sid: session.id!.uuidString,
            iat: .init(value: now), exp: .init(value: now.addingTimeInterval(TimeInterval(ttl)))
        )
        let access = try await app.jwt.keys.sign(claims)
        return Issued(tokens: TokenPair(accessToken: access, expiresIn: ttl, refreshToken: refresh, refreshExpiresAt: refreshExpiry),
                      sessionId: session.id!)
    }

    enum RefreshOutcome {
        case rotated(Issued)
        /// The token was already used: whoever holds it now is not to be trusted, so the caller
        /// revokes the session (outside the failed transaction, so the revocation sticks).
        case reused(sessionId: UUID)
    }

    /// Swaps a refresh token for a new pair. The used-at stamp is set by a conditional update, so
    /// two racing refreshes with one token cannot both succeed.
    func refresh(_ token: String) async throws -> RefreshOutcome {
        let now = app.clock.now()
        let invalid = MallError.unauthorized("The refresh token is invalid or expired; sign in again.")
        guard let stored = try await RefreshTokenModel.query(on: db).filter(\.$tokenHash == SecureToken.digest(token)).first(),
              let session = try await AuthSessionModel.find(stored.sessionId, on: db)
        else { throw invalid }
        guard session.revokedAt == nil, session.expiresAt > now, stored.expiresAt > now else { throw invalid }
        let claimed = try await db.sql.raw("""
            UPDATE refresh_tokens SET used_at = \(bind: now) WHERE id = \(bind: stored.id!) AND used_at IS NULL RETURNING id
            """).all()
        guard !claimed.isEmpty else { return .reused(sessionId: session.id!) }
        return .rotated(try await issue(session: session, now: now))
    }

    /// Call it outside a transaction: it tells the principal caches once the revocation is stored.
    func revoke(sessionId: UUID, reason: String) async throws {
        try await AuthSessionModel.query(on: db)
            .set(\.$revokedAt, to: app.clock.now())
            .set(\.$revokedReason, to: reason)
            .filter(\.$id == sessionId)
            .filter(\.$revokedAt == nil)
            .update()
        await app.cacheInvalidationBus.publish(IdentityInvalidation.session(sessionId))
    }

    /// Signs a subject out everywhere, optionally keeping the session making the request. Runs
    /// inside the caller's transaction, so the caller publishes `IdentityInvalidation.subject`
    /// after the commit.
    func revokeAll(kind: SubjectKind, subjectId: UUID, except keep: UUID?, reason: String) async throws {
        var query = AuthSessionModel.query(on: db)
            .set(\.$revokedAt, to: app.clock.now())
            .set(\.$revokedReason, to: reason)
            .filter(\.$subjectKind == kind)
            .filter(\.$subjectId == subjectId)
            .filter(\.$revokedAt == nil)
        if let keep { query = query.filter(\.$id != keep) }
        try await query.update()
    }

    /// Deletes sessions that ended long enough ago that no token of theirs can matter.
    static func purgeExpired(on db: any Database, now: Date) async throws {
        let cutoff = now.addingTimeInterval(-7 * 86_400)
        try await AuthSessionModel.query(on: db).group(.or) { group in
            group.filter(\.$expiresAt < cutoff).filter(\.$revokedAt < cutoff)
        }.delete()
        try await RefreshTokenModel.query(on: db).filter(\.$expiresAt < cutoff).delete()
    }
}
