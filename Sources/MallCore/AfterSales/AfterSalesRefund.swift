import Foundation

/// Why the shopper wants after-sales; HQ's statistics group cases by it.
public enum AfterSalesReason: String, Codable, Sendable, CaseIterable {
    case qualityIssue = "quality_issue"
    case damaged
    case wrongItem = "wrong_item"
    case missingItem = "missing_item"
    case notAsDescribed = "not_as_described"
    case changedMind = "changed_mind"
    case other

    /// Whether goods returned for this reason can go back on the shelf. Faulty or damaged goods
    /// come back as a loss (the ledger records nothing sellable); goods the shopper simply did
    /// not want, or that were the wrong item, are sellable again.
    public var returnsToSellableStock: Bool {
        switch self {
        case .changedMind, .wrongItem, .notAsDescribed, .other: true
        case .qualityIssue, .damaged, .missingItem: false
        }
    }

    public var label: String {
        switch self {
        case .qualityIssue: "质量问题"
        case .damaged: "商品破损"
        case .wrongItem: "发错商品"
        case .missingItem: "少件漏发"
        case .notAsDescribed: "与描述不符"
        case .changedMind: "不想要了"
        case .other: "其他"
        }
    }
}

/// What returning some units of an order line gives back.
public enum AfterSalesRefund {
    /// The refund for `units` more units of a line that was paid `linePayable` for `lineQuantity`
    /// units, of which `earlierUnits` were already refunded in earlier cases.
    ///
    /// The line's payable amount already carries its share of every order discount (the
    /// pricing engine's proportional allocation), so a returned unit gives back what it really
    /// cost. Each case refunds the difference of cumulative shares rounded down, so however a
    /// line is returned — all at once or one unit per case — the refunds add up to exactly what
    /// was paid for it, never a fen more.
    ///
    /// - Throws: `ValidationFailure` when the units do not fit the line (more than were bought,
    ///   negative counts) and `ArithmeticOverflow` for a stored amount beyond what fits.
    public static func amount(linePayable: Money, lineQuantity: Int, earlierUnits: Int, units: Int) throws -> Money {
        guard lineQuantity > 0, earlierUnits >= 0, units >= 0, earlierUnits <= lineQuantity, units <= lineQuantity - earlierUnits else {
            throw ValidationFailure(field: "quantity", message: "must be at most the units bought and not yet returned")
        }
        guard linePayable.minorUnits >= 0 else { throw ArithmeticOverflow("refund of a negative line amount") }
        // payable × count can exceed Int64 long before the share does (count ≤ quantity keeps
        // the quotient at most the payable), so the product is taken in full width.
        func share(_ count: Int) -> Int64 {
            guard count != lineQuantity else { return linePayable.minorUnits }
            let product = linePayable.minorUnits.multipliedFullWidth(by: Int64(count))
            return Int64(lineQuantity).dividingFullWidth(product).quotient
        }
        return Money(minorUnits: share(earlierUnits + units) - share(earlierUnits), currency: linePayable.currency)
    }
}
