import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

@Suite("Coupons: templates, claims, codes, checkout lifecycle, stampedes")
struct CouponTests {
    static func template(_ app: Application, admin: String, _ input: CouponTemplateInput) async throws -> CouponTemplate {
        let created = try await app.send(.POST, "/api/v1/admin/marketing/coupons", token: admin, json: input)
        #expect(created.status == .created, "\(created.text)")
        return try created.decode(CouponTemplate.self)
    }

    static func cash(_ title: String = "¥5 无门槛", off: Int64 = 500, quantity: Int = 100, limit: Int = 1, days: Int = 7) -> CouponTemplateInput {
        CouponTemplateInput(title: title, kind: .cash, amountOffFen: off, totalQuantity: quantity, perMemberLimit: limit, validDays: days)
    }

    static func claim(_ app: Application, _ template: CouponTemplate, token: String) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/coupons/\(template.id)/claims", token: token)
    }

    static func mine(_ app: Application, token: String, status: String = "usable") async throws -> [MemberCoupon] {
        try await app.send(.GET, "/api/v1/me/coupons?status=\(status)", token: token).decode(ListPage<MemberCoupon>.self).items
    }

    /// Counters agree with the rows they count: claimed = coupons held, the members' counters
    /// sum to it, used = coupons used, and a locked coupon names its checkout.
    static func invariants(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let coupons = try await MemberCouponModel.query(on: app.db).all()
        let counts = try await CouponMemberCountModel.query(on: app.db).all()
        for template in try await CouponTemplateModel.query(on: app.db).all() {
            let held = coupons.filter { $0.templateId == template.id }
            #expect(template.claimedCount == held.count, sourceLocation: sourceLocation)
            #expect(template.claimedCount <= template.totalQuantity, sourceLocation: sourceLocation)
            #expect(counts.filter { $0.templateId == template.id }.reduce(0) { $0 + $1.claimed } == held.count, sourceLocation: sourceLocation)
            #expect(counts.filter { $0.templateId == template.id }.allSatisfy { $0.claimed <= template.perMemberLimit }, sourceLocation: sourceLocation)
            #expect(template.usedCount >= held.filter { $0.status == MemberCouponStatus.used.rawValue }.count, sourceLocation: sourceLocation)
        }
        #expect(coupons.allSatisfy { ($0.status == MemberCouponStatus.locked.rawValue) == ($0.checkoutId != nil && $0.usedAt == nil) },
                sourceLocation: sourceLocation)
    }

    @Test("staff create templates (validated, audited); members claim in the coupon centre within quantity and limit")
    func claimFlow() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let invalid = try await app.send(.POST, "/api/v1/admin/marketing/coupons", token: admin,
                                             json: CouponTemplateInput(title: "", kind: .percentage, percentOffBasisPoints: 10_000, totalQuantity: 0, validDays: 0))
            #expect(invalid.status == .unprocessableEntity)
            #expect(Set(invalid.problem?.errors?.map(\.field) ?? []) == ["percentOffBasisPoints", "totalQuantity", "validDays"], "\(invalid.text)")
            let ranged = try await app.send(.POST, "/api/v1/admin/marketing/coupons", token: admin,
                                            json: CouponTemplateInput(title: "x", kind: .threshold, amountOffFen: 500, totalQuantity: 10, validDays: 3))
            #expect(ranged.problem?.errors?.map(\.field) == ["minimumSpendFen"], "a 满减券 needs its threshold")
            #expect(try await CouponTemplateModel.query(on: app.db).count() == 0)

            let template = try await Self.template(app, admin: admin, Self.cash(quantity: 2, limit: 1))
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "coupon.template.create").count() == 1)
            let guest = try await app.send(.GET, "/api/v1/coupons").decode([CouponTemplate].self)
            #expect(guest.map(\.title) == ["¥5 无门槛"] && guest[0].claimedByMe == nil)

            let first = try await CheckoutTests.shopper(app, mobile: "13900000001")
            let second = try await CheckoutTests.shopper(app, mobile: "13900000002")
            let third = try await CheckoutTests.shopper(app, mobile: "13900000003")
            let claimed = try await Self.claim(app, template, token: first)
            #expect(claimed.status == .created, "\(claimed.text)")
            let coupon = try claimed.decode(MemberCoupon.self)
            #expect(coupon.status == .available && coupon.validUntil == testEpoch.addingTimeInterval(7 * 86_400) && coupon.source == "claim")
            let again = try await Self.claim(app, template, token: first)
            #expect(again.status == .conflict && again.problem?.detail == "You may hold at most 1 of this coupon.")
            #expect(try await Self.claim(app, template, token: second).status == .created)
            let soldOut = try await Self.claim(app, template, token: third)
            #expect(soldOut.status == .conflict && soldOut.problem?.detail == "All coupons of this kind have been claimed.")
            let chinese = try await app.send(.POST, "/api/v1/coupons/\(template.id)/claims", token: third, headers: ["Accept-Language": "zh-CN"])
            #expect(chinese.problem?.detail == "该优惠券已被领完。")
            #expect(try await Self.mine(app, token: first).map(\.id) == [coupon.id])
            #expect(try await app.send(.GET, "/api/v1/coupons", token: first).decode([CouponTemplate].self)[0].claimedByMe == 1)
            #expect(try await app.send(.GET, "/api/v1/me/coupons?status=bogus", token: first).problem?.errors?.first?.field == "status")

            // Claimed: only ending early is left; a copy starts afresh.
            var edit = Self.cash(quantity: 5)
            edit.title = "改"
            #expect(try await app.send(.PUT, "/api/v1/admin/marketing/coupons/\(template.id)", token: admin, json: edit).status == .conflict)
            let copy = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/copy", token: admin).decode(CouponTemplate.self)
            #expect(copy.claimedCount == 0 && copy.title == template.title && copy.id != template.id)
            let edited = try await app.send(.PUT, "/api/v1/admin/marketing/coupons/\(copy.id)", token: admin, json: edit).decode(CouponTemplate.self)
            #expect(edited.title == "改" && edited.totalQuantity == 5)
            let ended = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(copy.id)/end", token: admin).decode(CouponTemplate.self)
            #expect(ended.endedAt == testEpoch)
            #expect(try await app.send(.GET, "/api/v1/coupons").decode([CouponTemplate].self).map(\.id) == [template.id], "an ended template leaves the centre")
            let late = try await Self.claim(app, ended, token: third)
            #expect(late.status == .conflict && late.problem?.detail == "This coupon can no longer be claimed.")
            try await Self.invariants(app)
        }
    }

    @Test("merchants see and manage only their own coupons")
    func merchantScope() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let ours = try await Fixtures.merchant(app, code: "OURS")
            let theirs = try await Fixtures.merchant(app, code: "THEIRS")
            let (_, staff) = try await Fixtures.staff(app, "ours", role: .merchantAdmin, scope: .merchant(MerchantID(ours.id!)))
            var input = Self.cash("店铺券")
            input.merchantId = ours.id
            let own = try await Self.template(app, admin: staff, input)
            input.merchantId = theirs.id
            #expect(try await app.send(.POST, "/api/v1/admin/marketing/coupons", token: staff, json: input).status == .forbidden)
            let other = try await Self.template(app, admin: admin, input)
            _ = try await Self.template(app, admin: admin, Self.cash("平台券"))
            let listed = try await app.send(.GET, "/api/v1/admin/marketing/coupons", token: staff).decode(ListPage<CouponTemplate>.self)
            #expect(listed.items.map(\.id) == [own.id] && listed.total == 1)
            #expect(try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(other.id)/end", token: staff).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/coupons", token: admin).decode(ListPage<CouponTemplate>.self).total == 3)
        }
    }

    @Test("500 concurrent claims of a 100-coupon template give exactly 100")
    func claimStampede() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash(quantity: 100, limit: 20))
            var tokens: [String] = []
            for n in 0..<25 { tokens.append(try await Fixtures.member(app, mobile: "1390000\(String(format: "%04d", n))").tokens.accessToken) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<500 {
                    let token = tokens[index % tokens.count]
                    group.addTask { try await Self.claim(app, template, token: token).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 100)
            #expect(statuses.filter { $0 == .conflict }.count == 400, "\(Set(statuses))")
            #expect(try await MemberCouponModel.query(on: app.db).count() == 100)
            #expect(try await CouponTemplateModel.find(template.id, on: app.db)?.claimedCount == 100)
            try await Self.invariants(app)
        }
    }

    @Test("one member's 20 concurrent claims respect their limit")
    func memberStampede() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash(quantity: 1_000, limit: 3))
            let token = try await Fixtures.member(app).tokens.accessToken
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<20 { group.addTask { try await Self.claim(app, template, token: token).status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 3 && statuses.filter { $0 == .conflict }.count == 17, "\(statuses)")
            #expect(try await Self.mine(app, token: token).count == 3)
            try await Self.invariants(app)
        }
    }

    @Test("checkout: the preview preselects the best coupon, checkout locks it, payment uses it; cancelling an unpaid order releases it")
    func checkoutLifecycle() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            let small = try await Self.template(app, admin: admin, Self.cash("¥2 无门槛", off: 200))
            let threshold = try await Self.template(app, admin: admin, CouponTemplateInput(
                title: "满30减8", kind: .threshold, amountOffFen: 800, minimumSpendFen: 3_000, totalQuantity: 10, validDays: 7))
            let token = try await CheckoutTests.shopper(app)
            let smallCoupon = try await Self.claim(app, small, token: token).decode(MemberCoupon.self)
            let thresholdCoupon = try await Self.claim(app, threshold, token: token).decode(MemberCoupon.self)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))

            // ¥37.50 of milk: 满30减8 beats ¥2; both are one platform slot, so only the better one.
            let preview = try await app.send(.GET, "/api/v1/checkout/preview", token: token).decode(CheckoutPreview.self)
            let coupons = try #require(preview.coupons)
            #expect(Set(coupons.usable.map(\.id)) == [smallCoupon.id, thresholdCoupon.id])
            #expect(coupons.best == [thresholdCoupon.id] && coupons.chosen == coupons.best)
            #expect(preview.discountFen == 800 && preview.payableFen == 3_750 - 800 + 600)
            #expect(preview.explanation.contains("满30减8: -¥8.00 (¥8.00 off ¥37.50 of covered goods)"), "\(preview.explanation)")
            let picked = try await app.send(.GET, "/api/v1/checkout/preview?couponIds=\(smallCoupon.id)", token: token).decode(CheckoutPreview.self)
            #expect(picked.coupons?.chosen == [smallCoupon.id] && picked.discountFen == 200)
            let none = try await app.send(.GET, "/api/v1/checkout/preview?couponIds=", token: token).decode(CheckoutPreview.self)
            #expect(none.coupons?.chosen == [] && none.discountFen == 0)
            let bad = try await app.send(.GET, "/api/v1/checkout/preview?couponIds=nope", token: token)
            #expect(bad.problem?.errors?.first?.field == "couponIds")

            let stranger = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [UUID()]),
                                              headers: ["Idempotency-Key": "coupon-checkout-0"])
            #expect(stranger.status == .unprocessableEntity && stranger.problem?.errors?.first?.field == "couponIds")
            #expect(try await OrderModel.query(on: app.db).count() == 0)

            let placed = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [thresholdCoupon.id]),
                                            headers: ["Idempotency-Key": "coupon-checkout-1"])
            #expect(placed.status == .created, "\(placed.text)")
            let result = try placed.decode(CheckoutResult.self)
            #expect(result.payableFen == preview.payableFen)
            let locked = try #require(try await MemberCouponModel.find(thresholdCoupon.id, on: app.db))
            #expect(locked.status == "locked" && locked.checkoutId == result.checkoutId)
            #expect(try await Self.mine(app, token: token).first { $0.id == thresholdCoupon.id }?.status == .locked)

            // Cancelled unpaid: the coupon comes back.
            let order = try #require(result.orders.first)
            let cancel = try await app.send(.POST, "/api/v1/orders/\(order.id)/cancel", token: token)
            #expect(cancel.status == .ok, "\(cancel.text)")
            let released = try #require(try await MemberCouponModel.find(thresholdCoupon.id, on: app.db))
            #expect(released.status == "available" && released.checkoutId == nil)

            // Again, and paid: used.
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 3))
            let second = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [thresholdCoupon.id]),
                                            headers: ["Idempotency-Key": "coupon-checkout-2"]).decode(CheckoutResult.self)
            #expect(try await app.send(.POST, "/api/v1/payments/\(second.payment.id)/sandbox/complete", token: token).status == .ok)
            try await app.jobs.runDue()
            let used = try await Self.mine(app, token: token, status: "used")
            #expect(used.map(\.id) == [thresholdCoupon.id] && used[0].usedAt != nil && used[0].checkoutId == second.checkoutId)
            #expect(try await CouponTemplateModel.find(threshold.id, on: app.db)?.usedCount == 1)
            #expect(try await Self.mine(app, token: token).map(\.id) == [smallCoupon.id])
            try await Self.invariants(app)
        }
    }

    @Test("an unpaid checkout that expires releases its coupon; the expiry job expires coupons past their window")
    func expiry() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash(days: 1))
            let token = try await CheckoutTests.shopper(app)
            let coupon = try await Self.claim(app, template, token: token).decode(MemberCoupon.self)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let placed = try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [coupon.id]),
                                            headers: ["Idempotency-Key": "coupon-expiry-1"])
            #expect(placed.status == .created, "\(placed.text)")
            clock.advance(seconds: 3 * 3_600)
            try await app.jobs.runDue()
            #expect(try await MemberCouponModel.find(coupon.id, on: app.db)?.status == "available", "released by the expired checkout")
            clock.advance(seconds: 86_400)
            try await CouponService.expire(now: clock.now(), on: app.db)
            #expect(try await MemberCouponModel.find(coupon.id, on: app.db)?.status == "expired")
            let fresh = try await PointsTests.login(app, "13800138000")
            #expect(try await Self.mine(app, token: fresh, status: "expired").map(\.id) == [coupon.id])
            #expect(try await Self.mine(app, token: fresh).isEmpty)
        }
    }

    @Test("two concurrent checkouts with the same coupon use it once")
    func checkoutStampede() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash())
            let token = try await CheckoutTests.shopper(app)
            let coupon = try await Self.claim(app, template, token: token).decode(MemberCoupon.self)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for n in 0..<2 {
                    group.addTask {
                        try await app.send(.POST, "/api/v1/checkout", token: token, json: CheckoutInput(couponIds: [coupon.id]),
                                           headers: ["Idempotency-Key": "coupon-race-\(n)-xyz"]).status
                    }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            // The loser either found the coupon already locked while planning (422) or lost the
            // race for the cart or the coupon inside its transaction (409).
            #expect(statuses.filter { $0 == .created }.count == 1, "\(statuses)")
            #expect(statuses.allSatisfy { [.created, .conflict, .unprocessableEntity].contains($0) }, "\(statuses)")
            #expect(try await CheckoutModel.query(on: app.db).count() == 1)
            let locked = try #require(try await MemberCouponModel.find(coupon.id, on: app.db))
            let checkout = try await CheckoutModel.query(on: app.db).first()
            #expect(locked.status == "locked" && locked.checkoutId == checkout?.id)

            // The lock itself, hammered: of 20 checkouts racing for one released coupon exactly one takes it.
            try await MemberCouponModel.query(on: app.db).set(\.$status, to: "available").set(\.$checkoutId, to: nil).update()
            let me = try await app.send(.GET, "/api/v1/me", token: token).decode(MemberProfile.self)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        do {
                            try await app.db.writeTransaction { tx in
                                try await CouponService(app: app, db: tx).lock([coupon.id], memberId: me.id, checkoutId: UUID(), now: testEpoch)
                            }
                            return true
                        } catch CouponService.Failure.couponTaken {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
        }
    }

    @Test("codes: single-use batches and a shared code with a quota, once per member; CSV export")
    func codes() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            var input = Self.cash("兑换券", quantity: 100, limit: 5)
            input.claimable = false
            let template = try await Self.template(app, admin: admin, input)
            #expect(try await app.send(.GET, "/api/v1/coupons").decode([CouponTemplate].self).isEmpty, "code-only coupons stay out of the centre")
            let batch = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/codes", token: admin,
                                           json: CouponCodeBatchInput(count: 3))
            #expect(batch.status == .created, "\(batch.text)")
            let single = try batch.decode([CouponCode].self)
            #expect(single.count == 3 && Set(single.map(\.code)).count == 3 && single.allSatisfy { $0.code.count == 10 && $0.quota == 1 })
            let shared = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/codes", token: admin,
                                            json: CouponCodeBatchInput(code: "mall2026", quota: 2)).decode([CouponCode].self)
            #expect(shared.map(\.code) == ["MALL2026"] && shared[0].shared)
            let both = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/codes", token: admin,
                                          json: CouponCodeBatchInput(count: 2, code: "X1234"))
            #expect(both.status == .unprocessableEntity)

            let tokens = [try await Fixtures.member(app, mobile: "13900000011").tokens.accessToken,
                          try await Fixtures.member(app, mobile: "13900000012").tokens.accessToken,
                          try await Fixtures.member(app, mobile: "13900000013").tokens.accessToken]
            func redeem(_ code: String, _ token: String) async throws -> APIResponse {
                try await app.send(.POST, "/api/v1/me/coupons/redemptions", token: token, json: CouponCodeRedemptionInput(code: code))
            }
            let redeemed = try await redeem(" mall2026 ", tokens[0])
            #expect(redeemed.status == .created, "\(redeemed.text)")
            #expect(try redeemed.decode(MemberCoupon.self).source == "code")
            #expect(try await redeem("MALL2026", tokens[0]).problem?.detail == "You have already redeemed this code.")
            #expect(try await redeem("MALL2026", tokens[1]).status == .created)
            #expect(try await redeem("MALL2026", tokens[2]).problem?.detail == "This code has been used up.")
            #expect(try await redeem(single[0].code, tokens[2]).status == .created)
            #expect(try await redeem(single[0].code, tokens[1]).problem?.detail == "This code has been used up.")
            #expect(try await redeem("NOSUCHCODE", tokens[1]).problem?.errors?.first?.field == "code")

            let csv = try await app.send(.GET, "/api/v1/admin/marketing/coupons/\(template.id)/codes.csv", token: admin)
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.text.split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.count == 5 && lines[0].hasSuffix("code,shared,quota,redeemed,batch"))
            #expect(lines.contains { $0.hasPrefix("MALL2026,true,2,2,") })
            try await Self.invariants(app)
        }
    }

    @Test("staff issue to members by id or mobile; the limit and unknown members are reported, not fatal")
    func issue() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash(limit: 1))
            let member = try await Fixtures.member(app, mobile: "13900000021")
            _ = try await Fixtures.member(app, mobile: "13900000022")
            let result = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/issues", token: admin,
                                            json: CouponIssueInput(memberIds: [member.member.id], mobiles: ["13900000021", "13900000022", "13900000099"]))
                .decode(CouponIssueResult.self)
            #expect(result.issued == 2)
            #expect(result.skipped == ["13900000021: You may hold at most 1 of this coupon.", "13900000099: no such member"])
            #expect(try await MemberCouponModel.query(on: app.db).filter(\.$source == "issue").count() == 2)
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "coupon.template.issue").count() == 1)
            let empty = try await app.send(.POST, "/api/v1/admin/marketing/coupons/\(template.id)/issues", token: admin, json: CouponIssueInput())
            #expect(empty.problem?.errors?.first?.field == "memberIds")
        }
    }

    @Test("a points-mall coupon item grants its coupon on exchange, with no order")
    func pointsMallCoupon() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash("积分兑换券", limit: 5))
            let created = try await app.send(.POST, "/api/v1/admin/points-mall/items", token: admin,
                                             json: PointsMallItemInput(kind: .coupon, title: "¥5 券", couponTemplateId: template.id, pricePoints: 300, stock: 10))
            #expect(created.status == .created, "\(created.text)")
            let item = try created.decode(PointsMallItem.self)
            let member = try await PointsMallTests.member(app, admin: admin, points: 1_000)
            let exchanged = try await PointsMallTests.redeem(app, item, token: member.token, input: RedemptionInput(quantity: 2))
            #expect(exchanged.status == .created, "\(exchanged.text)")
            #expect(try await PointsMallTests.balance(app, member.token) == 400)
            #expect(try await Self.mine(app, token: member.token).map(\.source) == ["points_mall", "points_mall"])
            #expect(try await OrderModel.query(on: app.db).count() == 0)
            try await Self.invariants(app)
            try await PointsMallTests.invariants(app)
        }
    }

    @Test("the member level's birthday coupon arrives once a birthday year")
    func birthdayCoupon() async throws {
        let clock = ManualClock(testEpoch)  // 2026-11-27 in Shanghai
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 800 * 86_400 }) { app in
            let admin = try await PointsTests.admin(app)
            let template = try await Self.template(app, admin: admin, Self.cash("生日券", quantity: 10, limit: 5, days: 30))
            let level = try await app.send(.POST, "/api/v1/admin/member-levels", token: admin, json: MemberLevelDefinitionInput(
                code: "gold", name: "金卡", rank: 1, rights: LevelRights(birthdayCouponId: template.id)))
            #expect(level.status == .created, "\(level.text)")
            let member = try await Fixtures.member(app)
            #expect(try await app.send(.PATCH, "/api/v1/me", token: member.tokens.accessToken, json: MemberProfileUpdate(birthday: "1990-11-27")).status == .ok)
            _ = try await app.send(.PUT, "/api/v1/admin/members/\(member.member.id)/level", token: admin, json: MemberLevelInput(level: "gold"))
            func run() async throws {
                try await app.jobs.enqueue(MemberLevelJobs.birthdayJob, payload: ["run": 1])
                try await app.jobs.runDue()
            }
            try await run()
            try await run()
            #expect(try await Self.mine(app, token: member.tokens.accessToken).map(\.source) == ["birthday:2026"])
            clock.advance(seconds: 365 * 86_400)
            try await run()
            #expect(try await MemberCouponModel.query(on: app.db).filter(\.$memberId == member.member.id).count() == 2)
            try await Self.invariants(app)
        }
    }

    @Test("the demo: four coupons in the centre, a shared code and a batch of codes, two in the demo member's wallet; seeding again changes nothing")
    func demo() async throws {
        try await withTestApp { app in
            _ = try await DemoSeeder(app: app).run()
            let centre = try await app.send(.GET, "/api/v1/coupons").decode([CouponTemplate].self)
            #expect(Set(centre.map(\.kind)) == [.cash, .threshold, .percentage, .freeShipping] && centre.count == 4)
            let token = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: DemoCoupons.memberMobile, password: DemoSeeder.memberPassword))
                .decode(MemberSession.self).tokens.accessToken
            #expect(Set(try await Self.mine(app, token: token).map(\.title)) == ["¥5 无门槛券", "免运费券"])
            let redeemed = try await app.send(.POST, "/api/v1/me/coupons/redemptions", token: token, json: CouponCodeRedemptionInput(code: DemoCoupons.sharedCode))
            #expect(redeemed.status == .created, "\(redeemed.text)")
            #expect(try await CouponCodeModel.query(on: app.db).count() == 21)
            let claimed = try await Self.claim(app, try #require(centre.first { $0.kind == .threshold }), token: token)
            #expect(claimed.status == .created)

            func counts() async throws -> [Int] {
                [try await CouponTemplateModel.query(on: app.db).count(), try await CouponCodeModel.query(on: app.db).count(),
                 try await MemberCouponModel.query(on: app.db).count()]
            }
            let before = try await counts()
            _ = try await DemoSeeder(app: app).run()
            #expect(try await counts() == before)
            try await Self.invariants(app)
        }
    }

    @Test("the coupon pages: the centre for anyone, my coupons for members, both languages; checkout carries the picker")
    func pages() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            let centre = try await browser.get("/coupons")
            #expect(centre.status == .ok && centre.text.contains("<h1>领券中心</h1>") && centre.text.contains("/js/coupons.js"))
            let anonymous = try await browser.get("/member/coupons")
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location)?.hasPrefix("/login?next=") == true)
            _ = try await Fixtures.member(app)
            #expect(try await browser.signInMember().status == .seeOther)
            let mine = try await browser.get("/member/coupons")
            #expect(mine.status == .ok && mine.text.contains("我的优惠券") && mine.text.contains("id=\"coupon-redeem\""))
            #expect(try await browser.get("/member").text.contains("href=\"/member/coupons\""))
            #expect(try await browser.get("/checkout").text.contains("id=\"checkout-coupons\""))
            _ = try await browser.submit("/lang", ["lang": "en", "next": "/coupons"])
            #expect(try await browser.get("/coupons").text.contains("<h1>Coupon centre</h1>"))
        }
    }
}
