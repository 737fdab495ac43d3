import Foundation
import MallCore
import Testing

@Suite("Service fees and settlement")
struct SettlementTests {
    static let fruit = MerchantID(PricingFixture.uuid(201))
    static let bakery = MerchantID(PricingFixture.uuid(202))
    static let dairy = PricingFixture.uuid(301)
    static let food = PricingFixture.uuid(300)
    static let day = TimeInterval(86_400)
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    // MARK: fee rules

    @Test("the most specific rule in force wins: category before parent before merchant-wide; later rules do not reach back")
    func feeResolution() {
        let rules = [
            FeeRule(merchantId: Self.fruit, rateBasisPoints: 500, effectiveFrom: Self.start),
            FeeRule(merchantId: Self.fruit, categoryId: Self.food, rateBasisPoints: 400, fixedFeeFen: 100, effectiveFrom: Self.start),
            FeeRule(merchantId: Self.fruit, categoryId: Self.dairy, rateBasisPoints: 300, effectiveFrom: Self.start.addingTimeInterval(10 * Self.day)),
            FeeRule(merchantId: Self.fruit, rateBasisPoints: 800, effectiveFrom: Self.start.addingTimeInterval(20 * Self.day)),
            FeeRule(merchantId: Self.bakery, rateBasisPoints: 100, effectiveFrom: Self.start),
        ]
        func terms(_ path: [UUID], _ days: Double) -> FeeTerms {
            FeeSchedule.terms(merchant: Self.fruit, categoryPath: path, at: Self.start.addingTimeInterval(days * Self.day), rules: rules,
                              fallbackRateBasisPoints: 999, selfOperated: false)
        }
        #expect(terms([Self.dairy, Self.food], 1) == FeeTerms(rateBasisPoints: 400, fixedFeeFen: 100), "the parent's rule before the dairy rule started")
        #expect(terms([Self.dairy, Self.food], 11) == FeeTerms(rateBasisPoints: 300, fixedFeeFen: 0), "the category's own rule once in force")
        #expect(terms([PricingFixture.uuid(999)], 11) == FeeTerms(rateBasisPoints: 500, fixedFeeFen: 0), "merchant-wide for other categories")
        #expect(terms([PricingFixture.uuid(999)], 21) == FeeTerms(rateBasisPoints: 800, fixedFeeFen: 0), "the later merchant-wide rule")
        #expect(terms([Self.dairy], 21).rateBasisPoints == 300, "a later merchant-wide rule does not beat a category rule")
        #expect(terms([], -1) == FeeTerms(rateBasisPoints: 999, fixedFeeFen: 0), "before any rule: the merchant's own rate")
        #expect(FeeSchedule.terms(merchant: Self.fruit, categoryPath: [Self.dairy], at: Self.start, rules: rules, fallbackRateBasisPoints: 500, selfOperated: true) == .none)
        #expect(FeeSchedule.orderFixedFee([FeeTerms(rateBasisPoints: 1, fixedFeeFen: 100), FeeTerms(rateBasisPoints: 1, fixedFeeFen: 300)]) == 300)
        var errors = FieldErrorCollector()
        FeeSchedule.check(rateBasisPoints: 10_001, fixedFeeFen: -1, into: &errors)
        #expect(errors.errors.map(\.field) == ["rateBasisPoints", "fixedFeeFen"])
    }

    @Test("fees round half up in full width; splits add up to the fen")
    func fenMath() {
        #expect(FenMath.basisPoints(60, of: 1_250) == 8, "7.5 fen rounds up")
        #expect(FenMath.basisPoints(60, of: 1_240) == 7, "7.44 fen rounds down")
        #expect(FenMath.basisPoints(10_000, of: Int64.max / 2) == Int64.max / 2, "no overflow")
        #expect(FenMath.split(10, over: [1, 1, 1]) == [4, 3, 3])
        #expect(FenMath.split(5, over: [0, 0]) == [5, 0])
        #expect(SettlementMaths.channelShares(orderChannelFeeFen: 26, linePaidFen: [2_000, 1_500], shippingFen: 800) == ([12, 9], 5))
    }

    // MARK: entries

    @Test("a line: commission on the price after the merchant's own discounts; the platform's discount paid back; the fee by its bearer")
    func lineEntry() throws {
        // ¥100 of goods, ¥10 off by the platform's coupon, ¥5 off by the merchant's promotion: paid ¥85.
        let line = SettlementLine(goodsPaidFen: 8_500, platformDiscountFen: 1_000, commissionRateBasisPoints: 500, channelFeeFen: 51)
        let entry = try SettlementMaths.line(line, refundedFen: 0, bearer: .merchant)
        #expect(entry.commissionFen == 475, "5% of ¥95")
        #expect(entry.platformDiscountFen == 1_000)
        #expect(entry.merchantNetFen == 9_500 - 475 - 51)
        #expect(try entry.imbalance() == 0)
        let platformBears = try SettlementMaths.line(line, refundedFen: 0, bearer: .platform)
        #expect(platformBears.channelFeeFen == 0 && platformBears.platformChannelFeeFen == 51)
        #expect(platformBears.merchantNetFen == 9_500 - 475)

        // Half refunded: everything shrinks in proportion.
        let half = try SettlementMaths.line(line, refundedFen: 4_250, bearer: .merchant)
        #expect(half.refundedFen == 4_250 && half.platformDiscountFen == 500 && half.commissionFen == 238 && half.channelFeeFen == 25)
        #expect(try half.imbalance() == 0)
        // Refunded in full: nothing left for anyone.
        let all = try SettlementMaths.line(line, refundedFen: 8_500, bearer: .merchant)
        #expect(all.merchantNetFen == 0 && all.commissionFen == 0 && all.platformDiscountFen == 0 && all.channelFeeFen == 0)
        // After settlement the difference is the adjustment.
        let adjustment = try SettlementMaths.lineAdjustment(line, refundedBefore: 0, refundedAfter: 4_250, bearer: .merchant)
        #expect(adjustment.shopperPaidFen == 0 && adjustment.refundedFen == 4_250 && adjustment.merchantNetFen == half.merchantNetFen - entry.merchantNetFen)
        #expect(try adjustment.imbalance() == 0)
    }

    @Test("the order's part: delivery to the merchant without commission; the fixed fee goes when every line is refunded")
    func orderPart() throws {
        let part = SettlementOrderPart(shippingFen: 600, shippingChannelFeeFen: 4, fixedFeeFen: 200)
        let entry = try SettlementMaths.order(part, everyLineRefunded: false, bearer: .merchant)
        #expect(entry.shopperPaidFen == 600 && entry.commissionFen == 200 && entry.merchantNetFen == 396)
        #expect(try SettlementMaths.order(part, everyLineRefunded: true, bearer: .merchant).commissionFen == 0)
    }

    @Test("statements: draft → confirmed → paid for exactly the net; nothing goes back")
    func statementLifecycle() throws {
        var statement = StatementLifecycle()
        #expect(throws: IllegalTransition.self) { try statement.pay(amountFen: 100, netFen: 100) }
        #expect(try statement.confirm(.merchant, netFen: 100) == .awaitingPayout(netFen: 100))
        #expect(throws: IllegalTransition.self) { try statement.confirm(.automatic, netFen: 100) }
        #expect(throws: ValidationFailure.self) { try statement.pay(amountFen: 99, netFen: 100) }
        try statement.pay(amountFen: 100, netFen: 100)
        #expect(statement.status == .paid)
        #expect(throws: IllegalTransition.self) { try statement.pay(amountFen: 100, netFen: 100) }
    }

    @Test("a statement netting zero or less is carried forward when confirmed: closed, never paid, confirmed only once",
          arguments: [Int64(0), -1, -4_720])
    func carriedForward(net: Int64) throws {
        var statement = StatementLifecycle()
        #expect(try statement.confirm(.automatic, netFen: net) == .carriedForward(netFen: net))
        #expect(statement.status == .carriedForward)
        #expect(throws: IllegalTransition.self) { try statement.pay(amountFen: 0, netFen: net) }
        #expect(throws: IllegalTransition.self) { try statement.confirm(.merchant, netFen: net) }
        #expect(try StatementCarry.net(entriesNetFen: 10_000, broughtForwardFen: net) == 10_000 + net)
    }

    @Test("periods: Monday-to-Sunday weeks or months in the shop's time zone; due T+N days after")
    func periods() throws {
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        // 2026-12-09 (a Wednesday) 01:00 in Shanghai is 2026-12-08 17:00 UTC.
        let wednesday = Date(timeIntervalSince1970: 1_796_749_200)
        let week = SettlementPeriod.containing(wednesday, cycle: .weekly, timeZone: shanghai)
        #expect(week.start == Date(timeIntervalSince1970: 1_796_572_800), "Monday 2026-12-07 00:00 Shanghai")
        #expect(week.end.timeIntervalSince(week.start) == 7 * Self.day)
        #expect(SettlementPeriod.day(week.start, timeZone: shanghai) == "2026-12-07")
        #expect(SettlementPeriod.day(week.end.addingTimeInterval(-1), timeZone: shanghai) == "2026-12-13")
        let month = SettlementPeriod.containing(wednesday, cycle: .monthly, timeZone: shanghai)
        #expect(month.start == Date(timeIntervalSince1970: 1_796_054_400), "2026-12-01 00:00 Shanghai")
        #expect(!week.isDue(at: week.end.addingTimeInterval(2 * Self.day), delayDays: 3))
        #expect(week.isDue(at: week.end.addingTimeInterval(3 * Self.day), delayDays: 3))
        #expect(SettlementRules.isFinal(status: .completed, handedOverAt: Self.start, completedAt: nil, windowDays: 7, now: Self.start.addingTimeInterval(7 * Self.day)))
        #expect(!SettlementRules.isFinal(status: .completed, handedOverAt: Self.start, completedAt: nil, windowDays: 7, now: Self.start.addingTimeInterval(6 * Self.day)))
        #expect(!SettlementRules.isFinal(status: .delivered, handedOverAt: Self.start, completedAt: nil, windowDays: 0, now: Self.start))
    }

    @Test("platform-funded: the platform's promotions and coupons, the level's discount and points; not the merchant's own")
    func funding() {
        let own = PricingFixture.uuid(1), platform = PricingFixture.uuid(2), coupon = PricingFixture.uuid(3)
        let allocations = [LineAllocation(source: .promotion(own), amount: Money(minorUnits: 300)),
                           LineAllocation(source: .promotion(platform), amount: Money(minorUnits: 200)),
                           LineAllocation(source: .coupon(coupon), amount: Money(minorUnits: 50)),
                           LineAllocation(source: .memberLevel, amount: Money(minorUnits: 7)),
                           LineAllocation(source: .points, amount: Money(minorUnits: 100))]
        #expect(DiscountFunding.platformFunded(allocations, merchant: Self.fruit, owners: [.promotion(own): Self.fruit]) == 357)
    }

    // MARK: the reconciliation invariant

    struct GeneratedOrder {
        var merchant: MerchantID
        var lines: [SettlementLine]
        var part: SettlementOrderPart
        var settledIn: Int
        /// Refunds per line before settlement, and after it with the period they land in.
        var refundedBefore: [Int64]
        var lateRefunds: [(line: Int, amount: Int64, period: Int)]
    }

    static func randomOrder(_ random: inout PricingTestRandom) -> GeneratedOrder {
        let merchant = Bool.random(using: &random) ? fruit : bakery
        let rate = Int.random(in: 0...2_000, using: &random)
        var lines: [SettlementLine] = []
        var subtotals: [Int64] = []
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let subtotal = Int64.random(in: 1...50_000, using: &random)
            // Promotions and coupons, each the platform's or the merchant's, up to the subtotal.
            let merchantDiscount = Int64.random(in: 0...(subtotal / 3), using: &random)
            let platformDiscount = Int64.random(in: 0...(subtotal / 3), using: &random)
            subtotals.append(subtotal)
            lines.append(SettlementLine(goodsPaidFen: subtotal - merchantDiscount - platformDiscount, platformDiscountFen: platformDiscount,
                                        commissionRateBasisPoints: rate, channelFeeFen: 0))
        }
        let shipping = Bool.random(using: &random) ? Int64.random(in: 0...2_000, using: &random) : 0
        let fee = SettlementMaths.channelFee(paymentFen: lines.reduce(shipping) { $0 + $1.goodsPaidFen }, basisPoints: Int.random(in: 0...100, using: &random))
        let shares = SettlementMaths.channelShares(orderChannelFeeFen: fee, linePaidFen: lines.map(\.goodsPaidFen), shippingFen: shipping)
        for index in lines.indices { lines[index].channelFeeFen = shares.lines[index] }
        let settledIn = Int.random(in: 0...3, using: &random)
        var before: [Int64] = []
        var late: [(line: Int, amount: Int64, period: Int)] = []
        for (index, line) in lines.enumerated() {
            let first = Bool.random(using: &random) ? Int64.random(in: 0...line.goodsPaidFen, using: &random) : 0
            before.append(first)
            var left = line.goodsPaidFen - first
            for _ in 0..<Int.random(in: 0...2, using: &random) where left > 0 {
                let amount = Int64.random(in: 1...left, using: &random)
                late.append((index, amount, settledIn + Int.random(in: 1...2, using: &random)))
                left -= amount
            }
        }
        return GeneratedOrder(merchant: merchant, lines: lines,
                              part: SettlementOrderPart(shippingFen: shipping, shippingChannelFeeFen: shares.shipping, fixedFeeFen: Int64.random(in: 0...300, using: &random)),
                              settledIn: settledIn, refundedBefore: before, lateRefunds: late)
    }

    @Test("for every merchant and period: paid by shoppers − refunds = merchant net + commission + channel fees − platform-funded discounts, to the fen",
          arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func reconciliation(seed: UInt64) throws {
        var random = PricingTestRandom(seed: seed)
        struct Key: Hashable { var merchant: MerchantID; var period: Int }
        var booked: [Key: SettlementAmounts] = [:]
        var paid: [Key: Int64] = [:]
        var refunds: [Key: Int64] = [:]
        for _ in 0..<200 {
            let order = Self.randomOrder(&random)
            let bearer: ChannelFeeBearer = Bool.random(using: &random) ? .merchant : .platform
            let settled = Key(merchant: order.merchant, period: order.settledIn)
            // What the shoppers paid and got back, worked out from the order, not from the entries.
            paid[settled, default: 0] += order.lines.reduce(order.part.shippingFen) { $0 + $1.goodsPaidFen }
            refunds[settled, default: 0] += order.refundedBefore.reduce(0, +)
            var refunded = order.refundedBefore
            for (index, line) in order.lines.enumerated() {
                booked[settled] = try booked[settled, default: .zero].plus(SettlementMaths.line(line, refundedFen: refunded[index], bearer: bearer))
            }
            let everyLine = { refunded.enumerated().allSatisfy { $0.element == order.lines[$0.offset].goodsPaidFen } }
            var orderEntry = try SettlementMaths.order(order.part, everyLineRefunded: everyLine(), bearer: bearer)
            booked[settled] = try booked[settled, default: .zero].plus(orderEntry)
            for late in order.lateRefunds {
                let key = Key(merchant: order.merchant, period: late.period)
                refunds[key, default: 0] += late.amount
                let adjustment = try SettlementMaths.lineAdjustment(order.lines[late.line], refundedBefore: refunded[late.line],
                                                                    refundedAfter: refunded[late.line] + late.amount, bearer: bearer)
                #expect(adjustment.commissionFen <= 0 && adjustment.merchantNetFen <= 0, "a refund never raises the fee or the merchant's due")
                refunded[late.line] += late.amount
                booked[key] = try booked[key, default: .zero].plus(adjustment)
                let nowOrder = try SettlementMaths.order(order.part, everyLineRefunded: everyLine(), bearer: bearer)
                booked[key] = try booked[key, default: .zero].plus(nowOrder.minus(orderEntry))
                orderEntry = nowOrder
            }
            // However the refunds came, the line ends where a single refund of the same total would.
            for (index, line) in order.lines.enumerated() {
                let final = try SettlementMaths.line(line, refundedFen: refunded[index], bearer: bearer)
                #expect(final.commissionFen >= 0 && final.platformDiscountFen >= 0)
                #expect(abs(final.platformDiscountFen * line.goodsPaidFen - line.platformDiscountFen * (line.goodsPaidFen - refunded[index])) <= line.goodsPaidFen,
                        "the platform's discount shrinks in proportion, within a fen")
            }
        }
        for (key, amounts) in booked {
            let received = paid[key, default: 0] - refunds[key, default: 0]
            #expect(amounts.shopperPaidFen == paid[key, default: 0], "seed \(seed)")
            #expect(amounts.refundedFen == refunds[key, default: 0], "seed \(seed)")
            #expect(received == amounts.merchantNetFen + amounts.commissionFen + amounts.channelFeeFen - amounts.platformDiscountFen, "seed \(seed) \(key)")
        }
        #expect(booked.keys.contains { $0.period > 0 }, "late refunds landed in later periods")

        // Across periods: each merchant's statements in order, a net of zero or less carried into
        // the next one. Every payout is a positive transfer of exactly its statement's net, and
        // what was paid plus what is still carried is what the entries gave the merchant.
        var carriedAny = false
        for merchant in Set(booked.keys.map(\.merchant)) {
            var owed: Int64 = 0
            var paidOut: Int64 = 0
            var earned: Int64 = 0
            for period in booked.keys.filter({ $0.merchant == merchant }).map(\.period).sorted() {
                // A period of late refunds only, to make sure some statements go negative.
                var entries = booked[Key(merchant: merchant, period: period)]!.merchantNetFen
                if period % 3 == 2 { entries = -abs(entries) - 1 }
                earned += entries
                let net = try StatementCarry.net(entriesNetFen: entries, broughtForwardFen: owed)
                var statement = StatementLifecycle()
                switch try statement.confirm(Bool.random(using: &random) ? .merchant : .automatic, netFen: net) {
                case .awaitingPayout(let amount):
                    #expect(amount == net && amount > 0)
                    try statement.pay(amountFen: amount, netFen: net)
                    #expect(statement.status == .paid)
                    paidOut += amount
                    owed = 0
                case .carriedForward(let amount):
                    #expect(amount == net && amount <= 0 && statement.status == .carriedForward)
                    owed = amount
                    carriedAny = true
                }
            }
            #expect(paidOut + owed == earned, "seed \(seed) merchant \(merchant)")
            #expect(owed <= 0)
        }
        #expect(carriedAny, "some statement was carried forward")
    }
}
