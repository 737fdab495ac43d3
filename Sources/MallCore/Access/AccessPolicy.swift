/// One role grant as the policy sees it: what it allows, and where.
public struct AccessGrant: Hashable, Sendable {
    public var permissions: Set<Permission>
    public var scope: AccessScope

    public init(permissions: Set<Permission>, scope: AccessScope) {
        self.permissions = permissions
        self.scope = scope
    }
}

/// Everything a staff member may do, decided in one place so that every endpoint asks the same
/// question the same way.
public struct AccessPolicy: Sendable {
    public let grants: [AccessGrant]

    public init(grants: [AccessGrant]) {
        self.grants = grants
    }

    /// Whether some grant holds `permission` over a scope that contains `owner`.
    public func allows(_ permission: Permission, on owner: ResourceOwner) -> Bool {
        grants.contains { grant in
            grant.permissions.contains(permission) && Self.scope(grant.scope, contains: owner)
        }
    }

    /// The part of the world in which `permission` is held, for filtering lists.
    public func reach(of permission: Permission) -> AccessReach {
        var merchants = Set<MerchantID>()
        var stores = Set<StoreID>()
        for grant in grants where grant.permissions.contains(permission) {
            switch grant.scope {
            case .platform: return .everything
            case .merchant(let id): merchants.insert(id)
            case .store(let id): stores.insert(id)
            }
        }
        return .limited(merchants: merchants, stores: stores)
    }

    /// Every permission held anywhere, for menus: the console shows a section when the staff
    /// member can use it somewhere.
    public var heldPermissions: Set<Permission> {
        grants.reduce(into: Set<Permission>()) { $0.formUnion($1.permissions) }
    }

    static func scope(_ scope: AccessScope, contains owner: ResourceOwner) -> Bool {
        switch (scope, owner) {
        case (.platform, _):
            return true
        case (.merchant(let granted), .merchant(let target)):
            return granted == target
        case (.merchant(let granted), .store(_, let merchant)):
            return granted == merchant
        case (.store(let granted), .store(let target, _)):
            return granted == target
        case (.merchant, .platform), (.store, .platform), (.store, .merchant):
            return false
        }
    }
}

/// Where a permission reaches: everywhere, or a set of merchants (with all their stores) plus a
/// set of individual stores.
public enum AccessReach: Hashable, Sendable {
    case everything
    case limited(merchants: Set<MerchantID>, stores: Set<StoreID>)

    public var isEmpty: Bool {
        if case .limited(let merchants, let stores) = self { return merchants.isEmpty && stores.isEmpty }
        return false
    }

    public func includes(_ owner: ResourceOwner) -> Bool {
        switch self {
        case .everything: return true
        case .limited(let merchants, let stores):
            switch owner {
            case .platform: return false
            case .merchant(let id): return merchants.contains(id)
            case .store(let id, let merchant): return stores.contains(id) || merchants.contains(merchant)
            }
        }
    }
}

extension AccessPolicy {
    /// A staff member may hand out a role at a scope only when they manage staff there and hold
    /// every permission of that role there themselves: nobody can grant more than they have.
    public func canGrant(_ permissions: Set<Permission>, at owner: ResourceOwner) -> Bool {
        allows(.staffManage, on: owner) && permissions.allSatisfy { allows($0, on: owner) }
    }
}
