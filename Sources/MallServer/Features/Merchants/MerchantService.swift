import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// A merchant's standing and deposit, changed by the platform with an audit row each.
struct MerchantService {
    let db: any Database

    /// Suspending (or closing) takes every product of the merchant off the storefront in the same
    /// transaction; reinstating puts back those whose own shelf state says so. Orders already
    /// placed are not touched: they are fulfilled, paid out and returned as usual.
    func changeStatus(_ merchantId: UUID, to target: MerchantStatus, reason: String?, audit: AuditRecorder) async throws -> MerchantModel {
        let note = try reason.flatMap { $0.trimmingWhitespace().isEmpty ? nil : try TextRule.check($0, field: "reason", max: 500) }
        return try await db.writeTransaction { tx in
            guard let merchant = try await MerchantModel.find(merchantId, on: tx) else { throw MallError.notFound("No such merchant.") }
            let before = merchant.dto
            merchant.status = try merchant.status.changing(to: target, kind: merchant.kind)
            try await merchant.update(on: tx)
            if merchant.status == .active {
                try await tx.sql.raw("UPDATE products SET merchant_suspended_at = NULL WHERE merchant_id = \(bind: merchantId)").run()
            } else {
                try await tx.sql.raw("""
                    UPDATE products SET merchant_suspended_at = \(bind: audit.now)
                    WHERE merchant_id = \(bind: merchantId) AND merchant_suspended_at IS NULL
                    """).run()
            }
            try await audit.record(on: tx, action: "merchant.status", owner: .merchant(merchant.merchantID), targetType: "merchant",
                                   targetId: merchantId.uuidString, before: before,
                                   after: StatusAudit(status: merchant.status.rawValue, reason: note))
            return merchant
        }
    }

    func setDeposit(_ merchantId: UUID, _ input: MerchantDepositInput, audit: AuditRecorder) async throws -> MerchantModel {
        var errors = FieldErrorCollector()
        errors.range(input.depositFen, InputLimits.priceFen, "depositFen", unit: "fen")
        let note = input.note.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }.flatMap { raw in
            errors.collect { try TextRule.check(raw, field: "note", max: 200) }
        }
        try errors.throwIfAny()
        return try await db.writeTransaction { tx in
            guard let merchant = try await MerchantModel.find(merchantId, on: tx) else { throw MallError.notFound("No such merchant.") }
            let before = DepositAudit(depositFen: merchant.depositFen, note: nil)
            merchant.depositFen = input.depositFen
            try await merchant.update(on: tx)
            try await audit.record(on: tx, action: "merchant.deposit", owner: .merchant(merchant.merchantID), targetType: "merchant",
                                   targetId: merchantId.uuidString, before: before, after: DepositAudit(depositFen: input.depositFen, note: note))
            return merchant
        }
    }

    private struct DepositAudit: Encodable {
        let depositFen: Int64
        let note: String?
    }
}
