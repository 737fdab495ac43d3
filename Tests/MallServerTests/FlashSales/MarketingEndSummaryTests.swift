import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Effect summaries of flash sessions and group-buy activities once they end: what the campaign
/// price saved is counted against the regular price recorded at purchase, so a later price
/// change leaves the summary as it was.
@Suite("Flash-sale and group-buy effect summaries")
struct MarketingEndSummaryTests {
    static func raisePrice(_ app: Application, _ sku: SKUModel, to fen: Int64) async throws {
        try await SKUModel.query(on: app.db).filter(\.$id == sku.id!).set(\.$priceFen, to: fen).update()
    }

    @Test("an ended session's summary counts its paid purchases' orders, (regular − flash price) × units saved, against the store's orders before it; not before the end; not for other merchants")
    func flashSession() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let sale = try await FlashSaleTests.sale(app, quota: 10, limit: 2, startsIn: 600)
            clock.advance(seconds: 400)
            let (_, _, before) = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: sale.shop.near, in: sale.shop, mobile: "13700000001")
            clock.advance(seconds: 200)

            let payer = try await FlashSaleTests.quickMember(app, 1)
            let idler = try await FlashSaleTests.quickMember(app, 2)
            let paid = try await FlashSaleTests.buy(app, sale.session, token: payer.token, quantity: 2).decode(FlashPurchaseResult.self)
            #expect(try await app.send(.POST, "/api/v1/payments/\(try #require(paid.payment).id)/sandbox/complete", token: payer.token).status == .ok)
            _ = try await FlashSaleTests.buy(app, sale.session, token: idler.token).decode(FlashPurchaseResult.self)
            // The purchase keeps the regular price it was bought under.
            try await Self.raisePrice(app, sale.shop.milk, to: 2_000)
            clock.advance(seconds: 301)
            try await app.jobs.runDue()
            #expect(try await FlashPurchaseModel.query(on: app.db).filter(\.$status == FlashPurchaseStatus.returned.rawValue).count() == 1,
                    "the idler's unpaid order expired and counts for nothing")

            let admin = try await PointsTests.login(app, "hq", staff: true)
            let path = "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/summary"
            let early = try await app.send(.GET, path, token: admin)
            #expect(early.status == .conflict && early.problem?.detail == "The summary is ready once the flash sale has ended; its live numbers are under live.",
                    "\(early.text)")
            #expect(try await app.send(.POST, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/end", token: admin).status == .ok)

            let summary = try await app.send(.GET, path, token: admin).decode(MarketingSummary.self)
            #expect(summary.campaignId == sale.session.id && summary.startsAt == testEpoch.addingTimeInterval(600))
            #expect(summary.endedAt == testEpoch.addingTimeInterval(901) && summary.baselineFrom == testEpoch.addingTimeInterval(299))
            #expect(summary.effect.orders == 1 && summary.effect.revenueFen == 1_980 && summary.effect.discountFen == 520, "\(summary.effect)")
            #expect(summary.effect.averageOrderFen == 1_980)
            #expect(summary.effect.baselineOrders == 1 && summary.effect.baselineRevenueFen == before.payableFen)
            #expect(summary.effect.averageOrderChangeBasisPoints == CampaignEffect.ratio(1_980 - before.payableFen, before.payableFen, scale: 10_000))
            #expect(summary.effect.costRatioBasisPoints == 2_626, "520 / 1 980 = 26.26 %")
            #expect(summary.effect.claims == nil && summary.effect.useRateBasisPoints == nil)

            let merchant = try await Fixtures.merchant(app, code: "TEA")
            let (_, tea) = try await Fixtures.staff(app, "tea", role: .merchantAdmin, scope: .merchant(MerchantID(merchant.id!)))
            #expect(try await app.send(.GET, path, token: tea).status == .forbidden, "a merchant sees only its own")
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/flash-sales/\(UUID())/summary", token: admin).status == .notFound)
        }
    }

    @Test("an ended activity's summary counts the filled groups' paid orders, (regular − group price) per member, against the store's orders before it; a failed group's refunded orders are left out")
    func groupBuy() async throws {
        let clock = ManualClock(testEpoch.addingTimeInterval(-300))
        try await withTestApp(clock: clock) { app in
            let deal = try await GroupBuyTests.deal(app, size: 2)
            let (_, _, before) = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: deal.shop.near, in: deal.shop, mobile: "13700000001")
            clock.advance(seconds: 300)

            let opener = try await FlashSaleTests.quickMember(app, 1)
            let friend = try await FlashSaleTests.quickMember(app, 2)
            let loner = try await FlashSaleTests.quickMember(app, 3)
            let first = try await GroupBuyTests.open(app, deal, token: opener.token).decode(GroupBuyJoinResult.self)
            try await GroupBuyTests.pay(app, first, token: opener.token)
            let second = try await GroupBuyTests.join(app, first.group.id, token: friend.token).decode(GroupBuyJoinResult.self)
            try await GroupBuyTests.pay(app, second, token: friend.token)
            let lonely = try await GroupBuyTests.open(app, deal, token: loner.token).decode(GroupBuyJoinResult.self)
            try await GroupBuyTests.pay(app, lonely, token: loner.token)
            try await Self.raisePrice(app, deal.shop.milk, to: 2_000)

            let path = "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/summary"
            let early = try await app.send(.GET, path, token: deal.admin)
            #expect(early.status == .conflict && early.problem?.detail == "The summary is ready once the group buy has ended; its live numbers are under live.",
                    "\(early.text)")
            clock.advance(seconds: 400)
            #expect(try await app.send(.POST, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/end", token: deal.admin).status == .ok)
            try await app.jobs.runDue()
            #expect(try await GroupBuyGroupModel.find(lonely.group.id, on: app.db)?.status == GroupBuyGroupStatus.failed.rawValue)

            let summary = try await app.send(.GET, path, token: deal.admin).decode(MarketingSummary.self)
            #expect(summary.endedAt == testEpoch.addingTimeInterval(400) && summary.baselineFrom == testEpoch.addingTimeInterval(-400))
            #expect(summary.effect.orders == 2 && summary.effect.revenueFen == 1_980 && summary.effect.discountFen == 520, "\(summary.effect)")
            #expect(summary.effect.averageOrderFen == 990)
            #expect(summary.effect.baselineOrders == 1 && summary.effect.baselineAverageOrderFen == before.payableFen)
            #expect(summary.effect.costRatioBasisPoints == 2_626)
            let live = try await app.send(.GET, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/live", token: deal.admin).decode(GroupBuyLive.self)
            #expect(live.discountFen == 520, "live numbers count the regular price recorded at joining, too")

            let merchant = try await Fixtures.merchant(app, code: "TEA")
            let (_, tea) = try await Fixtures.staff(app, "tea", role: .merchantAdmin, scope: .merchant(MerchantID(merchant.id!)))
            #expect(try await app.send(.GET, path, token: tea).status == .forbidden, "a merchant sees only its own")
            try await GroupBuyTests.invariants(app)
        }
    }
}
