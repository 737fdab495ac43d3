import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// Levels and points through the HTTP API: HQ's definitions, upgrades when orders complete,
/// downgrades after the grace period, rights at checkout, points spent and given back, earned and
/// clawed back.
@Suite("Member levels and points in orders")
struct MemberLevelTests {
    /// 普通会员 for everyone; 银卡 from 2 completed orders (2% off, points ×1.2); 金卡 from ¥200
    /// spent (5% off, points ×1.5, free delivery, 300 birthday points, 30 minutes' head start).
    static func defineLevels(_ app: Application, admin: String) async throws -> [MemberLevel] {
        let inputs = [
            MemberLevelDefinitionInput(code: "normal", name: "普通会员", rank: 1),
            MemberLevelDefinitionInput(code: "silver", name: "银卡", rank: 2, conditions: LevelConditions(minimumOrders: 2),
                                       rights: LevelRights(discountBasisPoints: 200, pointsMultiplierBasisPoints: 12_000)),
            MemberLevelDefinitionInput(code: "gold", name: "金卡", rank: 3, description: "年消费满 ¥200",
                                       conditions: LevelConditions(minimumSpendFen: 20_000),
                                       rights: LevelRights(discountBasisPoints: 500, pointsMultiplierBasisPoints: 15_000, freeShippingThresholdFen: 0,
                                                           priorityMinutes: 30, birthdayPoints: 300, exclusiveService: true)),
        ]
        var levels: [MemberLevel] = []
        for input in inputs {
            let response = try await app.send(.POST, "/api/v1/admin/member-levels", token: admin, json: input)
            #expect(response.status == .created, "\(response.text)")
            levels.append(try response.decode(MemberLevel.self))
        }
        return levels
    }

    static func admin(_ app: Application) async throws -> String {
        try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform).1
    }

    static func grant(_ app: Application, admin: String, memberId: UUID, points: Int64) async throws {
        let response = try await app.send(.POST, "/api/v1/admin/members/\(memberId)/points/adjustments", token: admin,
                                          json: PointsAdjustmentInput(points: points, reason: "活动奖励"))
        #expect(response.status == .created, "\(response.text)")
    }

    /// Puts `quantity` bottles of milk in the cart and checks out (delivery from NEAR).
    static func checkout(_ app: Application, _ shop: CheckoutTests.Shop, token: String, quantity: Int, points: Int64? = nil,
                         key: String = "lv-\(UUID().uuidString)") async throws -> APIResponse {
        _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: quantity))
        return try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(pointsToUse: points), headers: ["Idempotency-Key": key])
    }

    static func pay(_ app: Application, _ result: CheckoutResult, token: String) async throws {
        #expect(try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token).status == .ok)
        try await app.jobs.runDue()
    }

    /// The store accepts, picks, ships and delivers; the shopper confirms unless told not to.
    static func fulfil(_ app: Application, order: Order, clerk: String, shopper: String, confirm: Bool = true) async throws {
        for step in ["accept", "pick"] { #expect(try await AfterSalesTests.staffPost(app, "orders/\(order.id)/\(step)", token: clerk).status == .ok) }
        #expect(try await AfterSalesTests.staffPost(app, "orders/\(order.id)/ship", token: clerk,
                                                    json: ShipmentInput(carrier: "sf", trackingNumber: "SF\(Int.random(in: 100_000_000...999_999_999))")).status == .ok)
        #expect(try await AfterSalesTests.staffPost(app, "orders/\(order.id)/delivered", token: clerk).status == .ok)
        if confirm { #expect(try await app.send(.POST, "/api/v1/orders/\(order.id)/confirm", token: shopper).decode(Order.self).status == .completed) }
    }

    static func memberId(_ app: Application, mobile: String = "13800138000") async throws -> UUID {
        try #require(try await MemberModel.query(on: app.db).filter(\.$mobile == mobile).first()?.id)
    }

    static func refundOnly(_ app: Application, order: Order, line: OrderLine, units: Int, shopper: String, clerk: String) async throws -> AfterSalesInfo {
        let opened = try await app.send(.POST, "/api/v1/orders/\(order.id)/after-sales", token: shopper,
                                        json: AfterSalesInput(kind: .refundOnly, lines: [.init(orderLineId: line.id, quantity: units)],
                                                              reason: .qualityIssue, description: "变质了"))
        #expect(opened.status == .created, "\(opened.text)")
        let request = try opened.decode(AfterSalesInfo.self)
        #expect(try await AfterSalesTests.staffPost(app, "after-sales/\(request.id)/approve", token: clerk).status == .ok)
        try await app.jobs.runDue()
        let done = try await app.send(.GET, "/api/v1/after-sales/\(request.id)", token: shopper).decode(AfterSalesInfo.self)
        #expect(done.status == .refunded)
        return done
    }

    static func entries(_ app: Application, _ kind: PointsEntryKind) async throws -> [Int64] {
        try await PointsEntryModel.query(on: app.db).filter(\.$kind == kind.rawValue).sort(\.$createdAt).all().map(\.points)
    }

    @Test("HQ defines levels (validated, audited); everyone reads the ladder; a level held cannot be deleted, its code never changes")
    func definitions() async throws {
        try await withTestApp { app in
            let admin = try await Self.admin(app)
            let levels = try await Self.defineLevels(app, admin: admin)
            let store = try await Fixtures.store(app, code: "S1")
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            #expect(try await app.send(.POST, "/api/v1/admin/member-levels", token: clerk,
                                       json: MemberLevelDefinitionInput(code: "vip", name: "VIP", rank: 9)).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/member-levels", token: clerk).status == .forbidden)

            let bad = try await app.send(.POST, "/api/v1/admin/member-levels", token: admin,
                                         json: MemberLevelDefinitionInput(code: "gold", name: "", rank: 2,
                                                                          conditions: LevelConditions(minimumOrders: -1),
                                                                          rights: LevelRights(discountBasisPoints: 9_000, priorityMinutes: 5_000)))
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["name", "rank", "code", "conditions.minimumOrders", "rights.discountBasisPoints",
                                                                     "rights.priorityMinutes"], "\(bad.text)")
            let huge = try await app.send(.POST, "/api/v1/admin/member-levels", token: admin,
                                          raw: #"{"code":"x","name":"X","rank":99999999999999999999,"conditions":{},"rights":{}}"#)
            #expect(huge.status == .unprocessableEntity || huge.status == .badRequest)

            // Everyone reads the ladder, lowest first, with conditions and rights; staff also see who holds each.
            let ladder = try await app.send(.GET, "/api/v1/member-levels").decode([MemberLevel].self)
            #expect(ladder.map(\.code) == ["normal", "silver", "gold"])
            #expect(ladder[2].rights.priorityMinutes == 30 && ladder[2].rights.exclusiveService && ladder[2].conditions.minimumSpendFen == 20_000)
            #expect(ladder.allSatisfy { $0.memberCount == nil })
            let raw = try await app.send(.GET, "/api/v1/member-levels").text
            #expect(raw.contains("\"birthdayCouponId\":null"), "unset rights are present as null")

            var gold = MemberLevelDefinitionInput(code: "gold", name: "金卡会员", rank: 3, conditions: LevelConditions(minimumSpendFen: 30_000),
                                                  rights: LevelRights(discountBasisPoints: 800))
            let updated = try await app.send(.PUT, "/api/v1/admin/member-levels/\(levels[2].id)", token: admin, json: gold).decode(MemberLevel.self)
            #expect(updated.name == "金卡会员" && updated.rights.discountBasisPoints == 800 && updated.rights.pointsMultiplierBasisPoints == 10_000)
            gold.code = "golden"
            #expect(try await app.send(.PUT, "/api/v1/admin/member-levels/\(levels[2].id)", token: admin, json: gold).problem?.errors?.first?.field == "code")

            let member = try await Fixtures.member(app)
            #expect(try await app.send(.PUT, "/api/v1/admin/members/\(member.member.id)/level", token: admin,
                                       json: MemberLevelInput(level: "silver", note: "门店推荐")).status == .ok)
            let held = try await app.send(.DELETE, "/api/v1/admin/member-levels/\(levels[1].id)", token: admin)
            #expect(held.status == .conflict && held.problem?.detail == "1 member(s) hold the level 银卡; move them to another level before deleting it.")
            let staffList = try await app.send(.GET, "/api/v1/admin/member-levels", token: admin).decode([MemberLevel].self)
            #expect(staffList.map(\.memberCount) == [0, 1, 0])
            #expect(try await app.send(.DELETE, "/api/v1/admin/member-levels/\(levels[2].id)", token: admin).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/admin/member-levels/\(levels[2].id)", token: admin).status == .notFound)
            let audited = try await AuditLogModel.query(on: app.db).filter(\.$action ~~ ["member_level.create", "member_level.update", "member_level.delete", "member.level"])
                .all().map(\.action)
            #expect(audited.sorted() == ["member.level", "member_level.create", "member_level.create", "member_level.create", "member_level.delete",
                                         "member_level.update"])
        }
    }

    @Test("a member who completes enough orders is upgraded without anyone acting; the next checkout shows the level's discount")
    func upgradeOnCompletion() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            _ = try await Self.defineLevels(app, admin: admin)
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            let shopper = try await CheckoutTests.shopper(app)
            let memberId = try await Self.memberId(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))

            for round in 1...2 {
                let result = try await Self.checkout(app, shop, token: shopper, quantity: 2).decode(CheckoutResult.self)
                try await Self.pay(app, result, token: shopper)
                try await Self.fulfil(app, order: result.orders[0], clerk: clerk, shopper: shopper)
                let level = try await MemberModel.find(memberId, on: app.db)?.level
                #expect(level == (round == 1 ? "normal" : "silver"), "round \(round)")
                clock.advance(seconds: 3_600)
            }
            // The first order earned 25 points at ×1 (no level yet), the second 25 at 普通会员's ×1.
            #expect(try await Self.entries(app, .orderEarned) == [25, 25])

            // The next checkout: 2% off for 银卡, said in the price explanation in both languages.
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let preview = try await app.send(.GET, "/api/v1/checkout/preview", token: shopper).decode(CheckoutPreview.self)
            #expect(preview.levelDiscountFen == 25 && preview.discountFen == 25)
            #expect(preview.payableFen == 1_250 - 25 + 600)
            #expect(preview.explanation.contains("Member level 银卡 98折: -¥0.25 (2% off ¥12.50 of goods)"), "\(preview.explanation)")
            let chinese = try await app.send(.GET, "/api/v1/checkout/preview", token: shopper, headers: ["Accept-Language": "zh-CN"]).decode(CheckoutPreview.self)
            #expect(chinese.explanation.contains("会员等级 银卡 98折：-¥0.25（商品 ¥12.50，减 2%）"), "\(chinese.explanation)")
            let placed = try await app.send(.POST, "/api/v1/checkout", token: shopper, json: CheckoutInput(), headers: ["Idempotency-Key": "after-upgrade"])
                .decode(CheckoutResult.self)
            #expect(placed.orders[0].discountFen == 25 && placed.payableFen == preview.payableFen)
            #expect(placed.explanation == preview.explanation)

            // The member sees the level, the window's stats, what 金卡 still needs, and the history.
            let membership = try await app.send(.GET, "/api/v1/me/membership", token: shopper).decode(Membership.self)
            #expect(membership.level?.code == "silver" && membership.nextLevel?.code == "gold")
            #expect(membership.stats == LevelStats(spendFen: 5_000, completedOrders: 2, pointsEarned: 50))
            #expect(membership.progress == [LevelProgress(condition: .spend, current: 5_000, required: 20_000)])
            #expect(membership.history.map(\.toLevel) == ["silver", "normal"] && membership.history.map(\.reason) == [.upgrade, .upgrade])
            #expect(membership.history.first?.toName == "银卡" && membership.history.first?.note?.hasSuffix("completed") == true)
            #expect(membership.downgradeAt == nil)
            let inbox = try await app.send(.GET, "/api/v1/me/notifications", token: shopper, headers: ["Accept-Language": "zh-CN"]).decode(MemberInbox.self)
            #expect(inbox.notifications.items.contains { $0.title == "会员等级升级：银卡" && $0.body == "您的会员等级已由 普通会员 变为 银卡。" })
            #expect(!inbox.notifications.items.contains { $0.title.contains("普通会员") }, "entering at the entry level is no news")
            #expect(inbox.notifications.items.filter { $0.title == "积分到账：+25" }.count == 2)
            let staffView = try await app.send(.GET, "/api/v1/admin/members/\(memberId)/membership", token: admin).decode(Membership.self)
            #expect(staffView.level?.code == "silver")
            #expect(try await app.send(.GET, "/api/v1/admin/members/\(memberId)/level-changes?per=1", token: admin)
                .decode(ListPage<MemberLevelChange>.self).total == 2)
            try await Fixtures.expectPointsLedgerMatches(app)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("a gold member: 5% off, free delivery, and completed orders earn points ×1.5")
    func goldRights() async throws {
        try await withTestApp(adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            _ = try await Self.defineLevels(app, admin: admin)
            let shop = try await CheckoutTests.shop(app)
            let shopper = try await CheckoutTests.shopper(app)
            let memberId = try await Self.memberId(app)
            #expect(try await app.send(.PUT, "/api/v1/admin/members/\(memberId)/level", token: admin, json: MemberLevelInput(level: "gold")).status == .ok)
            // Points pay at most half of what is left after the level's discount, said in the shopper's language.
            try await Self.grant(app, admin: admin, memberId: memberId, points: 5_000)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: shop.milk.id!, quantity: 2))
            let capped = try await app.send(.GET, "/api/v1/checkout/preview?pointsToUse=5000", token: shopper, headers: ["Accept-Language": "zh-CN"])
                .decode(CheckoutPreview.self)
            #expect(capped.points?.used == 1_187 && capped.points?.maximumPoints == 1_187)
            #expect(capped.explanation.contains("积分：-¥11.87（1187 积分抵扣 ¥11.87，100 积分 = ¥1.00；积分最多可抵扣 ¥23.75 的 50%）"), "\(capped.explanation)")
            _ = try await app.send(.DELETE, "/api/v1/cart/lines/\(shop.milk.id!)", token: shopper)
            let result = try await Self.checkout(app, shop, token: shopper, quantity: 2).decode(CheckoutResult.self)
            // ¥25.00 less 5% is ¥23.75; 金卡 delivers free.
            #expect(result.orders[0].goodsFen == 2_500 && result.orders[0].discountFen == 125 && result.orders[0].shippingFen == 0)
            #expect(result.explanation.contains("Order 1 shipping: Free delivery for member level 金卡: ¥25.00 of goods from this shop after discounts reaches ¥0.00"))
            try await Self.pay(app, result, token: shopper)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            try await Self.fulfil(app, order: result.orders[0], clerk: clerk, shopper: shopper)
            // 23 whole yuan × 1 point × 1.5.
            #expect(try await Self.entries(app, .orderEarned) == [34])
            let reward = try #require(try await OrderRewardModel.query(on: app.db).first())
            #expect(reward.paidGoodsFen == 2_375 && reward.multiplierBasisPoints == 15_000 && reward.pointsEarned == 34)
            let history = try await MemberLevelChangeModel.query(on: app.db).all()
            #expect(history.map(\.reason) == ["manual"], "the evaluation after the order keeps the level the member was given")
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("points at checkout: the preview shows balance, worth and cap; checkout spends them once; cancelling or expiring gives them back")
    func pointsAtCheckout() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            let shop = try await CheckoutTests.shop(app)
            let shopper = try await CheckoutTests.shopper(app)
            let memberId = try await Self.memberId(app)
            try await Self.grant(app, admin: admin, memberId: memberId, points: 1_000)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: shopper, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))

            let none = try await app.send(.GET, "/api/v1/checkout/preview", token: shopper).decode(CheckoutPreview.self)
            #expect(none.payableFen == 4_350)
            #expect(none.points == CheckoutPointsQuote(balance: 1_000, pointsPerYuan: 100, maximumShareBasisPoints: 5_000, maximumPoints: 1_000,
                                                      maximumDeductionFen: 1_875, requested: 0, used: 0, deductionFen: 0))
            let all = try await app.send(.GET, "/api/v1/checkout/preview?pointsToUse=5000", token: shopper).decode(CheckoutPreview.self)
            #expect(all.points?.used == 1_000 && all.points?.deductionFen == 1_000 && all.payableFen == 3_350)
            #expect(all.explanation.contains("Points: -¥10.00 (1000 points pay ¥10.00 at 100 points = ¥1.00)"), "\(all.explanation)")
            for bad in ["-1", "1000000001", "lots", "1.5"] {
                let refused = try await app.send(.GET, "/api/v1/checkout/preview?pointsToUse=\(bad)", token: shopper)
                #expect(refused.status == .unprocessableEntity && refused.problem?.errors?.first?.field == "pointsToUse", "\(bad)")
            }
            let tooMany = try await app.send(.POST, "/api/v1/checkout", token: shopper, json: CheckoutInput(pointsToUse: -5), headers: ["Idempotency-Key": "neg-points"])
            #expect(tooMany.problem?.errors?.first?.field == "pointsToUse")

            let placed = try await app.send(.POST, "/api/v1/checkout", token: shopper, json: CheckoutInput(pointsToUse: 600), headers: ["Idempotency-Key": "points-600"])
            #expect(placed.status == .created, "\(placed.text)")
            let result = try placed.decode(CheckoutResult.self)
            #expect(result.pointsUsed == 600 && result.payableFen == 3_750 - 600 + 600)
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 400)
            let again = try await app.send(.POST, "/api/v1/checkout", token: shopper, json: CheckoutInput(pointsToUse: 600), headers: ["Idempotency-Key": "points-600"])
            #expect(again.status == .ok)
            #expect(try again.decode(CheckoutResult.self).pointsUsed == 600)
            #expect(try await Self.entries(app, .checkoutSpent) == [-600], "a retried checkout spends once")
            let shares = try await OrderLinePointsModel.query(on: app.db).all()
            #expect(shares.map(\.pointsSpent) == [600] && shares.map(\.deductionFen) == [600])
            let grantExpiry = try #require(try await PointsEntryModel.query(on: app.db).filter(\.$kind == PointsEntryKind.adminGrant.rawValue).first()?.expiresAt)
            #expect(shares.first?.returnExpiresAt == grantExpiry, "points given back expire with the points they replace")

            // The shopper cancels the unpaid order: the points come back.
            #expect(try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/cancel", token: shopper).decode(Order.self).status == .cancelled)
            #expect(try await Self.entries(app, .checkoutReturned) == [600])
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 1_000)
            let returned = try #require(try await PointsEntryModel.query(on: app.db).filter(\.$kind == PointsEntryKind.checkoutReturned.rawValue).first())
            #expect(returned.expiresAt == grantExpiry)

            // Another order is never paid: when it expires its points come back too.
            let unpaid = try await Self.checkout(app, shop, token: shopper, quantity: 1, points: 300).decode(CheckoutResult.self)
            #expect(unpaid.pointsUsed == 300)
            clock.advance(seconds: 31 * 60)
            try await app.jobs.runDue()
            #expect(try await OrderModel.find(unpaid.orders[0].id, on: app.db)?.status == "expired")
            #expect(try await Self.entries(app, .checkoutReturned) == [600, 300])
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 1_000)
            #expect(try await OrderLinePointsModel.query(on: app.db).all().allSatisfy { $0.pointsReturned == $0.pointsSpent })

            // Points never pay what the balance cannot: a checkout that asks for more uses what there is.
            let most = try await Self.checkout(app, shop, token: shopper, quantity: 8, points: 99_999).decode(CheckoutResult.self)
            #expect(most.pointsUsed == 1_000)
            try await Fixtures.expectPointsLedgerMatches(app)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }

    @Test("an after-sales refund gives back the points spent on the refunded units and claws back the points they earned")
    func refundsAfterCompletion() async throws {
        try await withTestApp(adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            let shop = try await CheckoutTests.shop(app)
            let shopper = try await CheckoutTests.shopper(app)
            let memberId = try await Self.memberId(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            try await Self.grant(app, admin: admin, memberId: memberId, points: 600)

            let result = try await Self.checkout(app, shop, token: shopper, quantity: 3, points: 600).decode(CheckoutResult.self)
            try await Self.pay(app, result, token: shopper)
            try await Self.fulfil(app, order: result.orders[0], clerk: clerk, shopper: shopper)
            // ¥37.50 less ¥6.00 of points: ¥31.50 paid earns 31 points.
            #expect(try await Self.entries(app, .orderEarned) == [31])
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 31)

            let line = try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: shopper).decode(Order.self).lines[0]
            #expect(line.payableFen == 3_150)
            let first = try await Self.refundOnly(app, order: result.orders[0], line: line, units: 2, shopper: shopper, clerk: clerk)
            #expect(first.refundedFen == 2_100)
            // Two of three bottles: 400 of the 600 points come back; ¥21.00 of ¥31.50 takes back ceil(31 × 2/3) = 21.
            #expect(try await Self.entries(app, .checkoutReturned) == [400])
            #expect(try await Self.entries(app, .clawback) == [-21])
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 31 - 21 + 400)

            _ = try await Self.refundOnly(app, order: result.orders[0], line: line, units: 1, shopper: shopper, clerk: clerk)
            #expect(try await Self.entries(app, .checkoutReturned) == [400, 200], "the last bottle brings back the rest, exactly")
            #expect(try await Self.entries(app, .clawback) == [-21, -10], "and everything the order earned is gone")
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 600)
            let reward = try #require(try await OrderRewardModel.query(on: app.db).first())
            #expect(reward.refundedGoodsFen == 3_150 && reward.pointsClawedBack == 31)
            // A fully refunded order counts for nothing in the level window.
            let stats = try await LevelStatsQuery.stats(memberIds: [memberId], now: app.clock.now(), windowDays: 365, on: app.db)[memberId]
            #expect(stats?.spendFen == 0 && stats?.completedOrders == 0)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("a refund before the order completes reduces what it earns; points already spent are never clawed into a negative balance")
    func refundsBeforeCompletion() async throws {
        try await withTestApp(adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            let shop = try await CheckoutTests.shop(app)
            let shopper = try await CheckoutTests.shopper(app)
            let memberId = try await Self.memberId(app)
            let (_, clerk) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
            let result = try await Self.checkout(app, shop, token: shopper, quantity: 3).decode(CheckoutResult.self)
            try await Self.pay(app, result, token: shopper)
            try await Self.fulfil(app, order: result.orders[0], clerk: clerk, shopper: shopper, confirm: false)
            let line = try await app.send(.GET, "/api/v1/orders/\(result.orders[0].id)", token: shopper).decode(Order.self).lines[0]
            _ = try await Self.refundOnly(app, order: result.orders[0], line: line, units: 1, shopper: shopper, clerk: clerk)
            #expect(try await Self.entries(app, .clawback).isEmpty, "nothing was earned yet")
            #expect(try await app.send(.POST, "/api/v1/orders/\(result.orders[0].id)/confirm", token: shopper).decode(Order.self).status == .completed)
            #expect(try await Self.entries(app, .orderEarned) == [25], "¥37.50 less the ¥12.50 refunded")

            // The member spends the points; a later refund claws back only what is left.
            #expect(try await app.send(.POST, "/api/v1/admin/members/\(memberId)/points/adjustments", token: admin,
                                       json: PointsAdjustmentInput(points: -20, reason: "兑换礼品")).status == .created)
            _ = try await Self.refundOnly(app, order: result.orders[0], line: line, units: 2, shopper: shopper, clerk: clerk)
            #expect(try await Self.entries(app, .clawback) == [-5])
            let clawback = try #require(try await PointsEntryModel.query(on: app.db).filter(\.$kind == PointsEntryKind.clawback.rawValue).first())
            #expect(clawback.note?.contains("20 of 25 points were already spent") == true, "\(clawback.note ?? "")")
            #expect(try await PointsService(db: app.db).balance(memberId: memberId) == 0)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("a manual level is recorded; below it the member keeps it for the grace period, then the daily job moves them down")
    func manualLevelAndDowngrade() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 200 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            _ = try await Self.defineLevels(app, admin: admin)
            let member = try await Fixtures.member(app)
            let id = member.member.id
            let set = try await app.send(.PUT, "/api/v1/admin/members/\(id)/level", token: admin, json: MemberLevelInput(level: "Gold", note: "大客户"))
            #expect(try set.decode(MemberProfile.self).level == "gold")
            var membership = try await app.send(.GET, "/api/v1/me/membership", token: member.tokens.accessToken).decode(Membership.self)
            #expect(membership.level?.name == "金卡" && membership.history.first?.reason == .manual && membership.history.first?.note == "大客户")
            #expect(membership.downgradeAt == testEpoch.addingTimeInterval(30 * 86_400) && membership.downgradeTo == "normal")

            func runDaily() async throws {
                try await app.jobs.enqueue(MemberLevelJobs.evaluateJob, payload: MemberLevelJobs.EvaluatePayload(after: nil))
                try await app.jobs.runDue()
            }
            try await runDaily()
            #expect(try await MemberLevelStateModel.query(on: app.db).filter(\.$memberId == id).first()?.belowSince == testEpoch)
            clock.advance(seconds: 29 * 86_400)
            try await runDaily()
            #expect(try await MemberModel.find(id, on: app.db)?.level == "gold", "still within the grace period")
            clock.advance(seconds: 86_400)
            try await runDaily()
            #expect(try await MemberModel.find(id, on: app.db)?.level == "normal")
            // Sessions end after a month: sign in again after moving the clock.
            let token = try await PointsTests.login(app, "13800138000")
            let staff = try await PointsTests.login(app, "hq", staff: true)
            membership = try await app.send(.GET, "/api/v1/me/membership", token: token).decode(Membership.self)
            #expect(membership.history.map(\.reason) == [.downgrade, .manual])
            #expect(membership.history.first?.note == "daily evaluation")
            let inbox = try await app.send(.GET, "/api/v1/me/notifications", token: token).decode(MemberInbox.self)
            #expect(inbox.notifications.items.map(\.title).first == "Level changed: 普通会员")

            // With downgrades off, a member below their level keeps it.
            _ = try await app.send(.PUT, "/api/v1/admin/members/\(id)/level", token: staff, json: MemberLevelInput(level: "silver"))
            #expect(try await app.send(.PATCH, "/api/v1/admin/settings", token: staff,
                                       json: SettingsUpdate(values: ["member.levelDowngrades": .boolean(false)])).status == .ok)
            clock.advance(seconds: 60 * 86_400)
            try await runDaily()
            #expect(try await MemberModel.find(id, on: app.db)?.level == "silver")
            let undefined = try await app.send(.PUT, "/api/v1/admin/members/\(id)/level", token: try await PointsTests.login(app, "hq", staff: true),
                                               json: MemberLevelInput(level: "platinum"))
            #expect(undefined.problem?.errors?.first?.message == "is not a defined member level")
        }
    }

    @Test("the level's birthday points come once a year, on the birthday")
    func birthdayGift() async throws {
        let clock = ManualClock(testEpoch)  // 2026-11-27 in Shanghai
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 800 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            _ = try await Self.defineLevels(app, admin: admin)
            let member = try await Fixtures.member(app)
            let other = try await Fixtures.member(app, mobile: "13900000077")
            for (session, birthday) in [(member, "1990-11-27"), (other, "1990-11-28")] {
                #expect(try await app.send(.PATCH, "/api/v1/me", token: session.tokens.accessToken, json: MemberProfileUpdate(birthday: birthday)).status == .ok)
                _ = try await app.send(.PUT, "/api/v1/admin/members/\(session.member.id)/level", token: admin, json: MemberLevelInput(level: "gold"))
            }
            func run() async throws {
                try await app.jobs.enqueue(MemberLevelJobs.birthdayJob, payload: ["run": 1])
                try await app.jobs.runDue()
            }
            try await run()
            try await run()
            #expect(try await Self.entries(app, .birthday) == [300], "once, for the member born today")
            clock.advance(seconds: 3 * 86_400)  // caught up for the one born tomorrow, still once for the first
            try await run()
            #expect(try await Self.entries(app, .birthday) == [300, 300])
            clock.advance(seconds: 362 * 86_400)  // 2027-11-27
            try await run()
            #expect(try await Self.entries(app, .birthday) == [300, 300, 300])
            let inbox = try await app.send(.GET, "/api/v1/me/notifications", token: try await PointsTests.login(app, "13800138000")).decode(MemberInbox.self)
            #expect(inbox.notifications.items.filter { $0.title == "Happy birthday! +300 points" }.count == 2)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("the level page: members only, in both languages; the account page names the level and links to it")
    func levelPage() async throws {
        try await withTestApp { app in
            let admin = try await Self.admin(app)
            _ = try await Self.defineLevels(app, admin: admin)
            let browser = TestBrowser(app)
            let anonymous = try await browser.get("/member/level")
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location)?.hasPrefix("/login?next=") == true)
            let member = try await Fixtures.member(app)
            _ = try await app.send(.PUT, "/api/v1/admin/members/\(member.member.id)/level", token: admin, json: MemberLevelInput(level: "gold"))
            #expect(try await browser.signInMember().status == .seeOther)
            let page = try await browser.get("/member/level")
            #expect(page.status == .ok && page.text.contains("我的会员等级") && page.text.contains("/js/member-level.js"))
            #expect(page.text.contains("data-right-discount=\"全场 {fold}\""))
            let account = try await browser.get("/account")
            #expect(account.text.contains(": 金卡"), "the level's name, not its code")
            #expect(account.text.contains("href=\"/member/level\""))
            _ = try await browser.submit("/lang", ["lang": "en", "next": "/member/level"])
            #expect(try await browser.get("/member/level").text.contains("My member level"))
        }
    }

    @Test("50 checkouts and deductions of one member's points at once never overspend; the ledger sums to the balance")
    func concurrentCheckoutSpends() async throws {
        try await withTestApp(adjust: { $0.accessTokenTTL = 30 * 86_400 }) { app in
            let admin = try await Self.admin(app)
            let shop = try await CheckoutTests.shop(app, nearStock: 200, farStock: 200)
            let shopper = try await CheckoutTests.shopper(app)
            let memberId = try await Self.memberId(app)
            for points in [400, 350, 250] { try await Self.grant(app, admin: admin, memberId: memberId, points: Int64(points)) }
            let statuses = try await withThrowingTaskGroup(of: (String, HTTPResponseStatus, String).self) { group in
                for n in 0..<50 {
                    group.addTask {
                        if n % 2 == 0 {
                            let response = try await Self.checkout(app, shop, token: shopper, quantity: 1, points: 150, key: "race-\(n)-checkout")
                            return ("checkout", response.status, response.problem?.detail ?? "")
                        }
                        // Deductions can take at most half the points, so checkouts always find some.
                        let response = try await app.send(.POST, "/api/v1/admin/members/\(memberId)/points/adjustments", token: admin,
                                                          json: PointsAdjustmentInput(points: -20, reason: "兑换"))
                        return ("deduct", response.status, response.problem?.detail ?? "")
                    }
                }
                return try await group.reduce(into: [(String, HTTPResponseStatus, String)]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { [.created, .conflict].contains($0.1) }, "\(statuses.filter { ![.created, .conflict].contains($0.1) })")
            let balance = try await PointsService(db: app.db).balance(memberId: memberId)
            #expect(balance >= 0)
            let spent = try await Self.entries(app, .checkoutSpent), deducted = try await Self.entries(app, .adminDeduct)
            #expect(1_000 + spent.reduce(0, +) + deducted.reduce(0, +) == balance)
            #expect(!spent.isEmpty && !deducted.isEmpty, "both kinds of spend went through")
            // A checkout that lost the race for the points says so and leaves nothing behind.
            #expect(statuses.filter { $0.0 == "checkout" && $0.1 == .conflict }.allSatisfy { !$0.2.isEmpty })
            #expect(deducted.count == statuses.filter { $0.0 == "deduct" && $0.1 == .created }.count)
            // Every checkout that spent points has orders whose lines hold exactly those points.
            let shares = try await OrderLinePointsModel.query(on: app.db).all()
            #expect(shares.reduce(0) { $0 + $1.pointsSpent } == -spent.reduce(0, +))
            let placed = try await CheckoutModel.query(on: app.db).count()
            #expect(placed == statuses.filter { $0.0 == "checkout" && $0.1 == .created }.count)
            try await Fixtures.expectPointsLedgerMatches(app)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }
}
