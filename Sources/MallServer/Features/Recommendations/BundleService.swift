import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// 搭配购: HQ keeps any merchant's bundles, a merchant its own (`marketing.manage`); every
/// change is audited in its transaction. The bundle and its product rows are written together.
struct BundleService {
    let db: any Database

    static let notFound = "No such bundle."

    func create(_ input: BundleInput, audit: AuditRecorder) async throws -> ProductBundle {
        let products = try await checked(input)
        let bundle = BundleModel()
        bundle.id = UUID()
        bundle.createdAt = audit.now
        try await db.writeTransaction { tx in
            try await Self.write(bundle, input, products: products, now: audit.now, on: tx)
            try await audit.record(on: tx, action: "bundle.create", owner: .merchant(MerchantID(input.merchantId)), targetType: "bundle",
                                   targetId: bundle.id!.uuidString, after: input)
        }
        return try Self.dto(bundle, products)
    }

    func update(_ bundle: BundleModel, _ input: BundleInput, audit: AuditRecorder) async throws -> ProductBundle {
        guard input.merchantId == bundle.merchantId else {
            throw ValidationFailure(field: "merchantId", message: "cannot change; make a new bundle for another merchant")
        }
        let products = try await checked(input)
        let before = try Self.dto(bundle, try await Self.products(of: bundle.id!, on: db))
        try await db.writeTransaction { tx in
            try await tx.sql.raw("DELETE FROM bundle_products WHERE bundle_id = \(bind: bundle.id!)").run()
            try await Self.write(bundle, input, products: products, now: audit.now, on: tx)
            try await audit.record(on: tx, action: "bundle.update", owner: .merchant(MerchantID(bundle.merchantId)), targetType: "bundle",
                                   targetId: bundle.id!.uuidString, before: before, after: input)
        }
        return try Self.dto(bundle, products)
    }

    func delete(_ bundle: BundleModel, audit: AuditRecorder) async throws {
        let before = try Self.dto(bundle, try await Self.products(of: bundle.id!, on: db))
        try await db.writeTransaction { tx in
            try await tx.sql.raw("DELETE FROM bundle_products WHERE bundle_id = \(bind: bundle.id!)").run()
            try await tx.sql.raw("DELETE FROM bundles WHERE id = \(bind: bundle.id!)").run()
            try await audit.record(on: tx, action: "bundle.delete", owner: .merchant(MerchantID(bundle.merchantId)), targetType: "bundle",
                                   targetId: bundle.id!.uuidString, before: before)
        }
    }

    func list(reach: AccessReach, page: PageRequest) async throws -> ListPage<ProductBundle> {
        let query = BundleModel.query(on: db).scoped(to: reach, storeField: nil)
        let total = try await query.count()
        let bundles = try await query.sort(\.$createdAt, .descending).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        var items: [ProductBundle] = []
        for bundle in bundles { items.append(try Self.dto(bundle, try await Self.products(of: bundle.id!, on: db))) }
        return ListPage(items: items, page: page.page, per: page.per, total: total)
    }

    func show(_ bundle: BundleModel) async throws -> ProductBundle {
        try Self.dto(bundle, try await Self.products(of: bundle.id!, on: db))
    }

    /// The input's products in its order when the rules hold and every one is the merchant's.
    private func checked(_ input: BundleInput) async throws -> [BundleProduct] {
        var errors = BundleRules.check(name: input.name, priceFen: input.priceFen, productIds: input.productIds, regularPriceFen: nil)
        try errors.throwIfAny()
        let rows = try await db.sql.raw("""
            SELECT id, title, min_price_fen, merchant_id FROM products
            WHERE id IN (\(input.productIds.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")))
            """).all()
        var found: [UUID: (BundleProduct, UUID)] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            found[id] = (BundleProduct(id: id, title: try row.decode(column: "title", as: String.self),
                                       minPriceFen: try row.decode(column: "min_price_fen", as: Int64.self)),
                         try row.decode(column: "merchant_id", as: UUID.self))
        }
        guard input.productIds.allSatisfy({ found[$0]?.1 == input.merchantId }) else {
            throw ValidationFailure(field: "productIds", message: "must all be products of the bundle's merchant")
        }
        let products = input.productIds.compactMap { found[$0]?.0 }
        errors = BundleRules.check(name: input.name, priceFen: input.priceFen, productIds: input.productIds,
                                   regularPriceFen: try Self.regularPrice(products))
        try errors.throwIfAny()
        return products
    }

    private static func regularPrice(_ products: [BundleProduct]) throws -> Int64 {
        try products.reduce(Int64(0)) { try Checked.add($0, $1.minPriceFen, "the bundle's regular price") }
    }

    private static func write(_ bundle: BundleModel, _ input: BundleInput, products: [BundleProduct], now: Date, on tx: any Database) async throws {
        bundle.merchantId = input.merchantId
        bundle.name = input.name.trimmingWhitespace()
        bundle.priceFen = input.priceFen
        bundle.active = input.active ?? true
        bundle.updatedAt = now
        try await bundle.save(on: tx)
        var insert = tx.sql.insert(into: "bundle_products").columns("id", "bundle_id", "product_id", "position")
        for (position, product) in products.enumerated() {
            insert = insert.values(SQLBind(UUID()), SQLBind(bundle.id!), SQLBind(product.id), SQLBind(position))
        }
        try await insert.run()
    }

    private static func products(of bundleId: UUID, on db: any Database) async throws -> [BundleProduct] {
        try await db.sql.raw("""
            SELECT p.id, p.title, p.min_price_fen FROM bundle_products b JOIN products p ON p.id = b.product_id
            WHERE b.bundle_id = \(bind: bundleId) ORDER BY b.position
            """).all().map { row in
            BundleProduct(id: try row.decode(column: "id", as: UUID.self), title: try row.decode(column: "title", as: String.self),
                          minPriceFen: try row.decode(column: "min_price_fen", as: Int64.self))
        }
    }

    private static func dto(_ bundle: BundleModel, _ products: [BundleProduct]) throws -> ProductBundle {
        ProductBundle(id: bundle.id!, merchantId: bundle.merchantId, name: bundle.name, priceFen: bundle.priceFen,
               regularPriceFen: try regularPrice(products), active: bundle.active, products: products,
               createdAt: bundle.createdAt, updatedAt: bundle.updatedAt)
    }
}
