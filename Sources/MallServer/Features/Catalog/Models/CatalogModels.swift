import Fluent
import Foundation
import MallCore

final class CategoryModel: Model, @unchecked Sendable {
    static let schema = "categories"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @OptionalField(key: "parent_id") var parentId: UUID?
    @Field(key: "name") var name: String
    @Field(key: "sort_order") var sortOrder: Int
    @OptionalField(key: "icon") var icon: String?
    @Field(key: "path") var path: String
    @Field(key: "depth") var depth: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _parentId, _name, _sortOrder, _icon, _path, _depth] }

    init() {}

    /// The ids of this category and all its descendants.
    static func subtreeIds(of id: UUID, on db: any Database) async throws -> [UUID] {
        guard let root = try await find(id, on: db) else { return [] }
        return try await query(on: db).filter(\.$path =~ root.path).all(\.$id)
    }
}

final class BrandModel: Model, @unchecked Sendable {
    static let schema = "brands"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "name") var name: String
    @OptionalField(key: "logo_url") var logoURL: String?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _name, _logoURL] }

    init() {}
}

final class TagModel: Model, @unchecked Sendable {
    static let schema = "tags"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "name") var name: String

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _name] }

    init() {}
}

final class SpecTemplateModel: Model, @unchecked Sendable {
    static let schema = "spec_templates"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "specs") var specsJSON: String

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _name, _specsJSON] }

    init() {}
}

final class ProductModel: Model, @unchecked Sendable {
    static let schema = "products"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "title") var title: String
    @Field(key: "subtitle") var subtitle: String
    @Field(key: "description_html") var descriptionHTML: String
    @Field(key: "category_id") var categoryId: UUID
    @OptionalField(key: "brand_id") var brandId: UUID?
    @Field(key: "unit") var unit: String
    @Field(key: "weight_grams") var weightGrams: Int
    @Field(key: "specs") var specsJSON: String
    @Field(key: "images") var imagesJSON: String
    @Field(key: "status") var status: String
    @Field(key: "on_shelf") var onShelf: Bool
    @OptionalField(key: "rejection_reason") var rejectionReason: String?
    @Field(key: "sales_count") var salesCount: Int
    @Field(key: "min_price_fen") var minPriceFen: Int64
    @Field(key: "max_price_fen") var maxPriceFen: Int64
    @Field(key: "search_text") var searchText: String
    @OptionalField(key: "submitted_at") var submittedAt: Date?
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    /// When its merchant was suspended (or closed); nil while the merchant trades.
    @OptionalField(key: "merchant_suspended_at") var merchantSuspendedAt: Date?
    /// Written by the recommendation job (`RecommendedTag` raw values, comma-separated); nil until then.
    @OptionalField(key: "recommended_tags") var recommendedTagsText: String?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _merchantId, _title, _subtitle, _descriptionHTML, _categoryId, _brandId, _unit, _weightGrams, _specsJSON, _imagesJSON, _status, _onShelf, _rejectionReason, _salesCount, _minPriceFen, _maxPriceFen, _searchText, _submittedAt, _reviewedAt, _reviewedBy, _merchantSuspendedAt, _recommendedTagsText] }

    init() {}

    /// What shoppers may see and buy: on the shelf, and its merchant not suspended.
    var onSale: Bool { onShelf && merchantSuspendedAt == nil }

    var owner: ResourceOwner { .merchant(MerchantID(merchantId)) }

    var recommendedTags: [RecommendedTag] { RecommendedTag.list(recommendedTagsText ?? "") }

    var images: [String] {
        get { (try? JSONDecoder().decode([String].self, from: Data(imagesJSON.utf8))) ?? [] }
        set { imagesJSON = String(decoding: (try? JSONEncoder.api.encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}

final class ProductTagModel: Model, @unchecked Sendable {
    static let schema = "product_tags"

    @ID(key: .id) var id: UUID?

    @Field(key: "product_id") var productId: UUID
    @Field(key: "tag_id") var tagId: UUID

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _productId, _tagId] }

    init() {}

    init(productId: UUID, tagId: UUID) {
        self.productId = productId
        self.tagId = tagId
    }
}

final class SKUModel: Model, @unchecked Sendable {
    static let schema = "skus"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "product_id") var productId: UUID
    @Field(key: "merchant_id") var merchantId: UUID
    @Field(key: "spec_key") var specKey: String
    @Field(key: "spec_title") var specTitle: String
    @Field(key: "code") var code: String
    @OptionalField(key: "barcode") var barcode: String?
    @Field(key: "price_fen") var priceFen: Int64
    @OptionalField(key: "market_price_fen") var marketPriceFen: Int64?
    @OptionalField(key: "cost_fen") var costFen: Int64?
    @OptionalField(key: "weight_grams") var weightGrams: Int?
    @OptionalField(key: "image_url") var imageURL: String?
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "sales_count") var salesCount: Int

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _updatedAt, _productId, _merchantId, _specKey, _specTitle, _code, _barcode, _priceFen, _marketPriceFen, _costFen, _weightGrams, _imageURL, _enabled, _salesCount] }

    init() {}
}

final class SKUStorePriceModel: Model, @unchecked Sendable {
    static let schema = "sku_store_prices"

    @ID(key: .id) var id: UUID?

    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "price_fen") var priceFen: Int64

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _skuId, _storeId, _priceFen] }

    init() {}
}

final class SKULevelPriceModel: Model, @unchecked Sendable {
    static let schema = "sku_level_prices"

    @ID(key: .id) var id: UUID?

    @Field(key: "sku_id") var skuId: UUID
    @Field(key: "level") var level: String
    @Field(key: "discount_bp") var discountBasisPoints: Int
    @OptionalField(key: "fixed_price_fen") var fixedPriceFen: Int64?

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _skuId, _level, _discountBasisPoints, _fixedPriceFen] }

    init() {}
}

final class ScheduledPriceModel: Model, @unchecked Sendable {
    static let schema = "scheduled_prices"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "sku_id") var skuId: UUID
    @OptionalField(key: "store_id") var storeId: UUID?
    @Field(key: "price_fen") var priceFen: Int64
    @Field(key: "effective_from") var effectiveFrom: Date

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _skuId, _storeId, _priceFen, _effectiveFrom] }

    init() {}
}

final class ProductStoreDelistingModel: Model, @unchecked Sendable {
    static let schema = "product_store_delistings"

    @ID(key: .id) var id: UUID?

    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "product_id") var productId: UUID
    @Field(key: "store_id") var storeId: UUID
    @Field(key: "merchant_id") var merchantId: UUID

    // Listed here so FluentKit need not find them by reflection on every row (ModelPropertiesTests).
    var properties: [any AnyProperty] { [_id, _createdAt, _productId, _storeId, _merchantId] }

    init() {}
}
