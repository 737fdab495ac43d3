import Foundation

/// How many marketing messages a member may get on one channel in any seven days.
public struct FrequencyCap: Hashable, Codable, Sendable {
    public let perWeek: Int

    public init(perWeek: Int) {
        self.perWeek = perWeek
    }

    /// Whether one more message may go at `now`, given when earlier ones went on the channel.
    /// The week rolls: a message sent exactly seven days ago no longer counts.
    public func allows(sentAt: [Date], now: Date) -> Bool {
        let weekAgo = now.addingTimeInterval(-7 * 86_400)
        return sentAt.filter { $0 > weekAgo && $0 <= now }.count < perWeek
    }
}

/// Hours of the shop's day when no marketing message goes out (say 21:00–09:00). `start ==
/// end` means no quiet hours; `end <= start` runs past midnight.
public struct QuietHours: Hashable, Sendable {
    public let start: ClockTime
    public let end: ClockTime

    public init(start: ClockTime, end: ClockTime) {
        self.start = start
        self.end = end
    }

    public func isQuiet(at minute: ClockTime) -> Bool {
        if start == end { return false }
        return start < end ? (start <= minute && minute < end) : (minute >= start || minute < end)
    }

    /// `instant` itself when it is outside quiet hours, else the moment they end that night or
    /// morning in `timeZone`.
    public func nextSendTime(after instant: Date, in timeZone: TimeZone) -> Date {
        let (_, minute) = LocalTime.weekdayAndMinute(of: instant, in: timeZone)
        guard isQuiet(at: minute) else { return instant }
        var wait = end.minutes - minute.minutes
        if wait <= 0 { wait += 1_440 }
        // Counted from the start of the current minute, so the send lands on `end` exactly.
        let epoch = instant.timeIntervalSince1970
        let intoMinute = epoch - (epoch / 60).rounded(.down) * 60
        return instant.addingTimeInterval(TimeInterval(wait * 60) - intoMinute)
    }
}

/// Splits a campaign's audience into those who get it and a holdout who get nothing, so the
/// difference in what each group buys afterwards is the campaign's lift. The split is a hash of
/// campaign and member: the same member lands on the same side every time the campaign runs,
/// on every instance, and different campaigns hold out different members.
public enum HoldoutSplit {
    /// `basisPoints` of the audience (0...10000) is held out.
    public static func isHeldOut(member: UUID, campaign: UUID, basisPoints: Int) -> Bool {
        bucket(member: member, campaign: campaign) < min(max(basisPoints, 0), 10_000)
    }

    /// 0..<10000, evenly spread.
    public static func bucket(member: UUID, campaign: UUID) -> Int {
        // FNV-1a over both ids' bytes: stable across processes, unlike Swift's seeded Hasher.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for id in [campaign, member] {
            withUnsafeBytes(of: id.uuid) { bytes in
                for byte in bytes {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x0000_0100_0000_01B3
                }
            }
        }
        // FNV's low bits mix poorly on short inputs; fold the high half in before reducing.
        hash ^= hash >> 32
        return Int(hash % 10_000)
    }
}

/// One campaign message that reached a member.
public struct CampaignTouch: Hashable, Sendable {
    public let campaignId: UUID
    public let at: Date

    public init(campaignId: UUID, at: Date) {
        self.campaignId = campaignId
        self.at = at
    }
}

public enum CampaignAttribution {
    /// The campaign an order placed at `orderedAt` counts for: the last message the member got
    /// before ordering, if it came within `windowDays`. Messages after the order never count.
    public static func campaign(for orderedAt: Date, touches: [CampaignTouch], windowDays: Int) -> UUID? {
        let earliest = orderedAt.addingTimeInterval(-TimeInterval(windowDays) * 86_400)
        return touches.filter { $0.at <= orderedAt && $0.at >= earliest }.max { $0.at < $1.at }?.campaignId
    }
}
