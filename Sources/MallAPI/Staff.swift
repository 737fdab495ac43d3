import Foundation
import MallCore

/// A grant as written by a client: the scope kind plus the id it needs.
public struct GrantInput: Codable, Sendable {
    public var roleId: UUID
    public var scope: AccessScopeKind
    public var merchantId: UUID?
    public var storeId: UUID?

    public init(roleId: UUID, scope: AccessScopeKind, merchantId: UUID? = nil, storeId: UUID? = nil) {
        self.roleId = roleId
        self.scope = scope
        self.merchantId = merchantId
        self.storeId = storeId
    }
}

public struct Grant: Codable, Sendable, Equatable {
    public var id: UUID
    public var roleId: UUID
    public var roleCode: String
    public var roleName: String
    public var scope: AccessScopeKind
    public var merchantId: UUID?
    public var storeId: UUID?

    public init(id: UUID, roleId: UUID, roleCode: String, roleName: String, scope: AccessScopeKind, merchantId: UUID?, storeId: UUID?) {
        self.id = id
        self.roleId = roleId
        self.roleCode = roleCode
        self.roleName = roleName
        self.scope = scope
        self.merchantId = merchantId
        self.storeId = storeId
    }
}

public struct StaffCreate: Codable, Sendable {
    public var username: String
    public var password: String
    public var displayName: String
    public var mobile: String?
    public var grants: [GrantInput]

    public init(username: String, password: String, displayName: String, mobile: String? = nil, grants: [GrantInput]) {
        self.username = username
        self.password = password
        self.displayName = displayName
        self.mobile = mobile
        self.grants = grants
    }
}

public struct StaffUpdate: Codable, Sendable {
    public var displayName: String?
    public var mobile: String?
    public var status: StaffStatus?
    /// When present, replaces every grant of the staff member.
    public var grants: [GrantInput]?

    public init(displayName: String? = nil, mobile: String? = nil, status: StaffStatus? = nil, grants: [GrantInput]? = nil) {
        self.displayName = displayName
        self.mobile = mobile
        self.status = status
        self.grants = grants
    }
}

public enum StaffStatus: String, Codable, Sendable, CaseIterable {
    case active, disabled
}

public struct StaffMember: Codable, Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var mobile: String?
    public var status: StaffStatus
    public var grants: [Grant]
    public var createdAt: Date

    public init(id: UUID, username: String, displayName: String, mobile: String?, status: StaffStatus, grants: [Grant], createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.mobile = mobile
        self.status = status
        self.grants = grants
        self.createdAt = createdAt
    }
}

/// The signed-in staff member with what they can do, so a console can draw its menus.
public struct StaffIdentity: Codable, Sendable {
    public var staff: StaffMember
    public var permissions: [Permission]
    /// True until the holder replaces a password someone else chose; meanwhile `permissions` is empty.
    public var mustChangePassword: Bool

    public init(staff: StaffMember, permissions: [Permission], mustChangePassword: Bool = false) {
        self.staff = staff
        self.permissions = permissions
        self.mustChangePassword = mustChangePassword
    }
}

public struct StaffSession: Codable, Sendable {
    public var staff: StaffMember
    public var permissions: [Permission]
    public var tokens: TokenPair
    /// True until the holder replaces a password someone else chose (`POST /admin/auth/password`);
    /// meanwhile the session holds no permissions.
    public var mustChangePassword: Bool

    public init(staff: StaffMember, permissions: [Permission], tokens: TokenPair, mustChangePassword: Bool = false) {
        self.staff = staff
        self.permissions = permissions
        self.tokens = tokens
        self.mustChangePassword = mustChangePassword
    }
}

public struct RoleInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var permissions: [String]

    public init(code: String, name: String, permissions: [String]) {
        self.code = code
        self.name = name
        self.permissions = permissions
    }
}

public struct RoleUpdate: Codable, Sendable {
    public var name: String?
    public var permissions: [String]?

    public init(name: String? = nil, permissions: [String]? = nil) {
        self.name = name
        self.permissions = permissions
    }
}

public struct Role: Codable, Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var builtin: Bool
    public var permissions: [Permission]
    /// Scope kinds this role may be granted at.
    public var allowedScopes: [AccessScopeKind]

    public init(id: UUID, code: String, name: String, builtin: Bool, permissions: [Permission], allowedScopes: [AccessScopeKind]) {
        self.id = id
        self.code = code
        self.name = name
        self.builtin = builtin
        self.permissions = permissions
        self.allowedScopes = allowedScopes
    }
}
