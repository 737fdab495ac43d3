import Foundation
import MallCore

// MARK: - Service fees

/// A new fee rule: a merchant's commission rate (or its rate for one category) and a fixed fee
/// per order, in force from `effectiveFrom` (now when left out).
public struct FeeRuleInput: Codable, Sendable, Equatable {
    public var categoryId: UUID?
    public var rateBasisPoints: Int
    public var fixedFeeFen: Int64?
    public var effectiveFrom: Date?

    public init(categoryId: UUID? = nil, rateBasisPoints: Int, fixedFeeFen: Int64? = nil, effectiveFrom: Date? = nil) {
        self.categoryId = categoryId
        self.rateBasisPoints = rateBasisPoints
        self.fixedFeeFen = fixedFeeFen
        self.effectiveFrom = effectiveFrom
    }
}

public struct FeeRuleView: Codable, Sendable, Equatable {
    public var id: UUID
    public var merchantId: UUID
    public var categoryId: UUID?
    public var categoryName: String?
    public var rateBasisPoints: Int
    public var fixedFeeFen: Int64
    public var effectiveFrom: Date
    /// Whether it is the rule in force now for its reach (the merchant, or its category).
    public var inForce: Bool
    public var createdBy: String
    public var createdAt: Date

    public init(id: UUID, merchantId: UUID, categoryId: UUID?, categoryName: String?, rateBasisPoints: Int, fixedFeeFen: Int64, effectiveFrom: Date, inForce: Bool, createdBy: String, createdAt: Date) {
        self.id = id
        self.merchantId = merchantId
        self.categoryId = categoryId
        self.categoryName = categoryName
        self.rateBasisPoints = rateBasisPoints
        self.fixedFeeFen = fixedFeeFen
        self.effectiveFrom = effectiveFrom
        self.inForce = inForce
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// A merchant's fee rules, newest first, with the rate that applies where no rule does.
public struct FeeRuleList: Codable, Sendable, Equatable {
    public var merchantId: UUID
    public var merchantName: String
    public var selfOperated: Bool
    public var defaultRateBasisPoints: Int
    public var rules: [FeeRuleView]

    public init(merchantId: UUID, merchantName: String, selfOperated: Bool, defaultRateBasisPoints: Int, rules: [FeeRuleView]) {
        self.merchantId = merchantId
        self.merchantName = merchantName
        self.selfOperated = selfOperated
        self.defaultRateBasisPoints = defaultRateBasisPoints
        self.rules = rules
    }
}

// MARK: - Settlement

/// The sums of a set of settlement entries. Always
/// `shopperPaidFen − refundedFen = merchantNetFen + commissionFen + channelFeeFen − platformDiscountFen`.
public struct SettlementTotals: Codable, Sendable, Equatable {
    public var shopperPaidFen: Int64
    public var refundedFen: Int64
    public var platformDiscountFen: Int64
    public var commissionFen: Int64
    public var channelFeeFen: Int64
    public var platformChannelFeeFen: Int64
    public var shippingFen: Int64
    public var merchantNetFen: Int64

    public init(_ amounts: SettlementAmounts) {
        shopperPaidFen = amounts.shopperPaidFen
        refundedFen = amounts.refundedFen
        platformDiscountFen = amounts.platformDiscountFen
        commissionFen = amounts.commissionFen
        channelFeeFen = amounts.channelFeeFen
        platformChannelFeeFen = amounts.platformChannelFeeFen
        shippingFen = amounts.shippingFen
        merchantNetFen = amounts.merchantNetFen
    }
}

public struct SettlementStatementView: Codable, Sendable, Equatable {
    public var id: UUID
    public var merchantId: UUID
    public var merchantName: String
    public var periodStart: Date
    public var periodEnd: Date
    /// The period's first and last day in the shop's time zone (YYYY-MM-DD).
    public var firstDay: String
    public var lastDay: String
    public var status: StatementStatus
    public var issuedAt: Date
    /// A draft's automatic confirmation, if the merchant does nothing.
    public var autoConfirmsAt: Date?
    public var confirmedAt: Date?
    public var confirmation: StatementConfirmation?
    public var confirmedBy: String?
    public var paidAt: Date?
    public var entryCount: Int
    /// The sums of its own entries.
    public var totals: SettlementTotals
    /// The nets of the merchant's earlier statements carried forward into this one (≤ 0).
    public var broughtForwardFen: Int64
    /// What the platform owes for it: `totals.merchantNetFen + broughtForwardFen`; a payout is
    /// exactly this, and a statement confirmed with it at zero or less is `carried_forward`.
    public var netFen: Int64
    /// For a statement carried forward: the later statement that took its net (none yet until
    /// the merchant's next statement is issued).
    public var carriedIntoStatementId: UUID?
    public var payout: PayoutView?

    public init(id: UUID, merchantId: UUID, merchantName: String, periodStart: Date, periodEnd: Date, firstDay: String, lastDay: String, status: StatementStatus, issuedAt: Date, autoConfirmsAt: Date?, confirmedAt: Date?, confirmation: StatementConfirmation?, confirmedBy: String?, paidAt: Date?, entryCount: Int, totals: SettlementTotals, broughtForwardFen: Int64 = 0, netFen: Int64, carriedIntoStatementId: UUID? = nil, payout: PayoutView?) {
        self.id = id
        self.merchantId = merchantId
        self.merchantName = merchantName
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.status = status
        self.issuedAt = issuedAt
        self.autoConfirmsAt = autoConfirmsAt
        self.confirmedAt = confirmedAt
        self.confirmation = confirmation
        self.confirmedBy = confirmedBy
        self.paidAt = paidAt
        self.entryCount = entryCount
        self.totals = totals
        self.broughtForwardFen = broughtForwardFen
        self.netFen = netFen
        self.carriedIntoStatementId = carriedIntoStatementId
        self.payout = payout
    }
}

/// One entry of a statement.
public struct SettlementEntryView: Codable, Sendable, Equatable {
    public var id: UUID
    /// `line` (a line settled), `order` (delivery and the fixed fee), `line_adjustment` or
    /// `order_adjustment` (a refund after the line was settled).
    public var kind: String
    public var orderId: UUID
    public var orderNumber: String
    public var orderLineId: UUID?
    /// The line's item; empty for an order's own part (delivery and the fixed fee).
    public var title: String
    public var commissionRateBasisPoints: Int?
    public var bookedAt: Date
    public var totals: SettlementTotals

    public init(id: UUID, kind: String, orderId: UUID, orderNumber: String, orderLineId: UUID?, title: String, commissionRateBasisPoints: Int?, bookedAt: Date, totals: SettlementTotals) {
        self.id = id
        self.kind = kind
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.orderLineId = orderLineId
        self.title = title
        self.commissionRateBasisPoints = commissionRateBasisPoints
        self.bookedAt = bookedAt
        self.totals = totals
    }
}

public struct SettlementStatementDetail: Codable, Sendable, Equatable {
    public var statement: SettlementStatementView
    public var entries: [SettlementEntryView]

    public init(statement: SettlementStatementView, entries: [SettlementEntryView]) {
        self.statement = statement
        self.entries = entries
    }
}

/// What a settlement run did.
public struct SettlementRunResult: Codable, Sendable, Equatable {
    public var entriesBooked: Int
    public var statementsIssued: Int
    public var statementsAutoConfirmed: Int

    public init(entriesBooked: Int, statementsIssued: Int, statementsAutoConfirmed: Int) {
        self.entriesBooked = entriesBooked
        self.statementsIssued = statementsIssued
        self.statementsAutoConfirmed = statementsAutoConfirmed
    }
}

/// A merchant's money with the platform: booked but not on a statement yet, on statements not
/// paid yet, and paid out.
public struct SettlementBalance: Codable, Sendable, Equatable {
    public var merchantId: UUID
    public var merchantName: String
    /// Orders paid and not settled yet (goods still in the after-sales window): what shoppers paid.
    public var awaitingSettlementFen: Int64
    /// Entries booked and not yet on a statement.
    public var pendingStatementFen: Int64
    /// Statements issued or confirmed, not paid.
    public var settledUnpaidFen: Int64
    public var paidFen: Int64

    public init(merchantId: UUID, merchantName: String, awaitingSettlementFen: Int64, pendingStatementFen: Int64, settledUnpaidFen: Int64, paidFen: Int64) {
        self.merchantId = merchantId
        self.merchantName = merchantName
        self.awaitingSettlementFen = awaitingSettlementFen
        self.pendingStatementFen = pendingStatementFen
        self.settledUnpaidFen = settledUnpaidFen
        self.paidFen = paidFen
    }
}

// MARK: - Payouts

/// A statement issued before its period ends, for everything booked for the merchant so far.
public struct IssueStatementInput: Codable, Sendable, Equatable {
    public var merchantId: UUID

    public init(merchantId: UUID) {
        self.merchantId = merchantId
    }
}

public struct PayoutInput: Codable, Sendable, Equatable {
    public var statementId: UUID
    public var amountFen: Int64
    public var bankReference: String
    /// YYYY-MM-DD.
    public var paidOn: String
    /// An uploaded receipt (`/files/...` from the media upload).
    public var receiptUrl: String?

    public init(statementId: UUID, amountFen: Int64, bankReference: String, paidOn: String, receiptUrl: String? = nil) {
        self.statementId = statementId
        self.amountFen = amountFen
        self.bankReference = bankReference
        self.paidOn = paidOn
        self.receiptUrl = receiptUrl
    }
}

public struct PayoutView: Codable, Sendable, Equatable {
    public var id: UUID
    public var statementId: UUID
    public var merchantId: UUID
    public var merchantName: String
    public var amountFen: Int64
    public var bankReference: String
    public var paidOn: String
    public var receiptUrl: String?
    public var recordedBy: String
    public var createdAt: Date

    public init(id: UUID, statementId: UUID, merchantId: UUID, merchantName: String, amountFen: Int64, bankReference: String, paidOn: String, receiptUrl: String?, recordedBy: String, createdAt: Date) {
        self.id = id
        self.statementId = statementId
        self.merchantId = merchantId
        self.merchantName = merchantName
        self.amountFen = amountFen
        self.bankReference = bankReference
        self.paidOn = paidOn
        self.receiptUrl = receiptUrl
        self.recordedBy = recordedBy
        self.createdAt = createdAt
    }
}
