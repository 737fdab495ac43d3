import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Merchant suspension: flash sales, group buys and the points mall are no side door past the shelf")
struct MerchantSuspensionSideDoorTests {
    static let notOnSale = "This product is not on sale at the moment."

    @Test("suspended with a running flash item: gone from the day's sessions, a purchase is refused (zh too) with nothing held; reinstated: it sells")
    func flashSale() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let fruit = try await MerchantStandingTests.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let created = try await app.send(.POST, "/api/v1/admin/marketing/flash-sales", token: admin, json: FlashSessionInput(
                title: "10点场", startsAt: testEpoch, endsAt: testEpoch.addingTimeInterval(7_200), perMemberLimit: 2,
                items: [FlashItemInput(skuId: fruit.sku.id!, storeId: fruit.store.id!, flashPriceFen: 990, quota: 5)]))
            #expect(created.status == .created, "\(created.text)")
            let session = try created.decode(FlashSession.self)
            let buyer = try await FlashSaleTests.quickMember(app, 1)
            #expect(try await app.send(.GET, "/api/v1/flash-sales").decode([FlashSession].self).map(\.id) == [session.id])

            _ = try await MerchantStandingTests.setStatus(app, fruit, .suspended, token: admin)
            #expect(try await app.send(.GET, "/api/v1/flash-sales").decode([FlashSession].self) == [])
            let page = try await app.send(.GET, "/flash-sales")
            #expect(page.status == .ok && !page.text.contains("赣南脐橙"), "\(page.text)")
            let refused = try await FlashSaleTests.buy(app, session, token: buyer.token)
            #expect(refused.status == .conflict && refused.problem?.detail == Self.notOnSale, "\(refused.text)")
            let chinese = try await app.send(.POST, "/api/v1/flash-sales/\(session.id)/purchases", token: buyer.token,
                                             json: FlashPurchaseInput(skuId: fruit.sku.id!, quantity: 1),
                                             headers: ["Idempotency-Key": "flash-zh", "Accept-Language": "zh-CN"])
            #expect(chinese.status == .conflict && chinese.problem?.detail == "该商品当前不在售。", "\(chinese.text)")
            #expect(try await FlashPurchaseModel.query(on: app.db).count() == 0)
            #expect(try await FlashItemModel.query(on: app.db).first()?.sold == 0)
            #expect(try await OrderModel.query(on: app.db).count() == 0)
            #expect(await app.flashQuotaGate.remaining(FlashGateKey(sessionId: session.id, skuId: fruit.sku.id!)) == 5, "the gate gave the unit back")
            // Staff still see the whole session.
            let staffView = try await app.send(.GET, "/api/v1/admin/marketing/flash-sales/\(session.id)", token: admin).decode(FlashSession.self)
            #expect(staffView.items.count == 1)

            _ = try await MerchantStandingTests.setStatus(app, fruit, .active, token: admin)
            #expect(try await app.send(.GET, "/api/v1/flash-sales").decode([FlashSession].self).map(\.id) == [session.id])
            let bought = try await FlashSaleTests.buy(app, session, token: buyer.token)
            #expect(bought.status == .created, "\(bought.text)")
            #expect(try bought.decode(FlashPurchaseResult.self).purchase.quantity == 1)
            try await FlashSaleTests.invariants(app)
        }
    }

    @Test("suspended with a running group buy: gone from the list, opening and joining are refused with nothing held; reinstated: both work")
    func groupBuy() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let fruit = try await MerchantStandingTests.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let created = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: admin, json: GroupBuyActivityInput(
                title: "脐橙两人团", skuId: fruit.sku.id!, storeId: fruit.store.id!, groupPriceFen: 1_500, groupSize: 2, timeLimitMinutes: 60,
                perMemberLimit: 1, startsAt: testEpoch, endsAt: testEpoch.addingTimeInterval(86_400)))
            #expect(created.status == .created, "\(created.text)")
            let deal = GroupBuyTests.Deal(shop: try await CheckoutTests.shop(app), admin: admin, activity: try created.decode(GroupBuyActivity.self))
            let opener = try await FlashSaleTests.quickMember(app, 1)
            let friend = try await FlashSaleTests.quickMember(app, 2)
            let opened = try await GroupBuyTests.open(app, deal, token: opener.token)
            #expect(opened.status == .created, "\(opened.text)")
            let group = try opened.decode(GroupBuyJoinResult.self).group
            #expect(try await app.send(.GET, "/api/v1/group-buys").decode([GroupBuyActivity].self).map(\.id) == [deal.activity.id])

            _ = try await MerchantStandingTests.setStatus(app, fruit, .suspended, token: admin)
            #expect(try await app.send(.GET, "/api/v1/group-buys").decode([GroupBuyActivity].self) == [])
            let page = try await app.send(.GET, "/group-buys")
            #expect(page.status == .ok && !page.text.contains("脐橙两人团"), "\(page.text)")
            // The activity and a shared group stay readable (its members follow it), but offer nothing to press.
            let shown = try await app.send(.GET, "/api/v1/group-buys/\(deal.activity.id)").decode(GroupBuyActivity.self)
            #expect(!shown.onSale && shown.phase == .live)
            for path in ["/group-buys/\(deal.activity.id)", group.sharePath] {
                let shared = try await app.send(.GET, path, headers: ["Accept-Language": "zh-CN"])
                #expect(shared.status == .ok && shared.text.contains("该商品暂未在售") && !shared.text.contains("group-join")
                        && !shared.text.contains("group-open"), "\(path): \(shared.text)")
            }
            let members = try await GroupBuyMemberModel.query(on: app.db).count()
            let orders = try await OrderModel.query(on: app.db).count()
            let refusedOpen = try await GroupBuyTests.open(app, deal, token: friend.token)
            #expect(refusedOpen.status == .conflict && refusedOpen.problem?.detail == Self.notOnSale, "\(refusedOpen.text)")
            let refusedJoin = try await GroupBuyTests.join(app, group.id, token: friend.token)
            #expect(refusedJoin.status == .conflict && refusedJoin.problem?.detail == Self.notOnSale, "\(refusedJoin.text)")
            #expect(try await GroupBuyGroupModel.query(on: app.db).count() == 1)
            #expect(try await GroupBuyGroupModel.find(group.id, on: app.db)?.joined == 1)
            #expect(try await GroupBuyMemberModel.query(on: app.db).count() == members)
            #expect(try await GroupBuyMemberCountModel.query(on: app.db).filter(\.$memberId == friend.id).count() == 0)
            #expect(try await OrderModel.query(on: app.db).count() == orders)

            _ = try await MerchantStandingTests.setStatus(app, fruit, .active, token: admin)
            #expect(try await app.send(.GET, "/api/v1/group-buys").decode([GroupBuyActivity].self).map(\.id) == [deal.activity.id])
            let reopened = try await app.send(.GET, group.sharePath)
            #expect(reopened.text.contains("group-join") && reopened.text.contains("group-open"), "\(reopened.text)")
            let joined = try await GroupBuyTests.join(app, group.id, token: friend.token)
            #expect(joined.status == .created, "\(joined.text)")
            #expect(try joined.decode(GroupBuyJoinResult.self).group.joined == 2)
            try await GroupBuyTests.invariants(app)
        }
    }

    @Test("suspended with a points-mall item of its goods: the exchange is refused, no points spent, no stock taken; reinstated: it goes through")
    func pointsMall() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let fruit = try await MerchantStandingTests.tenant(app, code: "FRUIT", title: "赣南脐橙")
            let created = try await app.send(.POST, "/api/v1/admin/points-mall/items", token: admin, json: PointsMallItemInput(
                title: "积分换脐橙", skuId: fruit.sku.id!, pricePoints: 500, stock: 5, perMemberLimit: 2))
            #expect(created.status == .created, "\(created.text)")
            let item = try created.decode(PointsMallItem.self)
            let member = try await PointsMallTests.member(app, admin: admin)
            let input = RedemptionInput(quantity: 1, fulfilment: .pickup, storeId: fruit.store.id!)

            #expect(try await app.send(.GET, "/api/v1/points-mall/items").decode(ListPage<PointsMallItem>.self).items.map(\.id) == [item.id])
            _ = try await MerchantStandingTests.setStatus(app, fruit, .suspended, token: admin)
            let listed = try await app.send(.GET, "/api/v1/points-mall/items").decode(ListPage<PointsMallItem>.self)
            #expect(listed.items.isEmpty && listed.total == 0, "the catalogue leaves its goods out")
            let refused = try await PointsMallTests.redeem(app, item, token: member.token, input: input)
            #expect(refused.status == .conflict && refused.problem?.detail == Self.notOnSale, "\(refused.text)")
            #expect(try await PointsMallTests.balance(app, member.token) == 2_000)
            #expect(try await PointsMallItemModel.find(item.id, on: app.db)?.stockRemaining == 5)
            #expect(try await PointsMallRedemptionModel.query(on: app.db).count() == 0)
            #expect(try await OrderModel.query(on: app.db).count() == 0)

            _ = try await MerchantStandingTests.setStatus(app, fruit, .active, token: admin)
            #expect(try await app.send(.GET, "/api/v1/points-mall/items").decode(ListPage<PointsMallItem>.self).items.map(\.id) == [item.id])
            let redeemed = try await PointsMallTests.redeem(app, item, token: member.token, input: input)
            #expect(redeemed.status == .created, "\(redeemed.text)")
            #expect(try await PointsMallTests.balance(app, member.token) == 1_500)
            try await PointsMallTests.invariants(app)
        }
    }

    @Test("a product its merchant took off the shelf is refused by a flash purchase too")
    func offShelf() async throws {
        try await withTestApp { app in
            let sale = try await FlashSaleTests.sale(app, quota: 3)
            let buyer = try await FlashSaleTests.quickMember(app, 1)
            let product = try #require(try await ProductModel.find(sale.shop.milk.productId, on: app.db))
            product.onShelf = false
            try await product.update(on: app.db)
            #expect(try await app.send(.GET, "/api/v1/flash-sales").decode([FlashSession].self) == [])
            let refused = try await FlashSaleTests.buy(app, sale.session, token: buyer.token)
            #expect(refused.status == .conflict && refused.problem?.detail == Self.notOnSale, "\(refused.text)")
            #expect(try await FlashItemModel.query(on: app.db).first()?.sold == 0)
            try await FlashSaleTests.invariants(app)
        }
    }
}
