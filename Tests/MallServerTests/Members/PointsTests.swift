import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

extension Fixtures {
    /// The points invariants: every balance equals the sum of its member's entries and the sum
    /// of what their lots have left, and no balance or lot is below zero.
    static func expectPointsLedgerMatches(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let accounts = try await PointsAccountModel.query(on: app.db).all()
        let entries = try await PointsEntryModel.query(on: app.db).all()
        for account in accounts {
            let mine = entries.filter { $0.memberId == account.memberId }
            #expect(mine.reduce(Int64(0)) { $0 + $1.points } == account.balance, "ledger of \(account.memberId)", sourceLocation: sourceLocation)
            #expect(mine.reduce(Int64(0)) { $0 + ($1.lotRemaining ?? 0) } == account.balance, "lots of \(account.memberId)", sourceLocation: sourceLocation)
            #expect(account.balance >= 0, sourceLocation: sourceLocation)
            #expect(mine.map(\.seq).sorted() == Array(1...Int64(max(1, mine.count))).prefix(mine.count).map { $0 }, "numbering of \(account.memberId)",
                    sourceLocation: sourceLocation)
        }
        #expect(entries.allSatisfy { ($0.lotRemaining ?? 0) >= 0 }, sourceLocation: sourceLocation)
        #expect(Set(entries.map(\.memberId)).isSubset(of: Set(accounts.map(\.memberId))), sourceLocation: sourceLocation)
    }
}

@Suite("Member points: ledger, sign-in, adjustments, expiry, inbox")
struct PointsTests {
    static func admin(_ app: Application) async throws -> String {
        try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform).1
    }

    /// Access tokens live 15 minutes; tests that move the clock by days sign in again.
    static func login(_ app: Application, _ login: String, staff: Bool = false, password: String = Fixtures.password) async throws -> String {
        let response = try await app.send(.POST, staff ? "/api/v1/admin/auth/login" : "/api/v1/auth/login",
                                          json: LoginRequest(login: login, password: password))
        return staff ? try response.decode(StaffSession.self).tokens.accessToken : try response.decode(MemberSession.self).tokens.accessToken
    }

    @Test("daily sign-in: the streak grows day by day, the 7th day adds the bonus, a missed day starts again; twice a day earns once")
    func dailySignIn() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            _ = try await Fixtures.member(app)
            var token = ""
            var earned: [Int] = []
            for _ in 0..<8 {
                token = try await Self.login(app, "13800138000")
                let first = try await app.send(.POST, "/api/v1/me/sign-ins", token: token)
                #expect(first.status == .created)
                earned.append(try first.decode(SignInResult.self).points)
                let again = try await app.send(.POST, "/api/v1/me/sign-ins", token: token)
                #expect(again.status == .ok)
                let repeated = try again.decode(SignInResult.self)
                #expect(repeated.alreadySignedIn && repeated.points == 0)
                clock.advance(seconds: 86_400)
            }
            #expect(earned == [5, 5, 5, 5, 5, 5, 25, 5])
            clock.advance(seconds: 86_400)  // a day missed
            token = try await Self.login(app, "13800138000")
            let restart = try await app.send(.POST, "/api/v1/me/sign-ins", token: token).decode(SignInResult.self)
            #expect(restart.streak == 1 && restart.points == 5)
            let summary = try await app.send(.GET, "/api/v1/me/points", token: token).decode(PointsSummary.self)
            #expect(summary.balance == 65 && summary.earnedTotal == 65)
            #expect(summary.signIn.signedInToday && summary.signIn.streak == 1 && summary.signIn.dayOfCycle == 1)
            let ledger = try await app.send(.GET, "/api/v1/me/points/ledger?per=3", token: token).decode(ListPage<PointsEntry>.self)
            #expect(ledger.total == 9 && ledger.items.first?.kind == .signIn && ledger.items.first?.balanceAfter == 65)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("100 sign-ins by one member at once on one day earn once")
    func signInStampede() async throws {
        try await withTestApp { app in
            let token = try await Fixtures.member(app).tokens.accessToken
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<100 { group.addTask { try await app.send(.POST, "/api/v1/me/sign-ins", token: token).status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .ok }.count == 99, "\(statuses)")
            #expect(try await app.send(.GET, "/api/v1/me/points", token: token).decode(PointsSummary.self).balance == 5)
            #expect(try await SignInModel.query(on: app.db).count() == 1)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("staff give and take points with a reason, audited; taking more than the balance is a 409 that changes nothing")
    func adjustments() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let session = try await Fixtures.member(app)
            let admin = try await Self.admin(app)
            let path = "/api/v1/admin/members/\(session.member.id)/points"
            let grant = try await app.send(.POST, path + "/adjustments", token: admin, json: PointsAdjustmentInput(points: 300, reason: "补偿：配送延误"))
            #expect(grant.status == .created)
            // The ledger lists newest first; entries of one instant have no order among them.
            clock.advance(seconds: 1)
            #expect(try grant.decode(PointsEntry.self).kind == .adminGrant)
            // Entries of the same instant list in id order; a minute apart, the ledger's newest-first order is certain.
            clock.advance(seconds: 60)
            let deduct = try await app.send(.POST, path + "/adjustments", token: admin, json: PointsAdjustmentInput(points: -120, reason: "误发积分"))
            #expect(try deduct.decode(PointsEntry.self).balanceAfter == 180)
            let over = try await app.send(.POST, path + "/adjustments", token: admin, json: PointsAdjustmentInput(points: -181, reason: "误发积分"))
            #expect(over.status == .conflict && over.problem?.detail == "Not enough points: 181 needed, 180 available.")
            for bad in [PointsAdjustmentInput(points: 0, reason: "零"), PointsAdjustmentInput(points: 1_000_001, reason: "太多了"),
                        PointsAdjustmentInput(points: 5, reason: "")] {
                #expect(try await app.send(.POST, path + "/adjustments", token: admin, json: bad).status == .unprocessableEntity)
            }
            let seen = try await app.send(.GET, path, token: admin).decode(MemberPoints.self)
            #expect(seen.summary.balance == 180 && seen.ledger.items.map(\.points) == [-120, 300])
            #expect(seen.ledger.items.first?.note == "误发积分")
            let audited = try await AuditLogModel.query(on: app.db).filter(\.$action == "member.points").count()
            #expect(audited == 2)
            let clerkStore = try await Fixtures.store(app, code: "S1")
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(clerkStore.storeID))
            #expect(try await app.send(.POST, path + "/adjustments", token: clerk, json: PointsAdjustmentInput(points: 5, reason: "想要")).status == .forbidden)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("50 deductions from one member at once never take the balance below zero; the ledger and the lots sum to it")
    func concurrentSpends() async throws {
        try await withTestApp { app in
            let session = try await Fixtures.member(app)
            let admin = try await Self.admin(app)
            let path = "/api/v1/admin/members/\(session.member.id)/points/adjustments"
            for grant in [400, 350, 250] {  // three lots
                _ = try await app.send(.POST, path, token: admin, json: PointsAdjustmentInput(points: Int64(grant), reason: "活动奖励"))
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<50 { group.addTask { try await app.send(.POST, path, token: admin, json: PointsAdjustmentInput(points: -30, reason: "兑换")).status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 33 && statuses.filter { $0 == .conflict }.count == 17, "\(statuses)")
            #expect(try await PointsService(db: app.db).balance(memberId: session.member.id) == 10)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("points earned in 2026 expire as 2027 ends: spending takes the soonest-expiring first and the job writes off what is left")
    func expiry() async throws {
        let clock = ManualClock(testEpoch)  // 2026-11-27
        try await withTestApp(clock: clock) { app in
            let session = try await Fixtures.member(app)
            let admin = try await Self.admin(app)
            let path = "/api/v1/admin/members/\(session.member.id)/points/adjustments"
            _ = try await app.send(.POST, path, token: admin, json: PointsAdjustmentInput(points: 100, reason: "2026 年的积分"))
            clock.advance(seconds: 60 * 86_400)  // into 2027
            let laterAdmin = try await Self.login(app, "hq", staff: true)
            _ = try await app.send(.POST, path, token: laterAdmin, json: PointsAdjustmentInput(points: 70, reason: "2027 年的积分"))
            _ = try await app.send(.POST, path, token: laterAdmin, json: PointsAdjustmentInput(points: -40, reason: "兑换"))
            let lots = try await PointsEntryModel.query(on: app.db).filter(\.$lotRemaining != nil).sort(\.$createdAt).all()
            #expect(lots.map(\.lotRemaining) == [60, 70], "the 2026 lot, expiring first, paid")
            let summary = try await app.send(.GET, "/api/v1/me/points", token: try await Self.login(app, "13800138000")).decode(PointsSummary.self)
            #expect(summary.expiring.map(\.points) == [60, 70])

            clock.advance(seconds: 400 * 86_400)  // past 2028-01-01 in Shanghai, before 2029
            #expect(try await app.send(.GET, "/api/v1/me/points", token: try await Self.login(app, "13800138000")).decode(PointsSummary.self).balance == 70,
                    "points past their day are not shown as spendable before the job runs")
            try await app.jobs.enqueue(PointsExpiryJob.kind, payload: ["run": 1])
            try await app.jobs.runDue()
            let expired = try await PointsEntryModel.query(on: app.db).filter(\.$kind == PointsEntryKind.expiry.rawValue).all()
            #expect(expired.map(\.points) == [-60])
            #expect(try await PointsService(db: app.db).balance(memberId: session.member.id) == 70)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("the inbox shows a member their own messages, newest first, with an unread count; reading is theirs alone")
    func inbox() async throws {
        try await withTestApp { app in
            let mine = try await Fixtures.member(app)
            let other = try await Fixtures.member(app, mobile: "13900000001")
            let outbox = NotificationOutbox(app: app, db: app.db)
            for (n, recipient) in [mine, mine, other].enumerated() {
                try await outbox.send(audience: .member, recipientId: recipient.member.id, merchantId: nil, storeId: nil, title: "消息 \(n)",
                                      body: "正文 \(n)", reference: .init(type: "order", id: "o\(n)"), now: testEpoch.addingTimeInterval(Double(n)))
            }
            let token = mine.tokens.accessToken
            var inbox = try await app.send(.GET, "/api/v1/me/notifications", token: token).decode(MemberInbox.self)
            #expect(inbox.unreadCount == 2 && inbox.notifications.items.map(\.title) == ["消息 1", "消息 0"])
            let first = try #require(inbox.notifications.items.last)
            inbox = try await app.send(.POST, "/api/v1/me/notifications/\(first.id)/read", token: token).decode(MemberInbox.self)
            #expect(inbox.unreadCount == 1)
            #expect(try await app.send(.GET, "/api/v1/me/notifications?unread=true", token: token).decode(MemberInbox.self).notifications.items.map(\.title) == ["消息 1"])
            let othersMessage = try #require(try await app.send(.GET, "/api/v1/me/notifications", token: other.tokens.accessToken)
                .decode(MemberInbox.self).notifications.items.first)
            #expect(try await app.send(.POST, "/api/v1/me/notifications/\(othersMessage.id)/read", token: token).status == .notFound)
            inbox = try await app.send(.POST, "/api/v1/me/notifications/read-all", token: token).decode(MemberInbox.self)
            #expect(inbox.unreadCount == 0)
            #expect(try await app.send(.GET, "/api/v1/me/notifications", token: other.tokens.accessToken).decode(MemberInbox.self).unreadCount == 1)
        }
    }

    @Test("what an order tells its shopper and the notes of the points history read in the reader's language")
    func inboxLanguage() async throws {
        try await withTestApp { app in
            let (_, token, order) = try await OrderDeskTests.paidOrder(app)
            let english = try await app.send(.GET, "/api/v1/me/notifications", token: token).decode(MemberInbox.self)
            let paid = try #require(english.notifications.items.first { $0.referenceId == order.id.uuidString && $0.title.hasSuffix("paid") })
            #expect(paid.title == "Order \(order.number): paid")
            #expect(paid.body == "Your order \(order.number) was updated: paid.")
            let chinese = try await app.send(.GET, "/api/v1/me/notifications", token: token, headers: ["Accept-Language": "zh-CN"])
                .decode(MemberInbox.self)
            let same = try #require(chinese.notifications.items.first { $0.id == paid.id })
            #expect(same.title == "订单 \(order.number)：已付款")
            #expect(same.body == "您的订单 \(order.number) 有新进展：已付款。")

            #expect(try await app.send(.POST, "/api/v1/me/sign-ins", token: token).status == .created)
            let ledger = try await app.send(.GET, "/api/v1/me/points/ledger?kind=sign_in", token: token).decode(ListPage<PointsEntry>.self)
            #expect(ledger.items.map(\.note) == ["day 1 in a row"])
            let chineseLedger = try await app.send(.GET, "/api/v1/me/points/ledger?kind=sign_in", token: token, headers: ["Accept-Language": "zh-CN"])
                .decode(ListPage<PointsEntry>.self)
            #expect(chineseLedger.items.map(\.note) == ["连续签到第 1 天"])
        }
    }
}
