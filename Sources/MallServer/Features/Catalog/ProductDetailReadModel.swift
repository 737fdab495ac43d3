import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What a product's detail shows that changes only with `products.version`: the product, its
/// enabled SKUs with their catalogue prices, names of its brand, categories and tags, and its
/// videos and documents. Built on the first read after a write, then kept by every instance.
struct ProductDetailDocument: Sendable {
    let version: Int64
    let merchantId: UUID
    /// The detail without what each request adds: store, SKU prices and stock, ratings, flash.
    let detail: ProductDetail
    /// The enabled SKUs in the merchant's order, each with its prices apart from a store's own.
    let skus: [(sku: ShopperSKU, price: PriceInput)]
}

/// Product detail as a read model (issue #16): the document comes from a bounded in-process
/// cache; a warm request runs one indexed statement for what changes without a version bump
/// (on-shelf state, review counts, the chosen store's stock, prices and delisting) and one for
/// a live flash sale, and serves bytes encoded once per distinct answer.
enum ProductDetailReadModel {
    /// A detail, the bytes that send it, and the tag that names exactly these bytes.
    struct Rendered: Sendable {
        let detail: ProductDetail
        let tag: EntityTag
        let body: ByteBuffer
    }

    /// The detail of a product on sale, at the store `store` picks for the product's merchant.
    static func render(product id: UUID, memberLevel: String?, now: Date, cache: ProductDetailCache, on db: any Database,
                       store pick: (_ merchantId: UUID) async throws -> StoreRef?) async throws -> Rendered {
        var document: ProductDetailDocument
        if let cached = cache.document(for: id) { document = cached } else {
            guard let loaded = try await load(id, on: db) else { throw notOnSale }
            cache.keep(loaded, for: id)
            document = loaded
        }
        var store = try await pick(document.merchantId)
        guard var live = try await ProductLiveState.read(product: id, store: store?.id, on: db) else { throw notOnSale }
        if live.version != document.version {
            guard let fresh = try await load(id, on: db) else { throw notOnSale }
            cache.keep(fresh, for: id)
            if fresh.merchantId != document.merchantId {
                store = try await pick(fresh.merchantId)
                guard let again = try await ProductLiveState.read(product: id, store: store?.id, on: db) else { throw notOnSale }
                live = again
            }
            document = fresh
        }
        guard live.onSale else { throw notOnSale }
        let flash = try await ProductMarketing.campaignPrices(products: [id], now: now, on: db).flash[id]
        var detail = document.detail
        detail.store = store
        detail.ratings = RatingSummary(live.ratings)
        detail.flash = flash
        detail.skus = document.skus.map { sku, price in
            var input = price
            input.storeOverride = live.storePrices[sku.id].map { Money(minorUnits: $0) }
            let quote = PriceResolver.resolve(input, storeId: store.map { StoreID($0.id) }, memberLevel: memberLevel, at: now)
            var shown = sku
            shown.priceFen = quote.price.minorUnits
            shown.priceExplanation = quote.steps
            shown.available = store == nil || live.delisted ? 0 : live.available[sku.id] ?? 0
            return shown
        }
        let tag = try Self.tag(of: detail, product: id, version: document.version)
        if let body = cache.body(for: id, version: document.version, tag: tag) { return Rendered(detail: detail, tag: tag, body: body) }
        let body = ByteBuffer(data: try JSONEncoder.api.encode(detail))
        cache.keep(body, for: id, version: document.version, tag: tag)
        return Rendered(detail: detail, tag: tag, body: body)
    }

    static let notOnSale = MallError.notFound("No such product on sale.")

    /// Names the answer by what a request added to the document, so the tag is the same on every
    /// instance and costs no encoding of the whole detail.
    static func tag(of detail: ProductDetail, product id: UUID, version: Int64) throws -> EntityTag {
        struct Added: Encodable {
            let store: StoreRef?
            let skus: [ShopperSKU]
            let ratings: RatingSummary
            let flash: ProductFlash?
        }
        var hash = SHA256()
        hash.update(data: Data("\(id.uuidString)/\(version)/".utf8))
        hash.update(data: try JSONEncoder.api.encode(Added(store: detail.store, skus: detail.skus, ratings: detail.ratings, flash: detail.flash)))
        let digest = hash.finalize().prefix(12).map { String(format: "%02x", $0) }.joined()
        return EntityTag("\(version)-\(digest)")
    }

    /// Builds the document of a product on sale; nil when there is none. The version is read
    /// before the content, so a write landing in between leaves newer content under an older
    /// version, which the next read replaces, never older content under a newer one.
    static func load(_ id: UUID, on db: any Database) async throws -> ProductDetailDocument? {
        let sql = db.sql
        guard let version = try await sql.raw("SELECT version FROM products WHERE id = \(bind: id)").first()?
            .decode(column: "version", as: Int64.self),
            let product = try await ProductModel.find(id, on: db), product.onSale else { return nil }
        // In the order the merchant listed the values (6盒装 before 12盒装), not the keys' text order.
        let rank = Dictionary(((try? SKUMatrix.combinations(product.specs)) ?? []).enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
        let skus = try await SKUModel.query(on: db).filter(\.$productId == id).filter(\.$enabled == true).sort(\.$specKey).all()
            .sorted { (rank[$0.specKey] ?? Int.max, $0.specKey) < (rank[$1.specKey] ?? Int.max, $1.specKey) }
        let prices = try await PriceBook.inputs(for: skus, storeId: nil, on: db)
        // Plain SQL rows here, not Fluent models: decoding models by reflection cost more than
        // the queries themselves on this, the busiest page (docs/benchmarks.md).
        let path = try await sql.raw("SELECT path FROM categories WHERE id = \(bind: product.categoryId)").first()?.decode(column: "path", as: String.self)
        let pathIds = (path?.split(separator: "/").compactMap { UUID(uuidString: String($0)) }) ?? []
        var names: [UUID: String] = [:]
        if !pathIds.isEmpty {
            for row in try await sql.select().columns("id", "name").from("categories").where("id", .in, pathIds).all() {
                names[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        let tags = try await sql.raw("""
            SELECT t.name FROM product_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.product_id = \(bind: id) ORDER BY t.name
            """).all().map { try $0.decode(column: "name", as: String.self) }
        var brand: String?
        if let brandId = product.brandId {
            brand = try await sql.raw("SELECT name FROM brands WHERE id = \(bind: brandId)").first()?.decode(column: "name", as: String.self)
        }
        let attachments = try await ProductAttachmentService.list(productId: id, on: db)
        var detail = ProductDetail(id: id, merchantId: product.merchantId, title: product.title, subtitle: product.subtitle,
                                   descriptionHtml: product.descriptionHTML, images: product.images, brand: brand,
                                   categoryPath: pathIds.compactMap { names[$0] }, tags: tags, unit: product.unit, specs: product.specs,
                                   store: nil, skus: [], videos: attachments.videos, documents: attachments.documents)
        detail.recommendedTags = product.recommendedTags
        return ProductDetailDocument(version: version, merchantId: product.merchantId, detail: detail, skus: skus.map { sku in
            (ShopperSKU(id: sku.id!, specKey: sku.specKey, specTitle: sku.specTitle, barcode: sku.barcode, priceFen: sku.priceFen,
                        marketPriceFen: sku.marketPriceFen, available: 0, priceExplanation: []), prices[sku.id!]!)
        })
    }
}

/// What a detail reads on every request: the product row's version, sale state and review
/// counters, and at a store its SKUs' stock and prices there and whether it is delisted there.
/// One statement through primary keys and the (sku, store) unique indexes, whatever the
/// catalogue's size.
struct ProductLiveState {
    var version: Int64
    var onSale: Bool
    var ratings: RatingCounts
    var delisted = false
    var available: [UUID: Int] = [:]
    var storePrices: [UUID: Int64] = [:]

    static func read(product id: UUID, store storeId: UUID?, on db: any Database) async throws -> ProductLiveState? {
        // The review counters' names are the product row's alone, so they need no table prefix.
        let row = "p.version, CASE WHEN p.on_shelf AND p.merchant_suspended_at IS NULL THEN 1 ELSE 0 END AS on_sale, \(ReviewQueries.ratingColumns)"
        guard let storeId else {
            guard let first = try await db.sql.raw("SELECT \(unsafeRaw: row) FROM products p WHERE p.id = \(bind: id)").first() else { return nil }
            return try ProductLiveState(first)
        }
        let rows = try await db.sql.raw("""
            SELECT \(unsafeRaw: row), s.id AS sku_id, sl.on_hand, sl.reserved, sp.price_fen AS store_price_fen,
              (SELECT COUNT(*) FROM product_store_delistings d WHERE d.product_id = p.id AND d.store_id = \(bind: storeId)) AS delisted
            FROM products p
            LEFT JOIN skus s ON s.product_id = p.id
            LEFT JOIN stock_levels sl ON sl.sku_id = s.id AND sl.store_id = \(bind: storeId)
            LEFT JOIN sku_store_prices sp ON sp.sku_id = s.id AND sp.store_id = \(bind: storeId)
            WHERE p.id = \(bind: id)
            """).all()
        guard let first = rows.first else { return nil }
        var state = try ProductLiveState(first)
        state.delisted = try first.decode(column: "delisted", as: Int.self) > 0
        for row in rows {
            guard let skuId = try row.decode(column: "sku_id", as: UUID?.self) else { continue }
            if let onHand = try row.decode(column: "on_hand", as: Int?.self) {
                state.available[skuId] = max(0, onHand - (try row.decode(column: "reserved", as: Int.self)))
            }
            state.storePrices[skuId] = try row.decode(column: "store_price_fen", as: Int64?.self)
        }
        return state
    }

    private init(_ row: any SQLRow) throws {
        version = try row.decode(column: "version", as: Int64.self)
        onSale = try row.decode(column: "on_sale", as: Int.self) == 1
        ratings = try ReviewQueries.ratingCounts(in: row)
    }
}

/// The documents and encoded answers of the products read lately, at most `capacity` of them;
/// the CLOCK sweep forgets the ones nobody read for a while.
final class ProductDetailCache: Sendable {
    /// Enough for the hot part of a large catalogue. A typical detail encodes to a few
    /// kilobytes, so the documents and their answers take some tens of MB; the count, not the
    /// catalogue, bounds it (descriptions may reach 200 KB, which would make the documents alone
    /// 400 MB if every cached product had one).
    static let capacity = 2_000
    /// Distinct answers kept per document: one per store and member level in use lately.
    static let answersPerDocument = 4
    /// Larger answers (long descriptions) are encoded on every request instead of multiplying
    /// the memory their document already takes.
    static let largestKeptAnswer = 64 * 1024

    private struct Entry: Sendable {
        let document: ProductDetailDocument
        var answers: [EntityTag: ByteBuffer] = [:]
    }

    private let entries = NIOLockedValueBox(ClockCache<UUID, Entry>(capacity: ProductDetailCache.capacity))

    func document(for id: UUID) -> ProductDetailDocument? {
        entries.withLockedValue { $0.value(for: id)?.document }
    }

    /// Keeps `document` unless a newer one is already kept.
    func keep(_ document: ProductDetailDocument, for id: UUID) {
        entries.withLockedValue { entries in
            if let kept = entries.value(for: id), kept.document.version >= document.version { return }
            entries.insert(Entry(document: document), for: id)
        }
    }

    func body(for id: UUID, version: Int64, tag: EntityTag) -> ByteBuffer? {
        entries.withLockedValue { entries in
            guard let entry = entries.value(for: id), entry.document.version == version else { return nil }
            return entry.answers[tag]
        }
    }

    func keep(_ body: ByteBuffer, for id: UUID, version: Int64, tag: EntityTag) {
        guard body.readableBytes <= Self.largestKeptAnswer else { return }
        entries.withLockedValue { entries in
            guard var entry = entries.value(for: id), entry.document.version == version else { return }
            if entry.answers.count >= Self.answersPerDocument { entry.answers.removeAll() }
            entry.answers[tag] = body
            entries.insert(entry, for: id)
        }
    }

    var count: Int { entries.withLockedValue { $0.count } }
}

extension Application {
    private struct ProductDetailCacheKey: StorageKey { typealias Value = ProductDetailCache }

    /// Set once in `configure` (before requests arrive), so reading it needs no lock.
    var productDetailCache: ProductDetailCache? {
        get { storage[ProductDetailCacheKey.self] }
        set { storage[ProductDetailCacheKey.self] = newValue }
    }
}
