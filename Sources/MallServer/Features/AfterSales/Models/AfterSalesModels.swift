import Fluent
import Foundation
import MallCore

final class AfterSalesCaseModel: Model, @unchecked Sendable {
    static let schema = "after_sales_cases"

    @ID(key: .id) var id: UUID?

    @Field(key: "number") var number: String
    @Field(key: "order_id") var orderId: UUID
    @Field(key: "member_id") var memberId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "reason") var reason: String
    @Field(key: "description") var description: String
    /// The `AfterSalesCase` value; `status` mirrors it for queries.
    @Field(key: "state") var stateJSON: String
    @Field(key: "requested_refund_fen") var requestedRefundFen: Int64
    @Field(key: "refunded_fen") var refundedFen: Int64
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _number, _orderId, _memberId, _merchantId, _storeId, _kind, _status, _reason, _description, _stateJSON, _requestedRefundFen, _refundedFen, _createdAt, _updatedAt] }

    init() {}

    var owner: ResourceOwner { .store(StoreID(storeId), merchant: MerchantID(merchantId)) }

    var state: AfterSalesCase {
        get throws { try JSONText.decode(AfterSalesCase.self, from: stateJSON, describing: "after-sales case \(number)") }
    }

    func setState(_ state: AfterSalesCase) throws {
        stateJSON = try JSONText.encode(state)
        status = state.status.rawValue
    }
}

final class AfterSalesLineModel: Model, @unchecked Sendable {
    static let schema = "after_sales_lines"

    @ID(key: .id) var id: UUID?

    @Field(key: "case_id") var caseId: UUID
    @Field(key: "order_line_id") var orderLineId: UUID
    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "product_id") var productId: UUID
    @Field(key: "quantity") var quantity: Int
    @Field(key: "refund_fen") var refundFen: Int64

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _caseId, _orderLineId, _skuId, _productId, _quantity, _refundFen] }

    init() {}
}
