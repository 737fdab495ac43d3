import Foundation
import MallCore
import Testing

@Suite("Points lots, expiry, earning and sign-in")
struct PointsLotsTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }
    static func day(_ n: Double) -> Date { t0.addingTimeInterval(n * 86_400) }

    @Test("spending takes the soonest-expiring lots first, never-expiring lots last, and refuses what the valid lots cannot cover")
    func spendOrder() throws {
        let lots = [
            PointsLot(id: Self.id(1), remaining: 50, earnedAt: Self.day(0), expiresAt: nil),
            PointsLot(id: Self.id(2), remaining: 30, earnedAt: Self.day(1), expiresAt: Self.day(200)),
            PointsLot(id: Self.id(3), remaining: 20, earnedAt: Self.day(2), expiresAt: Self.day(100)),
            PointsLot(id: Self.id(4), remaining: 40, earnedAt: Self.day(0), expiresAt: Self.day(5)),
        ]
        let takes = try #require(PointsLots.spend(60, from: lots, at: Self.day(10)))
        #expect(takes == [PointsTake(lotId: Self.id(3), points: 20), PointsTake(lotId: Self.id(2), points: 30), PointsTake(lotId: Self.id(1), points: 10)],
                "lot 4 expired on day 5 and is not spent")
        #expect(PointsLots.spend(101, from: lots, at: Self.day(10)) == nil, "only 100 valid points")
        #expect(PointsLots.spend(0, from: lots, at: Self.day(10)) == nil)
        #expect(PointsLots.expiring(lots, at: Self.day(10)) == [PointsTake(lotId: Self.id(4), points: 40)])
    }

    @Test("random lots: a spend takes exactly what was asked, each lot at most what it has, and expiry takes only lots past their day")
    func spendProperties() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let lots = (0..<Int.random(in: 0...8, using: &random)).map { n in
                PointsLot(id: Self.id(n), remaining: Int64.random(in: 0...500, using: &random), earnedAt: Self.day(Double(Int.random(in: 0...30, using: &random))),
                          expiresAt: Bool.random(using: &random) ? nil : Self.day(Double(Int.random(in: 0...60, using: &random))))
            }
            let now = Self.day(Double(Int.random(in: 0...60, using: &random)))
            let valid = lots.filter { $0.expiresAt.map { $0 > now } ?? true }.reduce(Int64(0)) { $0 + $1.remaining }
            let wanted = Int64.random(in: 1...1_000, using: &random)
            if let takes = PointsLots.spend(wanted, from: lots, at: now) {
                #expect(takes.reduce(Int64(0)) { $0 + $1.points } == wanted)
                for take in takes {
                    let lot = lots.first { $0.id == take.lotId }!
                    #expect(take.points > 0 && take.points <= lot.remaining)
                    #expect(lot.expiresAt.map { $0 > now } ?? true)
                }
            } else {
                #expect(wanted > valid)
            }
            let expiring = PointsLots.expiring(lots, at: now)
            #expect(expiring.allSatisfy { take in lots.first { $0.id == take.lotId }!.expiresAt.map { $0 <= now } ?? false })
        }
    }

    @Test("a clawback takes from the lot that earned it first, then from others; never more than the member has")
    func clawback() {
        let lots = [
            PointsLot(id: Self.id(1), remaining: 10, earnedAt: Self.day(0), expiresAt: Self.day(300)),
            PointsLot(id: Self.id(2), remaining: 25, earnedAt: Self.day(1), expiresAt: Self.day(100)),
        ]
        #expect(PointsLots.clawBack(15, earnedBy: Self.id(1), from: lots, at: Self.day(2))
                == [PointsTake(lotId: Self.id(1), points: 10), PointsTake(lotId: Self.id(2), points: 5)])
        #expect(PointsLots.clawBack(100, earnedBy: Self.id(1), from: lots, at: Self.day(2)).reduce(0) { $0 + $1.points } == 35)
        #expect(PointsLots.clawBack(0, earnedBy: Self.id(1), from: lots, at: Self.day(2)).isEmpty)
    }

    @Test("points expire at the end of the N-th year after the year they were earned, in the shop's time zone; 0 years never")
    func expiryDates() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = shanghai
        // 2026-12-31 23:30 in Shanghai is still 2026 there (but 2026-12-31 15:30 UTC).
        let lateInYear = try #require(calendar.date(from: DateComponents(year: 2026, month: 12, day: 31, hour: 23, minute: 30)))
        let expiry = try #require(PointsExpiry.expiry(earnedAt: lateInYear, years: 1, timeZone: shanghai))
        #expect(calendar.dateComponents([.year, .month, .day, .hour], from: expiry) == DateComponents(year: 2028, month: 1, day: 1, hour: 0))
        #expect(PointsExpiry.expiry(earnedAt: lateInYear, years: 0, timeZone: shanghai) == nil)
        let far = try #require(PointsExpiry.expiry(earnedAt: lateInYear, years: 1_000, timeZone: shanghai))
        #expect(calendar.component(.year, from: far) == 2026 + PointsExpiry.maximumYears + 1)
    }

    @Test("order points: whole yuan × rate × multiplier, rounded down; clawback in proportion, rounded up, never more than earned")
    func earning() {
        #expect(PointsEarning.forOrder(paidGoodsFen: 12_999, pointsPerYuan: 1, multiplierBasisPoints: 10_000) == 129)
        #expect(PointsEarning.forOrder(paidGoodsFen: 12_999, pointsPerYuan: 2, multiplierBasisPoints: 15_000) == 387)
        #expect(PointsEarning.forOrder(paidGoodsFen: 99, pointsPerYuan: 1, multiplierBasisPoints: 10_000) == 0)
        #expect(PointsEarning.forOrder(paidGoodsFen: .max, pointsPerYuan: 1_000, multiplierBasisPoints: 100_000) > 0, "no trap at the edges")
        #expect(PointsEarning.forOrder(paidGoodsFen: -5, pointsPerYuan: 1, multiplierBasisPoints: 10_000) == 0)
        #expect(PointsEarning.clawback(earned: 129, paidGoodsFen: 12_999, refundedGoodsFen: 4_333) == 43)
        #expect(PointsEarning.clawback(earned: 129, paidGoodsFen: 12_999, refundedGoodsFen: 12_999) == 129)
        #expect(PointsEarning.clawback(earned: 129, paidGoodsFen: 12_999, refundedGoodsFen: 99_999) == 129)
        #expect(PointsEarning.clawback(earned: .max, paidGoodsFen: .max, refundedGoodsFen: .max - 1) <= .max)
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let paid = Int64.random(in: 1...10_000_000, using: &random)
            let earned = PointsEarning.forOrder(paidGoodsFen: paid, pointsPerYuan: Int.random(in: 0...10, using: &random),
                                                multiplierBasisPoints: Int.random(in: 0...30_000, using: &random))
            let first = Int64.random(in: 0...paid, using: &random)
            let clawed = PointsEarning.clawback(earned: earned, paidGoodsFen: paid, refundedGoodsFen: first)
            #expect(clawed >= 0 && clawed <= earned)
            // What stays earned is never more than the goods kept would earn at the same rate.
            #expect((earned - clawed).multipliedFullWidth(by: paid) <= earned.multipliedFullWidth(by: paid - first))
        }
    }

    @Test("sign-in: a streak grows by a day only after yesterday's, and each cycle's last day adds the bonus")
    func signIn() throws {
        #expect(SignInReward.streak(previousStreak: nil, signedInYesterday: false) == 1)
        #expect(SignInReward.streak(previousStreak: 6, signedInYesterday: true) == 7)
        #expect(SignInReward.streak(previousStreak: 6, signedInYesterday: false) == 1)
        #expect(SignInReward.streak(previousStreak: .max, signedInYesterday: true) == .max)
        #expect((1...15).map { SignInReward.points(streak: $0, daily: 5, bonus: 20, cycleDays: 7) }
                == [5, 5, 5, 5, 5, 5, 25, 5, 5, 5, 5, 5, 5, 25, 5])
        #expect((1...8).map { SignInReward.dayOfCycle(streak: $0, cycleDays: 7) } == [1, 2, 3, 4, 5, 6, 7, 1])
        #expect(SignInReward.points(streak: 3, daily: -4, bonus: 9, cycleDays: 0) == 9, "nonsense settings neither trap nor go negative")
        #expect(try CalendarDate(year: 2026, month: 3, day: 1).previousDay == CalendarDate(year: 2026, month: 2, day: 28))
        #expect(try CalendarDate(year: 2028, month: 3, day: 1).previousDay == CalendarDate(year: 2028, month: 2, day: 29))
        #expect(try CalendarDate(year: 2027, month: 1, day: 1).previousDay == CalendarDate(year: 2026, month: 12, day: 31))
    }
}
