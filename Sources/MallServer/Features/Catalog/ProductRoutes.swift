import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Products for staff: merchants write drafts and submit them, the platform reviews, merchants
/// put approved products on shelf, stores delist locally. Every step is a `ProductLifecycle`
/// transition; an illegal one is a 409.
struct ProductRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let products = routes.grouped("products")
        products.get(use: list)
        products.post(use: create)
        products.get(":productId", use: show)
        products.put(":productId", use: update)
        products.post(":productId", "submit", use: submit)
        products.post(":productId", "withdraw", use: withdraw)
        products.post(":productId", "approve", use: approve)
        products.post(":productId", "reject", use: reject)
        products.post(":productId", "shelf", use: shelf)
        products.put(":productId", "stores", ":storeId", "listing", use: storeListing)
    }

    func list(req: Request) async throws -> ListPage<Product> {
        let (_, reach) = try req.reach(.catalogView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = ProductModel.query(on: req.db)
        if case .limited(let merchants, let stores) = reach {
            // Store staff see their merchant's catalogue: they sell it.
            let storeMerchants = try await StoreModel.query(on: req.db).filter(\.$id ~~ stores.map(\.rawValue)).all(\.$merchantId)
            query = query.filter(\.$merchantId ~~ (merchants.map(\.rawValue) + storeMerchants))
        }
        if let raw = req.query[String.self, at: "status"] {
            if let status = ProductStatus(rawValue: raw) { query = query.filter(\.$status == status.rawValue) } else {
                errors.add("status", "must be one of \(ProductStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let merchantId = req.optionalQuery(UUID.self, "merchantId", into: &errors, message: "must be a merchant id") {
            query = query.filter(\.$merchantId == merchantId)
        }
        if let q = req.query[String.self, at: "q"]?.trimmingWhitespace().lowercased(), !q.isEmpty {
            query = query.filter(\.$searchText ~~ q)
        }
        if let categoryId = req.optionalQuery(UUID.self, "categoryId", into: &errors, message: "must be a category id") {
            // The category and everything below it, as on the storefront.
            let root = try await CategoryModel.find(categoryId, on: req.db)
            let ids = try await CategoryModel.query(on: req.db).filter(\.$path =~ (root?.path ?? "-")).all(\.$id)
            query = query.filter(\.$categoryId ~~ ids)
        }
        let order = ListSort.parse(req, fields: ["title", "status", "onShelf", "salesCount", "minPriceFen", "createdAt", "updatedAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$updatedAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await ProductDTO.many(result.items, on: req.db), page: result.page, per: result.per, total: result.total)
    }

    func show(req: Request) async throws -> Product {
        let product = try await find(req)
        try await Self.authorizeView(req, merchantId: product.merchantId)
        return try await ProductDTO.one(product, on: req.db)
    }

    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(ProductInput.self)
        guard let merchantId = input.merchantId else { throw ValidationFailure(field: "merchantId", message: "is required") }
        try req.authorize(.catalogEdit, on: .merchant(MerchantID(merchantId)))
        guard try await MerchantModel.find(merchantId, on: req.db) != nil else {
            throw ValidationFailure(field: "merchantId", message: "is not a merchant")
        }
        let product = ProductModel()
        product.merchantId = merchantId
        product.categoryId = input.categoryId
        product.brandId = input.brandId
        product.lifecycle = ProductLifecycle()
        product.salesCount = 0
        try await req.db.writeTransaction { db in
            let service = ProductService(db: db)
            let checked = try await service.check(input, merchantId: merchantId, productId: nil)
            try await service.write(checked, into: product, brandName: try await Self.brandName(input.brandId, on: db))
            try await req.audit.record(on: db, action: "product.create", owner: product.owner, targetType: "product",
                                       targetId: product.id!.uuidString, after: ["title": product.title])
        }
        return try Response.json(try await ProductDTO.one(product, on: req.db), status: .created)
    }

    /// Editing content sends an approved product back to draft (and off shelf) for re-review.
    func update(req: Request) async throws -> Product {
        let product = try await find(req)
        try req.authorize(.catalogEdit, on: product.owner)
        let input = try req.content.decode(ProductInput.self)
        var lifecycle = product.lifecycle
        try lifecycle.edit()
        let before = try await ProductDTO.one(product, on: req.db)
        product.categoryId = input.categoryId
        product.brandId = input.brandId
        product.lifecycle = lifecycle
        try await req.db.writeTransaction { db in
            let service = ProductService(db: db)
            let checked = try await service.check(input, merchantId: product.merchantId, productId: product.id)
            try await service.write(checked, into: product, brandName: try await Self.brandName(input.brandId, on: db))
            try await req.audit.record(on: db, action: "product.update", owner: product.owner, targetType: "product",
                                       targetId: product.id!.uuidString, before: before, after: ["title": product.title, "status": product.status])
        }
        return try await ProductDTO.one(product, on: req.db)
    }

    func submit(req: Request) async throws -> Product {
        try await transition(req, permission: .catalogEdit, onPlatform: false, action: "product.submit") { lifecycle, product, now in
            try lifecycle.submit()
            product.submittedAt = now
        }
    }

    func withdraw(req: Request) async throws -> Product {
        try await transition(req, permission: .catalogEdit, onPlatform: false, action: "product.withdraw") { lifecycle, _, _ in try lifecycle.withdraw() }
    }

    func approve(req: Request) async throws -> Product {
        let reviewer = try req.requireStaff().staffId
        return try await transition(req, permission: .catalogReview, onPlatform: true, action: "product.approve") { lifecycle, product, now in
            try lifecycle.approve()
            product.reviewedAt = now
            product.reviewedBy = reviewer
        }
    }

    func reject(req: Request) async throws -> Product {
        let reviewer = try req.requireStaff().staffId
        let input = try req.content.decode(ReviewRejection.self)
        return try await transition(req, permission: .catalogReview, onPlatform: true, action: "product.reject") { lifecycle, product, now in
            try lifecycle.reject(reason: input.reason)
            product.reviewedAt = now
            product.reviewedBy = reviewer
        }
    }

    func shelf(req: Request) async throws -> Product {
        let input = try req.content.decode(ShelfChange.self)
        return try await transition(req, permission: .catalogEdit, onPlatform: false, action: input.onShelf ? "product.shelve" : "product.unshelve") { lifecycle, _, _ in
            if input.onShelf { try lifecycle.putOnShelf() } else { try lifecycle.takeOffShelf() }
        }
    }

    /// A store stops (or resumes) selling a product locally, whatever the merchant-wide shelf says.
    func storeListing(req: Request) async throws -> Product {
        let product = try await find(req)
        guard let storeId = req.parameters.get("storeId", as: UUID.self), let store = try await StoreModel.find(storeId, on: req.db) else {
            throw MallError.notFound("No such store.")
        }
        try req.authorize(.storeManage, on: store.owner)
        guard store.merchantId == product.merchantId else {
            throw MallError.conflict("Store \(store.code) belongs to another merchant and does not sell this product.")
        }
        let input = try req.content.decode(StoreListingChange.self)
        try await req.db.writeTransaction { db in
            let existing = try await ProductStoreDelistingModel.query(on: db).filter(\.$productId == product.id!).filter(\.$storeId == storeId).first()
            switch (input.listed, existing) {
            case (false, nil):
                let delisting = ProductStoreDelistingModel()
                delisting.productId = product.id!
                delisting.storeId = storeId
                delisting.merchantId = store.merchantId
                try await delisting.create(on: db)
            case (true, let row?):
                try await row.delete(on: db)
            default:
                return
            }
            try await req.audit.record(on: db, action: input.listed ? "product.store_list" : "product.store_delist", owner: store.owner,
                                       targetType: "product", targetId: product.id!.uuidString)
        }
        return try await ProductDTO.one(product, on: req.db)
    }

    private func transition(_ req: Request, permission: Permission, onPlatform: Bool, action: String,
                            _ step: @escaping @Sendable (inout ProductLifecycle, ProductModel, Date) throws -> Void) async throws -> Product {
        let product = try await find(req)
        try req.authorize(permission, on: onPlatform ? .platform : product.owner)
        var lifecycle = product.lifecycle
        let before = lifecycle
        try step(&lifecycle, product, req.now)
        product.lifecycle = lifecycle
        try await req.db.writeTransaction { db in
            try await product.update(on: db)
            try await req.audit.record(on: db, action: action, owner: product.owner, targetType: "product", targetId: product.id!.uuidString,
                                       before: before, after: product.lifecycle)
        }
        return try await ProductDTO.one(product, on: req.db)
    }

    private func find(_ req: Request) async throws -> ProductModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("productId", as: UUID.self), let product = try await ProductModel.find(id, on: req.db) else {
            throw MallError.notFound("No such product.")
        }
        return product
    }

    /// Store staff see their merchant's catalogue (they sell it), as the product list shows it.
    static func authorizeView(_ req: Request, merchantId: UUID) async throws {
        let (_, reach) = try req.reach(.catalogView)
        if reach.includes(.merchant(MerchantID(merchantId))) { return }
        if case .limited(_, let stores) = reach, !stores.isEmpty,
           try await StoreModel.query(on: req.db).filter(\.$id ~~ stores.map(\.rawValue)).filter(\.$merchantId == merchantId).count() > 0 {
            return
        }
        throw MallError.forbidden("You need the catalog.view permission for \(Request.describe(.merchant(MerchantID(merchantId)))).")
    }

    static func brandName(_ id: UUID?, on db: any Database) async throws -> String? {
        guard let id else { return nil }
        return try await BrandModel.find(id, on: db)?.name
    }
}

/// Builds product DTOs with their SKUs, tags and delistings in a fixed number of queries.
enum ProductDTO {
    static func one(_ product: ProductModel, on db: any Database) async throws -> Product {
        try await many([product], on: db)[0]
    }

    static func many(_ products: [ProductModel], on db: any Database) async throws -> [Product] {
        let ids = products.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let skus = Dictionary(grouping: try await SKUModel.query(on: db).filter(\.$productId ~~ ids).all(), by: \.productId)
        let links = try await ProductTagModel.query(on: db).filter(\.$productId ~~ ids).all()
        let tagNames = Dictionary(uniqueKeysWithValues: try await TagModel.query(on: db).filter(\.$id ~~ Set(links.map(\.tagId))).all().map { ($0.id!, $0.name) })
        let delistings = Dictionary(grouping: try await ProductStoreDelistingModel.query(on: db).filter(\.$productId ~~ ids).all(), by: \.productId)
        return products.map { product in
            let id = product.id!
            return Product(
                id: id, merchantId: product.merchantId, title: product.title, subtitle: product.subtitle, descriptionHtml: product.descriptionHTML,
                categoryId: product.categoryId, brandId: product.brandId,
                tags: links.filter { $0.productId == id }.compactMap { tagNames[$0.tagId] }.sorted(),
                unit: product.unit, weightGrams: product.weightGrams, images: product.images, specs: product.specs,
                status: product.lifecycle.status, onShelf: product.onShelf, rejectionReason: product.rejectionReason,
                skus: (skus[id] ?? []).sorted { ($0.enabled ? 0 : 1, $0.specKey) < ($1.enabled ? 0 : 1, $1.specKey) }.map(\.dto),
                delistedStoreIds: (delistings[id] ?? []).map(\.storeId).sorted { $0.uuidString < $1.uuidString },
                createdAt: product.createdAt ?? Date(timeIntervalSince1970: 0), updatedAt: product.updatedAt ?? Date(timeIntervalSince1970: 0))
        }
    }
}

extension SKUModel {
    var dto: SKU {
        SKU(id: id!, specKey: specKey, specTitle: specTitle, code: code, barcode: barcode, priceFen: priceFen, marketPriceFen: marketPriceFen,
            costFen: costFen, weightGrams: weightGrams, imageUrl: imageURL, enabled: enabled, salesCount: salesCount)
    }
}
