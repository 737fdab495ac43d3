import Foundation
import MallCore

public struct CategoryInput: Codable, Sendable {
    public var name: String
    public var parentId: UUID?
    public var sortOrder: Int?
    public var icon: String?
    public init(name: String, parentId: UUID? = nil, sortOrder: Int? = nil, icon: String? = nil) {
        self.name = name
        self.parentId = parentId
        self.sortOrder = sortOrder
        self.icon = icon
    }
}

/// A partial category edit. `parentId` moves the category under another; `moveToRoot` makes it
/// a top-level category.
public struct CategoryUpdate: Codable, Sendable {
    public var name: String?
    public var parentId: UUID?
    public var moveToRoot: Bool?
    public var sortOrder: Int?
    public var icon: String?
    public init(name: String? = nil, parentId: UUID? = nil, moveToRoot: Bool? = nil, sortOrder: Int? = nil, icon: String? = nil) {
        self.name = name
        self.parentId = parentId
        self.moveToRoot = moveToRoot
        self.sortOrder = sortOrder
        self.icon = icon
    }
}

public struct CategoryNode: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var parentId: UUID?
    public var sortOrder: Int
    public var icon: String?
    public var depth: Int
    public var children: [CategoryNode]
    public init(id: UUID, name: String, parentId: UUID?, sortOrder: Int, icon: String?, depth: Int, children: [CategoryNode]) {
        self.id = id
        self.name = name
        self.parentId = parentId
        self.sortOrder = sortOrder
        self.icon = icon
        self.depth = depth
        self.children = children
    }
}

public struct NamedInput: Codable, Sendable {
    public var name: String
    public var logoUrl: String?
    public init(name: String, logoUrl: String? = nil) {
        self.name = name
        self.logoUrl = logoUrl
    }
}

public struct Brand: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var logoUrl: String?
    public init(id: UUID, name: String, logoUrl: String?) {
        self.id = id
        self.name = name
        self.logoUrl = logoUrl
    }
}

public struct Tag: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}

public struct SpecTemplateInput: Codable, Sendable {
    public var name: String
    public var specs: [SpecDefinition]
    public init(name: String, specs: [SpecDefinition]) {
        self.name = name
        self.specs = specs
    }
}

public struct SpecTemplate: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var specs: [SpecDefinition]
    public init(id: UUID, name: String, specs: [SpecDefinition]) {
        self.id = id
        self.name = name
        self.specs = specs
    }
}

/// One SKU of the spec matrix as the merchant fills it in. `specs` names the combination, e.g.
/// `{"颜色": "红", "尺码": "M"}`; a product without specs has one SKU with empty `specs`.
/// Prices are in fen (分).
public struct SKUInput: Codable, Sendable {
    public var specs: [String: String]
    public var code: String
    public var barcode: String?
    public var priceFen: Int64
    public var marketPriceFen: Int64?
    public var costFen: Int64?
    public var weightGrams: Int?
    public var imageUrl: String?
    public var enabled: Bool?

    public init(specs: [String: String] = [:], code: String, barcode: String? = nil, priceFen: Int64, marketPriceFen: Int64? = nil,
                costFen: Int64? = nil, weightGrams: Int? = nil, imageUrl: String? = nil, enabled: Bool? = nil) {
        self.specs = specs
        self.code = code
        self.barcode = barcode
        self.priceFen = priceFen
        self.marketPriceFen = marketPriceFen
        self.costFen = costFen
        self.weightGrams = weightGrams
        self.imageUrl = imageUrl
        self.enabled = enabled
    }
}

/// The editable content of a product; `merchantId` only on creation.
public struct ProductInput: Codable, Sendable {
    public var merchantId: UUID?
    public var title: String
    public var subtitle: String?
    public var descriptionHtml: String?
    public var categoryId: UUID
    public var brandId: UUID?
    public var tags: [String]?
    public var unit: String
    public var weightGrams: Int
    public var images: [String]?
    public var specs: [SpecDefinition]
    public var skus: [SKUInput]

    public init(merchantId: UUID? = nil, title: String, subtitle: String? = nil, descriptionHtml: String? = nil, categoryId: UUID,
                brandId: UUID? = nil, tags: [String]? = nil, unit: String, weightGrams: Int, images: [String]? = nil,
                specs: [SpecDefinition], skus: [SKUInput]) {
        self.merchantId = merchantId
        self.title = title
        self.subtitle = subtitle
        self.descriptionHtml = descriptionHtml
        self.categoryId = categoryId
        self.brandId = brandId
        self.tags = tags
        self.unit = unit
        self.weightGrams = weightGrams
        self.images = images
        self.specs = specs
        self.skus = skus
    }
}

public struct SKU: Codable, Sendable, Equatable {
    public var id: UUID
    public var specKey: String
    public var specTitle: String
    public var code: String
    public var barcode: String?
    public var priceFen: Int64
    public var marketPriceFen: Int64?
    public var costFen: Int64?
    public var weightGrams: Int?
    public var imageUrl: String?
    public var enabled: Bool
    public var salesCount: Int

    public init(id: UUID, specKey: String, specTitle: String, code: String, barcode: String?, priceFen: Int64, marketPriceFen: Int64?,
                costFen: Int64?, weightGrams: Int?, imageUrl: String?, enabled: Bool, salesCount: Int) {
        self.id = id
        self.specKey = specKey
        self.specTitle = specTitle
        self.code = code
        self.barcode = barcode
        self.priceFen = priceFen
        self.marketPriceFen = marketPriceFen
        self.costFen = costFen
        self.weightGrams = weightGrams
        self.imageUrl = imageUrl
        self.enabled = enabled
        self.salesCount = salesCount
    }
}

public struct Product: Codable, Sendable {
    public var id: UUID
    public var merchantId: UUID
    public var title: String
    public var subtitle: String
    public var descriptionHtml: String
    public var categoryId: UUID
    public var brandId: UUID?
    public var tags: [String]
    public var unit: String
    public var weightGrams: Int
    public var images: [String]
    public var specs: [SpecDefinition]
    public var status: ProductStatus
    public var onShelf: Bool
    public var rejectionReason: String?
    public var skus: [SKU]
    public var delistedStoreIds: [UUID]
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, merchantId: UUID, title: String, subtitle: String, descriptionHtml: String, categoryId: UUID, brandId: UUID?,
                tags: [String], unit: String, weightGrams: Int, images: [String], specs: [SpecDefinition], status: ProductStatus,
                onShelf: Bool, rejectionReason: String?, skus: [SKU], delistedStoreIds: [UUID], createdAt: Date, updatedAt: Date) {
        self.id = id
        self.merchantId = merchantId
        self.title = title
        self.subtitle = subtitle
        self.descriptionHtml = descriptionHtml
        self.categoryId = categoryId
        self.brandId = brandId
        self.tags = tags
        self.unit = unit
        self.weightGrams = weightGrams
        self.images = images
        self.specs = specs
        self.status = status
        self.onShelf = onShelf
        self.rejectionReason = rejectionReason
        self.skus = skus
        self.delistedStoreIds = delistedStoreIds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct ReviewRejection: Codable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

public struct ShelfChange: Codable, Sendable {
    public var onShelf: Bool
    public init(onShelf: Bool) { self.onShelf = onShelf }
}

public struct StoreListingChange: Codable, Sendable {
    /// false delists the product in this one store; true lists it again.
    public var listed: Bool
    public init(listed: Bool) { self.listed = listed }
}

public struct StorePriceInput: Codable, Sendable {
    /// nil removes the store's own price.
    public var priceFen: Int64?
    public init(priceFen: Int64?) { self.priceFen = priceFen }
}

public struct LevelPriceInput: Codable, Sendable {
    /// 9500 = members of this level pay 95%.
    public var discountBasisPoints: Int
    public var fixedPriceFen: Int64?
    public init(discountBasisPoints: Int, fixedPriceFen: Int64? = nil) {
        self.discountBasisPoints = discountBasisPoints
        self.fixedPriceFen = fixedPriceFen
    }
}

public struct ScheduledPriceInput: Codable, Sendable {
    public var priceFen: Int64
    public var effectiveFrom: Date
    public var storeId: UUID?
    public init(priceFen: Int64, effectiveFrom: Date, storeId: UUID? = nil) {
        self.priceFen = priceFen
        self.effectiveFrom = effectiveFrom
        self.storeId = storeId
    }
}

/// Every price a SKU has besides its list price: per store, per member level and planned.
public struct SKUPriceBook: Codable, Sendable, Equatable {
    public struct StorePrice: Codable, Sendable, Equatable {
        public var storeId: UUID
        public var priceFen: Int64
        public init(storeId: UUID, priceFen: Int64) {
            self.storeId = storeId
            self.priceFen = priceFen
        }
    }

    public struct LevelPrice: Codable, Sendable, Equatable {
        public var level: String
        public var discountBasisPoints: Int
        public var fixedPriceFen: Int64?
        public init(level: String, discountBasisPoints: Int, fixedPriceFen: Int64?) {
            self.level = level
            self.discountBasisPoints = discountBasisPoints
            self.fixedPriceFen = fixedPriceFen
        }
    }

    public struct Planned: Codable, Sendable, Equatable {
        public var id: UUID
        /// nil: every store of the merchant.
        public var storeId: UUID?
        public var priceFen: Int64
        public var effectiveFrom: Date
        public init(id: UUID, storeId: UUID?, priceFen: Int64, effectiveFrom: Date) {
            self.id = id
            self.storeId = storeId
            self.priceFen = priceFen
            self.effectiveFrom = effectiveFrom
        }
    }

    public var skuId: UUID
    public var priceFen: Int64
    public var storePrices: [StorePrice]
    public var levelPrices: [LevelPrice]
    public var scheduledPrices: [Planned]
    public init(skuId: UUID, priceFen: Int64, storePrices: [StorePrice], levelPrices: [LevelPrice], scheduledPrices: [Planned]) {
        self.skuId = skuId
        self.priceFen = priceFen
        self.storePrices = storePrices
        self.levelPrices = levelPrices
        self.scheduledPrices = scheduledPrices
    }
}

/// A shopper-facing product in a list.
public struct ProductSummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var merchantId: UUID
    public var title: String
    public var subtitle: String
    public var image: String?
    public var brand: String?
    public var minPriceFen: Int64
    public var maxPriceFen: Int64
    public var salesCount: Int
    /// Approved reviews, and their mean stars to one decimal (nil without reviews).
    public var reviewCount: Int
    public var averageRating: Double?
    /// The offers running on it now, flash sale first (on product lists; empty elsewhere).
    public var badges: [PromotionBadge] = []
    /// Its cheapest SKU in a live flash-sale session, if any (on product lists).
    public var flash: ProductFlash?
    /// Its cheapest SKU in a running group buy, if any (on product lists).
    public var groupBuy: ProductGroupBuy?
    /// 热销, 新品, 好评, 回头客多 as the recommendation job last assigned them.
    public var recommendedTags: [RecommendedTag] = []
    public init(id: UUID, merchantId: UUID, title: String, subtitle: String, image: String?, brand: String?, minPriceFen: Int64,
                maxPriceFen: Int64, salesCount: Int, reviewCount: Int = 0, averageRating: Double? = nil) {
        self.id = id
        self.merchantId = merchantId
        self.title = title
        self.subtitle = subtitle
        self.image = image
        self.brand = brand
        self.minPriceFen = minPriceFen
        self.maxPriceFen = maxPriceFen
        self.salesCount = salesCount
        self.reviewCount = reviewCount
        self.averageRating = averageRating
    }
}

/// A SKU as a shopper sees it at one store: the price that applies there and how it came about.
public struct ShopperSKU: Codable, Sendable, Equatable {
    public var id: UUID
    public var specKey: String
    public var specTitle: String
    public var barcode: String?
    public var priceFen: Int64
    public var marketPriceFen: Int64?
    public var available: Int
    public var priceExplanation: [PriceStep]
    public init(id: UUID, specKey: String, specTitle: String, barcode: String?, priceFen: Int64, marketPriceFen: Int64?, available: Int,
                priceExplanation: [PriceStep]) {
        self.id = id
        self.specKey = specKey
        self.specTitle = specTitle
        self.barcode = barcode
        self.priceFen = priceFen
        self.marketPriceFen = marketPriceFen
        self.available = available
        self.priceExplanation = priceExplanation
    }
}

public struct StoreRef: Codable, Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var distanceMeters: Int?
    public init(id: UUID, code: String, name: String, distanceMeters: Int?) {
        self.id = id
        self.code = code
        self.name = name
        self.distanceMeters = distanceMeters
    }
}

/// A product's SKU in a flash-sale session running now: its flash price until the session ends.
public struct ProductFlash: Codable, Sendable, Equatable {
    public var sessionId: UUID
    public var skuId: UUID
    public var priceFen: Int64
    public var endsAt: Date

    public init(sessionId: UUID, skuId: UUID, priceFen: Int64, endsAt: Date) {
        self.sessionId = sessionId
        self.skuId = skuId
        self.priceFen = priceFen
        self.endsAt = endsAt
    }
}

/// A product's cheapest SKU in a group buy running now: its group price for groups of `groupSize`.
public struct ProductGroupBuy: Codable, Sendable, Equatable {
    public var activityId: UUID
    public var skuId: UUID
    public var priceFen: Int64
    public var groupSize: Int

    public init(activityId: UUID, skuId: UUID, priceFen: Int64, groupSize: Int) {
        self.activityId = activityId
        self.skuId = skuId
        self.priceFen = priceFen
        self.groupSize = groupSize
    }
}

public struct ProductDetail: Codable, Sendable {
    public var id: UUID
    public var merchantId: UUID
    public var title: String
    public var subtitle: String
    public var descriptionHtml: String
    public var images: [String]
    public var brand: String?
    public var categoryPath: [String]
    public var tags: [String]
    public var unit: String
    public var specs: [SpecDefinition]
    /// The store whose stock and prices are shown: the one asked for, or the nearest.
    public var store: StoreRef?
    public var skus: [ShopperSKU]
    /// Approved reviews summed up: count, mean stars, count per star, share with photos.
    public var ratings: RatingSummary
    /// Its cheapest SKU in a live flash-sale session, if any.
    public var flash: ProductFlash?
    /// MP4/WebM videos, each with the poster its uploader chose, in upload order.
    public var videos: [ProductAttachment]
    /// PDF documents (manuals, certificates), in upload order.
    public var documents: [ProductAttachment]
    /// 热销, 新品, 好评, 回头客多 as the recommendation job last assigned them.
    public var recommendedTags: [RecommendedTag] = []
    public init(id: UUID, merchantId: UUID, title: String, subtitle: String, descriptionHtml: String, images: [String], brand: String?,
                categoryPath: [String], tags: [String], unit: String, specs: [SpecDefinition], store: StoreRef?, skus: [ShopperSKU],
                ratings: RatingSummary = RatingSummary(RatingCounts()), flash: ProductFlash? = nil,
                videos: [ProductAttachment] = [], documents: [ProductAttachment] = []) {
        self.id = id
        self.merchantId = merchantId
        self.title = title
        self.subtitle = subtitle
        self.descriptionHtml = descriptionHtml
        self.images = images
        self.brand = brand
        self.categoryPath = categoryPath
        self.tags = tags
        self.unit = unit
        self.specs = specs
        self.store = store
        self.skus = skus
        self.ratings = ratings
        self.flash = flash
        self.videos = videos
        self.documents = documents
    }
}

/// A product's video or document, served with range requests from `url`.
public struct ProductAttachment: Codable, Sendable, Equatable {
    public var id: UUID
    public var productId: UUID
    /// `mp4`, `webm` or `pdf`.
    public var format: AttachmentFormat
    public var url: String
    public var contentType: String
    public var title: String
    public var byteCount: Int
    /// Videos only.
    public var durationMilliseconds: Int?
    /// Videos only: the `/files/img/…` image shown before playback.
    public var posterUrl: String?

    public init(id: UUID, productId: UUID, format: AttachmentFormat, url: String, contentType: String, title: String, byteCount: Int,
                durationMilliseconds: Int?, posterUrl: String?) {
        self.id = id
        self.productId = productId
        self.format = format
        self.url = url
        self.contentType = contentType
        self.title = title
        self.byteCount = byteCount
        self.durationMilliseconds = durationMilliseconds
        self.posterUrl = posterUrl
    }
}

public struct StoreAvailability: Codable, Sendable, Equatable {
    public var store: StoreRef
    public var available: Int
    public var openNow: Bool
    public init(store: StoreRef, available: Int, openNow: Bool) {
        self.store = store
        self.available = available
        self.openNow = openNow
    }
}

/// Scan-to-buy: what a barcode is and where it can be had nearby.
public struct BarcodeLookup: Codable, Sendable {
    public var product: ProductSummary
    public var sku: ShopperSKU
    public var stores: [StoreAvailability]
    public init(product: ProductSummary, sku: ShopperSKU, stores: [StoreAvailability]) {
        self.product = product
        self.sku = sku
        self.stores = stores
    }
}

/// The outcome of a CSV import. Row numbers count the header as row 1, as a spreadsheet shows them.
public struct ImportReport: Codable, Sendable, Equatable {
    public var mode: String
    public var rows: Int
    public var created: Int
    public var updated: Int
    public var failedRows: [Int]
    public var errors: [FieldError]

    public init(mode: String, rows: Int, created: Int, updated: Int, failedRows: [Int], errors: [FieldError]) {
        self.mode = mode
        self.rows = rows
        self.created = created
        self.updated = updated
        self.failedRows = failedRows
        self.errors = errors
    }
}
