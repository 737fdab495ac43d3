import Foundation
import MallCore
import Vapor

struct MemberPrincipal: Sendable {
    let memberId: UUID
    let sessionId: UUID
}

struct StaffPrincipal: Sendable {
    let staffId: UUID
    let username: String
    let displayName: String
    let sessionId: UUID
    let policy: AccessPolicy

    /// How this staff member appears on an order's or case's timeline for an action that needs
    /// `permission`: as HQ when they hold it platform-wide, as the merchant's staff when they
    /// hold it for the whole merchant, otherwise as the store's staff.
    func timelineActor(for permission: Permission, merchantId: UUID) -> TimelineActor {
        if policy.allows(permission, on: .platform) { return .hq(staffId) }
        if policy.allows(permission, on: .merchant(MerchantID(merchantId))) { return .merchantStaff(staffId) }
        return .storeStaff(staffId)
    }
}

enum Principal: Sendable {
    case member(MemberPrincipal)
    case staff(StaffPrincipal)
}

extension Request {
    private struct PrincipalKey: StorageKey { typealias Value = Principal }

    var principal: Principal? {
        get { storage[PrincipalKey.self] }
        set { storage[PrincipalKey.self] = newValue }
    }

    /// The signed-in member's level, for level prices; nil for guests and staff.
    func memberLevel() async throws -> String? {
        guard case .member(let member) = principal else { return nil }
        return try await MemberModel.find(member.memberId, on: db)?.level
    }

    func requireMember() throws -> MemberPrincipal {
        switch principal {
        case .member(let member): return member
        case .staff: throw MallError.forbidden("This endpoint is for members; staff accounts cannot use it.")
        case nil: throw MallError.unauthorized("Sign in as a member to use this endpoint.")
        }
    }

    func requireStaff() throws -> StaffPrincipal {
        switch principal {
        case .staff(let staff): return staff
        case .member: throw MallError.forbidden("This endpoint is for staff.")
        case nil: throw MallError.unauthorized("Sign in as staff to use this endpoint.")
        }
    }

    /// The one gate every staff endpoint passes: the caller must hold `permission` over a scope
    /// that contains `owner`, or the request ends here with 403.
    @discardableResult
    func authorize(_ permission: Permission, on owner: ResourceOwner) throws -> StaffPrincipal {
        let staff = try requireStaff()
        guard staff.policy.allows(permission, on: owner) else {
            throw MallError.forbidden("You need the \(permission.rawValue) permission for \(Self.describe(owner)).")
        }
        return staff
    }

    /// For lists: where the caller holds `permission`. No reach at all is a 403, not an empty list,
    /// so a missing permission is not mistaken for "nothing here".
    func reach(_ permission: Permission) throws -> (StaffPrincipal, AccessReach) {
        let staff = try requireStaff()
        let reach = staff.policy.reach(of: permission)
        guard !reach.isEmpty else {
            throw MallError.forbidden("You need the \(permission.rawValue) permission.")
        }
        return (staff, reach)
    }

    static func describe(_ owner: ResourceOwner) -> String {
        switch owner {
        case .platform: "the platform"
        case .merchant(let id): "merchant \(id.rawValue.uuidString)"
        case .store(let id, _): "store \(id.rawValue.uuidString)"
        }
    }
}
