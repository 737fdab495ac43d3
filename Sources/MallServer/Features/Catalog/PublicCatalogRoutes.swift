import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// What shoppers browse: the category tree, product search, product detail at a store, and
/// barcode lookup for scan-to-buy.
struct PublicCatalogRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("categories", use: categories)
        routes.get("products", use: search)
        routes.get("products", ":productId", use: detail)
        routes.get("barcodes", ":code", use: barcode)
    }

    func categories(req: Request) async throws -> [CategoryNode] {
        try await TaxonomyRoutes.tree(on: req.db)
    }

    func search(req: Request) async throws -> ListPage<ProductSummary> {
        var errors = FieldErrorCollector()
        var search = ProductSearch()
        search.page = try PageRequest(from: req)
        search.marketingAt = req.now
        search.promotionCache = req.application.promotionReachCache
        search.keyword = req.query[String.self, at: "q"]
        if let q = search.keyword, q.count > 50 { errors.add("q", "must be at most 50 characters") }
        search.categoryId = req.optionalQuery(UUID.self, "categoryId", into: &errors, message: "must be a category id")
        search.brandId = req.optionalQuery(UUID.self, "brandId", into: &errors, message: "must be a brand id")
        search.merchantId = req.optionalQuery(UUID.self, "merchantId", into: &errors, message: "must be a merchant id")
        search.tag = req.query[String.self, at: "tag"]
        search.minPriceFen = req.boundedQuery("minPrice", InputLimits.priceFen, into: &errors)
        search.maxPriceFen = req.boundedQuery("maxPrice", InputLimits.priceFen, into: &errors)
        if let raw = req.query[String.self, at: "sort"] {
            if let sort = ProductSearch.Sort(rawValue: raw) { search.sort = sort } else {
                errors.add("sort", "must be one of \(ProductSearch.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id")
        let point = try Self.nearPoint(req, errors: &errors)
        try errors.throwIfAny()
        if let storeId {
            search.inStockAt = [storeId]
        } else if let (origin, radius) = point {
            search.inStockAt = try await PublicStoreRoutes.nearby(origin: origin, radiusMeters: radius, limit: 50, merchantId: nil,
                                                                  app: req.application, on: req.db, now: req.now).map(\.id)
        }
        return try await search.run(on: req.db)
    }

    /// Served from the detail read model with an entity tag; a client that holds the same
    /// answer gets 304 without a body.
    func detail(req: Request) async throws -> Response {
        let rendered = try await Self.detail(req)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: rendered.tag.headerValue)
        // Stock and prices move without notice, so a client asks every time; the tag makes the
        // question cheap. Private: a signed-in member's answer carries their level's prices.
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-cache")
        if rendered.tag.isMatched(byIfNoneMatch: req.headers[.ifNoneMatch]) {
            return Response(status: .notModified, headers: headers)
        }
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: rendered.body))
    }

    /// The product with every enabled SKU priced and stocked at the chosen store, or at the
    /// nearest open store of the merchant when the shopper shares a location (the API's detail
    /// and the storefront's product page).
    static func detail(_ req: Request) async throws -> ProductDetailReadModel.Rendered {
        guard let id = req.parameters.get("productId", as: UUID.self) else { throw ProductDetailReadModel.notOnSale }
        var errors = FieldErrorCollector()
        let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id")
        let point = try Self.nearPoint(req, errors: &errors)
        try errors.throwIfAny()
        let app = req.application
        let rendered = try await ProductDetailReadModel.render(
            product: id, memberLevel: try await req.memberLevel(), now: req.now,
            cache: app.productDetailCache ?? ProductDetailCache(), on: req.db
        ) { merchantId in
            if let storeId, let chosen = try await app.storeDirectory.stores(of: merchantId, on: req.db).first(where: { $0.id == storeId }) {
                return StoreRef(id: chosen.id, code: chosen.code, name: chosen.name,
                                distanceMeters: point.map { Int($0.0.distanceMeters(to: chosen.location).rounded()) })
            }
            guard let (origin, radius) = point,
                  let nearest = try await PublicStoreRoutes.nearby(origin: origin, radiusMeters: radius, limit: 1, merchantId: merchantId,
                                                                   app: app, on: req.db, now: req.now).first else { return nil }
            return StoreRef(id: nearest.id, code: nearest.code, name: nearest.name, distanceMeters: nearest.distanceMeters)
        }
        req.recordProductView(id)
        return rendered
    }

    /// Scan-to-buy: the SKU behind a barcode and the nearby stores that have it, nearest first.
    func barcode(req: Request) async throws -> BarcodeLookup {
        let code = try Barcode(parsing: req.parameters.get("code") ?? "", field: "code")
        var errors = FieldErrorCollector()
        let point = try Self.nearPoint(req, errors: &errors)
        try errors.throwIfAny()
        guard let (sku, product) = try await Self.onShelf(barcode: code, on: req.db) else {
            throw MallError.notFound("No product on sale has barcode \(code.digits).")
        }
        var stores: [StoreAvailability] = []
        if let (origin, radius) = point {
            let nearby = try await PublicStoreRoutes.nearby(origin: origin, radiusMeters: radius, limit: 20, merchantId: product.merchantId,
                                                            app: req.application, on: req.db, now: req.now)
            let levels = try await StockSnapshot.available(skus: [sku.id!], stores: nearby.map(\.id), on: req.db)
            let delisted = Set(try await StockSnapshot.delistings(products: [product.id!], on: req.db).map(\.storeId))
            stores = nearby.map { store in
                let available = levels.first { $0.storeId == store.id }?.available ?? 0
                return StoreAvailability(store: StoreRef(id: store.id, code: store.code, name: store.name, distanceMeters: store.distanceMeters),
                                         available: delisted.contains(store.id) ? 0 : available, openNow: store.openNow)
            }
        }
        var summary = ProductSummary(id: product.id!, merchantId: product.merchantId, title: product.title, subtitle: product.subtitle,
                                     image: product.images.first, brand: try await ProductRoutes.brandName(product.brandId, on: req.db),
                                     minPriceFen: product.minPriceFen, maxPriceFen: product.maxPriceFen, salesCount: product.salesCount)
        let ratings = try await ReviewQueries.ratingCounts(productId: product.id!, on: req.db)
        summary.reviewCount = ratings.count
        summary.averageRating = ratings.average
        summary.recommendedTags = product.recommendedTags
        let shopperSKU = try await Self.shopperSKUs([sku], product: product, storeId: stores.first(where: { $0.available > 0 })?.store.id,
                                                    level: nil, at: req.now, on: req.db)[0]
        return BarcodeLookup(product: summary, sku: shopperSKU, stores: stores)
    }

    /// The enabled SKU with this barcode whose product is on sale (the API's lookup and the
    /// storefront's scan page).
    static func onShelf(barcode code: Barcode, on db: any Database) async throws -> (SKUModel, ProductModel)? {
        for sku in try await SKUModel.query(on: db).filter(\.$barcode == code.digits).filter(\.$enabled == true).all() {
            if let product = try await ProductModel.find(sku.productId, on: db), product.onSale { return (sku, product) }
        }
        return nil
    }

    static func shopperSKUs(_ skus: [SKUModel], product: ProductModel, storeId: UUID?, level: String?, at: Date,
                            on db: any Database) async throws -> [ShopperSKU] {
        let prices = try await PriceBook.inputs(for: skus, storeId: storeId, on: db)
        var available: [UUID: Int] = [:]
        if let storeId, try await !StockSnapshot.delistings(products: [product.id!], on: db).contains(where: { $0.storeId == storeId }) {
            for level in try await StockSnapshot.available(skus: skus.compactMap(\.id), stores: [storeId], on: db) {
                available[level.skuId] = level.available
            }
        }
        return skus.map { sku in
            let quote = PriceResolver.resolve(prices[sku.id!]!, storeId: storeId.map(StoreID.init), memberLevel: level, at: at)
            return ShopperSKU(id: sku.id!, specKey: sku.specKey, specTitle: sku.specTitle, barcode: sku.barcode, priceFen: quote.price.minorUnits,
                              marketPriceFen: sku.marketPriceFen, available: available[sku.id!] ?? 0, priceExplanation: quote.steps)
        }
    }

    /// `lat`, `lng` and optional `radiusKm` (default 10, at most 50), all or nothing.
    static func nearPoint(_ req: Request, errors: inout FieldErrorCollector) throws -> (GeoPoint, Double)? {
        let lat = req.optionalQuery(Double.self, "lat", into: &errors, message: "must be a latitude")
        let lng = req.optionalQuery(Double.self, "lng", into: &errors, message: "must be a longitude")
        let radius = req.optionalQuery(Double.self, "radiusKm", into: &errors, message: "must be a number of kilometres") ?? 10
        if !(radius > 0 && radius <= 50) { errors.add("radiusKm", "must be more than 0 and at most 50") }
        guard let lat, let lng else {
            if (lat == nil) != (lng == nil) { errors.add(lat == nil ? "lat" : "lng", "give both lat and lng") }
            return nil
        }
        guard let point = errors.collect({ try GeoPoint(checkingLatitude: lat, longitude: lng) }) else { return nil }
        return (point, radius * 1000)
    }
}
