import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

extension Fixtures {
    /// The points mall's invariants: an item's remaining stock is its total less the units of its
    /// active exchanges, never below zero; each member's counter is the units of their active
    /// exchanges, within the limit; every exchange of an SKU item has an order (a coupon item's
    /// coupons go straight to the member).
    static func expectPointsMallConsistent(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let items = try await PointsMallItemModel.query(on: app.db).all()
        let redemptions = try await PointsMallRedemptionModel.query(on: app.db).all()
        let counts = try await PointsMallMemberCountModel.query(on: app.db).all()
        for item in items {
            let active = redemptions.filter { $0.itemId == item.id && $0.status == RedemptionStatus.active.rawValue }
            #expect(item.stockRemaining == item.stockTotal - active.reduce(0) { $0 + $1.quantity }, "stock of \(item.title)", sourceLocation: sourceLocation)
            #expect(item.stockRemaining >= 0, sourceLocation: sourceLocation)
            for (member, mine) in Dictionary(grouping: active, by: \.memberId) {
                let held = mine.reduce(0) { $0 + $1.quantity }
                #expect(counts.first { $0.itemId == item.id && $0.memberId == member }?.redeemed == held, "counter of \(member)", sourceLocation: sourceLocation)
                if let limit = item.perMemberLimit { #expect(held <= limit, "limit of \(member)", sourceLocation: sourceLocation) }
            }
        }
        let skuItems = Set(items.filter { $0.itemKind == .sku }.compactMap(\.id))
        #expect(redemptions.filter { skuItems.contains($0.itemId) }.allSatisfy { $0.orderId != nil }, sourceLocation: sourceLocation)
    }
}

@Suite("Points mall: items, exchanges, returns")
struct PointsMallTests {
    struct Mall {
        let shop: CheckoutTests.Shop
        let admin: String
        let item: PointsMallItem
    }

    /// The checkout shop (milk at NEAR and FAR) and a points-mall item for the milk.
    static func mall(_ app: Application, stock: Int = 5, limit: Int? = 2, pricePoints: Int64 = 500, cashFen: Int64 = 0,
                     shop existing: CheckoutTests.Shop? = nil) async throws -> Mall {
        let shop = if let existing { existing } else { try await CheckoutTests.shop(app) }
        let admin = try await PointsTests.admin(app)
        let created = try await app.send(.POST, "/api/v1/admin/points-mall/items", token: admin, json: PointsMallItemInput(
            title: "积分换牛奶", description: "整箱光明纯牛奶", skuId: shop.milk.id!, pricePoints: pricePoints, cashFen: cashFen, stock: stock,
            perMemberLimit: limit))
        #expect(created.status == .created, "\(created.text)")
        return Mall(shop: shop, admin: admin, item: try created.decode(PointsMallItem.self))
    }

    /// A member with an address near NEAR and `points` granted by staff.
    static func member(_ app: Application, admin: String, mobile: String = "13800138000", points: Int64 = 2_000) async throws -> (token: String, id: UUID) {
        let token = try await CheckoutTests.shopper(app, mobile: mobile)
        let me = try await app.send(.GET, "/api/v1/me", token: token).decode(MemberProfile.self)
        if points > 0 {
            let grant = try await app.send(.POST, "/api/v1/admin/members/\(me.id)/points/adjustments", token: admin,
                                           json: PointsAdjustmentInput(points: points, reason: "积分商城测试"))
            #expect(grant.status == .created)
        }
        return (token, me.id)
    }

    static func redeem(_ app: Application, _ item: PointsMallItem, token: String, key: String = "redeem-\(UUID().uuidString)",
                       input: RedemptionInput) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/points-mall/items/\(item.id)/redemptions", token: token, json: input, headers: ["Idempotency-Key": key])
    }

    static func balance(_ app: Application, _ token: String) async throws -> Int64 {
        try await app.send(.GET, "/api/v1/me/points", token: token).decode(PointsSummary.self).balance
    }

    static func invariants(_ app: Application) async throws {
        try await Fixtures.expectPointsLedgerMatches(app)
        try await Fixtures.expectLedgerMatchesProjection(app)
        try await Fixtures.expectPointsMallConsistent(app)
    }

    @Test("staff create items (audited); coupon items need a real coupon template; members see their remaining limit, guests do not")
    func items() async throws {
        try await withTestApp { app in
            let mall = try await Self.mall(app)
            #expect(mall.item.remaining == 5 && mall.item.availability == .open && mall.item.listPriceFen == 1_250)
            #expect(mall.item.skuTitle?.contains("MILK") == true)
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "points_mall.item.create").count() == 1)

            let coupon = try await app.send(.POST, "/api/v1/admin/points-mall/items", token: mall.admin,
                                            json: PointsMallItemInput(kind: .coupon, title: "满50减5券", couponTemplateId: UUID(), pricePoints: 300, stock: 10))
            #expect(coupon.status == .unprocessableEntity && coupon.problem?.errors?.first?.field == "couponTemplateId", "\(coupon.text)")
            let bad = try await app.send(.POST, "/api/v1/admin/points-mall/items", token: mall.admin,
                                         json: PointsMallItemInput(title: "", skuId: UUID(), pricePoints: 0, cashFen: -1, stock: 1_000_001, perMemberLimit: 0))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["title", "pricePoints", "cashFen", "stock", "perMemberLimit", "skuId"], "\(bad.text)")
            #expect(try await PointsMallItemModel.query(on: app.db).count() == 1)

            let (_, manager) = try await Fixtures.staff(app, "manager", role: .storeManager, scope: .store(mall.shop.near.storeID))
            #expect(try await app.send(.GET, "/api/v1/admin/points-mall/items", token: manager).status == .forbidden)
            let (_, merchantAdmin) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            #expect(try await app.send(.POST, "/api/v1/admin/points-mall/items", token: merchantAdmin,
                                        json: PointsMallItemInput(title: "x", skuId: mall.shop.milk.id!, pricePoints: 1, stock: 1)).status == .forbidden,
                    "points-mall items are the platform's")

            let guest = try await app.send(.GET, "/api/v1/points-mall/items").decode(ListPage<PointsMallItem>.self)
            #expect(guest.items.map(\.id) == [mall.item.id] && guest.items[0].myRemaining == nil)
            let member = try await Self.member(app, admin: mall.admin)
            let seen = try await app.send(.GET, "/api/v1/points-mall/items", token: member.token).decode(ListPage<PointsMallItem>.self)
            #expect(seen.items[0].myRemaining == 2 && seen.items[0].myRedeemed == 0)
            let detail = try await app.send(.GET, "/api/v1/points-mall/items/\(mall.item.id)", token: member.token).decode(PointsMallItemDetail.self)
            #expect(detail.balance == 2_000 && Set(detail.stores.map(\.name)) == ["Store NEAR", "Store FAR"])

            // Switched off: gone from the list and the detail.
            var input = PointsMallItemInput(title: "积分换牛奶", skuId: mall.shop.milk.id!, pricePoints: 500, stock: 5, perMemberLimit: 2, enabled: false)
            #expect(try await app.send(.PUT, "/api/v1/admin/points-mall/items/\(mall.item.id)", token: mall.admin, json: input).status == .ok)
            #expect(try await app.send(.GET, "/api/v1/points-mall/items").decode(ListPage<PointsMallItem>.self).total == 0)
            #expect(try await app.send(.GET, "/api/v1/points-mall/items/\(mall.item.id)").status == .notFound)
            input.enabled = true
            input.stock = 8
            let raised = try await app.send(.PUT, "/api/v1/admin/points-mall/items/\(mall.item.id)", token: mall.admin, json: input).decode(PointsMallItem.self)
            #expect(raised.stock == 8 && raised.remaining == 8)
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "points_mall.item.update").count() == 2)
        }
    }

    @Test("exchange points for milk at a chosen store: points spent, item and store stock held, a paid zero-price order at that store; a retry changes nothing")
    func exchange() async throws {
        try await withTestApp { app in
            let mall = try await Self.mall(app)
            let member = try await Self.member(app, admin: mall.admin)
            let input = RedemptionInput(quantity: 2, fulfilment: .pickup, storeId: mall.shop.far.id!)

            let noKey = try await app.send(.POST, "/api/v1/points-mall/items/\(mall.item.id)/redemptions", token: member.token, json: input)
            #expect(noKey.status == .unprocessableEntity && noKey.problem?.errors?.first?.field == "Idempotency-Key")
            #expect(try await app.send(.POST, "/api/v1/points-mall/items/\(mall.item.id)/redemptions", json: input,
                                        headers: ["Idempotency-Key": "redeem-anon-1"]).status == .unauthorized)

            let first = try await Self.redeem(app, mall.item, token: member.token, key: "redeem-0001", input: input)
            #expect(first.status == .created, "\(first.text)")
            let result = try first.decode(RedemptionResult.self)
            #expect(result.balance == 1_000 && result.redemption.points == 1_000 && result.redemption.cashFen == 0 && result.payment == nil)
            #expect(result.redemption.storeName == "Store FAR" && result.redemption.orderStatus == .paid && result.redemption.fulfilment == .pickup)
            let orderId = try #require(result.redemption.orderId)
            let order = try await app.send(.GET, "/api/v1/orders/\(orderId)", token: member.token).decode(Order.self)
            #expect(order.status == .paid && order.goodsFen == 0 && order.payableFen == 0 && order.shippingFen == 0)
            #expect(order.lines.map(\.quantity) == [2] && order.lines[0].unitPriceFen == 0)
            #expect(try await CheckoutTests.level(app, mall.shop, mall.shop.far) == StockLevel(onHand: 10, reserved: 2))
            let ledger = try await app.send(.GET, "/api/v1/me/points/ledger?kind=mall_spent", token: member.token).decode(ListPage<PointsEntry>.self)
            #expect(ledger.items.map(\.points) == [-1_000] && ledger.items[0].referenceId == result.redemption.id.uuidString)

            // The store's order desk has it like any paid order.
            let (_, clerk) = try await Fixtures.staff(app, "far.clerk", role: .storeClerk, scope: .store(mall.shop.far.storeID))
            let desk = try await app.send(.GET, "/api/v1/admin/orders/\(orderId)", token: clerk)
            #expect(desk.status == .ok)

            let retry = try await Self.redeem(app, mall.item, token: member.token, key: "redeem-0001", input: input)
            #expect(retry.status == .ok)
            #expect(try retry.decode(RedemptionResult.self).redemption.id == result.redemption.id)
            let reused = try await Self.redeem(app, mall.item, token: member.token, key: "redeem-0001", input: RedemptionInput(quantity: 1, storeId: mall.shop.far.id!))
            #expect(reused.status == .unprocessableEntity)
            #expect(try await PointsMallRedemptionModel.query(on: app.db).count() == 1)
            #expect(try await OrderModel.query(on: app.db).count() == 1)

            let item = try await app.send(.GET, "/api/v1/points-mall/items/\(mall.item.id)", token: member.token).decode(PointsMallItemDetail.self).item
            #expect(item.remaining == 3 && item.myRedeemed == 2 && item.myRemaining == 0)
            let mine = try await app.send(.GET, "/api/v1/me/redemptions", token: member.token).decode(ListPage<PointsMallRedemption>.self)
            #expect(mine.items.map(\.id) == [result.redemption.id])
            let staffView = try await app.send(.GET, "/api/v1/admin/points-mall/redemptions?itemId=\(mall.item.id)", token: mall.admin)
                .decode(ListPage<PointsMallRedemption>.self)
            #expect(staffView.total == 1 && staffView.items[0].memberId == member.id)
            try await Self.invariants(app)
        }
    }

    @Test("cancelling the exchange's order gives back the points (mall_returned), the item's units, the member's limit and the store's stock — once")
    func cancelReturns() async throws {
        try await withTestApp { app in
            let mall = try await Self.mall(app)
            let member = try await Self.member(app, admin: mall.admin)
            let result = try await Self.redeem(app, mall.item, token: member.token, input: RedemptionInput(quantity: 2, storeId: mall.shop.near.id!))
                .decode(RedemptionResult.self)
            let orderId = try #require(result.redemption.orderId)
            let cancelled = try await app.send(.POST, "/api/v1/orders/\(orderId)/cancel", token: member.token, json: ["reason": "不想要了"])
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(try await Self.balance(app, member.token) == 2_000)
            let mine = try await app.send(.GET, "/api/v1/me/redemptions", token: member.token).decode(ListPage<PointsMallRedemption>.self)
            #expect(mine.items[0].status == .returned && mine.items[0].returnedAt != nil && mine.items[0].orderStatus == .cancelled)
            let item = try await app.send(.GET, "/api/v1/points-mall/items", token: member.token).decode(ListPage<PointsMallItem>.self).items[0]
            #expect(item.remaining == 5 && item.myRemaining == 2)
            #expect(try await CheckoutTests.level(app, mall.shop, mall.shop.near) == StockLevel(onHand: 10, reserved: 0))
            let returned = try await app.send(.GET, "/api/v1/me/points/ledger?kind=mall_returned", token: member.token).decode(ListPage<PointsEntry>.self)
            #expect(returned.items.map(\.points) == [1_000])
            let inbox = try await app.send(.GET, "/api/v1/me/notifications", token: member.token).decode(MemberInbox.self)
            #expect(inbox.notifications.items.contains { $0.title == "Points returned" })

            // Running the hook again (a late payment callback, a replayed job) changes nothing.
            let order = try #require(try await OrderModel.find(orderId, on: app.db))
            try await app.db.writeTransaction { db in try await PointsMallService(app: app, db: db).orderClosed(order, now: testEpoch) }
            #expect(try await Self.balance(app, member.token) == 2_000)
            try await Self.invariants(app)
        }
    }

    @Test("points plus cash: the order waits for its payment like a checkout; paid, it goes to the store; left unpaid, it expires and gives everything back")
    func pointsPlusCash() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let mall = try await Self.mall(app, pricePoints: 300, cashFen: 990)
            let member = try await Self.member(app, admin: mall.admin)
            let paid = try await Self.redeem(app, mall.item, token: member.token, input: RedemptionInput(storeId: mall.shop.near.id!)).decode(RedemptionResult.self)
            let payment = try #require(paid.payment)
            #expect(payment.amountFen == 990 && payment.status == "pending" && paid.redemption.orderStatus == .pendingPayment && paid.balance == 1_700)
            #expect(try await app.send(.POST, "/api/v1/payments/\(payment.id)/sandbox/complete", token: member.token).status == .ok)
            try await app.jobs.runDue()
            let order = try await app.send(.GET, "/api/v1/orders/\(paid.redemption.orderId!)", token: member.token).decode(Order.self)
            #expect(order.status == .paid && order.goodsFen == 990 && order.payableFen == 990)
            // The store takes it, so moving the clock past the acceptance deadline leaves it alone.
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(mall.shop.near.storeID))
            #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/accept", token: clerk).status == .ok)

            let unpaid = try await Self.redeem(app, mall.item, token: member.token, input: RedemptionInput(storeId: mall.shop.near.id!)).decode(RedemptionResult.self)
            #expect(unpaid.balance == 1_400)
            clock.advance(seconds: 31 * 60)
            try await app.jobs.runDue()
            let token = try await PointsTests.login(app, "13800138000")
            let expired = try await app.send(.GET, "/api/v1/orders/\(unpaid.redemption.orderId!)", token: token).decode(Order.self)
            #expect(expired.status == .expired)
            #expect(try await Self.balance(app, token) == 1_700)
            let item = try await app.send(.GET, "/api/v1/points-mall/items", token: token).decode(ListPage<PointsMallItem>.self).items[0]
            #expect(item.remaining == 4 && item.myRedeemed == 1)
            #expect(try await CheckoutTests.level(app, mall.shop, mall.shop.near) == StockLevel(onHand: 10, reserved: 1))
            try await Self.invariants(app)
        }
    }

    @Test("delivery to one of the member's addresses, from a store that reaches it; someone else's address is refused")
    func delivery() async throws {
        try await withTestApp { app in
            let mall = try await Self.mall(app)
            let member = try await Self.member(app, admin: mall.admin)
            let address = try #require(try await app.send(.GET, "/api/v1/me/addresses", token: member.token).decode([Address].self).first)
            let other = try await Self.member(app, admin: mall.admin, mobile: "13900000009", points: 0)
            let refused = try await Self.redeem(app, mall.item, token: other.token, input: RedemptionInput(fulfilment: .delivery, addressId: address.id))
            #expect(refused.status == .unprocessableEntity && refused.problem?.errors?.first?.field == "addressId")
            let result = try await Self.redeem(app, mall.item, token: member.token, input: RedemptionInput(fulfilment: .delivery, addressId: address.id))
            #expect(result.status == .created, "\(result.text)")
            let order = try await app.send(.GET, "/api/v1/orders/\(try result.decode(RedemptionResult.self).redemption.orderId!)", token: member.token).decode(Order.self)
            #expect(order.fulfilment == .delivery && order.storeName == "Store NEAR" && order.shippingFen == 0 && order.deliveryAddress?.detail == "愚园路168号")
            try await Self.invariants(app)
        }
    }

    @Test("refusals change nothing: too few points, the limit, sold out, not yet on offer, ended, a store without the stock")
    func refusals() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let mall = try await Self.mall(app, stock: 3, limit: 2, pricePoints: 500)
            let poor = try await Self.member(app, admin: mall.admin, mobile: "13900000001", points: 400)
            let tooFew = try await Self.redeem(app, mall.item, token: poor.token, input: RedemptionInput(storeId: mall.shop.near.id!))
            #expect(tooFew.status == .conflict && tooFew.problem?.detail == "Not enough points: 500 needed, 400 available.")

            let rich = try await Self.member(app, admin: mall.admin, mobile: "13900000002", points: 5_000)
            let three = try await Self.redeem(app, mall.item, token: rich.token, input: RedemptionInput(quantity: 3, storeId: mall.shop.near.id!))
            #expect(three.status == .conflict && three.problem?.detail == "You may exchange at most 2 of this item; 2 left for you.")
            #expect(try await Self.redeem(app, mall.item, token: rich.token, input: RedemptionInput(quantity: 2, storeId: mall.shop.near.id!)).status == .created)
            let over = try await Self.redeem(app, mall.item, token: rich.token, input: RedemptionInput(storeId: mall.shop.near.id!))
            #expect(over.problem?.detail == "You may exchange at most 2 of this item; 0 left for you.")

            let other = try await Self.member(app, admin: mall.admin, mobile: "13900000003", points: 5_000)
            let short = try await Self.redeem(app, mall.item, token: other.token, input: RedemptionInput(quantity: 2, storeId: mall.shop.near.id!))
            #expect(short.status == .conflict && short.problem?.detail == "This item is sold out.")
            #expect(try await Self.redeem(app, mall.item, token: other.token, input: RedemptionInput(quantity: 100, storeId: mall.shop.near.id!)).status == .unprocessableEntity)
            #expect(try await Self.redeem(app, mall.item, token: other.token, input: RedemptionInput()).problem?.errors?.first?.field == "storeId")

            // A store without the milk: the exchange is refused whole.
            let bare = try await Fixtures.store(app, code: "BARE")
            let noStock = try await Self.redeem(app, mall.item, token: other.token, input: RedemptionInput(storeId: bare.id!))
            #expect(noStock.status == .conflict, "\(noStock.text)")

            let later = PointsMallItemInput(title: "下周上新", skuId: mall.shop.milk.id!, pricePoints: 10, stock: 5,
                                            startsAt: testEpoch.addingTimeInterval(86_400), endsAt: testEpoch.addingTimeInterval(2 * 86_400))
            let upcoming = try await app.send(.POST, "/api/v1/admin/points-mall/items", token: mall.admin, json: later).decode(PointsMallItem.self)
            #expect(upcoming.availability == .notStarted)
            #expect(try await Self.redeem(app, upcoming, token: other.token, input: RedemptionInput(storeId: mall.shop.near.id!)).problem?.detail
                    == "This item is not on offer yet.")
            clock.advance(seconds: 3 * 86_400)
            let token = try await PointsTests.login(app, "13900000003")
            #expect(try await Self.redeem(app, upcoming, token: token, input: RedemptionInput(storeId: mall.shop.near.id!)).problem?.detail
                    == "This item is no longer on offer.")
            #expect(try await Self.balance(app, token) == 5_000)
            #expect(try await PointsMallRedemptionModel.query(on: app.db).count() == 1)
            // Lowering the stock below what was exchanged is refused.
            let lowered = try await app.send(.PUT, "/api/v1/admin/points-mall/items/\(mall.item.id)", token: try await PointsTests.login(app, "hq", staff: true),
                                             json: PointsMallItemInput(title: "积分换牛奶", skuId: mall.shop.milk.id!, pricePoints: 500, stock: 1, perMemberLimit: 2))
            #expect(lowered.status == .conflict && lowered.problem?.detail == "2 units were already exchanged; the stock cannot be lower than that.")
            try await Self.invariants(app)
        }
    }

    @Test("concurrent exchanges by many members never pass the item's stock or anyone's limit, and never overspend points")
    func concurrentExchanges() async throws {
        try await withTestApp { app in
            let mall = try await Self.mall(app, stock: 7, limit: 2, pricePoints: 400)
            var members: [(token: String, id: UUID)] = []
            for n in 0..<6 { members.append(try await Self.member(app, admin: mall.admin, mobile: "1390000010\(n)", points: 1_000)) }
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponseStatus).self) { group in
                for (index, member) in members.enumerated() {
                    for attempt in 0..<4 {
                        group.addTask {
                            let store = attempt % 2 == 0 ? mall.shop.near.id! : mall.shop.far.id!
                            return (index, try await Self.redeem(app, mall.item, token: member.token, input: RedemptionInput(storeId: store)).status)
                        }
                    }
                }
                return try await group.reduce(into: [(Int, HTTPResponseStatus)]()) { $0.append($1) }
            }
            let created = statuses.filter { $0.1 == .created }
            #expect(created.count == 7, "\(statuses.map(\.1))")
            #expect(statuses.allSatisfy { $0.1 == .created || $0.1 == .conflict })
            for index in members.indices { #expect(created.filter { $0.0 == index }.count <= 2) }
            let item = try #require(try await PointsMallItemModel.find(mall.item.id, on: app.db))
            #expect(item.stockRemaining == 0)
            for member in members {
                let held = try await PointsMallRedemptionModel.query(on: app.db).filter(\.$memberId == member.id).count()
                #expect(try await PointsService(db: app.db).balance(memberId: member.id) == 1_000 - Int64(held) * 400)
            }
            #expect(try await OrderModel.query(on: app.db).count() == 7)
            try await Self.invariants(app)
        }
    }

    @Test("the demo: four items at 静安寺店, a lottery of four prizes, points for every member to use; a member exchanges and draws; seeding again changes nothing")
    func demo() async throws {
        try await withTestApp { app in
            _ = try await DemoSeeder(app: app).run()
            let items = try await app.send(.GET, "/api/v1/points-mall/items").decode(ListPage<PointsMallItem>.self)
            #expect(items.total == 4 && items.items.allSatisfy { $0.availability == .open && $0.skuId != nil })
            #expect(items.items.contains { $0.cashFen > 0 })
            let lotteries = try await app.send(.GET, "/api/v1/lotteries").decode([Lottery].self)
            let lottery = try #require(lotteries.first { $0.name == DemoPointsMall.lotteryName })
            #expect(Set(lottery.prizes.map(\.kind)) == [.points, .sku, .nothing])
            let token = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: DemoSeeder.memberPassword))
                .decode(MemberSession.self).tokens.accessToken
            #expect(try await Self.balance(app, token) >= DemoPointsMall.memberPoints)

            let store = try #require(try await StoreModel.query(on: app.db).filter(\.$code == DemoPointsMall.storeCode).first())
            let item = try #require(items.items.first { $0.cashFen == 0 })
            #expect(try await Self.redeem(app, item, token: token, input: RedemptionInput(storeId: store.id!)).status == .created)
            #expect(try await LotteryTests.draw(app, lottery, token: token).status == .created)
            try await Self.invariants(app)
            try await LotteryTests.invariants(app)

            func counts() async throws -> [Int] {
                [try await PointsMallItemModel.query(on: app.db).count(), try await LotteryModel.query(on: app.db).count(),
                 try await LotteryPrizeTableModel.query(on: app.db).count(), try await PointsEntryModel.query(on: app.db).count()]
            }
            let before = try await counts()
            _ = try await DemoSeeder(app: app).run()
            #expect(try await counts() == before)
        }
    }
}
