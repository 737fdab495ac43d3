import Foundation

/// The self-operated merchant (自营) is the platform's own brand; its id is fixed so that code
/// and migrations can name it without a lookup.
public enum SelfOperatedMerchant {
    public static let id = MerchantID(UUID(uuidString: "00000000-0000-4000-8000-000000000001")!)
    public static let code = "SELF"
}


public enum MerchantKind: String, Codable, Sendable, CaseIterable {
    case selfOperated = "self_operated"
    case thirdParty = "third_party"
}

/// A merchant's standing on the platform. A third-party merchant applies, is reviewed, and can
/// later be suspended; the self-operated merchant is never suspended or closed.
public enum MerchantStatus: String, Codable, Sendable, CaseIterable {
    case pending, active, suspended, closed

    public func changing(to target: MerchantStatus, kind: MerchantKind) throws -> MerchantStatus {
        if kind == .selfOperated && target != .active {
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "the self-operated merchant always stays active")
        }
        switch (self, target) {
        case (.pending, .active), (.pending, .closed):
            // Application approved, or turned down.
            return target
        case (.active, .suspended), (.suspended, .active):
            return target
        case (.active, .closed), (.suspended, .closed):
            return target
        case (.closed, _):
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "a closed merchant stays closed; onboard it again instead")
        case (.pending, .suspended):
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "a merchant under review has nothing to suspend")
        case (_, .pending):
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "a reviewed merchant cannot go back to review")
        case (.active, .active), (.suspended, .suspended):
            throw IllegalTransition(from: rawValue, to: target.rawValue, reason: "the merchant is already \(rawValue)")
        }
    }
}

public enum MerchantRules {
    /// Commission in basis points of sales (500 = 5%).
    public static func checkCommission(_ basisPoints: Int, field: String = "commissionRateBasisPoints") throws {
        guard (0...10_000).contains(basisPoints) else {
            throw ValidationFailure(field: field, message: "must be between 0 and 10000 basis points (0–100%)")
        }
    }
}
