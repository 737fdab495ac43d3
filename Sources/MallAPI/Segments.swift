import Foundation
import MallCore

/// One RFM group with how many members it holds and what they spent.
public struct SegmentGroupSummary: Codable, Sendable, Equatable {
    public var group: RFMGroup
    public var members: Int
    public var spentFen: Int64
    public var orders: Int64

    public init(group: RFMGroup, members: Int, spentFen: Int64, orders: Int64) {
        self.group = group
        self.members = members
        self.spentFen = spentFen
        self.orders = orders
    }
}

/// `GET /admin/segments`: the RFM groups as last computed, with the rules they were computed by.
public struct SegmentOverview: Codable, Sendable, Equatable {
    public var computedAt: Date?
    public var members: Int
    public var dormantAfterDays: Int
    public var newWithinDays: Int
    /// Every group, the empty ones included, in `RFMGroup.allCases` order.
    public var groups: [SegmentGroupSummary]

    public init(computedAt: Date?, members: Int, dormantAfterDays: Int, newWithinDays: Int, groups: [SegmentGroupSummary]) {
        self.computedAt = computedAt
        self.members = members
        self.dormantAfterDays = dormantAfterDays
        self.newWithinDays = newWithinDays
        self.groups = groups
    }
}

/// A member of a segment, with the figures that placed them there.
public struct SegmentMember: Codable, Sendable, Equatable {
    public var memberId: UUID
    public var nickname: String
    public var mobile: String?
    public var level: String?
    public var group: RFMGroup
    public var score: RFMScore?
    public var orders: Int64
    public var spentFen: Int64
    public var lastOrderOn: CalendarDate?

    public init(memberId: UUID, nickname: String, mobile: String?, level: String?, group: RFMGroup, score: RFMScore?, orders: Int64,
                spentFen: Int64, lastOrderOn: CalendarDate?) {
        self.memberId = memberId
        self.nickname = nickname
        self.mobile = mobile
        self.level = level
        self.group = group
        self.score = score
        self.orders = orders
        self.spentFen = spentFen
        self.lastOrderOn = lastOrderOn
    }
}
