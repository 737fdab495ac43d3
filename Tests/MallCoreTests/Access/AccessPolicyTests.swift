import Foundation
import MallCore
import Testing

@Suite("Access policy")
struct AccessPolicyTests {
    let merchantA = MerchantID(UUID())
    let merchantB = MerchantID(UUID())
    let storeA1 = StoreID(UUID())
    let storeA2 = StoreID(UUID())
    let storeB1 = StoreID(UUID())

    var ownerA1: ResourceOwner { .store(storeA1, merchant: merchantA) }
    var ownerA2: ResourceOwner { .store(storeA2, merchant: merchantA) }
    var ownerB1: ResourceOwner { .store(storeB1, merchant: merchantB) }

    func policy(_ role: BuiltinRole, _ scope: AccessScope) -> AccessPolicy {
        AccessPolicy(grants: [AccessGrant(permissions: role.permissions, scope: scope)])
    }

    @Test("a store grant reaches its store only")
    func storeScope() {
        let clerk = policy(.storeClerk, .store(storeA1))
        #expect(clerk.allows(.orderFulfil, on: ownerA1))
        #expect(!clerk.allows(.orderFulfil, on: ownerA2))
        #expect(!clerk.allows(.orderFulfil, on: ownerB1))
        #expect(!clerk.allows(.storeView, on: .merchant(merchantA)))
        #expect(!clerk.allows(.storeView, on: .platform))
        #expect(!clerk.allows(.storeManage, on: ownerA1), "clerks do not edit their store")
    }

    @Test("a merchant grant reaches the merchant and all its stores, nothing else")
    func merchantScope() {
        let admin = policy(.merchantAdmin, .merchant(merchantA))
        #expect(admin.allows(.storeManage, on: ownerA1))
        #expect(admin.allows(.storeManage, on: ownerA2))
        #expect(admin.allows(.storeManage, on: .merchant(merchantA)))
        #expect(!admin.allows(.storeManage, on: ownerB1))
        #expect(!admin.allows(.storeView, on: .platform))
        #expect(!admin.allows(.settingsManage, on: .merchant(merchantA)))
    }

    @Test("a platform grant reaches everything it has permissions for")
    func platformScope() {
        let operatorPolicy = policy(.platformOperator, .platform)
        #expect(operatorPolicy.allows(.storeManage, on: ownerB1))
        #expect(!operatorPolicy.allows(.settingsManage, on: .platform))
        #expect(!operatorPolicy.allows(.staffManage, on: ownerA1))
    }

    @Test("reach collects merchants and stores across grants")
    func reach() {
        let mixed = AccessPolicy(grants: [
            AccessGrant(permissions: BuiltinRole.storeManager.permissions, scope: .store(storeA1)),
            AccessGrant(permissions: BuiltinRole.merchantAdmin.permissions, scope: .merchant(merchantB)),
        ])
        #expect(mixed.reach(of: .storeView) == .limited(merchants: [merchantB], stores: [storeA1]))
        #expect(mixed.reach(of: .storeView).includes(ownerB1))
        #expect(!mixed.reach(of: .storeView).includes(ownerA2))
        #expect(mixed.reach(of: .settingsManage).isEmpty)
        #expect(policy(.platformAdmin, .platform).reach(of: .auditView) == .everything)
    }

    @Test("nobody grants more than they hold")
    func granting() {
        let manager = policy(.storeManager, .store(storeA1))
        #expect(!manager.canGrant(BuiltinRole.storeClerk.permissions, at: ownerA1), "store managers do not manage staff")
        let merchantAdmin = policy(.merchantAdmin, .merchant(merchantA))
        #expect(merchantAdmin.canGrant(BuiltinRole.storeClerk.permissions, at: ownerA2))
        #expect(!merchantAdmin.canGrant(BuiltinRole.storeClerk.permissions, at: ownerB1))
        #expect(!merchantAdmin.canGrant(BuiltinRole.platformOperator.permissions, at: .platform))
        #expect(policy(.platformAdmin, .platform).canGrant(Set(Permission.allCases), at: .platform))
    }

    @Test("role grants must suit their scope")
    func grantRules() throws {
        #expect(throws: ValidationFailure.self) { try RoleRules.checkGrant(permissions: BuiltinRole.storeClerk.permissions, builtin: .storeClerk, scope: .platform) }
        #expect(throws: ValidationFailure.self) { try RoleRules.checkGrant(permissions: [.settingsManage], builtin: nil, scope: .merchant) }
        try RoleRules.checkGrant(permissions: BuiltinRole.merchantAdmin.permissions, builtin: .merchantAdmin, scope: .merchant)
        #expect(throws: ValidationFailure.self) { try RoleRules.parsePermissions(["store.manage", "store.destroy"]) }
        #expect(try RoleRules.parsePermissions(["order.fulfil", "store.view"]) == [.orderFulfil, .storeView])
    }
}
