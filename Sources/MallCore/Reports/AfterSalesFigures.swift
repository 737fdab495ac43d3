import Foundation

/// Percentiles of whole numbers by the nearest-rank method: always a value that occurred, so a
/// handling time of "p90 3 days" is a case that really took three days, never an interpolation.
public enum Percentile {
    /// The `percent`-th percentile (1…100) of `values`; nil when there are none.
    public static func nearestRank(_ values: [Int64], percent: Int) -> Int64? {
        guard !values.isEmpty, (1...100).contains(percent) else { return nil }
        let sorted = values.sorted()
        // rank = ⌈percent × n / 100⌉, in integers.
        let rank = (percent * sorted.count + 99) / 100
        return sorted[max(1, rank) - 1]
    }
}

/// An after-sales case as the report sees it.
public struct AfterSalesCaseFacts: Hashable, Sendable {
    public let storeId: UUID
    public let kind: AfterSalesKind
    public let reason: AfterSalesReason
    public let status: AfterSalesStatus
    public let refundedFen: Int64
    public let openedAt: Date
    /// When it reached a final state; nil while it is still open.
    public let closedAt: Date?

    public init(storeId: UUID, kind: AfterSalesKind, reason: AfterSalesReason, status: AfterSalesStatus, refundedFen: Int64,
                openedAt: Date, closedAt: Date?) {
        self.storeId = storeId
        self.kind = kind
        self.reason = reason
        self.status = status
        self.refundedFen = refundedFen
        self.openedAt = openedAt
        self.closedAt = closedAt
    }
}

/// What the sales aggregates say about the same stores and days: the base of the rates.
public struct SalesBase: Hashable, Sendable {
    public var orders: Int64
    public var grossFen: Int64

    public init(orders: Int64 = 0, grossFen: Int64 = 0) {
        self.orders = orders
        self.grossFen = grossFen
    }
}

/// 售后数据统计 for one group of cases (a store, a kind, a reason or all of them).
public struct AfterSalesFigures: Hashable, Codable, Sendable {
    public var cases: Int64
    public var openCases: Int64
    public var closedCases: Int64
    /// Money given back on these cases so far.
    public var refundedFen: Int64
    /// Refunded money against the gross sales of the same days (退款率), in basis points.
    public var refundRateBasisPoints: Int?
    /// Cases per paid order of the same days, in basis points.
    public var caseRateBasisPoints: Int?
    /// From opening to a final state, over the closed cases (nearest rank).
    public var medianHandlingSeconds: Int64?
    public var p90HandlingSeconds: Int64?
}

public enum AfterSalesReportMaths {
    /// The figures of `cases` against `base`. Handling times are whole seconds; a case closed
    /// before it opened (a clock step) counts as handled at once rather than in negative time.
    public static func figures(_ cases: [AfterSalesCaseFacts], base: SalesBase) throws -> AfterSalesFigures {
        let refunded = try Checked.sum(cases.map { max(0, $0.refundedFen) }, "after-sales refunds")
        let handling = cases.compactMap { facts in facts.closedAt.map { max(0, Int64($0.timeIntervalSince(facts.openedAt).rounded(.down))) } }
        let count = Int64(cases.count)
        return AfterSalesFigures(cases: count, openCases: count - Int64(handling.count), closedCases: Int64(handling.count), refundedFen: refunded,
                                 refundRateBasisPoints: Ratio.basisPoints(refunded, of: base.grossFen),
                                 caseRateBasisPoints: Ratio.basisPoints(count, of: base.orders),
                                 medianHandlingSeconds: Percentile.nearestRank(handling, percent: 50),
                                 p90HandlingSeconds: Percentile.nearestRank(handling, percent: 90))
    }

    /// Cases grouped by `key`, each group against the base `base(key)`, most cases first, then
    /// most refunded, then by key so the order never depends on how the rows came.
    public static func groups<Key: Hashable & Comparable>(_ cases: [AfterSalesCaseFacts], by key: (AfterSalesCaseFacts) -> Key,
                                                          base: (Key) -> SalesBase) throws -> [(key: Key, figures: AfterSalesFigures)] {
        try Dictionary(grouping: cases, by: key)
            .map { group, members in (key: group, figures: try figures(members, base: base(group))) }
            .sorted { a, b in
                if a.figures.cases != b.figures.cases { return a.figures.cases > b.figures.cases }
                if a.figures.refundedFen != b.figures.refundedFen { return a.figures.refundedFen > b.figures.refundedFen }
                return a.key < b.key
            }
    }
}
