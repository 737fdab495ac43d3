import Foundation
import MallCore

/// A member level: what reaching it takes over the rolling window and what it gives.
public struct MemberLevel: Codable, Sendable, Equatable {
    public var id: UUID
    /// The code members hold (`members.level`) and SKU level prices name, e.g. `gold`.
    public var code: String
    public var name: String
    /// Higher is better.
    public var rank: Int
    public var description: String?
    public var conditions: LevelConditions
    public var rights: LevelRights
    /// In staff lists only: the members holding it now.
    public var memberCount: Int?

    public init(id: UUID, code: String, name: String, rank: Int, description: String?, conditions: LevelConditions, rights: LevelRights,
                memberCount: Int? = nil) {
        self.id = id
        self.code = code
        self.name = name
        self.rank = rank
        self.description = description
        self.conditions = conditions
        self.rights = rights
        self.memberCount = memberCount
    }
}

/// Creates a level, or replaces everything but its code (which members and level prices use).
public struct MemberLevelDefinitionInput: Codable, Sendable {
    public var code: String
    public var name: String
    public var rank: Int
    public var description: String?
    public var conditions: LevelConditions
    public var rights: LevelRights

    public init(code: String, name: String, rank: Int, description: String? = nil, conditions: LevelConditions = .none,
                rights: LevelRights = .none) {
        self.code = code
        self.name = name
        self.rank = rank
        self.description = description
        self.conditions = conditions
        self.rights = rights
    }
}

/// Why a member's level changed.
public enum LevelChangeReason: String, Codable, Sendable, CaseIterable {
    /// The evaluation found the member meets a higher level (after an order, or the daily job).
    case upgrade
    /// The member stayed below their level for the grace period.
    case downgrade
    /// Staff set the level by hand.
    case manual
}

/// One entry of a member's level history.
public struct MemberLevelChange: Codable, Sendable, Equatable {
    public var id: UUID
    public var fromLevel: String?
    public var fromName: String?
    public var toLevel: String?
    public var toName: String?
    public var reason: LevelChangeReason
    /// What prompted it, e.g. "order M2611270123 completed" or the staff member's note.
    public var note: String?
    public var createdAt: Date

    public init(id: UUID, fromLevel: String?, fromName: String?, toLevel: String?, toName: String?, reason: LevelChangeReason, note: String?,
                createdAt: Date) {
        self.id = id
        self.fromLevel = fromLevel
        self.fromName = fromName
        self.toLevel = toLevel
        self.toName = toName
        self.reason = reason
        self.note = note
        self.createdAt = createdAt
    }
}

/// A member's level, where they stand in the window, what the next level takes, and history.
public struct Membership: Codable, Sendable {
    public var memberId: UUID
    /// The level held; nil for none.
    public var level: MemberLevel?
    /// When the level was reached.
    public var since: Date?
    /// The rolling window the stats cover: `windowDays` days up to now.
    public var windowDays: Int
    public var windowStart: Date
    public var stats: LevelStats
    /// The next level up; nil at the top.
    public var nextLevel: MemberLevel?
    /// Where the member stands on each condition of `nextLevel`.
    public var progress: [LevelProgress]
    /// Set while the member is below their level: when they move down unless they qualify again.
    public var downgradeAt: Date?
    /// The level they would move down to (nil: none).
    public var downgradeTo: String?
    /// Newest first.
    public var history: [MemberLevelChange]

    public init(memberId: UUID, level: MemberLevel?, since: Date?, windowDays: Int, windowStart: Date, stats: LevelStats, nextLevel: MemberLevel?,
                progress: [LevelProgress], downgradeAt: Date?, downgradeTo: String?, history: [MemberLevelChange]) {
        self.memberId = memberId
        self.level = level
        self.since = since
        self.windowDays = windowDays
        self.windowStart = windowStart
        self.stats = stats
        self.nextLevel = nextLevel
        self.progress = progress
        self.downgradeAt = downgradeAt
        self.downgradeTo = downgradeTo
        self.history = history
    }
}

/// How points can pay for this checkout.
public struct CheckoutPointsQuote: Codable, Sendable, Equatable {
    /// Points the member can spend now.
    public var balance: Int64
    /// `pointsPerYuan` points pay ¥1.
    public var pointsPerYuan: Int
    /// Points may pay at most this share of the goods left after discounts (5000 = half).
    public var maximumShareBasisPoints: Int
    /// The most points this checkout can take: the cap, or the balance when that is smaller.
    public var maximumPoints: Int64
    /// What the cap is worth on this checkout.
    public var maximumDeductionFen: Int64
    /// What was asked for (`pointsToUse`).
    public var requested: Int64
    /// What the points pay: `used` points for `deductionFen`.
    public var used: Int64
    public var deductionFen: Int64

    public init(balance: Int64, pointsPerYuan: Int, maximumShareBasisPoints: Int, maximumPoints: Int64, maximumDeductionFen: Int64,
                requested: Int64, used: Int64, deductionFen: Int64) {
        self.balance = balance
        self.pointsPerYuan = pointsPerYuan
        self.maximumShareBasisPoints = maximumShareBasisPoints
        self.maximumPoints = maximumPoints
        self.maximumDeductionFen = maximumDeductionFen
        self.requested = requested
        self.used = used
        self.deductionFen = deductionFen
    }
}
