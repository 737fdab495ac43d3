/// The roles every installation starts with. Their permission sets are fixed in code so an
/// upgrade can extend them; custom roles live in the database.
public enum BuiltinRole: String, Codable, Sendable, CaseIterable {
    case platformAdmin = "platform_admin"
    case platformOperator = "platform_operator"
    case merchantAdmin = "merchant_admin"
    case storeManager = "store_manager"
    case storeClerk = "store_clerk"
    case customerService = "customer_service"

    public var displayName: String {
        switch self {
        case .platformAdmin: "Platform admin"
        case .platformOperator: "Platform operator"
        case .merchantAdmin: "Merchant admin"
        case .storeManager: "Store manager"
        case .storeClerk: "Store clerk"
        case .customerService: "Customer service"
        }
    }

    public var permissions: Set<Permission> {
        switch self {
        case .platformAdmin:
            return Set(Permission.allCases)
        case .platformOperator:
            // Runs the mall day to day but does not hand out power: no staff, roles or settings changes.
            return Set(Permission.allCases).subtracting([.staffManage, .roleManage, .settingsManage, .jobsManage])
        case .merchantAdmin:
            return [.storeView, .storeManage, .merchantView, .staffView, .staffManage, .catalogView, .catalogEdit,
                    .inventoryView, .inventoryManage, .orderView, .orderFulfil, .afterSalesHandle, .paymentView,
                    .paymentRefund, .memberView, .marketingManage, .reviewReply, .reportView, .auditView, .settlementView, .settlementConfirm]
        case .storeManager:
            return [.storeView, .storeManage, .staffView, .catalogView, .inventoryView, .inventoryManage,
                    .orderView, .orderFulfil, .afterSalesHandle, .paymentView, .memberView, .reviewReply, .reportView, .auditView]
        case .storeClerk:
            return [.storeView, .catalogView, .inventoryView, .inventoryManage, .orderView, .orderFulfil]
        case .customerService:
            return [.storeView, .merchantView, .catalogView, .inventoryView, .orderView, .afterSalesHandle,
                    .paymentView, .memberView, .reviewReply]
        }
    }

    /// The scope kinds a grant of this role may carry: a store clerk is always a clerk *of a store*.
    public var allowedScopes: Set<AccessScopeKind> {
        switch self {
        case .platformAdmin, .platformOperator: [.platform]
        case .merchantAdmin: [.merchant]
        case .storeManager, .storeClerk: [.store]
        case .customerService: [.platform, .merchant]
        }
    }
}

public enum RoleRules {
    /// A grant is coherent when its scope kind suits the role and no platform-only permission is
    /// handed out below platform scope.
    public static func checkGrant(permissions: Set<Permission>, builtin: BuiltinRole?, scope: AccessScopeKind) throws {
        if let builtin, !builtin.allowedScopes.contains(scope) {
            let allowed = builtin.allowedScopes.map(\.rawValue).sorted().joined(separator: " or ")
            throw ValidationFailure(field: "scope", message: "\(builtin.displayName) can only be granted at \(allowed) scope")
        }
        if scope != .platform {
            let platformOnly = permissions.filter(\.isPlatformOnly).map(\.rawValue).sorted()
            if !platformOnly.isEmpty {
                throw ValidationFailure(field: "scope", message: "permissions \(platformOnly.joined(separator: ", ")) can only be granted at platform scope")
            }
        }
    }

    /// Parses a custom role's permission names, naming every unknown one.
    public static func parsePermissions(_ names: [String], field: String = "permissions") throws -> Set<Permission> {
        var result = Set<Permission>()
        var unknown: [String] = []
        for name in names {
            if let permission = Permission(rawValue: name) { result.insert(permission) } else { unknown.append(name) }
        }
        if !unknown.isEmpty {
            throw ValidationFailure(field: field, message: "unknown permissions: \(unknown.joined(separator: ", "))")
        }
        if result.isEmpty {
            throw ValidationFailure(field: field, message: "must name at least one permission")
        }
        return result
    }

    public static func checkCode(_ code: String, field: String = "code") throws -> String {
        let trimmed = code.trimmingWhitespace()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789_-")
        guard (2...40).contains(trimmed.count), trimmed.allSatisfy({ allowed.contains($0) }), trimmed.first?.isLetter == true else {
            throw ValidationFailure(field: field, message: "must be 2–40 lower-case letters, digits, '_' or '-', starting with a letter")
        }
        return trimmed
    }
}
