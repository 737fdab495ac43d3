import Fluent
import Foundation
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

extension Fixtures {
    static func category(_ app: Application, name: String = "乳品") async throws -> CategoryModel {
        let category = CategoryModel()
        category.id = UUID()
        category.name = name
        category.sortOrder = 0
        category.path = "/\(category.id!.uuidString)/"
        category.depth = 0
        try await category.create(on: app.db)
        return category
    }

    /// A product on shelf with one SKU, written directly: inventory tests need stockable SKUs,
    /// not the catalog workflow.
    static func sku(_ app: Application, code: String, barcode: String? = nil, merchant: UUID = SelfOperatedMerchant.id.rawValue,
                    priceFen: Int64 = 1_290, title: String? = nil) async throws -> SKUModel {
        var category: CategoryModel
        if let existing = try await CategoryModel.query(on: app.db).first() { category = existing } else { category = try await Self.category(app) }
        let product = ProductModel()
        product.id = UUID()
        product.merchantId = merchant
        product.title = title ?? "纯牛奶 \(code)"
        product.subtitle = ""
        product.descriptionHTML = ""
        product.categoryId = category.id!
        product.unit = "盒"
        product.weightGrams = 250
        product.specsJSON = "[]"
        product.imagesJSON = "[]"
        product.status = "approved"
        product.onShelf = true
        product.salesCount = 0
        product.minPriceFen = priceFen
        product.maxPriceFen = priceFen
        product.searchText = product.title
        try await product.create(on: app.db)
        let sku = SKUModel()
        sku.productId = product.id!
        sku.merchantId = merchant
        sku.specKey = ""
        sku.specTitle = ""
        sku.code = code
        sku.barcode = barcode
        sku.priceFen = priceFen
        sku.enabled = true
        sku.salesCount = 0
        try await sku.create(on: app.db)
        return sku
    }

    /// The ledger invariant: every stock level equals the sum of its movements, and every
    /// store's movement numbers run 1, 2, 3 … without gaps.
    static func expectLedgerMatchesProjection(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let levels = try await StockLevelModel.query(on: app.db).all()
        let movements = try await StockMovementModel.query(on: app.db).all()
        for level in levels {
            let mine = movements.filter { $0.skuId == level.skuId && $0.storeId == level.storeId }
            #expect(mine.reduce(0) { $0 + $1.onHandDelta } == level.onHand, "on hand of \(level.skuId) at \(level.storeId)", sourceLocation: sourceLocation)
            #expect(mine.reduce(0) { $0 + $1.reservedDelta } == level.reserved, "reserved of \(level.skuId) at \(level.storeId)", sourceLocation: sourceLocation)
            #expect(level.onHand >= level.reserved && level.reserved >= 0, "available never negative", sourceLocation: sourceLocation)
        }
        for (store, rows) in Dictionary(grouping: movements, by: \.storeId) {
            #expect(rows.map(\.storeSeq).sorted() == Array(1...Int64(rows.count)), "sequence of store \(store)", sourceLocation: sourceLocation)
        }
    }

    static func level(_ app: Application, sku: SKUModel, store: StoreModel) async throws -> StockLevel? {
        try await StockLevelModel.query(on: app.db).filter(\.$skuId == sku.id!).filter(\.$storeId == store.id!).first()?.level
    }
}
