import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Reads of a member's points for the member and for staff.
enum PointsQueries {
    static func summary(memberId: UUID, settings: ResolvedSettings, now: Date, on db: any Database) async throws -> PointsSummary {
        let service = PointsService(db: db)
        let account = try await service.account(memberId: memberId)
        let lots = try await service.openLots(memberId: memberId)
        // Lots past their day that the expiry job has not written off yet are not shown as spendable.
        let due = PointsLots.expiring(lots, at: now).reduce(Int64(0)) { $0 + $1.points }
        var byExpiry: [Date: Int64] = [:]
        for lot in lots where lot.remaining > 0 { if let expiry = lot.expiresAt, expiry > now { byExpiry[expiry, default: 0] += lot.remaining } }
        let expiring = byExpiry.sorted { $0.key < $1.key }.prefix(3).map { PointsExpiring(points: $0.value, expiresAt: $0.key) }
        return PointsSummary(balance: max(0, (account?.balance ?? 0) - due), earnedTotal: account?.earnedTotal ?? 0, expiring: Array(expiring),
                             signIn: try await SignInService.status(memberId: memberId, settings: settings, now: now, on: db),
                             pointsPerYuan: settings.integer(.pointsRedeemPerYuan),
                             maximumShareBasisPoints: settings.integer(.pointsRedeemMaxShareBasisPoints))
    }

    static func ledger(memberId: UUID, page: PageRequest, kind: PointsEntryKind?, on db: any Database) async throws -> ListPage<PointsEntry> {
        var query = PointsEntryModel.query(on: db).filter(\.$memberId == memberId).filter(\.$points != 0)
        if let kind { query = query.filter(\.$kind == kind.rawValue) }
        return try await query.sort(\.$seq, .descending).page(page) { $0.dto }
    }
}

/// The daily sign-in: once a day in the shop's time zone, a streak that grows day by day and a
/// bonus at the end of each cycle (`SignInReward` in the core).
enum SignInService {
    static func status(memberId: UUID, settings: ResolvedSettings, now: Date, on db: any Database) async throws -> SignInStatus {
        let today = LocalTime.calendarDate(of: now, in: settings.timeZone)
        let rows = try await SignInModel.query(on: db).filter(\.$memberId == memberId)
            .filter(\.$day ~~ [today.description, today.previousDay.description]).all()
        let todays = rows.first { $0.day == today.description }
        let yesterdays = rows.first { $0.day == today.previousDay.description }
        let cycle = settings.integer(.pointsSignInCycleDays)
        let streak = todays?.streak ?? yesterdays?.streak ?? 0
        let next = todays?.streak ?? SignInReward.streak(previousStreak: yesterdays?.streak, signedInYesterday: yesterdays != nil)
        return SignInStatus(today: today.description, signedInToday: todays != nil, streak: streak, cycleDays: cycle,
                            dayOfCycle: SignInReward.dayOfCycle(streak: next, cycleDays: cycle),
                            todayPoints: todays?.points ?? SignInReward.points(streak: next, daily: settings.integer(.pointsSignInDaily),
                                                                               bonus: settings.integer(.pointsSignInStreakBonus), cycleDays: cycle),
                            dailyPoints: settings.integer(.pointsSignInDaily), bonusPoints: settings.integer(.pointsSignInStreakBonus))
    }

    /// Signs the member in for today. However many requests race for it, one row per member and
    /// day is written (`ON CONFLICT DO NOTHING`) and only its writer earns the points.
    static func signIn(memberId: UUID, settings: ResolvedSettings, now: Date, on db: any Database) async throws -> SignInResult {
        let today = LocalTime.calendarDate(of: now, in: settings.timeZone)
        let cycle = settings.integer(.pointsSignInCycleDays)
        let earned = try await db.writeTransaction { tx -> (streak: Int, points: Int)? in
            let yesterday = try await SignInModel.query(on: tx).filter(\.$memberId == memberId).filter(\.$day == today.previousDay.description).first()
            let streak = SignInReward.streak(previousStreak: yesterday?.streak, signedInYesterday: yesterday != nil)
            let points = SignInReward.points(streak: streak, daily: settings.integer(.pointsSignInDaily),
                                             bonus: settings.integer(.pointsSignInStreakBonus), cycleDays: cycle)
            let inserted = try await tx.sql.raw("""
                INSERT INTO sign_ins (id, member_id, day, streak, points, created_at)
                VALUES (\(bind: UUID()), \(bind: memberId), \(bind: today.description), \(bind: streak), \(bind: points), \(bind: now))
                ON CONFLICT (member_id, day) DO NOTHING RETURNING id
                """).all()
            guard !inserted.isEmpty else { return nil }
            let note = streak % max(1, cycle) == 0 ? "day \(streak) in a row, with the streak bonus" : "day \(streak) in a row"
            try await PointsService(db: tx).earn(Int64(points), memberId: memberId, kind: .signIn,
                                                 context: .init(reference: ("sign_in", today.description), note: note,
                                                                idempotencyKey: "sign-in:\(memberId.uuidString):\(today.description)", now: now),
                                                 settings: settings)
            return (streak, points)
        }
        let status = try await Self.status(memberId: memberId, settings: settings, now: now, on: db)
        let balance = try await PointsService(db: db).balance(memberId: memberId)
        return SignInResult(day: today.description, streak: earned?.streak ?? status.streak, points: earned?.points ?? 0, balance: balance,
                            alreadySignedIn: earned == nil, status: status)
    }
}

/// The member's inbox: the notifications written for them (audience `member`), newest first.
enum MemberInboxService {
    static func page(memberId: UUID, unreadOnly: Bool, page: PageRequest, on db: any Database) async throws -> MemberInbox {
        var query = NotificationModel.query(on: db).filter(\.$audience == NotificationOutbox.Audience.member.rawValue)
            .filter(\.$recipientId == memberId)
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        let unread = try await unreadCount(memberId: memberId, on: db)
        let items = try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page) { row in
            MemberNotification(id: row.id!, title: row.title, body: row.body, referenceType: row.referenceType, referenceId: row.referenceId,
                               read: row.readAt != nil, createdAt: row.createdAt)
        }
        return MemberInbox(unreadCount: unread, notifications: items)
    }

    static func unreadCount(memberId: UUID, on db: any Database) async throws -> Int {
        try await NotificationModel.query(on: db).filter(\.$audience == NotificationOutbox.Audience.member.rawValue)
            .filter(\.$recipientId == memberId).filter(\.$readAt == nil).count()
    }

    /// Marks one notification (or, with nil, all of them) read; only the member's own.
    static func markRead(memberId: UUID, notificationId: UUID?, now: Date, on db: any Database) async throws {
        var update = NotificationModel.query(on: db).filter(\.$audience == NotificationOutbox.Audience.member.rawValue)
            .filter(\.$recipientId == memberId).filter(\.$readAt == nil)
        if let notificationId {
            guard try await NotificationModel.query(on: db).filter(\.$id == notificationId).filter(\.$recipientId == memberId)
                .filter(\.$audience == NotificationOutbox.Audience.member.rawValue).first() != nil else {
                throw MallError.notFound("No such notification.")
            }
            update = update.filter(\.$id == notificationId)
        }
        try await update.set(\.$readAt, to: now).update()
    }
}
