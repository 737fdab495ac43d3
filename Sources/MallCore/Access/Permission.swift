/// A named capability a role can hold. Custom roles are built from these names, so the list is
/// closed: a typo in a custom role is rejected instead of silently granting nothing.
public enum Permission: String, Codable, Sendable, CaseIterable, Comparable {
    case storeView = "store.view"
    case storeManage = "store.manage"
    case merchantView = "merchant.view"
    case merchantManage = "merchant.manage"
    case staffView = "staff.view"
    case staffManage = "staff.manage"
    case roleManage = "role.manage"
    case catalogView = "catalog.view"
    case catalogEdit = "catalog.edit"
    case catalogReview = "catalog.review"
    case inventoryView = "inventory.view"
    case inventoryManage = "inventory.manage"
    case orderView = "order.view"
    case orderFulfil = "order.fulfil"
    case afterSalesHandle = "aftersales.handle"
    case paymentView = "payment.view"
    case paymentRefund = "payment.refund"
    case memberView = "member.view"
    case memberManage = "member.manage"
    case marketingManage = "marketing.manage"
    case reportView = "report.view"
    case settingsView = "settings.view"
    case settingsManage = "settings.manage"
    case auditView = "audit.view"
    case jobsManage = "jobs.manage"
    /// Approve or reject shoppers' product reviews (platform-wide).
    case reviewModerate = "review.moderate"
    /// Reply to reviews of a merchant's or store's products.
    case reviewReply = "review.reply"
    /// Read service-fee rules, settlement statements, balances and payouts.
    case settlementView = "settlement.view"
    /// Agree to a merchant's settlement statement.
    case settlementConfirm = "settlement.confirm"
    /// Write fee rules, run settlement and record payouts (platform-wide).
    case settlementManage = "settlement.manage"

    public static func < (a: Permission, b: Permission) -> Bool { a.rawValue < b.rawValue }

    /// Permissions that only make sense across the whole platform: granting them at merchant or
    /// store scope would suggest a store can change the mall's settings.
    public var isPlatformOnly: Bool {
        switch self {
        case .merchantManage, .settingsManage, .roleManage, .jobsManage, .catalogReview, .reviewModerate, .settlementManage: true
        default: false
        }
    }
}

/// Where a role grant applies.
public enum AccessScope: Hashable, Codable, Sendable, CustomStringConvertible {
    case platform
    case merchant(MerchantID)
    case store(StoreID)

    public var kind: AccessScopeKind {
        switch self {
        case .platform: .platform
        case .merchant: .merchant
        case .store: .store
        }
    }

    public var description: String {
        switch self {
        case .platform: "platform"
        case .merchant(let id): "merchant:\(id.rawValue.uuidString)"
        case .store(let id): "store:\(id.rawValue.uuidString)"
        }
    }
}

public enum AccessScopeKind: String, Codable, Sendable, CaseIterable {
    case platform, merchant, store
}

/// What a request touches, described by the owners it belongs to. A store's resource names its
/// merchant as well, so a merchant-scoped grant reaches the stores of that merchant.
public enum ResourceOwner: Hashable, Sendable {
    /// Platform-wide things: settings, roles, merchants list, the audit log as a whole.
    case platform
    case merchant(MerchantID)
    case store(StoreID, merchant: MerchantID)
}
