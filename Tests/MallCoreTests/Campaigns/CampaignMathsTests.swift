import Foundation
import MallCore
import Testing

@Suite("Campaigns: RFM scores and groups, frequency caps, quiet hours, holdout, attribution, referrals")
struct CampaignMathsTests {
    static let today = try! CalendarDate(year: 2026, month: 12, day: 7)

    static func activity(_ id: Int, registeredDaysAgo: Int = 400, firstDaysAgo: Int? = nil, lastDaysAgo: Int?, orders: Int, spentFen: Int64) -> CustomerActivity {
        let day = { (ago: Int) in CalendarDate(dayNumber: today.dayNumber - ago)! }
        return CustomerActivity(memberId: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", id))!, registeredOn: day(registeredDaysAgo),
                                firstOrderOn: (firstDaysAgo ?? lastDaysAgo).map(day), lastOrderOn: lastDaysAgo.map(day), orders: orders, spentFen: spentFen)
    }

    @Test("quintiles: the lowest fifth scores 1, the top fifth 5, equal values score alike at their middle place")
    func quintiles() {
        #expect(RFM.quintiles(Array(1...10)) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(RFM.quintiles([7, 7, 7]) == [3, 3, 3], "nothing to tell apart: everyone in the middle")
        #expect(RFM.quintiles([1, 1, 1, 1, 9]) == [3, 3, 3, 3, 5])
        #expect(RFM.quintiles([9, 9, 1]) == [4, 4, 1], "a tie for the best stays near the top")
        #expect(RFM.quintiles([Int]()) == [])
    }

    @Test("property: scores are 1...5, and more of a measure never scores lower")
    func monotoneScores() {
        var random = PricingTestRandom(seed: 0xF1F0)
        for _ in 0..<200 {
            let members = (0..<Int.random(in: 1...60, using: &random)).map { i in
                Self.activity(i, lastDaysAgo: Int.random(in: 0...400, using: &random), orders: Int.random(in: 1...30, using: &random),
                              spentFen: Int64.random(in: 100...5_000_000, using: &random))
            }
            let scores = RFM.scores(members, today: Self.today)
            #expect(scores.count == members.count)
            for a in members {
                let sa = scores[a.memberId]!
                #expect([sa.recency, sa.frequency, sa.monetary].allSatisfy { (1...5).contains($0) })
                for b in members {
                    let sb = scores[b.memberId]!
                    if a.orders > b.orders { #expect(sa.frequency >= sb.frequency) }
                    if a.spentFen > b.spentFen { #expect(sa.monetary >= sb.monetary) }
                    if a.lastOrderOn! > b.lastOrderOn! { #expect(sa.recency >= sb.recency) }
                }
            }
        }
    }

    @Test("groups: dormant and new go by time, the rest by score; everyone lands in exactly one")
    func groups() {
        let rules = RFMRules(dormantAfterDays: 180, newWithinDays: 30)
        // Ten buyers spread evenly, plus the special cases.
        var members = (0..<10).map { i in Self.activity(i, lastDaysAgo: 100 - i * 10, orders: i + 1, spentFen: Int64(i + 1) * 10_000) }
        let champion = members[9]
        let lapsedBigSpender = Self.activity(20, lastDaysAgo: 150, orders: 9, spentFen: 90_000)
        let sleeper = Self.activity(21, lastDaysAgo: 200, orders: 12, spentFen: 500_000)
        let neverBought = Self.activity(22, registeredDaysAgo: 365, lastDaysAgo: nil, orders: 0, spentFen: 0)
        let justJoined = Self.activity(23, registeredDaysAgo: 3, lastDaysAgo: nil, orders: 0, spentFen: 0)
        let firstOrderLastWeek = Self.activity(24, registeredDaysAgo: 90, firstDaysAgo: 7, lastDaysAgo: 7, orders: 1, spentFen: 5_000)
        members += [lapsedBigSpender, sleeper, neverBought, justJoined, firstOrderLastWeek]
        let segments = RFM.segment(members, today: Self.today, rules: rules)
        #expect(segments.count == members.count)
        #expect(segments[champion.memberId]?.group == .highValue)
        // Above 11 of the 13 buyers on every measure: percentile 11.5 / 13 is in the top fifth.
        #expect(segments[champion.memberId]?.score?.code == "R5F5M5")
        #expect(segments[lapsedBigSpender.memberId]?.group == .atRisk)
        #expect(segments[sleeper.memberId]?.group == .dormant, "a big spender who stopped half a year ago is asleep, not at risk")
        #expect(segments[neverBought.memberId]?.group == .dormant && segments[neverBought.memberId]?.score == nil)
        #expect(segments[justJoined.memberId]?.group == .new)
        #expect(segments[firstOrderLastWeek.memberId]?.group == .new)
        #expect(segments[members[0].memberId]?.group == .occasional, "long ago, once, little")
        // The dormant line is a setting.
        let stricter = RFM.group(lapsedBigSpender, score: segments[lapsedBigSpender.memberId]?.score, today: Self.today,
                                 rules: RFMRules(dormantAfterDays: 120, newWithinDays: 30))
        #expect(stricter == .dormant)
    }

    @Test("frequency cap: a rolling week, counted per channel by the caller")
    func frequencyCap() {
        let now = Date(timeIntervalSince1970: 1_796_000_000)
        let cap = FrequencyCap(perWeek: 2)
        #expect(cap.allows(sentAt: [], now: now))
        #expect(cap.allows(sentAt: [now.addingTimeInterval(-86_400)], now: now))
        #expect(!cap.allows(sentAt: [now.addingTimeInterval(-86_400), now.addingTimeInterval(-6 * 86_400)], now: now))
        #expect(cap.allows(sentAt: [now.addingTimeInterval(-86_400), now.addingTimeInterval(-7 * 86_400)], now: now), "a week ago has rolled out")
        #expect(!FrequencyCap(perWeek: 0).allows(sentAt: [], now: now), "a cap of zero sends nothing")
    }

    @Test("quiet hours across midnight hold a message until they end, in the shop's time zone")
    func quietHours() throws {
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let night = QuietHours(start: ClockTime(minutes: 21 * 60), end: ClockTime(minutes: 9 * 60))
        #expect(night.isQuiet(at: ClockTime(minutes: 23 * 60)) && night.isQuiet(at: ClockTime(minutes: 8 * 60 + 59)))
        #expect(!night.isQuiet(at: ClockTime(minutes: 9 * 60)) && !night.isQuiet(at: ClockTime(minutes: 20 * 60 + 59)))
        // 2026-12-07 22:30:15 in Shanghai is 14:30:15 UTC; the message goes at 09:00:00 the next morning.
        let late = Date(timeIntervalSince1970: 1_796_653_815)
        let next = night.nextSendTime(after: late, in: shanghai)
        let (weekday, minute) = LocalTime.weekdayAndMinute(of: next, in: shanghai)
        #expect(weekday == .tuesday && minute == ClockTime(minutes: 9 * 60))
        #expect(next.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0)
        #expect(next.timeIntervalSince(late) == 10 * 3_600 + 29 * 60 + 45)
        let afternoon = Date(timeIntervalSince1970: 1_796_625_000)
        #expect(night.nextSendTime(after: afternoon, in: shanghai) == afternoon)
        let lunch = QuietHours(start: ClockTime(minutes: 12 * 60), end: ClockTime(minutes: 13 * 60))
        #expect(lunch.isQuiet(at: ClockTime(minutes: 12 * 60 + 30)) && !lunch.isQuiet(at: ClockTime(minutes: 13 * 60)))
        #expect(!QuietHours(start: ClockTime(minutes: 0), end: ClockTime(minutes: 0)).isQuiet(at: ClockTime(minutes: 300)))
    }

    @Test("holdout: the same member lands on the same side every time, about the asked share is held out, campaigns differ")
    func holdout() {
        let campaign = UUID(uuidString: "6B1F1E3C-27A4-4F5E-9C1A-0B7D5E2A9F10")!
        let other = UUID(uuidString: "0D9C2B7A-5E31-4C8D-A6F2-7E4B3C1D0A99")!
        var random = PricingTestRandom(seed: 0x401D)
        let members = (0..<20_000).map { _ in UUID(uuid: (UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random),
                                                         UInt8.random(in: 0...255, using: &random), UInt8.random(in: 0...255, using: &random))) }
        let held = members.filter { HoldoutSplit.isHeldOut(member: $0, campaign: campaign, basisPoints: 1_000) }
        #expect((1_800...2_200).contains(held.count), "10% of 20,000 is 2,000; got \(held.count)")
        #expect(held.allSatisfy { HoldoutSplit.isHeldOut(member: $0, campaign: campaign, basisPoints: 1_000) }, "deterministic")
        #expect(held.allSatisfy { HoldoutSplit.isHeldOut(member: $0, campaign: campaign, basisPoints: 2_000) }, "a larger holdout keeps the smaller one in it")
        let heldInOther = Set(members.filter { HoldoutSplit.isHeldOut(member: $0, campaign: other, basisPoints: 1_000) })
        #expect(Set(held).intersection(heldInOther).count < 400, "another campaign holds out other members")
        #expect(members.allSatisfy { !HoldoutSplit.isHeldOut(member: $0, campaign: campaign, basisPoints: 0) })
        #expect(members.allSatisfy { HoldoutSplit.isHeldOut(member: $0, campaign: campaign, basisPoints: 10_000) })
        // The split must not move between releases, or a running campaign's groups would change:
        // FNV-1a 64 over campaign then member bytes, high half folded in, mod 10,000 — worked out
        // independently with Python's `uuid` bytes.
        #expect(HoldoutSplit.bucket(member: other, campaign: campaign) == 5_066)
    }

    @Test("attribution: the last message within the window before the order, never one after it")
    func attribution() {
        let order = Date(timeIntervalSince1970: 1_796_000_000)
        let first = UUID(), second = UUID(), later = UUID()
        let touches = [CampaignTouch(campaignId: first, at: order.addingTimeInterval(-5 * 86_400)),
                       CampaignTouch(campaignId: second, at: order.addingTimeInterval(-86_400)),
                       CampaignTouch(campaignId: later, at: order.addingTimeInterval(60))]
        #expect(CampaignAttribution.campaign(for: order, touches: touches, windowDays: 7) == second)
        #expect(CampaignAttribution.campaign(for: order, touches: [touches[0]], windowDays: 7) == first)
        #expect(CampaignAttribution.campaign(for: order, touches: [touches[0]], windowDays: 3) == nil)
        #expect(CampaignAttribution.campaign(for: order, touches: [touches[2]], windowDays: 7) == nil)
    }

    @Test("referrals: the last link within seven days refers; self, repeat phones and devices, and the daily cap earn nothing; bursts go to review")
    func referrals() {
        let signup = Date(timeIntervalSince1970: 1_796_000_000)
        let alice = UUID(), bob = UUID(), newcomer = UUID()
        let visits = [ReferralVisit(referrerId: alice, at: signup.addingTimeInterval(-6 * 86_400)),
                      ReferralVisit(referrerId: bob, at: signup.addingTimeInterval(-3_600))]
        #expect(ReferralRules.referrer(registeredAt: signup, visits: visits, windowDays: 7) == bob)
        #expect(ReferralRules.referrer(registeredAt: signup, visits: [visits[0]], windowDays: 7) == alice)
        #expect(ReferralRules.referrer(registeredAt: signup, visits: [visits[0]], windowDays: 5) == nil)
        func refusal(referrer: UUID = alice, member: UUID = newcomer, phone: Bool = false, device: Bool = false, today: Int = 0) -> ReferralRefusal? {
            ReferralRules.refusal(referrer: referrer, newMember: member, phoneRewardedBefore: phone, deviceRewardedBefore: device,
                                  referrerRewardsToday: today, dailyCap: 5)
        }
        #expect(refusal() == nil)
        #expect(refusal(member: alice) == .selfReferral)
        #expect(refusal(phone: true) == .phoneAlreadyRewarded)
        #expect(refusal(device: true) == .deviceAlreadyRewarded)
        #expect(refusal(today: 5) == .dailyCapReached && refusal(today: 4) == nil)
        let minute = { (m: Double) in signup.addingTimeInterval(m * 60) }
        #expect(ReferralRules.isBurst(signups: [minute(0), minute(3), minute(9), minute(50)], minutes: 10, threshold: 3))
        #expect(!ReferralRules.isBurst(signups: [minute(0), minute(11), minute(22), minute(33)], minutes: 10, threshold: 3))
        #expect(!ReferralRules.isBurst(signups: [minute(0), minute(1)], minutes: 10, threshold: 3))
    }
}
