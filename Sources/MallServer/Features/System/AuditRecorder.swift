import Fluent
import Foundation
import MallCore
import Vapor

/// Writes the audit row for a staff change. Call it with the transaction's database so the row
/// and the change commit or vanish together.
struct AuditRecorder {
    let req: Request

    func record(on db: any Database, action: String, owner: ResourceOwner, targetType: String, targetId: String,
                before: (any Encodable)? = nil, after: (any Encodable)? = nil) async throws {
        let entry = AuditLogModel()
        entry.createdAt = req.now
        if case .staff(let staff) = req.principal {
            entry.actorStaffId = staff.staffId
            entry.actorName = staff.username
        } else {
            entry.actorName = "system"
        }
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
        entry.requestId = req.requestId
        try await entry.create(on: db)
    }
}

extension Request {
    var audit: AuditRecorder { AuditRecorder(req: self) }
}
