import Foundation
import MallCore

/// Why a member's points changed. Earnings create lots that expire; everything else takes from
/// them or gives back.
public enum PointsEntryKind: String, Codable, Sendable, CaseIterable {
    /// Earned by a completed order.
    case orderEarned = "order_earned"
    /// The daily sign-in (with its streak bonus).
    case signIn = "sign_in"
    /// An approved product review.
    case review
    /// The yearly birthday gift of the member's level.
    case birthday
    /// A lottery prize.
    case lotteryPrize = "lottery_prize"
    /// Staff gave points, with a reason.
    case adminGrant = "admin_grant"
    /// Staff took points back, with a reason.
    case adminDeduct = "admin_deduct"
    /// Paid for goods at checkout.
    case checkoutSpent = "checkout_spent"
    /// Points spent on an order that was cancelled, expired or refunded came back.
    case checkoutReturned = "checkout_returned"
    /// Exchanged in the points mall.
    case mallSpent = "mall_spent"
    /// A points-mall exchange that was cancelled gave its points back.
    case mallReturned = "mall_returned"
    /// Paid for a lottery draw.
    case lotterySpent = "lottery_spent"
    /// Points earned on goods that were refunded were taken back.
    case clawback
    /// Points whose day came expired.
    case expiry

    /// True for the kinds that add a lot (points that can expire).
    public var isEarning: Bool {
        switch self {
        case .orderEarned, .signIn, .review, .birthday, .lotteryPrize, .adminGrant, .checkoutReturned, .mallReturned: true
        case .adminDeduct, .checkoutSpent, .mallSpent, .lotterySpent, .clawback, .expiry: false
        }
    }
}

public struct PointsEntry: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: PointsEntryKind
    /// Positive for points added, negative for points taken.
    public var points: Int64
    public var balanceAfter: Int64
    /// For earnings: when what is left of them expires (nil: never).
    public var expiresAt: Date?
    public var note: String?
    public var referenceType: String?
    public var referenceId: String?
    public var createdAt: Date

    public init(id: UUID, kind: PointsEntryKind, points: Int64, balanceAfter: Int64, expiresAt: Date?, note: String?,
                referenceType: String?, referenceId: String?, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.points = points
        self.balanceAfter = balanceAfter
        self.expiresAt = expiresAt
        self.note = note
        self.referenceType = referenceType
        self.referenceId = referenceId
        self.createdAt = createdAt
    }
}

/// Points due to expire on one day.
public struct PointsExpiring: Codable, Sendable, Equatable {
    public var points: Int64
    public var expiresAt: Date
    public init(points: Int64, expiresAt: Date) {
        self.points = points
        self.expiresAt = expiresAt
    }
}

/// Where the member's daily sign-in stands.
public struct SignInStatus: Codable, Sendable, Equatable {
    /// The shop's calendar day, `yyyy-MM-dd`.
    public var today: String
    public var signedInToday: Bool
    /// Consecutive days up to today (or yesterday, when today is not signed in yet); 0 for none.
    public var streak: Int
    public var cycleDays: Int
    /// 1…cycleDays: where today falls (or would fall) in the cycle.
    public var dayOfCycle: Int
    /// What signing in today earns (or earned).
    public var todayPoints: Int
    public var dailyPoints: Int
    public var bonusPoints: Int

    public init(today: String, signedInToday: Bool, streak: Int, cycleDays: Int, dayOfCycle: Int, todayPoints: Int, dailyPoints: Int,
                bonusPoints: Int) {
        self.today = today
        self.signedInToday = signedInToday
        self.streak = streak
        self.cycleDays = cycleDays
        self.dayOfCycle = dayOfCycle
        self.todayPoints = todayPoints
        self.dailyPoints = dailyPoints
        self.bonusPoints = bonusPoints
    }
}

public struct PointsSummary: Codable, Sendable, Equatable {
    public var balance: Int64
    /// Every point ever earned (the level system counts earnings in its window separately).
    public var earnedTotal: Int64
    /// The next expiries, soonest first.
    public var expiring: [PointsExpiring]
    public var signIn: SignInStatus
    /// How points pay at checkout: `pointsPerYuan` points are ¥1, for at most this share of the goods.
    public var pointsPerYuan: Int
    public var maximumShareBasisPoints: Int

    public init(balance: Int64, earnedTotal: Int64, expiring: [PointsExpiring], signIn: SignInStatus, pointsPerYuan: Int,
                maximumShareBasisPoints: Int) {
        self.balance = balance
        self.earnedTotal = earnedTotal
        self.expiring = expiring
        self.signIn = signIn
        self.pointsPerYuan = pointsPerYuan
        self.maximumShareBasisPoints = maximumShareBasisPoints
    }
}

public struct SignInResult: Codable, Sendable, Equatable {
    public var day: String
    public var streak: Int
    public var points: Int
    public var balance: Int64
    /// True when the member had already signed in today: nothing was earned again.
    public var alreadySignedIn: Bool
    public var status: SignInStatus

    public init(day: String, streak: Int, points: Int, balance: Int64, alreadySignedIn: Bool, status: SignInStatus) {
        self.day = day
        self.streak = streak
        self.points = points
        self.balance = balance
        self.alreadySignedIn = alreadySignedIn
        self.status = status
    }
}

/// Staff add or take points by hand, always with a reason.
public struct PointsAdjustmentInput: Codable, Sendable {
    /// Positive to give, negative to take; never zero.
    public var points: Int64
    public var reason: String

    public init(points: Int64, reason: String) {
        self.points = points
        self.reason = reason
    }
}

/// A member's points as staff see them.
public struct MemberPoints: Codable, Sendable {
    public var memberId: UUID
    public var summary: PointsSummary
    public var ledger: ListPage<PointsEntry>

    public init(memberId: UUID, summary: PointsSummary, ledger: ListPage<PointsEntry>) {
        self.memberId = memberId
        self.summary = summary
        self.ledger = ledger
    }
}

/// A message in the member's inbox.
public struct MemberNotification: Codable, Sendable, Equatable {
    public var id: UUID
    public var title: String
    public var body: String
    public var referenceType: String?
    public var referenceId: String?
    public var read: Bool
    public var createdAt: Date

    public init(id: UUID, title: String, body: String, referenceType: String?, referenceId: String?, read: Bool, createdAt: Date) {
        self.id = id
        self.title = title
        self.body = body
        self.referenceType = referenceType
        self.referenceId = referenceId
        self.read = read
        self.createdAt = createdAt
    }
}

public struct MemberInbox: Codable, Sendable {
    public var unreadCount: Int
    public var notifications: ListPage<MemberNotification>

    public init(unreadCount: Int, notifications: ListPage<MemberNotification>) {
        self.unreadCount = unreadCount
        self.notifications = notifications
    }
}
