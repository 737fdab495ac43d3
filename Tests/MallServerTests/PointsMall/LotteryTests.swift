import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// Hands out the given values in turn (then the last one again): a test picks the slot.
final class FixedLotteryRandom: LotteryRandomSource, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [UInt64]

    init(_ values: [UInt64]) { self.values = values }

    func next() -> UInt64 {
        lock.withLock { values.count > 1 ? values.removeFirst() : (values.first ?? 0) }
    }

    func set(_ new: [UInt64]) { lock.withLock { values = new } }

    /// The first value that lands on `slot` of a wheel with these weights: ⌈start · 2⁶⁴ / total⌉.
    static func value(landingOn slot: Int, weights: [Int]) -> UInt64 {
        let total = UInt64(weights.reduce(0, +))
        let start = UInt64(weights.prefix(slot).reduce(0, +))
        guard start > 0 else { return 0 }
        let (quotient, remainder) = total.dividingFullWidth((high: start, low: 0))
        return quotient + (remainder > 0 ? 1 : 0)
    }
}

@Suite("Lottery: wheels, secure draws, prize stock, replay")
struct LotteryTests {
    struct Wheel {
        let shop: CheckoutTests.Shop
        let admin: String
        let lottery: Lottery
        var weights: [Int] { lottery.prizes.map(\.weight) }
    }

    /// Milk (3 in stock as a prize, handed over at NEAR), 50 points (10 of them) and nothing.
    static func wheel(_ app: Application, milkStock: Int = 3, pointsStock: Int? = 10, cost: Int64 = 20, dailyLimit: Int = 5,
                      weights: (Int, Int, Int) = (1, 3, 6)) async throws -> Wheel {
        let shop = try await CheckoutTests.shop(app)
        let admin = try await PointsTests.admin(app)
        let input = LotteryInput(name: "幸运大转盘", description: "每天 5 次", costPoints: cost, dailyLimit: dailyLimit, prizes: [
            LotteryPrizeInput(name: "光明牛奶", kind: .sku, skuId: shop.milk.id!, storeId: shop.near.id!, weight: weights.0, stock: milkStock),
            LotteryPrizeInput(name: "50 积分", kind: .points, points: 50, weight: weights.1, stock: pointsStock),
            LotteryPrizeInput(name: "谢谢参与", kind: .nothing, weight: weights.2),
        ])
        let created = try await app.send(.POST, "/api/v1/admin/lotteries", token: admin, json: input)
        #expect(created.status == .created, "\(created.text)")
        return Wheel(shop: shop, admin: admin, lottery: try created.decode(Lottery.self))
    }

    static func draw(_ app: Application, _ lottery: Lottery, token: String, key: String = "draw-\(UUID().uuidString)") async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/lotteries/\(lottery.id)/draws", token: token, headers: ["Idempotency-Key": key])
    }

    static func invariants(_ app: Application) async throws {
        try await Fixtures.expectPointsLedgerMatches(app)
        try await Fixtures.expectLedgerMatchesProjection(app)
        // Every draw replays from its stored value and table version to the slot it recorded.
        for draw in try await LotteryDrawModel.query(on: app.db).all() {
            let table = try #require(try await LotteryService.table(lotteryId: draw.lotteryId, version: draw.tableVersion, on: app.db))
            let value = try #require(draw.randomValue)
            #expect(LotteryWheel.slot(for: value, weights: table.weights) == draw.drawnSlot)
            #expect(table.slots[draw.drawnSlot].prizeId == draw.drawnPrizeId)
        }
        for prize in try await LotteryPrizeModel.query(on: app.db).all() where prize.stockTotal != nil {
            let given = try await LotteryDrawModel.query(on: app.db).filter(\.$prizeId == prize.id!).filter(\.$prizeReturnedAt == nil).count()
            #expect(prize.stockRemaining == prize.stockTotal! - given, "stock of \(prize.name)")
            #expect((prize.stockRemaining ?? 0) >= 0)
        }
    }

    @Test("staff build a wheel (audited, table version 1); a save keeps what each prize gave out and writes version 2; bad wheels are 422s")
    func staffWheels() async throws {
        try await withTestApp { app in
            let wheel = try await Self.wheel(app)
            #expect(wheel.lottery.tableVersion == 1 && wheel.lottery.prizes.map(\.chanceBasisPoints) == [1_000, 3_000, 6_000])
            #expect(wheel.lottery.prizes[0].skuTitle?.contains("MILK") == true && wheel.lottery.prizes[0].storeName == "Store NEAR")
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "lottery.create").count() == 1)

            var input = LotteryInput(name: "幸运大转盘", costPoints: 10, dailyLimit: 3, prizes: [
                LotteryPrizeInput(id: wheel.lottery.prizes[0].id, name: "光明牛奶", kind: .sku, skuId: wheel.shop.milk.id!, storeId: wheel.shop.near.id!, weight: 2, stock: 5),
                LotteryPrizeInput(name: "谢谢参与", kind: .nothing, weight: 8),
            ])
            let saved = try await app.send(.PUT, "/api/v1/admin/lotteries/\(wheel.lottery.id)", token: wheel.admin, json: input).decode(Lottery.self)
            #expect(saved.tableVersion == 2 && saved.prizes.map(\.name) == ["光明牛奶", "谢谢参与"])
            #expect(saved.prizes[0].id == wheel.lottery.prizes[0].id && saved.prizes[0].remaining == 5)
            #expect(try await LotteryPrizeModel.query(on: app.db).filter(\.$retired == true).count() == 2, "the points prize and the old nothing")
            #expect(try await LotteryPrizeTableModel.query(on: app.db).count() == 2)

            input.prizes[0].id = UUID()
            let stranger = try await app.send(.PUT, "/api/v1/admin/lotteries/\(wheel.lottery.id)", token: wheel.admin, json: input)
            #expect(stranger.problem?.errors?.map(\.field) == ["prizes[0].id"])
            let bad = try await app.send(.POST, "/api/v1/admin/lotteries", token: wheel.admin, json: LotteryInput(name: "", costPoints: -1, dailyLimit: 0, prizes: [
                LotteryPrizeInput(name: "牛奶", kind: .sku, skuId: wheel.shop.milk.id!, storeId: wheel.shop.far.id!, weight: 0),
            ]))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["name", "costPoints", "dailyLimit", "prizes", "prizes[0].stock"], "\(bad.text)")
            let foreignStore = try await Fixtures.store(app, code: "XF", merchant: try await Fixtures.merchant(app, code: "FRUIT").id!)
            let wrongStore = try await app.send(.POST, "/api/v1/admin/lotteries", token: wheel.admin, json: LotteryInput(name: "x", costPoints: 1, dailyLimit: 1, prizes: [
                LotteryPrizeInput(name: "牛奶", kind: .sku, skuId: wheel.shop.milk.id!, storeId: foreignStore.id!, weight: 1, stock: 1),
                LotteryPrizeInput(name: "无", kind: .nothing, weight: 1),
            ]))
            #expect(wrongStore.problem?.errors?.map(\.field) == ["prizes[0].storeId"])
            let (_, merchantAdmin) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            #expect(try await app.send(.GET, "/api/v1/admin/lotteries", token: merchantAdmin).status == .forbidden)
        }
    }

    @Test("each prize in turn, by the value the server drew: points credited, milk as a paid zero-price pickup order at NEAR, nothing; the cost spent; prizes in the inbox; every draw replays")
    func prizes() async throws {
        try await withTestApp { app in
            let random = FixedLotteryRandom([0])
            app.lotteryRandom = random
            let wheel = try await Self.wheel(app)
            let member = try await PointsMallTests.member(app, admin: wheel.admin, points: 100)
            #expect(try await app.send(.POST, "/api/v1/lotteries/\(wheel.lottery.id)/draws", token: member.token).problem?.errors?.first?.field
                    == "Idempotency-Key")

            random.set([FixedLotteryRandom.value(landingOn: 1, weights: wheel.weights)])
            let points = try await Self.draw(app, wheel.lottery, token: member.token, key: "draw-points-1")
            #expect(points.status == .created, "\(points.text)")
            let won = try points.decode(LotteryDrawResult.self)
            #expect(won.draw.prizeKind == .points && won.draw.points == 50 && won.draw.drawnSlot == 1 && won.draw.landingSlot == 1)
            #expect(won.balance == 130 && won.remainingToday == 4 && won.draw.costPoints == 20 && won.draw.random.count == 16)

            random.set([FixedLotteryRandom.value(landingOn: 0, weights: wheel.weights)])
            let milk = try await Self.draw(app, wheel.lottery, token: member.token).decode(LotteryDrawResult.self)
            #expect(milk.draw.prizeKind == .sku && milk.draw.prizeName == "光明牛奶" && milk.draw.random == "0000000000000000")
            let order = try await app.send(.GET, "/api/v1/orders/\(try #require(milk.draw.orderId))", token: member.token).decode(Order.self)
            #expect(order.status == .paid && order.payableFen == 0 && order.fulfilment == .pickup && order.storeName == "Store NEAR")
            #expect(milk.draw.orderNumber == order.number)
            #expect(try await CheckoutTests.level(app, wheel.shop, wheel.shop.near) == StockLevel(onHand: 10, reserved: 1))

            random.set([UInt64.max])
            let nothing = try await Self.draw(app, wheel.lottery, token: member.token).decode(LotteryDrawResult.self)
            #expect(nothing.draw.prizeKind == .nothing && nothing.draw.prizeName == "谢谢参与" && nothing.draw.fallback == nil && nothing.balance == 90)

            let retry = try await Self.draw(app, wheel.lottery, token: member.token, key: "draw-points-1")
            #expect(retry.status == .ok)
            #expect(try retry.decode(LotteryDrawResult.self).draw.id == won.draw.id)

            let ledger = try await app.send(.GET, "/api/v1/me/points/ledger", token: member.token).decode(ListPage<PointsEntry>.self)
            #expect(ledger.items.filter { $0.kind == .lotterySpent }.count == 3 && ledger.items.filter { $0.kind == .lotteryPrize }.map(\.points) == [50])
            let inbox = try await app.send(.GET, "/api/v1/me/notifications", token: member.token).decode(MemberInbox.self)
            #expect(inbox.notifications.items.filter { $0.title.hasPrefix("You won: ") }.count == 2)
            let chinese = try await app.send(.GET, "/api/v1/me/notifications", token: member.token, headers: ["Accept-Language": "zh-CN"]).decode(MemberInbox.self)
            #expect(chinese.notifications.items.contains { $0.title.hasPrefix("恭喜中奖：") && $0.body.hasSuffix("：获得 50 积分。") },
                    "stored in English, read in the member's language: \(chinese.notifications.items.map(\.body))")

            let view = try await app.send(.GET, "/api/v1/lotteries/\(wheel.lottery.id)", token: member.token).decode(LotteryView.self)
            #expect(view.drawsToday == 3 && view.remainingToday == 2 && view.myDrawsToday.count == 3 && view.balance == 90)
            #expect(view.lottery.prizes[0].remaining == 2 && view.lottery.prizes[1].remaining == 9)
            #expect(try await app.send(.GET, "/api/v1/me/lottery-draws", token: member.token).decode(ListPage<LotteryDraw>.self).total == 3)
            let guest = try await app.send(.GET, "/api/v1/lotteries/\(wheel.lottery.id)").decode(LotteryView.self)
            #expect(guest.drawsToday == nil && guest.myDrawsToday.isEmpty)

            // Staff replay a draw from what was stored.
            let audit = try await app.send(.GET, "/api/v1/admin/lotteries/\(wheel.lottery.id)/draws/\(milk.draw.id)", token: wheel.admin).decode(LotteryDrawAudit.self)
            #expect(audit.reproduced && audit.replayedSlot == 0 && audit.table.version == 1 && audit.table.slots.count == 3)
            let all = try await app.send(.GET, "/api/v1/admin/lotteries/\(wheel.lottery.id)/draws?memberId=\(member.id)", token: wheel.admin)
                .decode(ListPage<LotteryDraw>.self)
            #expect(all.total == 3)

            // Cancelling the prize's order gives the unit back to the prize (and the store).
            #expect(try await app.send(.POST, "/api/v1/orders/\(order.id)/cancel", token: member.token).status == .ok)
            let after = try await app.send(.GET, "/api/v1/lotteries/\(wheel.lottery.id)").decode(LotteryView.self)
            #expect(after.lottery.prizes[0].remaining == 3)
            try await Self.invariants(app)
        }
    }

    @Test("a prize whose stock is gone falls back to nothing, on the record, and the wheel stops on the nothing slot; never below zero")
    func outOfStockFallback() async throws {
        try await withTestApp { app in
            let random = FixedLotteryRandom([0])
            app.lotteryRandom = random
            let wheel = try await Self.wheel(app, milkStock: 1)
            let member = try await PointsMallTests.member(app, admin: wheel.admin, points: 100)
            random.set([FixedLotteryRandom.value(landingOn: 0, weights: wheel.weights)])
            #expect(try await Self.draw(app, wheel.lottery, token: member.token).decode(LotteryDrawResult.self).draw.prizeKind == .sku)
            let second = try await Self.draw(app, wheel.lottery, token: member.token).decode(LotteryDrawResult.self)
            #expect(second.draw.drawnSlot == 0 && second.draw.fallback == .outOfStock && second.draw.prizeKind == .nothing)
            #expect(second.draw.landingSlot == 2 && second.draw.prizeName == "谢谢参与" && second.draw.orderId == nil)
            #expect(try await LotteryPrizeModel.find(wheel.lottery.prizes[0].id, on: app.db)?.stockRemaining == 0)

            // The store sold its milk: the prize keeps its unit and the draw gives nothing.
            let input = LotteryInput(name: "幸运大转盘", costPoints: 20, dailyLimit: 5, prizes: wheel.lottery.prizes.map {
                LotteryPrizeInput(id: $0.id, name: $0.name, kind: $0.kind, points: $0.points, skuId: $0.skuId, storeId: $0.storeId, weight: $0.weight,
                                  stock: $0.kind == .sku ? 2 : $0.stock)
            })
            #expect(try await app.send(.PUT, "/api/v1/admin/lotteries/\(wheel.lottery.id)", token: wheel.admin, json: input).status == .ok)
            try await app.db.writeTransaction { db in
                try await InventoryService.make(app, on: db).move(.adjustment, [StockRequest(skuId: wheel.shop.milk.id!, storeId: wheel.shop.near.id!, quantity: -9)],
                                                                  context: MovementContext(now: testEpoch))
            }
            let third = try await Self.draw(app, wheel.lottery, token: member.token).decode(LotteryDrawResult.self)
            #expect(third.draw.fallback == .storeOutOfStock && third.draw.prizeKind == .nothing && third.draw.tableVersion == 2)
            #expect(try await LotteryPrizeModel.find(wheel.lottery.prizes[0].id, on: app.db)?.stockRemaining == 1)
            try await Self.invariants(app)
        }
    }

    @Test("the daily limit counts the shop's calendar day; the next day draws again; not enough points is a 409 that changes nothing")
    func dailyLimit() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            app.lotteryRandom = FixedLotteryRandom([.max])
            let wheel = try await Self.wheel(app, dailyLimit: 2)
            let member = try await PointsMallTests.member(app, admin: wheel.admin, points: 50)
            #expect(try await Self.draw(app, wheel.lottery, token: member.token).status == .created)
            #expect(try await Self.draw(app, wheel.lottery, token: member.token).status == .created)
            let third = try await Self.draw(app, wheel.lottery, token: member.token)
            #expect(third.status == .conflict && third.problem?.detail == "You have used today's 2 draws; come back tomorrow.")
            clock.advance(seconds: 86_400)
            let token = try await PointsTests.login(app, "13800138000")
            let poor = try await Self.draw(app, wheel.lottery, token: token)
            #expect(poor.status == .conflict && poor.problem?.detail == "Not enough points: 20 needed, 10 available.")
            #expect(try await LotteryDrawModel.query(on: app.db).count() == 2)
            #expect(try await app.send(.GET, "/api/v1/lotteries/\(wheel.lottery.id)", token: token).decode(LotteryView.self).remainingToday == 2)
            try await Self.invariants(app)
        }
    }

    @Test("200 concurrent draws never give out more prizes than their stock and never overspend anyone's points")
    func drawStampede() async throws {
        try await withTestApp { app in
            // Prizes drawn most of the time, so their stock runs out under the stampede.
            let wheel = try await Self.wheel(app, milkStock: 4, pointsStock: 15, cost: 10, dailyLimit: 50, weights: (5, 5, 1))
            var members: [(token: String, id: UUID)] = []
            for n in 0..<10 { members.append(try await PointsMallTests.member(app, admin: wheel.admin, mobile: "1390000020\(n)", points: 150)) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<200 {
                    let member = members[index % members.count]
                    group.addTask { try await Self.draw(app, wheel.lottery, token: member.token).status }
                }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            // 150 points pay for 15 draws each (points prizes add 50, paying for 5 more).
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
            let draws = try await LotteryDrawModel.query(on: app.db).all()
            #expect(draws.count == statuses.filter { $0 == .created }.count)
            let milk = draws.filter { $0.prizeKind == LotteryPrizeKind.sku.rawValue }
            let points = draws.filter { $0.prizeKind == LotteryPrizeKind.points.rawValue }
            #expect(milk.count <= 4 && points.count <= 15)
            #expect(try await LotteryPrizeModel.find(wheel.lottery.prizes[0].id, on: app.db)?.stockRemaining == 4 - milk.count)
            #expect(try await LotteryPrizeModel.find(wheel.lottery.prizes[1].id, on: app.db)?.stockRemaining == 15 - points.count)
            #expect(try await OrderModel.query(on: app.db).count() == milk.count)
            for member in members {
                let mine = draws.filter { $0.memberId == member.id }
                let won = mine.compactMap(\.points).reduce(0, +)
                #expect(try await PointsService(db: app.db).balance(memberId: member.id) == 150 - Int64(mine.count) * 10 + won)
            }
            #expect(draws.filter { $0.fallback != nil }.allSatisfy { $0.prizeKind == LotteryPrizeKind.nothing.rawValue })
            try await Self.invariants(app)
        }
    }
}
