import Fluent
import Foundation
import MallCore
import SQLKit

final class CheckoutModel: Model, @unchecked Sendable {
    static let schema = "checkouts"

    @ID(key: .id) var id: UUID?

    @Field(key: "member_id") var memberId: UUID
    @Field(key: "idempotency_key") var idempotencyKey: String
    @Field(key: "request_digest") var requestDigest: String
    @Field(key: "payable_fen") var payableFen: Int64
    /// The response first given, returned again verbatim to a retry.
    @Field(key: "result") var resultJSON: String
    @Field(key: "created_at") var createdAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _memberId, _idempotencyKey, _requestDigest, _payableFen, _resultJSON, _createdAt] }

    init() {}
}

final class OrderModel: Model, @unchecked Sendable {
    static let schema = "orders"

    @ID(key: .id) var id: UUID?

    @Field(key: "number") var number: String
    @Field(key: "checkout_id") var checkoutId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "fulfilment") var fulfilment: String
    @Field(key: "status") var status: String
    @Field(key: "lifecycle") var lifecycleJSON: String
    @Field(key: "allocation") var allocationJSON: String
    @OptionalField(key: "delivery_address") var deliveryAddressJSON: String?
    @Field(key: "goods_fen") var goodsFen: Int64
    @Field(key: "discount_fen") var discountFen: Int64
    @Field(key: "shipping_fen") var shippingFen: Int64
    @Field(key: "payable_fen") var payableFen: Int64
    @Field(key: "pricing") var pricingJSON: String
    @Field(key: "payment_due_at") var paymentDueAt: Date
    @OptionalField(key: "paid_at") var paidAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _number, _checkoutId, _memberId, _merchantId, _storeId, _fulfilment, _status, _lifecycleJSON, _allocationJSON, _deliveryAddressJSON, _goodsFen, _discountFen, _shippingFen, _payableFen, _pricingJSON, _paymentDueAt, _paidAt, _createdAt, _updatedAt] }

    init() {}

    var owner: ResourceOwner { .store(StoreID(storeId), merchant: MerchantID(merchantId)) }

    /// The state machine is the source of truth; `status` mirrors it for queries.
    var lifecycle: OrderLifecycle {
        get throws { try JSONText.decode(OrderLifecycle.self, from: lifecycleJSON, describing: "order \(number)") }
    }

    func setLifecycle(_ lifecycle: OrderLifecycle) throws {
        lifecycleJSON = try JSONText.encode(lifecycle)
        status = lifecycle.status.rawValue
        storeId = lifecycle.storeId.rawValue
    }

    /// The totals and the full pricing (every line's discounts, for refunds) the engine gave.
    func setPricing(_ group: PricedGroup) throws {
        goodsFen = group.totals.subtotal.minorUnits
        discountFen = group.totals.discount.minorUnits
        shippingFen = group.totals.shippingFee.minorUnits
        payableFen = group.totals.payable.minorUnits
        pricingJSON = try JSONText.encode(group)
    }
}

final class OrderLineModel: Model, @unchecked Sendable {
    static let schema = "order_lines"

    @ID(key: .id) var id: UUID?

    @Field(key: "order_id") var orderId: UUID
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "product_id") var productId: UUID
    @Field(key: "title") var title: String
    @Field(key: "spec_title") var specTitle: String
    @Field(key: "quantity") var quantity: Int
    @Field(key: "unit_price_fen") var unitPriceFen: Int64
    @Field(key: "discount_fen") var discountFen: Int64
    @Field(key: "payable_fen") var payableFen: Int64

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _orderId, _skuId, _productId, _title, _specTitle, _quantity, _unitPriceFen, _discountFen, _payableFen] }

    init() {}

    /// A promotion's free gift line carries this spec title (English like every stored label;
    /// pages translate it, "赠品") and costs nothing.
    static let giftSpecTitle = "Gift"

    var isFreeGift: Bool { specTitle == Self.giftSpecTitle && unitPriceFen == 0 }

    /// Every line of a checkout in one multi-row INSERT; the caller gives each line its id, so
    /// nothing is read back.
    static func insertAll(_ lines: [OrderLineModel], on db: any Database) async throws {
        guard !lines.isEmpty else { return }
        var insert = db.sql.insert(into: schema).columns("id", "order_id", "sku_id", "product_id", "title", "spec_title", "quantity",
                                                         "unit_price_fen", "discount_fen", "payable_fen")
        for line in lines {
            guard let id = line.id else { throw FluentError.idRequired }
            insert = insert.values(SQLBind(id), SQLBind(line.orderId), SQLBind(line.skuId), SQLBind(line.productId), SQLBind(line.title),
                                   SQLBind(line.specTitle), SQLBind(line.quantity), SQLBind(line.unitPriceFen), SQLBind(line.discountFen),
                                   SQLBind(line.payableFen))
        }
        try await insert.run()
    }
}

final class PaymentModel: Model, @unchecked Sendable {
    static let schema = "payments"

    @ID(key: .id) var id: UUID?

    @Field(key: "checkout_id") var checkoutId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "provider") var provider: String
    @Field(key: "amount_fen") var amountFen: Int64
    @Field(key: "status") var status: String
    @OptionalField(key: "provider_transaction_id") var providerTransactionId: String?
    @Field(key: "refunded_fen") var refundedFen: Int64
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "paid_at") var paidAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _checkoutId, _memberId, _provider, _amountFen, _status, _providerTransactionId, _refundedFen, _createdAt, _paidAt] }

    init() {}
}

extension PaymentModel {
    /// The payment's money as the core's state machine sees it; a status this version does not
    /// know is stored data it cannot read.
    var lifecycle: PaymentLifecycle {
        get throws {
            guard let known = PaymentStatus(rawValue: status) else {
                throw StoredDataError(row: "payment \(id?.uuidString ?? "")", underlying: "unknown status \(status)")
            }
            return PaymentLifecycle(status: known, amountFen: amountFen, refundedFen: refundedFen, transactionId: providerTransactionId)
        }
    }
}

final class RefundModel: Model, @unchecked Sendable {
    static let schema = "refunds"

    @ID(key: .id) var id: UUID?

    @Field(key: "payment_id") var paymentId: UUID
    @OptionalField(key: "order_id") var orderId: UUID?
    @Field(key: "amount_fen") var amountFen: Int64
    @Field(key: "cause") var cause: String
    @Field(key: "status") var status: String
    @OptionalField(key: "provider_refund_id") var providerRefundId: String?
    @OptionalField(key: "after_sales_id") var afterSalesId: UUID?
    /// Set when the refund returns a transaction other than the payment's own (a duplicate).
    @OptionalField(key: "transaction_id") var transactionId: String?
    /// The gateway that took the refunded money, when it is not the payment's current one.
    @OptionalField(key: "provider") var provider: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "completed_at") var completedAt: Date?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _paymentId, _orderId, _amountFen, _cause, _status, _providerRefundId, _afterSalesId, _transactionId, _provider, _createdAt, _completedAt] }

    init() {}
}
