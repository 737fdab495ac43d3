import Fluent
import Foundation
import MallCore
import Vapor

/// The staff member behind a change and the request that carried it, as a plain value: a
/// service takes this instead of a `Request` and writes the audit row in its own transaction.
struct StaffAudit: Sendable {
    let staffId: UUID?
    let actorName: String
    let requestId: String
    let now: Date

    func record(on db: any Database, action: String, owner: ResourceOwner, targetType: String, targetId: String,
                before: (any Encodable & Sendable)? = nil, after: (any Encodable & Sendable)? = nil) async throws {
        let entry = AuditLogModel()
        entry.createdAt = now
        entry.actorStaffId = staffId
        entry.actorName = actorName
        switch owner {
        case .platform:
            entry.scope = AccessScope.platform.description
        case .merchant(let merchant):
            entry.scope = AccessScope.merchant(merchant).description
            entry.merchantId = merchant.rawValue
        case .store(let store, let merchant):
            entry.scope = AccessScope.store(store).description
            entry.merchantId = merchant.rawValue
            entry.storeId = store.rawValue
        }
        entry.action = action
        entry.targetType = targetType
        entry.targetId = targetId
        entry.before = try before.map { try JSONText.encode($0) }
        entry.after = try after.map { try JSONText.encode($0) }
        entry.requestId = requestId
        try await entry.create(on: db)
    }
}

extension Request {
    /// Who is acting, for a service that records the audit row itself.
    var staffAudit: StaffAudit {
        if case .staff(let staff) = principal {
            return StaffAudit(staffId: staff.staffId, actorName: staff.username, requestId: requestId, now: now)
        }
        return StaffAudit(staffId: nil, actorName: "system", requestId: requestId, now: now)
    }
}
