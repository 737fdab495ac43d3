import Fluent
import Foundation
import MallCore

final class FeeRuleModel: Model, @unchecked Sendable {
    static let schema = "fee_rules"

    @ID(key: .id) var id: UUID?

    @Field(key: "merchant_id") var merchantId: UUID
    @OptionalField(key: "category_id") var categoryId: UUID?
    @Field(key: "rate_bp") var rateBasisPoints: Int
    @Field(key: "fixed_fee_fen") var fixedFeeFen: Int64
    @Field(key: "effective_from") var effectiveFrom: Date
    /// The staff member's username.
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _merchantId, _categoryId, _rateBasisPoints, _fixedFeeFen, _effectiveFrom, _createdBy, _createdAt] }

    init() {}

    var rule: FeeRule {
        FeeRule(merchantId: MerchantID(merchantId), categoryId: categoryId, rateBasisPoints: rateBasisPoints, fixedFeeFen: fixedFeeFen, effectiveFrom: effectiveFrom)
    }
}

/// The provider's fee on one payment and who bears it, frozen when it was paid.
final class PaymentChannelFeeModel: Model, @unchecked Sendable {
    static let schema = "payment_channel_fees"

    @ID(key: .id) var id: UUID?

    @Field(key: "payment_id") var paymentId: UUID
    @Field(key: "provider") var provider: String
    @Field(key: "rate_bp") var rateBasisPoints: Int
    @Field(key: "fee_fen") var feeFen: Int64
    @Field(key: "bearer") var bearer: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _paymentId, _provider, _rateBasisPoints, _feeFen, _bearer, _createdAt] }

    init() {}
}

/// An order's fees as frozen when it was paid: a later fee rule never changes them.
final class OrderFeesModel: Model, @unchecked Sendable {
    static let schema = "order_fees"

    @ID(key: .id) var id: UUID?

    @Field(key: "order_id") var orderId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "fixed_fee_fen") var fixedFeeFen: Int64
    /// The order's share of its payment's channel fee; of it, `shippingChannelFeeFen` is the
    /// delivery fee's and the rest its lines'.
    @Field(key: "channel_fee_fen") var channelFeeFen: Int64
    @Field(key: "shipping_channel_fee_fen") var shippingChannelFeeFen: Int64
    @Field(key: "bearer") var bearer: String
    @Field(key: "frozen_at") var frozenAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _orderId, _merchantId, _fixedFeeFen, _channelFeeFen, _shippingChannelFeeFen, _bearer, _frozenAt] }

    init() {}
}

/// A line's commission rate, the platform-funded part of its discount and its share of the
/// channel fee, frozen when its order was paid.
final class OrderLineFeesModel: Model, @unchecked Sendable {
    static let schema = "order_line_fees"

    @ID(key: .id) var id: UUID?

    @Field(key: "order_line_id") var orderLineId: UUID
    @Field(key: "order_id") var orderId: UUID
    @Field(key: "commission_rate_bp") var commissionRateBasisPoints: Int
    @Field(key: "platform_discount_fen") var platformDiscountFen: Int64
    @Field(key: "channel_fee_fen") var channelFeeFen: Int64

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _orderLineId, _orderId, _commissionRateBasisPoints, _platformDiscountFen, _channelFeeFen] }

    init() {}
}

final class SettlementStatementModel: Model, @unchecked Sendable {
    static let schema = "settlement_statements"

    @ID(key: .id) var id: UUID?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "period_start") var periodStart: Date
    @Field(key: "period_end") var periodEnd: Date
    @Field(key: "status") var status: String
    @Field(key: "issued_at") var issuedAt: Date
    @OptionalField(key: "confirmed_at") var confirmedAt: Date?
    @OptionalField(key: "confirmation") var confirmation: String?
    @OptionalField(key: "confirmed_by") var confirmedBy: String?
    @OptionalField(key: "paid_at") var paidAt: Date?
    /// The sums of its entries (`SettlementAmounts` as JSON), fixed when it was issued.
    @Field(key: "totals") var totalsJSON: String
    /// What it owes or is owed: its entries' merchant net plus `broughtForwardFen`.
    @Field(key: "net_fen") var netFen: Int64
    /// The nets of the merchant's earlier statements carried forward into this one (≤ 0).
    @Field(key: "brought_forward_fen") var broughtForwardFen: Int64
    /// For a statement carried forward: the later statement that took its net.
    @OptionalField(key: "carried_into_id") var carriedIntoId: UUID?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _merchantId, _periodStart, _periodEnd, _status, _issuedAt, _confirmedAt, _confirmation, _confirmedBy, _paidAt, _totalsJSON, _netFen, _broughtForwardFen, _carriedIntoId] }

    init() {}

    var owner: ResourceOwner { .merchant(MerchantID(merchantId)) }

    var lifecycle: StatementLifecycle {
        get throws {
            guard let known = StatementStatus(rawValue: status) else {
                throw StoredDataError(row: "statement \(id?.uuidString ?? "")", underlying: "unknown status \(status)")
            }
            return StatementLifecycle(status: known)
        }
    }

    var totals: SettlementAmounts {
        get throws { try JSONText.decode(SettlementAmounts.self, from: totalsJSON, describing: "statement \(id?.uuidString ?? "")") }
    }
}

final class SettlementEntryModel: Model, @unchecked Sendable {
    static let schema = "settlement_entries"

    @ID(key: .id) var id: UUID?

    /// `line:<id>`, `order:<id>`, `line-adj:<id>:<refunded before>` or `order-adj:<id>`.
    @Field(key: "entry_key") var entryKey: String
    @Field(key: "kind") var kind: String
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "order_id") var orderId: UUID
    @OptionalField(key: "order_line_id") var orderLineId: UUID?
    /// How much of the line had been refunded when this entry was booked.
    @Field(key: "refunded_basis_fen") var refundedBasisFen: Int64
    @Field(key: "shopper_paid_fen") var shopperPaidFen: Int64
    @Field(key: "refunded_fen") var refundedFen: Int64
    @Field(key: "platform_discount_fen") var platformDiscountFen: Int64
    @Field(key: "commission_fen") var commissionFen: Int64
    @Field(key: "channel_fee_fen") var channelFeeFen: Int64
    @Field(key: "platform_channel_fee_fen") var platformChannelFeeFen: Int64
    @Field(key: "shipping_fen") var shippingFen: Int64
    @Field(key: "merchant_net_fen") var merchantNetFen: Int64
    @OptionalField(key: "statement_id") var statementId: UUID?
    @Field(key: "booked_at") var bookedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _entryKey, _kind, _merchantId, _orderId, _orderLineId, _refundedBasisFen, _shopperPaidFen, _refundedFen, _platformDiscountFen, _commissionFen, _channelFeeFen, _platformChannelFeeFen, _shippingFen, _merchantNetFen, _statementId, _bookedAt] }

    init() {}

    var amounts: SettlementAmounts {
        var amounts = SettlementAmounts()
        amounts.shopperPaidFen = shopperPaidFen
        amounts.refundedFen = refundedFen
        amounts.platformDiscountFen = platformDiscountFen
        amounts.commissionFen = commissionFen
        amounts.channelFeeFen = channelFeeFen
        amounts.platformChannelFeeFen = platformChannelFeeFen
        amounts.shippingFen = shippingFen
        amounts.merchantNetFen = merchantNetFen
        return amounts
    }
}

final class PayoutModel: Model, @unchecked Sendable {
    static let schema = "payouts"

    @ID(key: .id) var id: UUID?

    @Field(key: "statement_id") var statementId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "amount_fen") var amountFen: Int64
    @Field(key: "bank_reference") var bankReference: String
    /// The transfer's date as the bank states it (YYYY-MM-DD).
    @Field(key: "paid_on") var paidOn: String
    /// The uploaded receipt (a media URL), if any.
    @OptionalField(key: "receipt_url") var receiptURL: String?
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _statementId, _merchantId, _amountFen, _bankReference, _paidOn, _receiptURL, _recordedBy, _createdAt] }

    init() {}
}
