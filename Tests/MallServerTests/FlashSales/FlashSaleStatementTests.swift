import Foundation
import MallAPI
import Testing
import Vapor
@testable import MallServer

@Suite("Flash sales: what a purchase costs the database")
struct FlashSaleStatementTests {
    @Test("once a session is sold out, a refused purchase runs no SQL after authentication: the quota gate answers 409 alone")
    func refusalRunsNoSQL() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let sale = try await FlashSaleTests.sale(app, quota: 2, limit: 2)
            let winner = try await FlashSaleTests.quickMember(app, 1)
            let loser = try await FlashSaleTests.quickMember(app, 2)

            let bought = try await log.during { try await FlashSaleTests.buy(app, sale.session, token: winner.token, quantity: 2) }
            #expect(bought.result.status == .created, "\(bought.result.text)")
            #expect(try bought.result.decode(FlashPurchaseResult.self).purchase.quantity == 2)
            // The log sees a purchase's statements, so an empty log below means none ran.
            #expect(SQLStatementLog.afterAuthentication(bought.statements).count > 5, "\(bought.statements)")

            let refused = try await log.during { try await FlashSaleTests.buy(app, sale.session, token: loser.token) }
            #expect(refused.result.status == .conflict && refused.result.problem?.detail == "This flash-sale item is sold out.", "\(refused.result.text)")
            #expect(refused.statements.count == 1, "only the bearer token's session check: \(refused.statements)")
            #expect(SQLStatementLog.afterAuthentication(refused.statements).isEmpty, "\(refused.statements)")
            #expect(await app.flashQuotaGate.refusals(sessionId: sale.session.id) == 1)

            let live = try await app.send(.GET, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/live", token: sale.admin)
                .decode(FlashSessionLive.self)
            #expect(live.items.map(\.sold) == [2] && live.items.map(\.gateLeft) == [0] && live.refusals == 1)
            try await FlashSaleTests.invariants(app)
        }
    }

    @Test("a member asking beyond the per-member limit is refused at the gate after one lookup (is it a retry?), with how many are left; units stay for others")
    func limitRefusalRunsNoSQL() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let sale = try await FlashSaleTests.sale(app, quota: 10, limit: 2)
            let member = try await FlashSaleTests.quickMember(app, 1)
            let first = try await FlashSaleTests.buy(app, sale.session, token: member.token, quantity: 1)
            #expect(first.status == .created, "\(first.text)")

            let tooMany = try await log.during { try await FlashSaleTests.buy(app, sale.session, token: member.token, quantity: 2) }
            #expect(tooMany.result.status == .conflict, "\(tooMany.result.text)")
            #expect(tooMany.result.problem?.detail?.contains("1 left") == true, "\(tooMany.result.text)")
            let statements = SQLStatementLog.afterAuthentication(tooMany.statements)
            #expect(statements.count == 1 && statements[0].contains("FROM \"flash_purchases\" WHERE"), "\(statements)")
            #expect(await app.flashQuotaGate.remaining(FlashGateKey(sessionId: sale.session.id, skuId: sale.shop.milk.id!)) == 9)

            let last = try await FlashSaleTests.buy(app, sale.session, token: member.token, quantity: 1)
            #expect(last.status == .created, "\(last.text)")
            let other = try await FlashSaleTests.quickMember(app, 2)
            #expect(try await FlashSaleTests.buy(app, sale.session, token: other.token, quantity: 2).status == .created)
            #expect(try await FlashItemModel.query(on: app.db).first()?.sold == 4)
            try await FlashSaleTests.invariants(app)
        }
    }

    @Test("a product list reads flash and group prices in one statement: a running flash sale and group buy add no statement; cards show 拼团价")
    func listStatements() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let shop = try await CheckoutTests.shop(app)
            // Warm, so both counts leave out the promotions a cold instance loads once (PromotionReachCache).
            _ = try await app.send(.GET, "/api/v1/products?sort=newest")
            let before = try await log.during { try await app.send(.GET, "/api/v1/products?sort=newest") }
            let quiet = try before.result.decode(ListPage<ProductSummary>.self)
            #expect(quiet.items.contains { $0.id == shop.milk.productId } && quiet.items.allSatisfy { $0.flash == nil && $0.groupBuy == nil })

            let admin = try await PointsTests.admin(app)
            let session = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales", token: admin, json: FlashSessionInput(
                title: "10点场", startsAt: testEpoch, endsAt: testEpoch.addingTimeInterval(7_200), perMemberLimit: 2,
                items: [FlashItemInput(skuId: shop.milk.id!, storeId: shop.near.id!, flashPriceFen: 990, quota: 10)])).decode(FlashSession.self)
            let activity = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: admin, json: GroupBuyActivityInput(
                title: "牛奶两人团", skuId: shop.milk.id!, storeId: shop.near.id!, groupPriceFen: 1_100, groupSize: 2, timeLimitMinutes: 60,
                startsAt: testEpoch, endsAt: testEpoch.addingTimeInterval(86_400))).decode(GroupBuyActivity.self)

            // Warm again: on a slow machine the caches may have aged out since the first count.
            _ = try await app.send(.GET, "/api/v1/products?sort=newest")
            let after = try await log.during { try await app.send(.GET, "/api/v1/products?sort=newest") }
            #expect(after.statements.count == before.statements.count, "before: \(before.statements)\nafter: \(after.statements)")
            let campaigns = after.statements.filter { $0.contains("group_buy_activities") }
            #expect(campaigns.count == 1 && campaigns.allSatisfy { $0.contains("flash_items") }, "\(after.statements)")
            let milk = try #require(try after.result.decode(ListPage<ProductSummary>.self).items.first { $0.id == shop.milk.productId })
            #expect(milk.flash?.sessionId == session.id && milk.flash?.priceFen == 990)
            #expect(milk.groupBuy == ProductGroupBuy(activityId: activity.id, skuId: shop.milk.id!, priceFen: 1_100, groupSize: 2))

            for (language, label) in [("zh-CN", "拼团价 ¥11.00"), ("en", "Group price ¥11.00")] {
                let page = try await app.send(.GET, "/search?q=", headers: ["Cookie": "lang=\(language)"])
                #expect(page.text.contains(#"<span class="price group-price">\#(label)</span>"#), "\(page.text)")
            }
            // Ended early: the card no longer offers it.
            _ = try await app.send(.POST, "/api/v1/admin/marketing/group-buys/\(activity.id)/end", token: admin)
            let ended = try await app.send(.GET, "/api/v1/products?sort=newest").decode(ListPage<ProductSummary>.self)
            #expect(ended.items.first { $0.id == shop.milk.productId }?.groupBuy == nil)
        }
    }
}
