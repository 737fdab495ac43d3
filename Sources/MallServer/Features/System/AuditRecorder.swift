import Fluent
import Foundation
import MallCore
import Vapor

/// Writes the audit row for a staff change. Call it with the transaction's database so the row
/// and the change commit or vanish together. It holds plain values — who acted, for which
/// request, when — so services can take one without taking the request.
struct AuditRecorder: Sendable {
    let actorStaffId: UUID?
    let actorName: String
    let requestId: String
    let now: Date

    func record(on db: any Database, action: String, owner: ResourceOwner, targetType: String, targetId: String,
                before: (any Encodable)? = nil, after: (any Encodable)? = nil) async throws {
        let entry = AuditLogModel()
        entry.createdAt = now
        entry.actorStaffId = actorStaffId
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
    /// The recorder for this request's staff member (or "system" for anyone else).
    var audit: AuditRecorder {
        if case .staff(let staff) = principal {
            return AuditRecorder(actorStaffId: staff.staffId, actorName: staff.username, requestId: requestId, now: now)
        }
        return AuditRecorder(actorStaffId: nil, actorName: "system", requestId: requestId, now: now)
    }
}
