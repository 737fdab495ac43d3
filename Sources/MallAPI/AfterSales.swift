import Foundation
import MallCore

public struct AfterSalesLineInput: Codable, Sendable {
    public var orderLineId: UUID
    public var quantity: Int
    public init(orderLineId: UUID, quantity: Int) {
        self.orderLineId = orderLineId
        self.quantity = quantity
    }
}

/// A shopper's request: refund only, return and refund, or exchange, for some lines and units.
public struct AfterSalesInput: Codable, Sendable {
    public var kind: AfterSalesKind
    public var lines: [AfterSalesLineInput]
    public var reason: AfterSalesReason
    public var description: String
    /// Uploaded photo paths (`/files/...`) or https addresses, at most 9.
    public var photos: [String]?

    public init(kind: AfterSalesKind, lines: [AfterSalesLineInput], reason: AfterSalesReason, description: String, photos: [String]? = nil) {
        self.kind = kind
        self.lines = lines
        self.reason = reason
        self.description = description
        self.photos = photos
    }
}

public struct AfterSalesLineInfo: Codable, Sendable, Equatable {
    public var orderLineId: UUID
    public var skuId: UUID
    public var title: String
    public var specTitle: String
    public var quantity: Int
    /// What these units give back: their share of what the line was paid for.
    public var refundFen: Int64
    /// How `refundFen` was worked out; nil for an exchange, a cancelled or rejected case, and a
    /// free gift line (nothing was paid for it).
    public var breakdown: RefundBreakdownInfo?

    public init(orderLineId: UUID, skuId: UUID, title: String, specTitle: String, quantity: Int, refundFen: Int64, breakdown: RefundBreakdownInfo? = nil) {
        self.orderLineId = orderLineId
        self.skuId = skuId
        self.title = title
        self.specTitle = specTitle
        self.quantity = quantity
        self.refundFen = refundFen
        self.breakdown = breakdown
    }
}

/// A line's refund split the way the shopper can check it: the returned units' price less their
/// shares of each discount the order was priced with,
/// `goodsFen − levelDiscountFen − promotionDiscountFen − couponDiscountFen − pointsDeductionFen = refundFen`.
/// Over every return of a line the shares add up to exactly what each discount gave it.
public struct RefundBreakdownInfo: Codable, Sendable, Hashable {
    public var goodsFen: Int64
    public var levelDiscountFen: Int64
    public var promotionDiscountFen: Int64
    public var couponDiscountFen: Int64
    public var pointsDeductionFen: Int64
    public var refundFen: Int64

    public init(goodsFen: Int64, levelDiscountFen: Int64, promotionDiscountFen: Int64, couponDiscountFen: Int64, pointsDeductionFen: Int64, refundFen: Int64) {
        self.goodsFen = goodsFen
        self.levelDiscountFen = levelDiscountFen
        self.promotionDiscountFen = promotionDiscountFen
        self.couponDiscountFen = couponDiscountFen
        self.pointsDeductionFen = pointsDeductionFen
        self.refundFen = refundFen
    }
}

public struct AfterSalesTimelineEntry: Codable, Sendable, Equatable {
    public var actor: String
    public var at: Date
    public var from: AfterSalesStatus
    public var to: AfterSalesStatus
    public var note: String?

    public init(actor: String, at: Date, from: AfterSalesStatus, to: AfterSalesStatus, note: String?) {
        self.actor = actor
        self.at = at
        self.from = from
        self.to = to
        self.note = note
    }
}

public struct AfterSalesInfo: Codable, Sendable {
    public var id: UUID
    public var number: String
    public var orderId: UUID
    public var orderNumber: String
    public var storeId: UUID
    public var kind: AfterSalesKind
    public var status: AfterSalesStatus
    public var reason: AfterSalesReason
    public var description: String
    public var photos: [String]
    public var lines: [AfterSalesLineInfo]
    public var requestedRefundFen: Int64
    public var approvedRefundFen: Int64?
    public var refundedFen: Int64
    public var rejectionReason: String?
    public var returnCarrier: String?
    public var returnTrackingNumber: String?
    public var replacementCarrier: String?
    public var replacementTrackingNumber: String?
    public var timeline: [AfterSalesTimelineEntry]
    public var createdAt: Date

    public init(id: UUID, number: String, orderId: UUID, orderNumber: String, storeId: UUID, kind: AfterSalesKind, status: AfterSalesStatus,
                reason: AfterSalesReason, description: String, photos: [String], lines: [AfterSalesLineInfo], requestedRefundFen: Int64,
                approvedRefundFen: Int64?, refundedFen: Int64, rejectionReason: String?, returnCarrier: String?, returnTrackingNumber: String?,
                replacementCarrier: String?, replacementTrackingNumber: String?, timeline: [AfterSalesTimelineEntry], createdAt: Date) {
        self.id = id
        self.number = number
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.storeId = storeId
        self.kind = kind
        self.status = status
        self.reason = reason
        self.description = description
        self.photos = photos
        self.lines = lines
        self.requestedRefundFen = requestedRefundFen
        self.approvedRefundFen = approvedRefundFen
        self.refundedFen = refundedFen
        self.rejectionReason = rejectionReason
        self.returnCarrier = returnCarrier
        self.returnTrackingNumber = returnTrackingNumber
        self.replacementCarrier = replacementCarrier
        self.replacementTrackingNumber = replacementTrackingNumber
        self.timeline = timeline
        self.createdAt = createdAt
    }
}

/// Staff approve a request, optionally for less than asked (a partial refund).
public struct AfterSalesApprovalInput: Codable, Sendable {
    public var refundFen: Int64?
    public init(refundFen: Int64? = nil) { self.refundFen = refundFen }
}

public struct AfterSalesInspectionInput: Codable, Sendable {
    public var passed: Bool
    public var note: String?
    public init(passed: Bool, note: String? = nil) {
        self.passed = passed
        self.note = note
    }
}

/// The shopper's return parcel, or the store's replacement parcel.
public struct ReturnShipmentInput: Codable, Sendable {
    public var carrier: String
    public var trackingNumber: String
    public init(carrier: String, trackingNumber: String) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
    }
}

/// HQ's after-sales statistics: cases and money by store, product and reason.
public struct AfterSalesStats: Codable, Sendable {
    public struct Row: Codable, Sendable, Equatable {
        public var key: String
        public var label: String
        public var cases: Int
        public var units: Int
        public var refundedFen: Int64
        public init(key: String, label: String, cases: Int, units: Int, refundedFen: Int64) {
            self.key = key
            self.label = label
            self.cases = cases
            self.units = units
            self.refundedFen = refundedFen
        }
    }

    public var totalCases: Int
    public var byStatus: [String: Int]
    public var byStore: [Row]
    public var byProduct: [Row]
    public var byReason: [Row]

    public init(totalCases: Int, byStatus: [String: Int], byStore: [Row], byProduct: [Row], byReason: [Row]) {
        self.totalCases = totalCases
        self.byStatus = byStatus
        self.byStore = byStore
        self.byProduct = byProduct
        self.byReason = byReason
    }
}
