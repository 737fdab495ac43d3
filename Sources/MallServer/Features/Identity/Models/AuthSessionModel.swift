import Fluent
import Foundation

enum SubjectKind: String, Codable, Sendable {
    case member, staff
}

/// A signed-in device. Access tokens name their session, so revoking the session (log out,
/// password change, refresh-token reuse) ends the access token at once, not at its expiry.
final class AuthSessionModel: Model, @unchecked Sendable {
    static let schema = "auth_sessions"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date
    @Enum(key: "subject_kind") var subjectKind: SubjectKind
    @Field(key: "subject_id") var subjectId: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    @OptionalField(key: "revoked_reason") var revokedReason: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @OptionalField(key: "ip") var ip: String?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _subjectKind, _subjectId, _expiresAt, _revokedAt, _revokedReason, _userAgent, _ip] }

    init() {}

    init(id: UUID, subjectKind: SubjectKind, subjectId: UUID, createdAt: Date, expiresAt: Date, userAgent: String?, ip: String?) {
        self.id = id
        self.subjectKind = subjectKind
        self.subjectId = subjectId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.userAgent = userAgent
        self.ip = ip
    }
}

/// A single-use refresh token, stored as a SHA-256 digest.
final class RefreshTokenModel: Model, @unchecked Sendable {
    static let schema = "refresh_tokens"

    @ID(key: .id) var id: UUID?

    @Field(key: "created_at") var createdAt: Date
    @Field(key: "session_id") var sessionId: UUID
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _sessionId, _tokenHash, _expiresAt, _usedAt] }

    init() {}

    init(sessionId: UUID, tokenHash: String, createdAt: Date, expiresAt: Date) {
        self.sessionId = sessionId
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
