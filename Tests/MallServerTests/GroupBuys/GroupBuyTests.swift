import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

extension Fixtures {
    /// Group buying's invariants: a group's `joined` is its members holding a slot (pending or
    /// paid) while open, `paid` its paid members, both within its size; each member's counter is
    /// the groups they hold a place in; every held place has an order that is not closed.
    static func expectGroupBuysConsistent(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let rows = try await GroupBuyMemberModel.query(on: app.db).all()
        let orders = Dictionary(uniqueKeysWithValues: try await OrderModel.query(on: app.db).all().map { ($0.id!, $0) })
        for group in try await GroupBuyGroupModel.query(on: app.db).all() {
            let mine = rows.filter { $0.groupId == group.id }
            let paid = mine.filter { $0.status == GroupBuyMemberStatus.paid.rawValue }.count
            #expect(group.joined <= group.size && group.paid <= group.joined, sourceLocation: sourceLocation)
            if group.status == GroupBuyGroupStatus.open.rawValue {
                #expect(group.joined == mine.filter { $0.status == GroupBuyMemberStatus.pending.rawValue }.count + paid, sourceLocation: sourceLocation)
                #expect(group.paid == paid, sourceLocation: sourceLocation)
            }
        }
        let counts = try await GroupBuyMemberCountModel.query(on: app.db).all()
        let held = rows.filter { [GroupBuyMemberStatus.pending.rawValue, GroupBuyMemberStatus.paid.rawValue].contains($0.status) }
        for count in counts {
            #expect(count.taken == held.filter { $0.activityId == count.activityId && $0.memberId == count.memberId }.count, sourceLocation: sourceLocation)
        }
        for row in held {
            let status = row.orderId.flatMap { orders[$0]?.status }
            #expect(status != nil && status != OrderStatus.cancelled.rawValue && status != OrderStatus.expired.rawValue, sourceLocation: sourceLocation)
        }
    }
}

@Suite("Group buying: activities, open and join, fill → allocation, expiry refunds once, stampede")
struct GroupBuyTests {
    struct Deal {
        let shop: CheckoutTests.Shop
        let admin: String
        let activity: GroupBuyActivity
    }

    /// The checkout shop and an activity selling NEAR's milk (¥12.50) at ¥9.90 in groups of `size`
    /// within an hour, live from the test epoch for a day.
    static func deal(_ app: Application, size: Int = 2, limit: Int = 1, virtualFill: Int = 0, nearStock: Int = 60) async throws -> Deal {
        let shop = try await CheckoutTests.shop(app, nearStock: nearStock)
        let admin = try await PointsTests.admin(app)
        let created = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: admin, json: GroupBuyActivityInput(
            title: "牛奶两人团", skuId: shop.milk.id!, storeId: shop.near.id!, groupPriceFen: 990, groupSize: size, timeLimitMinutes: 60,
            perMemberLimit: limit, virtualFill: virtualFill, startsAt: testEpoch, endsAt: testEpoch.addingTimeInterval(86_400)))
        #expect(created.status == .created, "\(created.text)")
        return Deal(shop: shop, admin: admin, activity: try created.decode(GroupBuyActivity.self))
    }

    static func open(_ app: Application, _ deal: Deal, token: String, key: String = UUID().uuidString) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/group-buys/\(deal.activity.id)/groups", token: token, json: GroupBuyJoinInput(),
                           headers: ["Idempotency-Key": key])
    }

    static func join(_ app: Application, _ groupId: UUID, token: String, key: String = UUID().uuidString) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/group-buys/groups/\(groupId)/members", token: token, json: GroupBuyJoinInput(),
                           headers: ["Idempotency-Key": key])
    }

    static func pay(_ app: Application, _ result: GroupBuyJoinResult, token: String) async throws {
        let paid = try await app.send(.POST, "/api/v1/payments/\(try #require(result.payment).id)/sandbox/complete", token: token)
        #expect(paid.status == .ok, "\(paid.text)")
        try await app.jobs.runDue()
    }

    static func status(_ app: Application, _ orderId: UUID) async throws -> String? {
        try await OrderModel.find(orderId, on: app.db)?.status
    }

    static func invariants(_ app: Application) async throws {
        try await Fixtures.expectLedgerMatchesProjection(app)
        try await Fixtures.expectGroupBuysConsistent(app)
    }

    @Test("staff create activities (audited); bad input is refused with every field and no rows; edits stop at the start; end early; copy; live numbers; other merchants are forbidden")
    func staff() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let deal = try await Self.deal(app)
            #expect(deal.activity.phase == .live && deal.activity.groupPriceFen == 990 && deal.activity.listPriceFen == 1_250 && deal.activity.openGroups == [])
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "group_buy.activity.create").count() == 1)
            let bad = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: deal.admin, json: GroupBuyActivityInput(
                title: "", skuId: deal.shop.milk.id!, storeId: UUID(), groupPriceFen: 1_250, groupSize: 51, timeLimitMinutes: 0, perMemberLimit: 0,
                virtualFill: -1, startsAt: testEpoch, endsAt: testEpoch))
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["title", "endsAt", "groupPriceFen", "groupSize", "timeLimitMinutes", "perMemberLimit",
                                                                     "virtualFill", "storeId"], "\(bad.text)")
            let malformed = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: deal.admin, raw: "{")
            #expect(malformed.status == .badRequest)
            #expect(try await GroupBuyActivityModel.query(on: app.db).count() == 1)

            var input = GroupBuyActivityInput(title: "三人团", skuId: deal.shop.milk.id!, storeId: deal.shop.far.id!, groupPriceFen: 880, groupSize: 3,
                                              timeLimitMinutes: 30, startsAt: testEpoch.addingTimeInterval(3_600), endsAt: testEpoch.addingTimeInterval(7_200))
            let later = try await app.send(.POST, "/api/v1/admin/marketing/group-buys", token: deal.admin, json: input).decode(GroupBuyActivity.self)
            input.groupSize = 4
            let edited = try await app.send(.PUT, "/api/v1/admin/marketing/group-buys/\(later.id)", token: deal.admin, json: input).decode(GroupBuyActivity.self)
            #expect(edited.groupSize == 4 && edited.phase == .upcoming && edited.storeName == "Store FAR")
            let started = try await app.send(.PUT, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)", token: deal.admin, json: input)
            #expect(started.status == .conflict && started.problem?.detail == "A group buy that has started or ended cannot be changed.", "\(started.text)")

            let (_, other) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(deal.shop.near.storeID))
            #expect(try await app.send(.GET, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)", token: other).status == .forbidden)

            let copy = try await app.send(.POST, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/copies", token: deal.admin,
                                          json: GroupBuyCopyInput(startsAt: testEpoch.addingTimeInterval(86_400), endsAt: testEpoch.addingTimeInterval(172_800)))
            #expect(copy.status == .created)
            #expect(try copy.decode(GroupBuyActivity.self).groupPriceFen == 990)
            let running = try await app.send(.GET, "/api/v1/group-buys").decode([GroupBuyActivity].self)
            #expect(running.map(\.id) == [deal.activity.id])

            let member = try await FlashSaleTests.quickMember(app, 1)
            let opened = try await Self.open(app, deal, token: member.token).decode(GroupBuyJoinResult.self)
            let ended = try await app.send(.POST, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/end", token: deal.admin).decode(GroupBuyActivity.self)
            #expect(ended.phase == .ended)
            // The open group expires with the activity: its job runs now and cancels the unpaid order.
            try await app.jobs.runDue()
            #expect(try await GroupBuyGroupModel.find(opened.group.id, on: app.db)?.status == GroupBuyGroupStatus.failed.rawValue)
            #expect(try await Self.status(app, opened.orderId) == OrderStatus.cancelled.rawValue)
            #expect(try await Self.open(app, deal, token: member.token).problem?.detail == "This group buy is not running.")
            let list = try await app.send(.GET, "/api/v1/admin/marketing/group-buys", token: deal.admin).decode(ListPage<GroupBuyActivity>.self)
            #expect(list.total == 3)
            let live = try await app.send(.GET, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/live", token: deal.admin).decode(GroupBuyLive.self)
            #expect(live.groupsOpened == 1 && live.groupsFailed == 1 && live.conversionPercent == 0)
        }
    }

    @Test("a group of 2 fills when both have paid: until then the paid order waits without a store; then both orders reach their store; joining twice is a 409; a retried open answers the first")
    func fill() async throws {
        try await withTestApp { app in
            let deal = try await Self.deal(app, size: 2)
            let opener = try await FlashSaleTests.quickMember(app, 1)
            let friend = try await FlashSaleTests.quickMember(app, 2)
            let opened = try await Self.open(app, deal, token: opener.token, key: "open-once-0001")
            #expect(opened.status == .created, "\(opened.text)")
            let first = try opened.decode(GroupBuyJoinResult.self)
            #expect(first.group.slotsLeft == 1 && first.payment?.amountFen == 990 && first.group.members.map(\.opener) == [true])
            // A retry after a lost answer gets the same group and order, not a second group.
            let retried = try await Self.open(app, deal, token: opener.token, key: "open-once-0001")
            #expect(retried.status == .ok, "\(retried.text)")
            let again0 = try retried.decode(GroupBuyJoinResult.self)
            #expect(again0.orderId == first.orderId && again0.group.id == first.group.id && again0.payment?.id == first.payment?.id)
            let groups = try await GroupBuyGroupModel.query(on: app.db).count(), orders = try await OrderModel.query(on: app.db).count()
            #expect(groups == 1 && orders == 1)
            let reused = try await Self.join(app, first.group.id, token: opener.token, key: "open-once-0001")
            #expect(reused.status == .unprocessableEntity && reused.problem?.detail == "This Idempotency-Key was already used for a different group.",
                    "\(reused.text)")
            let keyless = try await app.send(.POST, "/api/v1/group-buys/groups/\(first.group.id)/members", token: friend.token, json: GroupBuyJoinInput())
            #expect(keyless.status == .unprocessableEntity && keyless.text.contains("Idempotency-Key"), "\(keyless.text)")
            #expect(first.paymentDueAt == testEpoch.addingTimeInterval(300))
            try await Self.pay(app, first, token: opener.token)
            #expect(try await Self.status(app, first.orderId) == OrderStatus.awaitingGroup.rawValue)
            // Held: no store was told and no acceptance deadline runs.
            #expect(try await NotificationModel.query(on: app.db).filter(\.$audience == "storeManagers").count() == 0)
            #expect(try await JobModel.query(on: app.db).filter(\.$kind == OrderEffects.acceptanceTimeoutJob).count() == 0)

            let again = try await Self.join(app, first.group.id, token: opener.token)
            #expect(again.status == .conflict && again.problem?.detail == "You are already in this group.", "\(again.text)")
            let shown = try await app.send(.GET, "/api/v1/group-buys/\(deal.activity.id)").decode(GroupBuyActivity.self)
            #expect(shown.openGroups?.map(\.id) == [first.group.id] && shown.openGroups?.first?.members.first?.paid == true)

            let second = try await Self.join(app, first.group.id, token: friend.token).decode(GroupBuyJoinResult.self)
            #expect(second.group.slotsLeft == 0)
            let third = try await FlashSaleTests.quickMember(app, 3)
            #expect(try await Self.join(app, first.group.id, token: third.token).problem?.detail == "This group is full.")
            try await Self.pay(app, second, token: friend.token)
            let group = try await app.send(.GET, "/api/v1/group-buys/groups/\(first.group.id)").decode(GroupBuyGroupView.self)
            #expect(group.status == .filled && group.paid == 2 && group.sharePath == "/group-buys/groups/\(first.group.id)")
            #expect(try await Self.status(app, first.orderId) == OrderStatus.paid.rawValue)
            #expect(try await Self.status(app, second.orderId) == OrderStatus.paid.rawValue)
            #expect(try await JobModel.query(on: app.db).filter(\.$kind == OrderEffects.acceptanceTimeoutJob).count() == 2)
            #expect(try await NotificationModel.query(on: app.db).filter(\.$title == "Group buy filled").count() == 2)
            // Filled: the expiry job later changes nothing.
            try await GroupBuyService(app: app, db: app.db).expire(groupId: first.group.id, now: testEpoch.addingTimeInterval(7_200))
            #expect(try await RefundModel.query(on: app.db).count() == 0)
            let live = try await app.send(.GET, "/api/v1/admin/marketing/group-buys/\(deal.activity.id)/live", token: deal.admin).decode(GroupBuyLive.self)
            #expect(live.groupsFilled == 1 && live.paidOrders == 2 && live.revenueFen == 1_980 && live.discountFen == 520 && live.conversionPercent == 100)
            // The per-member limit of 1: the opener cannot open another group.
            #expect(try await Self.open(app, deal, token: opener.token).problem?.detail == "You may be in at most 1 groups of this group buy.")
            try await Self.invariants(app)
        }
    }

    @Test("an unpaid member's slot is released when their order expires, and someone else can take it")
    func unpaidSlot() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let deal = try await Self.deal(app, size: 2)
            let opener = try await FlashSaleTests.quickMember(app, 1)
            let idler = try await FlashSaleTests.quickMember(app, 2)
            let first = try await Self.open(app, deal, token: opener.token).decode(GroupBuyJoinResult.self)
            let idle = try await Self.join(app, first.group.id, token: idler.token).decode(GroupBuyJoinResult.self)
            clock.advance(seconds: 301)
            try await app.jobs.runDue()
            #expect(try await Self.status(app, idle.orderId) == OrderStatus.expired.rawValue)
            let group = try await app.send(.GET, "/api/v1/group-buys/groups/\(first.group.id)").decode(GroupBuyGroupView.self)
            #expect(group.status == .open && group.joined == 0 && group.slotsLeft == 2)
            #expect(try await Self.join(app, first.group.id, token: idler.token).status == .created)
            try await Self.invariants(app)
        }
    }

    @Test("a group of 5 gets exactly 5 members from an opener and 50 concurrent joins: 4 join, 46 are refused with 409")
    func stampede() async throws {
        try await withTestApp { app in
            let deal = try await Self.deal(app, size: 5)
            let opener = try await FlashSaleTests.quickMember(app, 0)
            let group = try await Self.open(app, deal, token: opener.token).decode(GroupBuyJoinResult.self).group
            var members: [(token: String, id: UUID)] = []
            for n in 1...50 { members.append(try await FlashSaleTests.quickMember(app, n)) }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { tasks in
                for member in members {
                    tasks.addTask { try await Self.join(app, group.id, token: member.token).status }
                }
                return try await tasks.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 4, "\(Dictionary(grouping: statuses, by: \.code).mapValues(\.count))")
            #expect(statuses.filter { $0 == .conflict }.count == 46)
            let rows = try await GroupBuyMemberModel.query(on: app.db).filter(\.$groupId == group.id).all()
            #expect(rows.count == 5 && Set(rows.map(\.memberId)).count == 5)
            #expect(try await GroupBuyGroupModel.find(group.id, on: app.db)?.joined == 5)
            #expect(try await OrderModel.query(on: app.db).count() == 5)
            #expect(try await CheckoutTests.level(app, deal.shop, deal.shop.near) == StockLevel(onHand: 60, reserved: 5))
            try await Self.invariants(app)
        }
    }

    @Test("an unfilled group fails at its expiry and refunds every paid member exactly once, however often and concurrently the job runs; stock is released and nothing reached a store")
    func refundOnce() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let deal = try await Self.deal(app, size: 4)
            var joined: [GroupBuyJoinResult] = []
            var tokens: [String] = []
            for n in 1...3 {
                let member = try await FlashSaleTests.quickMember(app, n)
                tokens.append(member.token)
                let response = n == 1 ? try await Self.open(app, deal, token: member.token) : try await Self.join(app, joined[0].group.id, token: member.token)
                joined.append(try response.decode(GroupBuyJoinResult.self))
            }
            // Two pay; the third's payment window is still open when the group's time runs out.
            try await Self.pay(app, joined[0], token: tokens[0])
            try await Self.pay(app, joined[1], token: tokens[1])
            clock.advance(seconds: 250)
            let unpaid = try #require(joined[2].payment)
            #expect(try await CheckoutTests.level(app, deal.shop, deal.shop.near) == StockLevel(onHand: 60, reserved: 3))
            clock.set(joined[0].group.expiresAt.addingTimeInterval(1))

            let service = GroupBuyService(app: app, db: app.db)
            let now = clock.now()
            let groupId = joined[0].group.id
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for _ in 0..<4 { tasks.addTask { try await service.expire(groupId: groupId, now: now) } }
                try await tasks.waitForAll()
            }
            try await app.jobs.runDue()
            try await service.expire(groupId: joined[0].group.id, now: now)
            try await service.sweep(now: now)

            let group = try await app.send(.GET, "/api/v1/group-buys/groups/\(joined[0].group.id)").decode(GroupBuyGroupView.self)
            #expect(group.status == .failed)
            for result in joined { #expect(try await Self.status(app, result.orderId) == OrderStatus.cancelled.rawValue) }
            let refunds = try await RefundModel.query(on: app.db).all()
            #expect(refunds.count == 2 && Set(refunds.map(\.orderId)) == Set([joined[0].orderId, joined[1].orderId]), "\(refunds.map(\.cause))")
            #expect(refunds.allSatisfy { $0.cause == RefundCause.groupFailed.rawValue && $0.amountFen == 990 && $0.status == RefundStatus.succeeded.rawValue })
            #expect(try await CheckoutTests.level(app, deal.shop, deal.shop.near) == StockLevel(onHand: 60, reserved: 0))
            #expect(try await NotificationModel.query(on: app.db).filter(\.$title == "Group buy did not fill").count() == 3)
            #expect(try await NotificationModel.query(on: app.db).filter(\.$audience == "storeManagers").count() == 0)
            #expect(try await JobModel.query(on: app.db).filter(\.$kind == OrderEffects.acceptanceTimeoutJob).count() == 0)
            // The third member pays late: the money goes straight back, and the group stays failed.
            // (The sandbox page refuses a closed order, so the gateway's notification is simulated.)
            let payment = try #require(try await PaymentModel.find(unpaid.id, on: app.db))
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "SBX-LATE", at: clock.now())
            try await app.jobs.runDue()
            #expect(try await RefundModel.query(on: app.db).count() == 3)
            #expect(try await GroupBuyGroupModel.find(joined[0].group.id, on: app.db)?.status == GroupBuyGroupStatus.failed.rawValue)
            try await Self.invariants(app)
        }
    }

    @Test("virtual fill: a group missing at most the activity's setting is completed by the platform at expiry and its paid orders go to the store")
    func virtualFill() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let deal = try await Self.deal(app, size: 3, virtualFill: 2)
            let opener = try await FlashSaleTests.quickMember(app, 1)
            let first = try await Self.open(app, deal, token: opener.token).decode(GroupBuyJoinResult.self)
            try await Self.pay(app, first, token: opener.token)
            clock.set(first.group.expiresAt)
            try await app.jobs.runDue()
            let group = try await app.send(.GET, "/api/v1/group-buys/groups/\(first.group.id)").decode(GroupBuyGroupView.self)
            #expect(group.status == .filled && group.members.filter(\.virtual).count == 2)
            #expect(try await Self.status(app, first.orderId) == OrderStatus.paid.rawValue)
            #expect(try await RefundModel.query(on: app.db).count() == 0)
            try await Self.invariants(app)
        }
    }
}

extension GroupBuyTests {
    @Test("the demo: a running three-person group buy with one open group whose opener has paid; another member joins; seeding again changes nothing; a day later the unfilled group is refunded and seeding opens a fresh one")
    func demo() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            _ = try await DemoSeeder(app: app).run()
            let running = try await app.send(.GET, "/api/v1/group-buys").decode([GroupBuyActivity].self)
            #expect(running.count == 1 && running[0].groupSize == 3 && running[0].groupPriceFen < running[0].listPriceFen)
            let shown = try await app.send(.GET, "/api/v1/group-buys/\(running[0].id)").decode(GroupBuyActivity.self)
            let group = try #require(shown.openGroups?.first)
            #expect(group.paid == 1 && group.slotsLeft == 2 && group.members.first?.paid == true)
            let token = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: DemoSeeder.memberPassword))
                .decode(MemberSession.self).tokens.accessToken
            let page = try await app.send(.GET, "/group-buys/\(running[0].id)")
            #expect(page.status == .ok && page.text.contains("group-open") && page.text.contains("data-countdown="), "\(page.text.prefix(300))")
            let product = try await app.send(.GET, "/product/\(running[0].productId)")
            #expect(product.status == .ok && product.text.contains("product-group-buy"))
            #expect(try await Self.join(app, group.id, token: token).status == .created)
            let groupPage = try await app.send(.GET, "/group-buys/groups/\(group.id)")
            #expect(groupPage.status == .ok && groupPage.text.contains("group-share-link") && groupPage.text.contains("group-join"))
            _ = try await DemoSeeder(app: app).run()
            #expect(try await GroupBuyActivityModel.query(on: app.db).count() == 1)
            #expect(try await GroupBuyGroupModel.query(on: app.db).count() == 1)
            try await Self.invariants(app)

            // The group has a day to fill; it does not, so its paid opener is refunded, and a
            // demo started the next day still offers a group to join.
            clock.advance(seconds: 86_400 + 60)
            try await app.jobs.runDue()
            let failed = try await app.send(.GET, "/api/v1/group-buys/groups/\(group.id)").decode(GroupBuyGroupView.self)
            #expect(failed.status == .failed)
            #expect(try await RefundModel.query(on: app.db).count() == 1)
            _ = try await DemoSeeder(app: app).run()
            let next = try await app.send(.GET, "/api/v1/group-buys/\(running[0].id)").decode(GroupBuyActivity.self)
            let fresh = try #require(next.openGroups?.first)
            #expect(fresh.id != group.id && fresh.paid == 1 && fresh.members.first?.paid == true)
            _ = try await DemoSeeder(app: app).run()
            #expect(try await GroupBuyGroupModel.query(on: app.db).count() == 2)
            #expect(try await GroupBuyActivityModel.query(on: app.db).count() == 1)
            try await Self.invariants(app)
        }
    }
}
