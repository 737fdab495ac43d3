import Foundation
import MallCore

public struct MemberRegistration: Codable, Sendable {
    public var mobile: String?
    public var email: String?
    public var password: String
    public var nickname: String?

    public init(mobile: String? = nil, email: String? = nil, password: String, nickname: String? = nil) {
        self.mobile = mobile
        self.email = email
        self.password = password
        self.nickname = nickname
    }
}

/// Members log in with a mobile number or email in `login`; staff with their username.
public struct LoginRequest: Codable, Sendable {
    public var login: String
    public var password: String

    public init(login: String, password: String) {
        self.login = login
        self.password = password
    }
}

public struct RefreshRequest: Codable, Sendable {
    public var refreshToken: String
    public init(refreshToken: String) { self.refreshToken = refreshToken }
}

public struct TokenPair: Codable, Sendable {
    public var accessToken: String
    public var tokenType: String
    /// Seconds until the access token expires.
    public var expiresIn: Int
    public var refreshToken: String
    public var refreshExpiresAt: Date

    public init(accessToken: String, expiresIn: Int, refreshToken: String, refreshExpiresAt: Date) {
        self.accessToken = accessToken
        self.tokenType = "Bearer"
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.refreshExpiresAt = refreshExpiresAt
    }
}

public struct MemberSession: Codable, Sendable {
    public var member: MemberProfile
    public var tokens: TokenPair
    public init(member: MemberProfile, tokens: TokenPair) {
        self.member = member
        self.tokens = tokens
    }
}

public struct MemberProfile: Codable, Sendable, Equatable {
    public var id: UUID
    public var mobile: String?
    public var email: String?
    public var nickname: String
    public var avatarUrl: String?
    public var gender: Gender
    public var birthday: CalendarDate?
    /// The member level whose prices this member pays, if any.
    public var level: String?
    public var createdAt: Date

    public init(id: UUID, mobile: String?, email: String?, nickname: String, avatarUrl: String?, gender: Gender,
                birthday: CalendarDate?, level: String? = nil, createdAt: Date) {
        self.id = id
        self.mobile = mobile
        self.email = email
        self.nickname = nickname
        self.avatarUrl = avatarUrl
        self.gender = gender
        self.birthday = birthday
        self.level = level
        self.createdAt = createdAt
    }
}

/// A partial profile edit: absent fields stay as they are. `birthday` and `avatarUrl` can be
/// cleared with an empty string.
public struct MemberProfileUpdate: Codable, Sendable {
    public var nickname: String?
    public var avatarUrl: String?
    public var gender: Gender?
    public var birthday: String?

    public init(nickname: String? = nil, avatarUrl: String? = nil, gender: Gender? = nil, birthday: String? = nil) {
        self.nickname = nickname
        self.avatarUrl = avatarUrl
        self.gender = gender
        self.birthday = birthday
    }
}

public struct PasswordChange: Codable, Sendable {
    public var currentPassword: String
    public var newPassword: String
    public init(currentPassword: String, newPassword: String) {
        self.currentPassword = currentPassword
        self.newPassword = newPassword
    }
}

public struct AddressInput: Codable, Sendable {
    public var contactName: String
    public var phone: String
    public var province: String
    public var city: String
    public var district: String
    public var detail: String
    public var latitude: Double?
    public var longitude: Double?
    public var isDefault: Bool?

    public init(contactName: String, phone: String, province: String, city: String, district: String, detail: String,
                latitude: Double? = nil, longitude: Double? = nil, isDefault: Bool? = nil) {
        self.contactName = contactName
        self.phone = phone
        self.province = province
        self.city = city
        self.district = district
        self.detail = detail
        self.latitude = latitude
        self.longitude = longitude
        self.isDefault = isDefault
    }
}

public struct Address: Codable, Sendable, Equatable {
    public var id: UUID
    public var contactName: String
    public var phone: String
    public var province: String
    public var city: String
    public var district: String
    public var detail: String
    public var latitude: Double?
    public var longitude: Double?
    public var isDefault: Bool

    public init(id: UUID, contactName: String, phone: String, province: String, city: String, district: String,
                detail: String, latitude: Double?, longitude: Double?, isDefault: Bool) {
        self.id = id
        self.contactName = contactName
        self.phone = phone
        self.province = province
        self.city = city
        self.district = district
        self.detail = detail
        self.latitude = latitude
        self.longitude = longitude
        self.isDefault = isDefault
    }
}

/// Sets (or with nil clears) a member's level by hand: a defined level's code. The change is
/// recorded in the member's level history with the note.
public struct MemberLevelInput: Codable, Sendable {
    public var level: String?
    /// Why (up to 200 characters), shown in the level history.
    public var note: String?
    public init(level: String?, note: String? = nil) {
        self.level = level
        self.note = note
    }
}
