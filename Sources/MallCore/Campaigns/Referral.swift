import Foundation

/// A visit that came through a member's share link.
public struct ReferralVisit: Hashable, Sendable {
    public let referrerId: UUID
    public let at: Date

    public init(referrerId: UUID, at: Date) {
        self.referrerId = referrerId
        self.at = at
    }
}

/// Why a referral earns no reward.
public enum ReferralRefusal: String, Codable, Sendable, Equatable {
    /// The new member is the sharer (signed up again through their own link).
    case selfReferral = "self_referral"
    /// The phone number already earned someone a referral reward.
    case phoneAlreadyRewarded = "phone_already_rewarded"
    /// The device already earned someone a referral reward.
    case deviceAlreadyRewarded = "device_already_rewarded"
    /// The sharer has had the day's most rewards.
    case dailyCapReached = "daily_cap_reached"
}

public enum ReferralRules {
    /// Who referred a member who signed up at `registeredAt`: the sharer of the last link they
    /// followed within `windowDays` before signing up.
    public static func referrer(registeredAt: Date, visits: [ReferralVisit], windowDays: Int) -> UUID? {
        let earliest = registeredAt.addingTimeInterval(-TimeInterval(windowDays) * 86_400)
        return visits.filter { $0.at <= registeredAt && $0.at >= earliest }.max { $0.at < $1.at }?.referrerId
    }

    /// The first rule a reward would break, in the order a reviewer reads them; nil: reward it.
    public static func refusal(referrer: UUID, newMember: UUID, phoneRewardedBefore: Bool, deviceRewardedBefore: Bool,
                               referrerRewardsToday: Int, dailyCap: Int) -> ReferralRefusal? {
        if referrer == newMember { return .selfReferral }
        if phoneRewardedBefore { return .phoneAlreadyRewarded }
        if deviceRewardedBefore { return .deviceAlreadyRewarded }
        if referrerRewardsToday >= dailyCap { return .dailyCapReached }
        return nil
    }

    /// Whether one sharer's sign-ups look like a farm rather than friends: `threshold` or more
    /// within any `minutes`-long stretch. Such rewards wait for a person to review them.
    public static func isBurst(signups: [Date], minutes: Int, threshold: Int) -> Bool {
        guard threshold > 0, signups.count >= threshold else { return false }
        let sorted = signups.sorted()
        let span = TimeInterval(minutes) * 60
        for start in 0...(sorted.count - threshold) where sorted[start + threshold - 1].timeIntervalSince(sorted[start]) <= span {
            return true
        }
        return false
    }
}
