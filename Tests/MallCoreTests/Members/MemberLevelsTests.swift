import Foundation
import MallCore
import Testing

@Suite("Member levels: evaluation over rolling windows, birthdays, points per line")
struct MemberLevelsTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func day(_ n: Double) -> Date { t0.addingTimeInterval(n * 86_400) }

    /// The demo ladder: 普通会员 for everyone, 银卡 from ¥500 or 3 orders, 金卡 from ¥2,000 or 10
    /// orders or 2,000 points, 钻石 from ¥8,000 and 20 orders.
    static let rules = [
        LevelRule(code: "normal", rank: 1, conditions: .none),
        LevelRule(code: "silver", rank: 2, conditions: LevelConditions(minimumSpendFen: 50_000, minimumOrders: 3)),
        LevelRule(code: "gold", rank: 3, conditions: LevelConditions(minimumSpendFen: 200_000, minimumOrders: 10, minimumPointsEarned: 2_000)),
        LevelRule(code: "diamond", rank: 4, conditions: LevelConditions(minimumSpendFen: 800_000, minimumOrders: 20, matchAll: true)),
    ]
    static let policy = LevelPolicy(windowDays: 365, downgrades: true, graceDays: 30)

    static func stats(_ spendYuan: Int64, orders: Int = 0, points: Int64 = 0) -> LevelStats {
        LevelStats(spendFen: spendYuan * 100, completedOrders: orders, pointsEarned: points)
    }

    @Test("conditions: any one is enough unless all are required; none means everyone; progress names what is missing")
    func conditions() {
        let silver = Self.rules[1].conditions, diamond = Self.rules[3].conditions
        #expect(silver.isMet(by: Self.stats(500)) && silver.isMet(by: Self.stats(0, orders: 3)))
        #expect(!silver.isMet(by: Self.stats(499, orders: 2)))
        #expect(!diamond.isMet(by: Self.stats(9_000, orders: 19)) && diamond.isMet(by: Self.stats(8_000, orders: 20)))
        #expect(LevelConditions.none.isMet(by: .zero) && LevelConditions.none.isEmpty)
        let progress = Self.rules[2].conditions.progress(Self.stats(1_500, orders: 12, points: 100))
        #expect(progress.map(\.condition) == [.spend, .orders, .points])
        #expect(progress.map(\.remaining) == [50_000, 0, 1_900] && progress.map(\.met) == [false, true, false])
    }

    @Test("upgrades happen at once, to the highest level met, skipping levels in between")
    func upgrade() {
        let verdict = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: "normal"), stats: Self.stats(9_000, orders: 25),
                                              policy: Self.policy, now: Self.t0)
        #expect(verdict.code == "diamond" && verdict.change == .upgrade && verdict.belowSince == nil)
        let newcomer = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: nil), stats: .zero, policy: Self.policy, now: Self.t0)
        #expect(newcomer.code == "normal" && newcomer.change == .upgrade, "the entry level needs nothing")
        let stays = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: "silver", belowSince: Self.day(-3)), stats: Self.stats(600),
                                            policy: Self.policy, now: Self.t0)
        #expect(stays.code == "silver" && stays.change == nil && stays.belowSince == nil, "meeting the level again clears the grace clock")
    }

    @Test("downgrades wait out the grace period, then go straight to the level met; off means never")
    func downgrade() {
        let held = LevelStanding(code: "gold")
        let first = LevelEvaluator.evaluate(Self.rules, standing: held, stats: Self.stats(100), policy: Self.policy, now: Self.day(0))
        #expect(first.code == "gold" && first.change == nil && first.belowSince == Self.day(0) && first.downgradeAt == Self.day(30))
        #expect(first.qualified == "normal")
        let during = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: "gold", belowSince: Self.day(0)), stats: Self.stats(100),
                                             policy: Self.policy, now: Self.day(29.9))
        #expect(during.code == "gold" && during.change == nil && during.belowSince == Self.day(0))
        let after = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: "gold", belowSince: Self.day(0)), stats: Self.stats(100),
                                            policy: Self.policy, now: Self.day(30))
        #expect(after.code == "normal" && after.change == .downgrade, "two levels down at once, to what the member meets")
        let never = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: "gold", belowSince: Self.day(0)), stats: .zero,
                                            policy: LevelPolicy(windowDays: 365, downgrades: false, graceDays: 30), now: Self.day(400))
        #expect(never.code == "gold" && never.change == nil && never.belowSince == nil && never.downgradeAt == nil)
        let noGrace = LevelEvaluator.evaluate(Self.rules, standing: held, stats: Self.stats(600), policy: LevelPolicy(windowDays: 365, downgrades: true, graceDays: 0),
                                              now: Self.t0)
        #expect(noGrace.code == "silver" && noGrace.change == .downgrade)
    }

    @Test("a code no level defines counts as no level; with no entry level a member may hold none")
    func unknownCodes() {
        let legacy = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: "vip"), stats: Self.stats(600), policy: Self.policy, now: Self.t0)
        #expect(legacy.code == "silver" && legacy.change == .upgrade)
        let noEntry = Array(Self.rules.dropFirst())
        let none = LevelEvaluator.evaluate(noEntry, standing: LevelStanding(code: "vip"), stats: .zero, policy: Self.policy, now: Self.t0)
        #expect(none.code == nil && none.change == .downgrade)
        #expect(LevelEvaluator.evaluate(noEntry, standing: LevelStanding(code: nil), stats: .zero, policy: Self.policy, now: Self.t0).change == nil)
        #expect(LevelEvaluator.next(above: nil, in: Self.rules)?.code == "normal")
        #expect(LevelEvaluator.next(above: "gold", in: Self.rules)?.code == "diamond")
        #expect(LevelEvaluator.next(above: "diamond", in: Self.rules) == nil)
    }

    @Test("the window counts activity after now - days up to now; clawbacks never take points below zero")
    func window() {
        let activities: [LevelActivity] = [
            .order(completedAt: Self.day(-365), spendFen: 99_999),  // exactly a window ago: out
            .order(completedAt: Self.day(-364.99), spendFen: 10_000),
            .order(completedAt: Self.day(-1), spendFen: 0),  // fully refunded: not an order
            .order(completedAt: Self.day(0.01), spendFen: 5_000),  // in the future: out
            .points(at: Self.day(-10), points: 300),
            .points(at: Self.day(-2), points: -500),
        ]
        #expect(LevelWindow.stats(activities, endingAt: Self.t0, days: 365) == LevelStats(spendFen: 10_000, completedOrders: 1, pointsEarned: 0))
        #expect(LevelWindow.stats([.order(completedAt: Self.t0, spendFen: .max), .order(completedAt: Self.t0, spendFen: .max)], endingAt: Self.t0, days: 1).spendFen == .max)
    }

    /// A member's life as a sequence of days: orders, earnings and refunds happen at random, and
    /// the evaluator runs every day (as the daily job does) carrying its own standing forward.
    @Test("random histories over rolling windows: never below the level met, downgrades only after the grace period, stable once evaluated")
    func rollingWindowProperties() throws {
        var random = PricingTestRandom(seed: 42)
        for trial in 0..<300 {
            let policy = LevelPolicy(windowDays: Int.random(in: 30...120, using: &random), downgrades: Bool.random(using: &random),
                                     graceDays: Int.random(in: 0...20, using: &random))
            var activities: [LevelActivity] = []
            var standing = LevelStanding(code: Bool.random(using: &random) ? nil : Self.rules.randomElement(using: &random)!.code)
            for dayNumber in 0..<240 {
                let now = Self.day(Double(dayNumber))
                if Int.random(in: 0..<100, using: &random) < 15 {
                    activities.append(.order(completedAt: now, spendFen: Int64.random(in: 0...150_000, using: &random)))
                }
                if Int.random(in: 0..<100, using: &random) < 10 {
                    activities.append(.points(at: now, points: Int64.random(in: -300...800, using: &random)))
                }
                let stats = LevelWindow.stats(activities, endingAt: now, days: policy.windowDays)
                let verdict = LevelEvaluator.evaluate(Self.rules, standing: standing, stats: stats, policy: policy, now: now)
                let qualifiedRank = LevelEvaluator.qualified(Self.rules, stats: stats)?.rank ?? 0
                let rank = Self.rules.first { $0.code == verdict.code }?.rank ?? 0
                // Never below what the stats earn.
                #expect(rank >= qualifiedRank, "trial \(trial) day \(dayNumber)")
                // Above it only while downgrades are off, or within the grace period.
                if rank > qualifiedRank {
                    if policy.downgrades {
                        let since = try #require(verdict.belowSince)
                        #expect(now.timeIntervalSince(since) < Double(policy.graceDays) * 86_400, "trial \(trial) day \(dayNumber)")
                        #expect(verdict.downgradeAt == since.addingTimeInterval(Double(policy.graceDays) * 86_400))
                    } else {
                        #expect(verdict.belowSince == nil && verdict.change == nil)
                    }
                }
                if verdict.change == .downgrade { #expect(policy.downgrades || standing.code.map { c in !Self.rules.contains { $0.code == c } } ?? false) }
                // Evaluating again at the same moment with the new standing changes nothing.
                let again = LevelEvaluator.evaluate(Self.rules, standing: LevelStanding(code: verdict.code, belowSince: verdict.belowSince),
                                                    stats: stats, policy: policy, now: now)
                #expect(again.code == verdict.code && again.change == nil && again.belowSince == verdict.belowSince, "trial \(trial) day \(dayNumber)")
                standing = LevelStanding(code: verdict.code, belowSince: verdict.belowSince)
            }
        }
    }

    @Test("window stats agree with a brute-force sum and grow with activity")
    func windowProperties() {
        var random = PricingTestRandom(seed: 7)
        for _ in 0..<500 {
            let days = Int.random(in: 1...400, using: &random)
            let now = Self.day(Double(Int.random(in: 0...500, using: &random)))
            let activities: [LevelActivity] = (0..<Int.random(in: 0...30, using: &random)).map { _ in
                let at = Self.day(Double(Int.random(in: -100...600, using: &random)) + Double(Int.random(in: 0...23, using: &random)) / 24)
                return Bool.random(using: &random) ? .order(completedAt: at, spendFen: Int64.random(in: -100...100_000, using: &random))
                    : .points(at: at, points: Int64.random(in: -1_000...1_000, using: &random))
            }
            let stats = LevelWindow.stats(activities, endingAt: now, days: days)
            let start = now.addingTimeInterval(-Double(days) * 86_400)
            var spend: Int64 = 0, orders = 0, points: Int64 = 0
            for activity in activities {
                switch activity {
                case .order(let at, let fen) where at > start && at <= now: spend += max(0, fen); if fen > 0 { orders += 1 }
                case .points(let at, let p) where at > start && at <= now: points += p
                default: break
                }
            }
            #expect(stats == LevelStats(spendFen: spend, completedOrders: orders, pointsEarned: max(0, points)))
            let more = LevelWindow.stats(activities + [.order(completedAt: now, spendFen: 1)], endingAt: now, days: days)
            #expect(more.spendFen == stats.spendFen + 1 && more.completedOrders == stats.completedOrders + 1)
        }
    }

    @Test("birthdays: on the day, caught up for a few days, 29 February on the 28th in other years, keyed by the birthday's year")
    func birthdays() throws {
        let born = try CalendarDate(year: 1990, month: 3, day: 5)
        #expect(BirthdayGift.dueYear(birthday: born, today: try CalendarDate(year: 2027, month: 3, day: 5), catchUpDays: 6) == 2027)
        #expect(BirthdayGift.dueYear(birthday: born, today: try CalendarDate(year: 2027, month: 3, day: 11), catchUpDays: 6) == 2027)
        #expect(BirthdayGift.dueYear(birthday: born, today: try CalendarDate(year: 2027, month: 3, day: 12), catchUpDays: 6) == nil)
        #expect(BirthdayGift.dueYear(birthday: born, today: try CalendarDate(year: 2027, month: 3, day: 4), catchUpDays: 6) == nil)
        let leap = try CalendarDate(year: 2000, month: 2, day: 29)
        #expect(BirthdayGift.dueYear(birthday: leap, today: try CalendarDate(year: 2027, month: 2, day: 28), catchUpDays: 0) == 2027)
        #expect(BirthdayGift.dueYear(birthday: leap, today: try CalendarDate(year: 2028, month: 2, day: 28), catchUpDays: 0) == nil)
        #expect(BirthdayGift.dueYear(birthday: leap, today: try CalendarDate(year: 2028, month: 2, day: 29), catchUpDays: 0) == 2028)
        let newYearsEve = try CalendarDate(year: 1995, month: 12, day: 31)
        #expect(BirthdayGift.dueYear(birthday: newYearsEve, today: try CalendarDate(year: 2028, month: 1, day: 2), catchUpDays: 6) == 2027,
                "a gift caught up in January belongs to last year's birthday")
    }

    @Test("discounts read as 折: 500 → 95折, 1000 → 9折, 1200 → 88折, 450 → 95.5折")
    func fold() {
        #expect([500, 1_000, 1_200, 450, 5, 5_000].map { LevelRules.fold(discountBasisPoints: $0) } == ["95折", "9折", "88折", "95.5折", "99.95折", "5折"])
    }

    @Test("a checkout's points split over its lines exactly; returns by units add up to what a line spent, never more")
    func checkoutPoints() {
        var random = PricingTestRandom(seed: 99)
        #expect(CheckoutPoints.split(500, overDeductionFen: [300, 0, 200]) == [300, 0, 200])
        #expect(CheckoutPoints.split(7, overDeductionFen: [0, 0]) == [0, 0])
        for _ in 0..<3_000 {
            let deductions = (0..<Int.random(in: 1...6, using: &random)).map { _ in Bool.random(using: &random) ? 0 : Int64.random(in: 1...50_000, using: &random) }
            let points = Int64.random(in: 0...5_000_000, using: &random)
            let shares = CheckoutPoints.split(points, overDeductionFen: deductions)
            #expect(shares.count == deductions.count && shares.allSatisfy { $0 >= 0 })
            #expect(zip(shares, deductions).allSatisfy { $1 > 0 || $0 == 0 }, "a line without a deduction used no points")
            if deductions.contains(where: { $0 > 0 }) { #expect(shares.reduce(0, +) == points) }

            // Return the line unit by unit groups in random order: the pieces add up exactly.
            let spent = Int64.random(in: 0...100_000, using: &random), quantity = Int.random(in: 1...20, using: &random)
            var returnedUnits = 0, returnedPoints: Int64 = 0
            while returnedUnits < quantity {
                let units = Int.random(in: 1...(quantity - returnedUnits), using: &random)
                let back = CheckoutPoints.returned(pointsSpent: spent, lineQuantity: quantity, earlierUnits: returnedUnits, units: units)
                #expect(back >= 0)
                returnedPoints += back
                returnedUnits += units
                #expect(returnedPoints <= spent)
            }
            #expect(returnedPoints == spent)
            let part = Int64.random(in: 0...10_000, using: &random), whole = Int64.random(in: 1...10_000, using: &random)
            let scaled = CheckoutPoints.proportion(spent, part: part, whole: whole)
            #expect(scaled >= 0 && scaled <= spent && (part < whole || scaled == spent))
        }
    }

    @Test("level definitions are checked field by field")
    func definitionChecks() {
        var errors = FieldErrorCollector()
        LevelRules.check(code: "Gold Card", name: "", rank: 0, conditions: LevelConditions(minimumSpendFen: -1, minimumOrders: -1),
                         rights: LevelRights(discountBasisPoints: 5_001, pointsMultiplierBasisPoints: -1, freeShippingThresholdFen: -5,
                                             priorityMinutes: 1_441, birthdayPoints: -1), into: &errors)
        #expect(errors.errors.map(\.field) == ["code", "name", "rank", "conditions.minimumSpendFen", "conditions.minimumOrders",
                                               "rights.discountBasisPoints", "rights.pointsMultiplierBasisPoints", "rights.freeShippingThresholdFen",
                                               "rights.priorityMinutes", "rights.birthdayPoints"])
        var fine = FieldErrorCollector()
        LevelRules.check(code: "gold", name: "金卡", rank: 3, conditions: Self.rules[2].conditions, rights: LevelRights(discountBasisPoints: 500),
                         into: &fine)
        #expect(fine.errors.isEmpty)
    }
}
