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
        entry.before = try before.map(Self.json)
        entry.after = try after.map(Self.json)
        entry.requestId = req.id
        try await entry.create(on: db)
    }

    static func json(_ value: any Encodable) throws -> String {
        String(decoding: try JSONEncoder.api.encode(value), as: UTF8.self)
    }
}

extension Request {
    var audit: AuditRecorder { AuditRecorder(req: self) }
}
