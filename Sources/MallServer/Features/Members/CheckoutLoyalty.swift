import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// What a member's level and points bring to pricing a checkout: the level's benefits (its
/// discount and free-delivery threshold), the spendable balance, the shop's points policy
/// (`points.redeemPointsPerYuan` points = ¥1, at most `points.redeemMaxShareBasisPoints` of the
/// goods) and how many points the shopper asked to use.
struct CheckoutLoyalty: Sendable {
    let member: PricingMember
    let policy: PointsPolicy?
    let redemption: PointsRedemption
    let requested: Int64
    let pointsPerYuan: Int
    let maximumShareBasisPoints: Int

    static func load(memberId: UUID, pointsToUse: Int64?, settings: ResolvedSettings, now: Date, on db: any Database) async throws -> CheckoutLoyalty {
        let code = try await MemberModel.find(memberId, on: db)?.level
        let (level, rights) = try await MembershipService.rights(levelCode: code, on: db)
        let benefits = level.map { level in
            LevelBenefits(name: level.name, discountBasisPoints: rights.discountBasisPoints,
                          freeShippingThreshold: rights.freeShippingThresholdFen.map { Money(minorUnits: $0) })
        }
        let balance = try await PointsService(db: db).spendableBalance(memberId: memberId, now: now)
        let perYuan = settings.integer(.pointsRedeemPerYuan), share = settings.integer(.pointsRedeemMaxShareBasisPoints)
        // A share of 0 means points cannot pay at all, which is no policy rather than a cap of nothing.
        let policy = share > 0 ? PointsPolicy(points: Int64(perYuan), worth: Money(minorUnits: 100), maximumShareBasisPoints: share) : nil
        let requested = max(0, pointsToUse ?? 0)
        return CheckoutLoyalty(member: PricingMember(level: code, pointsBalance: balance, benefits: benefits), policy: policy,
                               redemption: requested > 0 ? .upTo(requested) : .off, requested: requested, pointsPerYuan: perYuan,
                               maximumShareBasisPoints: share)
    }

    /// What the preview shows about points for `priced`.
    func quote(_ priced: PricedCheckout) -> CheckoutPointsQuote {
        CheckoutPointsQuote(balance: member.pointsBalance, pointsPerYuan: pointsPerYuan, maximumShareBasisPoints: maximumShareBasisPoints,
                            maximumPoints: policy == nil ? 0 : min(priced.points.pointsForMaximum, member.pointsBalance),
                            maximumDeductionFen: priced.points.maximumDeduction.minorUnits, requested: requested,
                            used: priced.points.pointsUsed, deductionFen: priced.points.deduction.minorUnits)
    }

    /// Each priced line's share of the points deduction, paired with the order line written for it.
    static func deduction(of line: PricedLine) -> Int64 {
        line.allocations.filter { $0.source == .points }.reduce(0) { $0 + $1.amount.minorUnits }
    }
}
