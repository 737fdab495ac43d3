import Fluent
import Foundation
import MallAPI
import MallCore

final class StaffModel: Model, @unchecked Sendable {
    static let schema = "staff"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "username") var username: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "display_name") var displayName: String
    @OptionalField(key: "mobile") var mobile: String?
    @Enum(key: "status") var status: StaffStatus
    /// Set on accounts created with a password someone else chose (a new merchant's admin): the
    /// holder may do nothing but change it until they have.
    @Field(key: "must_change_password") var mustChangePassword: Bool

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _username, _passwordHash, _displayName, _mobile, _status, _mustChangePassword] }

    init() {}

    init(id: UUID? = nil, username: String, passwordHash: String, displayName: String, mobile: String?) {
        self.id = id
        self.username = username
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.mobile = mobile
        self.status = .active
        self.mustChangePassword = false
    }

    static func find(username: String, on db: any Database) async throws -> StaffModel? {
        try await query(on: db).filter(\.$username == username.lowercased()).first()
    }
}

final class RoleModel: Model, @unchecked Sendable {
    static let schema = "roles"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @Field(key: "builtin") var builtin: Bool
    /// Space-separated permission names; built-in roles take theirs from code instead.
    @Field(key: "permissions") var permissionList: String

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _code, _name, _builtin, _permissionList] }

    init() {}

    init(id: UUID? = nil, code: String, name: String, builtin: Bool, permissions: Set<Permission>) {
        self.id = id
        self.code = code
        self.name = name
        self.builtin = builtin
        self.permissionList = permissions.map(\.rawValue).sorted().joined(separator: " ")
    }

    var builtinRole: BuiltinRole? { builtin ? BuiltinRole(rawValue: code) : nil }

    var permissions: Set<Permission> {
        if let builtinRole { return builtinRole.permissions }
        return Set(permissionList.split(separator: " ").compactMap { Permission(rawValue: String($0)) })
    }

    var allowedScopes: Set<AccessScopeKind> { builtinRole?.allowedScopes ?? Set(AccessScopeKind.allCases) }

    static func find(code: String, on db: any Database) async throws -> RoleModel? {
        try await query(on: db).filter(\.$code == code).first()
    }
}

/// One role held by one staff member at one scope. `merchant_id` is filled for store grants too
/// (the store's merchant), so "everything under merchant M" is one column comparison.
final class StaffRoleGrantModel: Model, @unchecked Sendable {
    static let schema = "staff_role_grants"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "staff_id") var staffId: UUID
    @Parent(key: "role_id") var role: RoleModel
    @Enum(key: "scope_kind") var scopeKind: AccessScopeKind
    @OptionalField(key: "merchant_id") var merchantId: UUID?
    @OptionalField(key: "store_id") var storeId: UUID?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _staffId, _role, _scopeKind, _merchantId, _storeId] }

    init() {}

    init(staffId: UUID, roleId: UUID, scope: AccessScope, storeMerchant: UUID?) {
        self.staffId = staffId
        self.$role.id = roleId
        self.scopeKind = scope.kind
        switch scope {
        case .platform:
            merchantId = nil
            storeId = nil
        case .merchant(let merchant):
            merchantId = merchant.rawValue
            storeId = nil
        case .store(let store):
            merchantId = storeMerchant
            storeId = store.rawValue
        }
    }

    /// A merchant or store grant stored without its id (only possible by editing the table)
    /// points at this id, which no merchant or store has: the grant allows nothing, and reading
    /// it does not trap on every request of that staff member.
    private static let nowhere = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    var scope: AccessScope {
        switch scopeKind {
        case .platform: .platform
        case .merchant: .merchant(MerchantID(merchantId ?? Self.nowhere))
        case .store: .store(StoreID(storeId ?? Self.nowhere))
        }
    }

    /// Where the grant sits, as a resource: used to check the granter may manage it.
    var owner: ResourceOwner {
        switch scopeKind {
        case .platform: .platform
        case .merchant: .merchant(MerchantID(merchantId ?? Self.nowhere))
        case .store: .store(StoreID(storeId ?? Self.nowhere), merchant: MerchantID(merchantId ?? Self.nowhere))
        }
    }

    static func grants(of staffIds: [UUID], on db: any Database) async throws -> [StaffRoleGrantModel] {
        guard !staffIds.isEmpty else { return [] }
        return try await query(on: db).filter(\.$staffId ~~ staffIds).with(\.$role).all()
    }
}
