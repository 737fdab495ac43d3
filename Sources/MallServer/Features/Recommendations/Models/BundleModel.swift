import Fluent
import Foundation

/// 搭配购: a merchant's combination of products at one price. Its products are rows of
/// `bundle_products`, written and read with the bundle by `BundleService`.
final class BundleModel: Model, @unchecked Sendable {
    static let schema = "bundles"

    @ID(key: .id) var id: UUID?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "name") var name: String
    @Field(key: "price_fen") var priceFen: Int64
    @Field(key: "active") var active: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _merchantId, _name, _priceFen, _active, _createdAt, _updatedAt] }

    init() {}
}
