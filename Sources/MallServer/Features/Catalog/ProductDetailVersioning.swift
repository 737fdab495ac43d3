import Fluent
import Foundation
import SQLKit

/// `products.version` counts the writes that change what a product's detail document shows, so
/// a cached document is current exactly while its version is the row's (`ProductDetailReadModel`).
/// What a detail reads fresh on every request (on-shelf state, merchant suspension, review
/// counts, store stock and prices, flash sales) needs no bump.
enum ProductVersion {
    /// Bumps the products `predicate` selects, in the writer's transaction.
    static func bump(where predicate: SQLQueryString, on db: any Database) async throws {
        try await db.sql.raw("UPDATE products SET version = version + 1 WHERE \(predicate)").run()
    }

    static func bump(product id: UUID, on db: any Database) async throws {
        try await bump(where: "id = \(bind: id)", on: db)
    }

    /// Registers one middleware per model a detail document shows, so every write through
    /// Fluent (and writers yet to come) keeps the version honest; the few bulk writes that
    /// bypass model middleware bump by hand (`ProductService.write`).
    static func maintain(on middleware: Databases.Middleware) {
        middleware.use(ProductDetailVersioning<ProductModel>(
            shown: ["title", "subtitle", "description_html", "images", "specs", "unit", "category_id", "brand_id", "merchant_id"],
            bumpsOnCreate: false) { "id = \(bind: $0.id!)" })
        middleware.use(ProductDetailVersioning<SKUModel>(
            shown: ["spec_key", "spec_title", "barcode", "price_fen", "market_price_fen", "enabled"]) { "id = \(bind: $0.productId)" })
        middleware.use(ProductDetailVersioning<SKULevelPriceModel> { "id = (SELECT product_id FROM skus WHERE id = \(bind: $0.skuId))" })
        middleware.use(ProductDetailVersioning<ScheduledPriceModel> { "id = (SELECT product_id FROM skus WHERE id = \(bind: $0.skuId))" })
        middleware.use(ProductDetailVersioning<ProductAttachmentModel> { "id = \(bind: $0.productId)" })
        middleware.use(ProductDetailVersioning<ProductTagModel> { "id = \(bind: $0.productId)" })
        middleware.use(ProductDetailVersioning<TagModel>(shown: ["name"], bumpsOnCreate: false) {
            "id IN (SELECT product_id FROM product_tags WHERE tag_id = \(bind: $0.id!))"
        })
        middleware.use(ProductDetailVersioning<BrandModel>(shown: ["name"], bumpsOnCreate: false) { "brand_id = \(bind: $0.id!)" })
        // A category's path holds its ancestors' ids, so the prefix finds its whole subtree.
        middleware.use(ProductDetailVersioning<CategoryModel>(shown: ["name", "path"], bumpsOnCreate: false) {
            "category_id IN (SELECT id FROM categories WHERE path LIKE \(bind: $0.path + "%"))"
        })
    }
}

/// Bumps the versions of the products whose detail shows a model, when a write changes a field
/// the detail shows. Deletes bump first, while the rows the predicate may look through exist.
struct ProductDetailVersioning<Row: Model>: AsyncModelMiddleware {
    typealias Model = Row

    /// The columns a detail shows; nil when any write shows.
    let shown: Set<FieldKey>?
    let bumpsOnCreate: Bool
    let products: @Sendable (Row) -> SQLQueryString

    init(shown: Set<FieldKey>? = nil, bumpsOnCreate: Bool = true, products: @escaping @Sendable (Row) -> SQLQueryString) {
        self.shown = shown
        self.bumpsOnCreate = bumpsOnCreate
        self.products = products
    }

    func create(model: Row, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        if bumpsOnCreate { try await ProductVersion.bump(where: products(model), on: db) }
    }

    func update(model: Row, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        let changes = ChangedKeys()
        model.input(to: changes)
        let shows = shown.map { !$0.isDisjoint(with: changes.keys) } ?? true
        try await next.update(model, on: db)
        if shows { try await ProductVersion.bump(where: products(model), on: db) }
    }

    func delete(model: Row, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await ProductVersion.bump(where: products(model), on: db)
        try await next.delete(model, force: force, on: db)
    }
}
