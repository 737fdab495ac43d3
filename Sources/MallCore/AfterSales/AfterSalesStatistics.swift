import Foundation

/// HQ's after-sales figures: how many cases, units and how much money went back, by store, by
/// product and by reason. Pure arithmetic on the cases and their lines, checked throughout: a
/// case that refunded ¥30 million once overflowed `refunded × share` and took the page (and the
/// server) down for everyone who opened it.
public enum AfterSalesStatistics {
    public struct Case: Sendable {
        public var id: UUID
        public var storeId: UUID
        public var reason: AfterSalesReason
        public var status: String
        /// What has gone back to the shopper so far.
        public var refundedFen: Int64

        public init(id: UUID, storeId: UUID, reason: AfterSalesReason, status: String, refundedFen: Int64) {
            self.id = id
            self.storeId = storeId
            self.reason = reason
            self.status = status
            self.refundedFen = refundedFen
        }
    }

    public struct Line: Sendable {
        public var caseId: UUID
        public var productId: UUID
        public var quantity: Int
        /// What this line asked back; a case's refund is shared over its lines in proportion.
        public var refundFen: Int64

        public init(caseId: UUID, productId: UUID, quantity: Int, refundFen: Int64) {
            self.caseId = caseId
            self.productId = productId
            self.quantity = quantity
            self.refundFen = refundFen
        }
    }

    /// One row of a breakdown; `key` is the store or product id, or the reason code.
    public struct Group: Sendable, Equatable {
        public var key: String
        public var cases: Int
        public var units: Int
        public var refundedFen: Int64
    }

    public struct Figures: Sendable, Equatable {
        public var totalCases: Int
        public var byStatus: [String: Int]
        /// Each breakdown most cases first, then most refunded, then by key.
        public var byStore: [Group]
        public var byProduct: [Group]
        public var byReason: [Group]
    }

    /// - Throws: `ArithmeticOverflow` when stored amounts add up beyond `Int64`.
    public static func compute(cases: [Case], lines: [Line]) throws -> Figures {
        var byStore = Tally(), byReason = Tally(), byProduct = Tally()
        let linesByCase = Dictionary(grouping: lines, by: \.caseId)
        var byStatus: [String: Int] = [:]
        for model in cases {
            byStatus[model.status, default: 0] += 1
            let caseLines = linesByCase[model.id] ?? []
            let units = try Checked.sum(caseLines.map { max(0, $0.quantity) }, "after-sales units")
            let refunded = max(0, model.refundedFen)
            try byStore.add(model.storeId.uuidString, caseId: model.id, units: units, refunded: refunded)
            try byReason.add(model.reason.rawValue, caseId: model.id, units: units, refunded: refunded)
            // The case's refund shared over its lines by what each asked for, to the fen: the
            // products' refunds add up to the case's.
            guard !caseLines.isEmpty else { continue }
            let weights = caseLines.map { max(0, $0.refundFen) }
            _ = try Checked.sum(weights, "after-sales requested refund")
            let shares = ProportionalAllocation.allocate(total: refunded, weights: weights)
            for (line, share) in zip(caseLines, shares) {
                try byProduct.add(line.productId.uuidString, caseId: model.id, units: max(0, line.quantity), refunded: share)
            }
        }
        return Figures(totalCases: cases.count, byStatus: byStatus, byStore: byStore.groups(), byProduct: byProduct.groups(),
                       byReason: byReason.groups())
    }

    private struct Tally {
        var cases: [String: Set<UUID>] = [:]
        var units: [String: Int] = [:]
        var refunded: [String: Int64] = [:]

        mutating func add(_ key: String, caseId: UUID, units more: Int, refunded money: Int64) throws {
            cases[key, default: []].insert(caseId)
            units[key] = try Checked.add(units[key] ?? 0, more, "after-sales units")
            refunded[key] = try Checked.add(refunded[key] ?? 0, money, "after-sales refunds")
        }

        func groups() -> [Group] {
            cases.map { key, ids in Group(key: key, cases: ids.count, units: units[key] ?? 0, refundedFen: refunded[key] ?? 0) }
                .sorted { ($0.cases, $0.refundedFen, $1.key) > ($1.cases, $1.refundedFen, $0.key) }
        }
    }
}
