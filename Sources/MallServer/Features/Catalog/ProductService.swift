import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Writes a product and its SKU matrix from the merchant's input: validates everything first,
/// sanitises the description, then creates, keeps, re-enables, disables (sold) or deletes (never
/// sold) SKUs as the spec matrix changed. Runs inside the caller's transaction.
struct ProductService {
    let db: any Database

    struct Checked {
        let title: String
        let subtitle: String
        let descriptionHTML: String
        let unit: String
        let weightGrams: Int
        let images: [String]
        let specs: [SpecDefinition]
        let combinations: [SpecCombination]
        let skus: [String: (SKUInput, Barcode?)]
        let tags: [String]
    }

    /// Checks the whole input at once so the merchant sees every problem in one answer.
    func check(_ input: ProductInput, merchantId: UUID, productId: UUID?) async throws -> Checked {
        var errors = FieldErrorCollector()
        let title = errors.collect { try TextRule.check(input.title, field: "title", min: 2, max: 60) }
        let subtitle = errors.collect { try TextRule.check(input.subtitle ?? "", field: "subtitle", min: 0, max: 120) }
        let unit = errors.collect { try TextRule.check(input.unit, field: "unit", max: 8) }
        errors.range(input.weightGrams, InputLimits.weightGrams, "weightGrams", unit: "grams")
        let description = input.descriptionHtml ?? ""
        if description.utf8.count > 200_000 { errors.add("descriptionHtml", "must be at most 200 KB") }
        let images = input.images ?? []
        if images.count > 20 { errors.add("images", "must have at most 20 images") }
        for (index, image) in images.enumerated() where !Self.isImageURL(image) {
            errors.add("images[\(index)]", "must be an https URL or a /files/ path")
        }
        let tags = (input.tags ?? []).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        if tags.count > 10 { errors.add("tags", "must have at most 10 tags") }
        for (index, tag) in tags.enumerated() where tag.count > 20 { errors.add("tags[\(index)]", "must be at most 20 characters") }
        if try await CategoryModel.find(input.categoryId, on: db) == nil { errors.add("categoryId", "is not a category") }
        if let brandId = input.brandId, try await BrandModel.find(brandId, on: db) == nil { errors.add("brandId", "is not a brand") }

        let combinations = errors.collect { try SKUMatrix.combinations(input.specs) } ?? []
        var byKey: [String: (SKUInput, Barcode?)] = [:]
        var codes = Set<String>()
        for (index, sku) in input.skus.enumerated() {
            let field = "skus[\(index)]"
            let key = Self.key(for: sku.specs, specs: input.specs)
            guard let key, combinations.contains(where: { $0.key == key }) else {
                errors.add(field + ".specs", "does not match a combination of the product's specs")
                continue
            }
            if byKey[key] != nil { errors.add(field + ".specs", "repeats another SKU's combination") }
            let code = sku.code.trimmingWhitespace().uppercased()
            if code.isEmpty || code.count > 40 || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
                errors.add(field + ".code", "must be 1–40 letters, digits, '-', '_' or '.'")
            } else if !codes.insert(code).inserted {
                errors.add(field + ".code", "is used by another SKU of this product")
            }
            let barcode = sku.barcode.flatMap { $0.isEmpty ? nil : $0 }.flatMap { raw in errors.collect { try Barcode(parsing: raw, field: field + ".barcode") } }
            errors.range(sku.priceFen, InputLimits.priceFen, field + ".priceFen", unit: "fen")
            if let market = sku.marketPriceFen, errors.range(market, InputLimits.priceFen, field + ".marketPriceFen", unit: "fen"), market < sku.priceFen {
                errors.add(field + ".marketPriceFen", "must not be below the price")
            }
            if let cost = sku.costFen { errors.range(cost, InputLimits.priceFen, field + ".costFen", unit: "fen") }
            if let weight = sku.weightGrams { errors.range(weight, InputLimits.weightGrams, field + ".weightGrams", unit: "grams") }
            if let image = sku.imageUrl, !Self.isImageURL(image) { errors.add(field + ".imageUrl", "must be an https URL or a /files/ path") }
            var normalized = sku
            normalized.code = code
            byKey[key] = (normalized, barcode)
        }
        let missing = combinations.filter { byKey[$0.key] == nil }
        if !missing.isEmpty && errors.errors.isEmpty {
            errors.add("skus", "missing SKUs for: \(missing.prefix(5).map(\.title).joined(separator: ", "))\(missing.count > 5 ? " …" : "")")
        }
        try errors.throwIfAny()

        // Codes are unique per merchant, barcodes per merchant too (a scanner must find one SKU).
        var clashes = FieldErrorCollector()
        let codeList = Array(codes)
        let taken = try await SKUModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$code ~~ codeList).all()
            .filter { $0.productId != productId }
        for sku in taken { clashes.add("skus", "SKU code \(sku.code) is already used by another product") }
        let barcodes = byKey.values.compactMap { $0.1?.digits }
        if !barcodes.isEmpty {
            let used = try await SKUModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$barcode ~~ barcodes).all()
                .filter { $0.productId != productId }
            for sku in used { clashes.add("skus", "barcode \(sku.barcode ?? "") is already used by SKU \(sku.code)") }
        }
        try clashes.throwIfAny()

        return Checked(title: title!, subtitle: subtitle ?? "", descriptionHTML: HTMLSanitizer.sanitize(description), unit: unit!,
                       weightGrams: input.weightGrams, images: images, specs: input.specs, combinations: combinations, skus: byKey, tags: tags)
    }

    /// Writes checked content onto a product and reconciles its SKUs with the new matrix.
    func write(_ checked: Checked, into product: ProductModel, brandName: String?) async throws {
        product.title = checked.title
        product.subtitle = checked.subtitle
        product.descriptionHTML = checked.descriptionHTML
        product.unit = checked.unit
        product.weightGrams = checked.weightGrams
        product.images = checked.images
        product.specs = checked.specs
        let enabledPrices = checked.skus.values.filter { $0.0.enabled ?? true }.map(\.0.priceFen)
        product.minPriceFen = enabledPrices.min() ?? 0
        product.maxPriceFen = enabledPrices.max() ?? 0
        product.searchText = Self.searchText(title: checked.title, subtitle: checked.subtitle, brand: brandName, tags: checked.tags)
        if product.id == nil {
            product.id = UUID()
            try await product.create(on: db)
        } else {
            try await product.update(on: db)
        }

        let existing = try await SKUModel.query(on: db).filter(\.$productId == product.id!).all()
        let plan = SKUMatrix.reconcile(existing: existing.map { ExistingSKU(key: $0.specKey, hasSales: $0.salesCount > 0, enabled: $0.enabled) },
                                       desired: checked.combinations)
        let byKey = Dictionary(existing.map { ($0.specKey, $0) }, uniquingKeysWith: { a, _ in a })
        // Deleted and disabled SKUs give up their codes first so a renamed matrix can reuse them.
        for key in plan.delete {
            guard let sku = byKey[key] else { continue }
            try await SKUModel.query(on: db).filter(\.$id == sku.id!).delete()
        }
        for key in plan.disable {
            guard let sku = byKey[key] else { continue }
            sku.enabled = false
            sku.code = Self.retiredCode(sku)
            sku.barcode = nil
            try await sku.update(on: db)
        }
        // Codes moving between kept SKUs (a swap) would collide with the unique index mid-way, so
        // those SKUs step aside to temporary codes first.
        for key in plan.keep + plan.reenable {
            guard let sku = byKey[key], let (input, _) = checked.skus[key], input.code != sku.code else { continue }
            sku.code = "~" + sku.id!.uuidString
            try await sku.update(on: db)
        }
        for key in plan.keep + plan.reenable {
            guard let sku = byKey[key], let (input, barcode) = checked.skus[key] else { continue }
            apply(input, barcode: barcode, to: sku)
            try await sku.update(on: db)
        }
        for combination in plan.create {
            guard let (input, barcode) = checked.skus[combination.key] else { continue }
            let sku = SKUModel()
            sku.productId = product.id!
            sku.merchantId = product.merchantId
            sku.specKey = combination.key
            sku.specTitle = combination.title
            sku.salesCount = 0
            apply(input, barcode: barcode, to: sku)
            try await sku.create(on: db)
        }
        try await ProductTagModel.query(on: db).filter(\.$productId == product.id!).delete()
        for name in Set(checked.tags) {
            let tag: TagModel
            if let found = try await TagModel.query(on: db).filter(\.$name == name).first() { tag = found } else {
                tag = TagModel()
                tag.name = name
                try await tag.create(on: db)
            }
            try await ProductTagModel(productId: product.id!, tagId: tag.id!).create(on: db)
        }
        // The bulk deletes above pass no model middleware, so they would not bump it themselves.
        try await ProductVersion.bump(product: product.id!, on: db)
    }

    private func apply(_ input: SKUInput, barcode: Barcode?, to sku: SKUModel) {
        sku.code = input.code
        sku.barcode = barcode?.digits
        sku.priceFen = input.priceFen
        sku.marketPriceFen = input.marketPriceFen
        sku.costFen = input.costFen
        sku.weightGrams = input.weightGrams
        sku.imageURL = input.imageUrl
        sku.enabled = input.enabled ?? true
    }

    /// A sold SKU that left the matrix keeps its history but releases its code.
    static func retiredCode(_ sku: SKUModel) -> String {
        sku.code.hasPrefix("RETIRED-") ? sku.code : "RETIRED-" + sku.id!.uuidString.prefix(8) + "-" + sku.code
    }

    /// The key of the combination a SKU input names, or nil when it names unknown specs.
    static func key(for chosen: [String: String], specs: [SpecDefinition]) -> String? {
        guard chosen.count == specs.count else { return nil }
        var values: [SpecValue] = []
        for spec in specs {
            let name = spec.name.trimmingWhitespace()
            guard let value = chosen[spec.name] ?? chosen[name] else { return nil }
            values.append(SpecValue(spec: name, value: value.trimmingWhitespace()))
        }
        return SpecCombination(values: values).key
    }

    static func isImageURL(_ url: String) -> Bool {
        guard url.count <= 500 else { return false }
        if url.hasPrefix("/files/") { return !url.contains("..") }
        guard let parsed = URL(string: url), parsed.scheme == "https", parsed.host != nil else { return false }
        return true
    }

    /// Lower-cased so LIKE behaves the same on SQLite (case-insensitive for ASCII) and PostgreSQL.
    static func searchText(title: String, subtitle: String, brand: String?, tags: [String]) -> String {
        ([title, subtitle, brand ?? ""] + tags).filter { !$0.isEmpty }.joined(separator: " ").lowercased()
    }
}
