import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The shopper's web pages: browsing renders on the server and needs no JavaScript; the cart,
/// checkout and account forms are enhanced by small scripts that call `/api/v1` with the
/// browser's session cookie. Page handlers reuse the API's queries and map their results to
/// page models, so the site and the apps show the same thing.
struct StorefrontRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("category", ":categoryId", use: category)
        routes.get("search", use: search)
        routes.get("product", ":productId", use: product)
        routes.get("stores", use: stores)
        routes.get("cart", use: cart)
        routes.get("checkout", use: checkout)
        routes.get("scan", use: scan)
        routes.get("offline", use: offline)
        // Unknown paths still pass the session middleware, so their error page shows who is
        // signed in and carries a CSRF token for the header's forms.
        routes.get("**") { _ -> Response in throw MallError.notFound("No such page.") }
    }

    // MARK: Browsing

    func home(req: Request) async throws -> Response {
        let tree = try await TaxonomyRoutes.tree(on: req.db)
        var recommended = ProductSearch()
        recommended.sort = .sales
        recommended.page = PageRequest(page: 1, per: 12)
        recommended.marketingAt = req.now
        let products = try await recommended.run(on: req.db).items
        var newest = ProductSearch()
        newest.sort = .newest
        newest.page = PageRequest(page: 1, per: 3)
        // Banners lead to the top categories, each pictured by its newest product.
        var banners: [BannerCard] = []
        for node in tree.prefix(3) {
            var search = ProductSearch()
            search.categoryId = node.id
            search.sort = .sales
            search.page = PageRequest(page: 1, per: 1)
            let lead = try await search.run(on: req.db).items.first
            banners.append(BannerCard(title: node.name, subtitle: lead?.title ?? "", href: "/category/\(node.id)", image: lead?.image))
        }
        let data = HomeData(banners: banners, categories: tree.map(CategoryLink.init), products: products.map { ProductCard($0, req) })
        return try await req.renderPage("storefront/home", title: req.message("home_title"), data: data)
    }

    func category(req: Request) async throws -> Response {
        guard let id = req.parameters.get("categoryId", as: UUID.self), let category = try await CategoryModel.find(id, on: req.db) else {
            throw MallError.notFound("No such category.")
        }
        return try await listing(req, heading: category.name, categoryId: id, basePath: "/category/\(id)")
    }

    func search(req: Request) async throws -> Response {
        let keyword = (req.query[String.self, at: "q"] ?? "").trimmingWhitespace()
        let heading = keyword.isEmpty ? req.message("search_all") : req.message("search_results_for", ["q": keyword])
        return try await listing(req, heading: heading, categoryId: nil, basePath: "/search")
    }

    /// Category and search pages share filters (price range, category), sorts and paging.
    private func listing(_ req: Request, heading: String, categoryId: UUID?, basePath: String) async throws -> Response {
        var search = ProductSearch()
        // Malformed filters are dropped rather than failing the page a shopper is browsing.
        var errors = FieldErrorCollector()
        let keyword = (req.query[String.self, at: "q"] ?? "").trimmingWhitespace()
        search.keyword = keyword.isEmpty ? nil : String(keyword.prefix(50))
        search.categoryId = categoryId ?? req.optionalQuery(UUID.self, "categoryId", into: &errors, message: "")
        let minYuan = Self.yuanQuery(req, "min")
        let maxYuan = Self.yuanQuery(req, "max")
        search.minPriceFen = minYuan.fen
        search.maxPriceFen = maxYuan.fen
        let sortRaw = req.query[String.self, at: "sort"] ?? "relevance"
        search.sort = ProductSearch.Sort(rawValue: sortRaw) ?? .relevance
        // "Shop at this store" from the store locator: only what that open store has in stock.
        var store: StoreDirectory.Entry?
        if let id = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "") {
            store = try await req.application.storeDirectory.openStores(on: req.db).first { $0.id == id }
        }
        if let store { search.inStockAt = [store.id] }
        let pageNumber = max(1, min(500, req.query[Int.self, at: "page"] ?? 1))
        search.page = PageRequest(page: pageNumber, per: 24)
        search.marketingAt = req.now
        let result = try await search.run(on: req.db)
        let tree = try await TaxonomyRoutes.tree(on: req.db)

        var query: [String: String] = [:]
        if let keyword = search.keyword { query["q"] = keyword }
        if categoryId == nil, let id = search.categoryId { query["categoryId"] = id.uuidString }
        if let min = minYuan.text { query["min"] = min }
        if let max = maxYuan.text { query["max"] = max }
        if search.sort != .relevance { query["sort"] = search.sort.rawValue }
        if let store { query["storeId"] = store.id.uuidString }
        func link(page: Int) -> String {
            var items = query
            if page > 1 { items["page"] = String(page) }
            return basePath + Self.queryString(items)
        }
        let pages = max(1, (result.total + result.per - 1) / result.per)
        if result.page > pages { return req.redirect(to: link(page: pages)) }
        let sorts = ProductSearch.Sort.allCases.map { sort in
            SelectOption(value: sort.rawValue, label: req.message("sort_\(sort.rawValue)"), selected: sort == search.sort)
        }
        var categoryOptions = [SelectOption(value: "", label: req.message("search_any_category"), selected: search.categoryId == nil)]
        for node in tree {
            categoryOptions.append(SelectOption(value: node.id.uuidString, label: node.name, selected: node.id == search.categoryId))
            for child in node.children {
                categoryOptions.append(SelectOption(value: child.id.uuidString, label: "· " + child.name, selected: child.id == search.categoryId))
            }
        }
        var storeFilter: StoreFilter?
        if let store {
            var without = query
            without["storeId"] = nil
            storeFilter = StoreFilter(id: store.id.uuidString, label: req.message("listing_store_filter", ["store": store.name]),
                                      clearHref: basePath + Self.queryString(without))
        }
        let data = ListingData(
            heading: store.map { heading == req.message("search_all") ? req.message("listing_store_heading", ["store": $0.name]) : heading } ?? heading,
            action: basePath, store: storeFilter, keyword: search.keyword ?? "", min: minYuan.text ?? "", max: maxYuan.text ?? "",
            showsCategoryFilter: categoryId == nil, categories: categoryOptions, sorts: sorts,
            subcategories: tree.flatMap { [$0] + $0.children }.first { $0.id == categoryId }?.children.map(CategoryLink.init) ?? [],
            products: result.items.map { ProductCard($0, req) }, total: result.total, page: result.page, pages: pages,
            previous: result.page > 1 ? link(page: result.page - 1) : nil, next: result.page < pages ? link(page: result.page + 1) : nil,
            summary: req.message("search_count", ["n": String(result.total)]))
        return try await req.renderPage("storefront/listing", title: heading, data: data)
    }

    /// A yuan amount typed into a price filter ("12", "12.5"); anything else is ignored rather
    /// than failing the whole page.
    static func yuanQuery(_ req: Request, _ name: String) -> (fen: Int64?, text: String?) {
        guard let raw = req.query[String.self, at: name]?.trimmingWhitespace(), !raw.isEmpty,
              let value = Decimal(string: raw), value >= 0, value < 10_000_000 else { return (nil, nil) }
        let fen = NSDecimalNumber(decimal: value * 100).int64Value
        return (fen, raw)
    }

    static func queryString(_ items: [String: String]) -> String {
        guard !items.isEmpty else { return "" }
        var components = URLComponents()
        components.queryItems = items.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return "?" + (components.percentEncodedQuery ?? "")
    }

    func product(req: Request) async throws -> Response {
        let detail = try await PublicCatalogRoutes.detail(req).detail
        let stores = try await req.application.storeDirectory.openStores(on: req.db).filter { $0.merchantId == detail.merchantId }
        let prices = detail.skus.map(\.priceFen)
        let data = ProductData(
            id: detail.id, shopHref: "/merchants/\(detail.merchantId)", title: detail.title, subtitle: detail.subtitle, brand: detail.brand ?? "",
            categoryPath: detail.categoryPath.joined(separator: " › "), descriptionHtml: detail.descriptionHtml,
            images: detail.images.isEmpty ? [] : detail.images, mainImage: detail.images.first,
            price: prices.isEmpty ? "" : WebFormat.priceRange(prices.min()!, prices.max()!),
            unit: detail.unit, tags: detail.recommendedTags.map { req.message("tag_" + $0.rawValue) } + detail.tags,
            specs: detail.specs.enumerated().map { index, spec in
                SpecGroup(index: index, name: spec.name, values: spec.values.enumerated().map { valueIndex, value in
                    SpecChoice(value: value, inputId: "spec-\(index)-\(valueIndex)", checked: valueIndex == 0 && detail.skus.count > 1)
                })
            },
            skus: detail.skus.map { sku in
                SKURow(id: sku.id, specKey: sku.specKey, specTitle: sku.specTitle.isEmpty ? req.message("product_default_spec") : sku.specTitle,
                       price: WebFormat.yuan(sku.priceFen), marketPrice: sku.marketPriceFen.flatMap { $0 > sku.priceFen ? WebFormat.yuan($0) : nil },
                       available: sku.available,
                       availability: detail.store == nil ? "" : (sku.available > 0 ? req.message("product_in_stock", ["n": String(sku.available)]) : req.message("product_out_of_stock")))
            },
            singleSKU: detail.skus.count == 1 ? detail.skus.first?.id : nil,
            store: detail.store.map { store in
                StoreLine(name: store.name, distance: store.distanceMeters.map(WebFormat.distance) ?? "")
            },
            storeOptions: stores.map { SelectOption(value: $0.id.uuidString, label: $0.name, selected: $0.id == detail.store?.id) },
            reviews: try await ProductReviewsSection.load(productId: detail.id, req: req),
            flash: detail.flash.map { flash in
                FlashLine(price: WebFormat.yuan(flash.priceFen), countdownTo: Int64(flash.endsAt.timeIntervalSince1970 * 1_000),
                          endsIn: req.message("flash_ends_in"))
            },
            videos: detail.videos,
            documents: detail.documents.map { DocumentLink(url: $0.url, title: $0.title, size: WebFormat.byteSize($0.byteCount)) })
        return try await req.renderPage("storefront/product", title: detail.title, data: data)
    }

    func stores(req: Request) async throws -> Response {
        // A malformed location is ignored (the list is shown by city) rather than failing the page.
        var ignored = FieldErrorCollector()
        let lat = req.optionalQuery(Double.self, "lat", into: &ignored, message: "")
        let lng = req.optionalQuery(Double.self, "lng", into: &ignored, message: "")
        let city = req.query[String.self, at: "city"]?.trimmingWhitespace()
        let all = try await req.application.storeDirectory.openStores(on: req.db)
        let cities = Array(Set(all.map(\.city))).sorted()
        let settings = try await SettingsService.resolved(on: req.db)
        let (weekday, minute) = LocalTime.weekdayAndMinute(of: req.now, in: settings.timeZone)
        func card(_ store: StoreDirectory.Entry, distance: String?) -> StoreCard {
            StoreCard(store: store, distance: distance, openNow: store.weeklyHours.isOpen(on: weekday, at: minute), today: weekday, req: req)
        }
        let rows: [StoreCard]
        if let lat, let lng, let origin = try? GeoPoint(checkingLatitude: lat, longitude: lng) {
            rows = all.map { ($0, Int(origin.distanceMeters(to: $0.location).rounded())) }
                .sorted { $0.1 < $1.1 }
                .map { card($0.0, distance: WebFormat.distance($0.1)) }
        } else {
            rows = all.filter { city == nil || city!.isEmpty || $0.city == city }
                .sorted { ($0.city, $0.code) < ($1.city, $1.code) }
                .map { card($0, distance: nil) }
        }
        let data = StoresData(cities: [SelectOption(value: "", label: req.message("stores_all_cities"), selected: city?.isEmpty ?? true)]
                                + cities.map { SelectOption(value: $0, label: $0, selected: $0 == city) },
                              located: lat != nil && lng != nil, stores: rows,
                              noneText: req.message("stores_none", ["city": String((city ?? "").prefix(20))]))
        return try await req.renderPage("storefront/stores", title: req.message("stores_title"), data: data)
    }

    // MARK: Cart and checkout (rendered by /js/cart.js and /js/checkout.js from the API)

    func cart(req: Request) async throws -> Response {
        try await req.renderPage("storefront/cart", title: req.message("cart_title"), data: NoPageData())
    }

    func checkout(req: Request) async throws -> Response {
        guard case .member = req.principal else { return req.redirect(to: "/login?next=/checkout") }
        let stores = try await req.application.storeDirectory.openStores(on: req.db).filter(\.pickupEnabled)
            .sorted { ($0.city, $0.code) < ($1.city, $1.code) }
        let data = CheckoutData(pickupStores: stores.map { CheckoutStoreOption(id: $0.id, merchantId: $0.merchantId, name: $0.name, address: $0.city + $0.district + $0.address) })
        return try await req.renderPage("storefront/checkout", title: req.message("checkout_title"), data: data)
    }

    // MARK: Scan to buy, offline

    /// The scan page, or, with `?code=`, the product behind a scanned or typed barcode.
    func scan(req: Request) async throws -> Response {
        var notFound: String?
        if let raw = req.query[String.self, at: "code"]?.trimmingWhitespace(), !raw.isEmpty {
            if let code = try? Barcode(parsing: raw, field: "code") {
                if let (sku, product) = try await PublicCatalogRoutes.onShelf(barcode: code, on: req.db) {
                    // The scanned variant comes preselected on the product page.
                    return req.redirect(to: "/product/\(product.id!)?sku=\(sku.id!)")
                }
            }
            notFound = req.message("scan_not_found", ["code": String(raw.prefix(40))])
        }
        let typed = req.query[String.self, at: "code"].map { String($0.trimmingWhitespace().prefix(40)) }
        return try await req.renderPage("storefront/scan", title: req.message("scan_title"), data: ScanData(notFound: notFound, code: typed),
                                        status: notFound == nil ? .ok : .notFound)
    }

    func offline(req: Request) async throws -> Response {
        try await req.renderPage("storefront/offline", title: req.message("offline_title"), data: NoPageData())
    }
}

// MARK: Page models

struct SelectOption: Encodable, Sendable {
    let value: String
    let label: String
    let selected: Bool
}

struct CategoryLink: Encodable, Sendable {
    let id: UUID
    let name: String
    let href: String
    let children: [CategoryLink]

    init(_ node: CategoryNode) {
        id = node.id
        name = node.name
        href = "/category/\(node.id)"
        children = node.children.map(CategoryLink.init)
    }
}

struct ProductCard: Encodable, Sendable {
    let id: UUID
    let href: String
    let title: String
    let subtitle: String
    let image: String?
    let price: String
    /// "★ 4.7 (12)" once the product has approved reviews.
    let rating: String?
    /// The running offers' badges in the shopper's language, e.g. "秒杀", "满减".
    let badges: [Badge]
    /// The live flash price, beside the regular one.
    let flashPrice: String?
    /// A running group buy's price ("拼团价 ¥9.90" on the card).
    let groupPrice: String?

    struct Badge: Encodable, Sendable {
        let kind: String
        let label: String
    }

    init(_ summary: ProductSummary, _ req: Request) {
        id = summary.id
        href = "/product/\(summary.id)"
        title = summary.title
        subtitle = summary.subtitle
        image = summary.image
        price = WebFormat.priceRange(summary.minPriceFen, summary.maxPriceFen)
        rating = summary.averageRating.map { "★ " + String(format: "%.1f", $0) + " (\(summary.reviewCount))" }
        badges = summary.badges.map { Badge(kind: $0.rawValue, label: req.message("badge_\($0.rawValue.lowercased())")) }
        flashPrice = summary.flash.map { WebFormat.priceRange($0.priceFen, $0.priceFen) }
        groupPrice = summary.groupBuy.map { WebFormat.priceRange($0.priceFen, $0.priceFen) }
    }
}

struct BannerCard: Encodable, Sendable {
    let title: String
    let subtitle: String
    let href: String
    let image: String?
}

struct HomeData: Encodable, Sendable {
    let banners: [BannerCard]
    let categories: [CategoryLink]
    let products: [ProductCard]
}

struct ListingData: Encodable, Sendable {
    let heading: String
    let action: String
    let store: StoreFilter?
    let keyword: String
    let min: String
    let max: String
    let showsCategoryFilter: Bool
    let categories: [SelectOption]
    let sorts: [SelectOption]
    let subcategories: [CategoryLink]
    let products: [ProductCard]
    let total: Int
    let page: Int
    let pages: Int
    let previous: String?
    let next: String?
    let summary: String
}

/// The store a listing is narrowed to, with the link that widens it again.
struct StoreFilter: Encodable, Sendable {
    let id: String
    let label: String
    let clearHref: String
}

struct SpecChoice: Encodable, Sendable {
    let value: String
    let inputId: String
    let checked: Bool
}

struct SpecGroup: Encodable, Sendable {
    let index: Int
    let name: String
    let values: [SpecChoice]
}

struct SKURow: Encodable, Sendable {
    let id: UUID
    let specKey: String
    let specTitle: String
    let price: String
    let marketPrice: String?
    let available: Int
    let availability: String
}

struct StoreLine: Encodable, Sendable {
    let name: String
    let distance: String
}

/// A live flash price on the product page, with the end of its session for the countdown (ms).
struct FlashLine: Encodable, Sendable {
    let price: String
    let countdownTo: Int64
    let endsIn: String
}

struct ProductData: Encodable, Sendable {
    let id: UUID
    /// Its merchant's shop page.
    let shopHref: String
    let title: String
    let subtitle: String
    let brand: String
    let categoryPath: String
    /// Sanitized when saved (`HTMLSanitizer`), so it is the one value rendered unescaped.
    let descriptionHtml: String
    let images: [String]
    let mainImage: String?
    let price: String
    let unit: String
    let tags: [String]
    let specs: [SpecGroup]
    let skus: [SKURow]
    let singleSKU: UUID?
    let store: StoreLine?
    let storeOptions: [SelectOption]
    let reviews: ProductReviewsSection
    let flash: FlashLine?
    let videos: [ProductAttachment]
    let documents: [DocumentLink]
}

/// A product document as a link: its title and size ("User manual · 1.2 MB").
struct DocumentLink: Encodable, Sendable {
    let url: String
    let title: String
    let size: String
}

struct StoreCard: Encodable, Sendable {
    let id: UUID
    let name: String
    let code: String
    let city: String
    let address: String
    let phone: String
    let distance: String?
    let openNow: Bool
    let openText: String
    let hours: String
    let pickup: Bool
    let shopHref: String

    init(store: StoreDirectory.Entry, distance: String?, openNow: Bool, today: Weekday, req: Request) {
        id = store.id
        name = store.name
        code = store.code
        city = store.city
        address = store.district + store.address
        phone = store.phone
        self.distance = distance
        self.openNow = openNow
        openText = req.message(openNow ? "stores_open_now" : "stores_closed_now")
        hours = store.openingHours[today.key].map { $0.joined(separator: ", ") } ?? req.message("stores_closed_today")
        pickup = store.pickupEnabled
        shopHref = "/search?storeId=\(store.id)"
    }
}

struct StoresData: Encodable, Sendable {
    let cities: [SelectOption]
    let located: Bool
    let stores: [StoreCard]
    /// Said when the city has no open store, naming it.
    let noneText: String
}

struct CheckoutStoreOption: Encodable, Sendable {
    let id: UUID
    let merchantId: UUID
    let name: String
    let address: String
}

struct CheckoutData: Encodable, Sendable {
    let pickupStores: [CheckoutStoreOption]
}

struct ScanData: Encodable, Sendable {
    let notFound: String?
    /// What the shopper typed, kept in the box when it found nothing.
    let code: String?
}
