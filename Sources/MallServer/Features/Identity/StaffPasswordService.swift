import Fluent
import Foundation
import MallCore
import Vapor

/// A staff member replaces their own password: the check of the old one, the policy, the
/// first-sign-in flag and the other sessions, in one transaction with its audit row.
struct StaffPasswordService {
    let app: Application
    let db: any Database
    let audit: AuditRecorder

    func change(staffId: UUID, keepingSession sessionId: UUID, current: String, new: String) async throws {
        guard let staff = try await StaffModel.find(staffId, on: db) else { throw MallError.unauthorized("Unknown staff account.") }
        var errors = FieldErrorCollector()
        errors.collect { try PasswordPolicy.check(new, field: "newPassword") }
        var currentMatches = false
        if current.utf8.count <= PasswordPolicy.maximumLength {
            currentMatches = try await app.password.async.verify(current, created: staff.passwordHash)
        }
        if !currentMatches {
            errors.add("currentPassword", "is not your current password")
        } else if current == new {
            errors.add("newPassword", "must differ from the current password")
        }
        try errors.throwIfAny()
        let wasForced = staff.mustChangePassword
        staff.passwordHash = try await app.password.async.hash(new)
        staff.mustChangePassword = false
        try await db.writeTransaction { tx in
            try await staff.update(on: tx)
            // Whoever knew the old password (the reviewer who read it out) is signed out everywhere else.
            try await TokenService(app: app, db: tx).revokeAll(kind: .staff, subjectId: staffId, except: sessionId, reason: "password changed")
            try await audit.record(on: tx, action: "staff.password", owner: .platform, targetType: "staff", targetId: staffId.uuidString,
                                   after: ["firstSignIn": wasForced])
        }
        await app.cacheInvalidationBus.publish(IdentityInvalidation.subject(.staff, staffId))
    }
}
