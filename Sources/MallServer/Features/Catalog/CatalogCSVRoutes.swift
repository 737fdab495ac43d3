import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Spreadsheet import and export of products with their SKUs, and of a store's stock counts.
/// Import is all-or-nothing by default (`mode=all`); `mode=partial` writes every product whose
/// rows are valid and reports the rest. Either way the report names each bad row and column.
struct CatalogCSVRoutes: RouteCollection {
    static let productColumns = ["product_title", "subtitle", "category", "brand", "unit", "weight_grams", "tags", "specs",
                                 "sku_code", "barcode", "price", "market_price", "cost", "enabled"]
    static let stockColumns = ["sku_code", "barcode", "product_title", "spec", "on_hand", "reserved", "available", "counted"]

    func boot(routes: any RoutesBuilder) throws {
        routes.get("products", "export", use: exportProducts)
        routes.on(.POST, "products", "import", body: .collect(maxSize: "10mb"), use: importProducts)
        routes.get("inventory", "export", use: exportStock)
        routes.on(.POST, "inventory", "import", body: .collect(maxSize: "10mb"), use: importStock)
    }

    // MARK: Products

    func exportProducts(req: Request) async throws -> Response {
        let merchantId = try req.query.get(UUID.self, at: "merchantId")
        try req.authorize(.catalogView, on: .merchant(MerchantID(merchantId)))
        let products = try await ProductModel.query(on: req.db).filter(\.$merchantId == merchantId).sort(\.$title).all()
        let dtos = try await ProductDTO.many(products, on: req.db)
        let paths = try await categoryPaths(on: req.db)
        let brands = Dictionary(uniqueKeysWithValues: try await BrandModel.query(on: req.db).all().map { ($0.id!, $0.name) })
        var rows = [Self.productColumns]
        for product in dtos {
            // Rows follow the spec matrix so an import sees the values in the product's own order.
            let order = Dictionary(((try? SKUMatrix.combinations(product.specs)) ?? []).enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
            for sku in product.skus.sorted(by: { (order[$0.specKey] ?? .max) < (order[$1.specKey] ?? .max) }) where sku.enabled {
                rows.append([product.title, product.subtitle, paths[product.categoryId] ?? "", product.brandId.flatMap { brands[$0] } ?? "",
                             product.unit, String(product.weightGrams), product.tags.joined(separator: "|"),
                             sku.specKey, sku.code, sku.barcode ?? "", YuanText.format(fen: sku.priceFen),
                             sku.marketPriceFen.map { YuanText.format(fen: $0) } ?? "", sku.costFen.map { YuanText.format(fen: $0) } ?? "", "true"])
            }
        }
        return csvResponse(rows, filename: "products.csv")
    }

    func importProducts(req: Request) async throws -> ImportReport {
        let merchantId = try req.query.get(UUID.self, at: "merchantId")
        try req.authorize(.catalogEdit, on: .merchant(MerchantID(merchantId)))
        let partial = try mode(req)
        let table = try readTable(req, required: ["product_title", "category", "unit", "sku_code", "price"])
        let paths = try await categoryPaths(on: req.db)
        let categoryByPath = Dictionary(paths.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        let brands = Dictionary(try await BrandModel.query(on: req.db).all().map { ($0.name, $0.id!) }, uniquingKeysWith: { a, _ in a })

        // Rows of one product share its title; their order gives the order of spec values.
        var groups: [(title: String, rows: [(Int, [String: String])])] = []
        for (offset, row) in table.rows.enumerated() {
            let title = row["product_title", default: ""].trimmingWhitespace()
            if let index = groups.firstIndex(where: { $0.title == title }) { groups[index].rows.append((offset + 2, row)) } else {
                groups.append((title, [(offset + 2, row)]))
            }
        }
        var errors: [FieldError] = []
        var failedRows = Set<Int>()
        var valid: [(ProductInput, [Int])] = []
        for group in groups {
            var groupErrors: [FieldError] = []
            func fail(_ row: Int, _ column: String, _ message: String) { groupErrors.append(FieldError(field: "rows[\(row)].\(column)", message: message)) }
            let first = group.rows[0].1
            let firstLine = group.rows[0].0
            guard let categoryId = categoryByPath[first["category", default: ""].trimmingWhitespace()] else {
                fail(firstLine, "category", "is not a category path such as 食品饮料 > 乳品")
                errors += groupErrors
                failedRows.formUnion(group.rows.map(\.0))
                continue
            }
            let brandName = first["brand", default: ""].trimmingWhitespace()
            if !brandName.isEmpty && brands[brandName] == nil { fail(firstLine, "brand", "is not a brand") }
            var specNames: [String] = []
            var specValues: [String: [String]] = [:]
            var skus: [SKUInput] = []
            for (line, row) in group.rows {
                var chosen: [String: String] = [:]
                let specText = row["specs", default: ""].trimmingWhitespace()
                for pair in specText.split(separator: "|") where !specText.isEmpty {
                    let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace() }
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                        fail(line, "specs", "must look like 颜色=红|尺码=M")
                        continue
                    }
                    if !specNames.contains(parts[0]) { specNames.append(parts[0]) }
                    if !(specValues[parts[0]] ?? []).contains(parts[1]) { specValues[parts[0], default: []].append(parts[1]) }
                    chosen[parts[0]] = parts[1]
                }
                var price: Int64 = 0
                do { price = try YuanText.parse(row["price", default: ""], field: "price") } catch { fail(line, "price", "must be an amount in yuan such as 12.90") }
                func optionalYuan(_ column: String) -> Int64? {
                    let text = row[column, default: ""].trimmingWhitespace()
                    guard !text.isEmpty else { return nil }
                    do { return try YuanText.parse(text, field: column) } catch {
                        fail(line, column, "must be an amount in yuan such as 12.90")
                        return nil
                    }
                }
                let enabledText = row["enabled", default: "true"].trimmingWhitespace().lowercased()
                if !["", "true", "false", "1", "0", "是", "否"].contains(enabledText) { fail(line, "enabled", "must be true or false") }
                skus.append(SKUInput(specs: chosen, code: row["sku_code", default: ""], barcode: row["barcode"].flatMap { $0.isEmpty ? nil : $0 },
                                     priceFen: price, marketPriceFen: optionalYuan("market_price"), costFen: optionalYuan("cost"),
                                     enabled: !["false", "0", "否"].contains(enabledText)))
            }
            let weight = Int(first["weight_grams", default: "0"].trimmingWhitespace()) ?? -1
            if weight < 0 { fail(firstLine, "weight_grams", "must be a whole number of grams") }
            let input = ProductInput(merchantId: merchantId, title: group.title, subtitle: first["subtitle"], categoryId: categoryId,
                                     brandId: brandName.isEmpty ? nil : brands[brandName],
                                     tags: first["tags", default: ""].split(separator: "|").map(String.init), unit: first["unit", default: ""],
                                     weightGrams: max(0, weight), specs: specNames.map { SpecDefinition(name: $0, values: specValues[$0] ?? []) }, skus: skus)
            if groupErrors.isEmpty {
                // The same checks as the product editor, with their fields mapped back to rows.
                let existing = try await ProductModel.query(on: req.db).filter(\.$merchantId == merchantId).filter(\.$title == group.title).first()
                do {
                    _ = try await ProductService(db: req.db).check(input, merchantId: merchantId, productId: existing?.id)
                } catch let failure as ValidationFailure {
                    for error in failure.errors {
                        groupErrors.append(FieldError(field: Self.rowField(error.field, lines: group.rows.map(\.0)), message: error.message))
                    }
                }
            }
            if groupErrors.isEmpty { valid.append((input, group.rows.map(\.0))) } else {
                errors += groupErrors
                failedRows.formUnion(group.rows.map(\.0))
            }
        }
        if !partial && !errors.isEmpty { throw ValidationFailure(errors) }
        var created = 0
        var updated = 0
        let staff = try req.requireStaff()
        for (input, lines) in valid {
            do {
                let isNew = try await req.db.writeTransaction { db -> Bool in
                    let service = ProductService(db: db)
                    let existing = try await ProductModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$title == input.title).first()
                    let product = existing ?? ProductModel()
                    if existing == nil {
                        product.merchantId = merchantId
                        product.lifecycle = ProductLifecycle()
                        product.salesCount = 0
                    } else {
                        var lifecycle = product.lifecycle
                        try lifecycle.edit()
                        product.lifecycle = lifecycle
                    }
                    product.categoryId = input.categoryId
                    product.brandId = input.brandId
                    let checked = try await service.check(input, merchantId: merchantId, productId: existing?.id)
                    try await service.write(checked, into: product, brandName: try await ProductRoutes.brandName(input.brandId, on: db))
                    try await req.audit.record(on: db, action: existing == nil ? "product.import" : "product.import_update",
                                               owner: .merchant(MerchantID(merchantId)), targetType: "product", targetId: product.id!.uuidString,
                                               after: ["title": product.title, "by": staff.username])
                    return existing == nil
                }
                if isNew { created += 1 } else { updated += 1 }
            } catch let transition as IllegalTransition {
                errors.append(FieldError(field: "rows[\(lines[0])].product_title", message: transition.message))
                failedRows.formUnion(lines)
            }
        }
        if !partial && !errors.isEmpty { throw ValidationFailure(errors) }
        return ImportReport(mode: partial ? "partial" : "all", rows: table.rows.count, created: created, updated: updated,
                            failedRows: failedRows.sorted(), errors: errors)
    }

    /// Maps a product-editor field like `skus[2].barcode` to the spreadsheet row it came from.
    static func rowField(_ field: String, lines: [Int]) -> String {
        if field.hasPrefix("skus["), let close = field.firstIndex(of: "]"), let index = Int(field[field.index(field.startIndex, offsetBy: 5)..<close]),
           lines.indices.contains(index) {
            let column = field[field.index(after: close)...].drop(while: { $0 == "." })
            let mapped = ["code": "sku_code", "priceFen": "price", "marketPriceFen": "market_price", "costFen": "cost"][String(column)] ?? String(column)
            return "rows[\(lines[index])].\(mapped)"
        }
        let mapped = ["title": "product_title", "weightGrams": "weight_grams", "categoryId": "category", "skus": "sku_code"][field] ?? field
        return "rows[\(lines[0])].\(mapped)"
    }

    // MARK: Stock

    func exportStock(req: Request) async throws -> Response {
        let storeId = try req.query.get(UUID.self, at: "storeId")
        guard let store = try await StoreModel.find(storeId, on: req.db) else { throw MallError.notFound("No such store.") }
        try req.authorize(.inventoryView, on: store.owner)
        let levels = try await StockLevelModel.query(on: req.db).filter(\.$storeId == storeId).all()
        let entries = try await StockLevelEntries.describe(levels, defaultThreshold: 0, on: req.db).sorted { $0.skuCode < $1.skuCode }
        let barcodes = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: req.db).filter(\.$id ~~ levels.map(\.skuId)).all().map { ($0.id!, $0.barcode ?? "") })
        var rows = [Self.stockColumns]
        for entry in entries {
            rows.append([entry.skuCode, barcodes[entry.skuId] ?? "", entry.productTitle, entry.specTitle, String(entry.onHand),
                         String(entry.reserved), String(entry.available), ""])
        }
        return csvResponse(rows, filename: "stock-\(store.code).csv")
    }

    /// Counts from a spreadsheet: `counted` replaces on-hand for each listed SKU, as a stocktake.
    func importStock(req: Request) async throws -> ImportReport {
        let storeId = try req.query.get(UUID.self, at: "storeId")
        guard let store = try await StoreModel.find(storeId, on: req.db) else { throw MallError.notFound("No such store.") }
        let staff = try req.authorize(.inventoryManage, on: store.owner)
        let partial = try mode(req)
        let table = try readTable(req, required: ["counted"])
        guard table.header.contains("sku_code") || table.header.contains("barcode") else {
            throw ValidationFailure(field: "header", message: "needs a sku_code or barcode column")
        }
        var errors: [FieldError] = []
        var counts: [(Int, UUID, Int)] = []
        for (offset, row) in table.rows.enumerated() {
            let line = offset + 2
            let code = row["sku_code", default: ""].trimmingWhitespace()
            let barcode = row["barcode", default: ""].trimmingWhitespace()
            guard let counted = Int(row["counted", default: ""].trimmingWhitespace()), InputLimits.stockCount.contains(counted) else {
                errors.append(FieldError(field: "rows[\(line)].counted",
                                         message: "must be a whole number between \(InputLimits.stockCount.lowerBound) and \(InputLimits.stockCount.upperBound)"))
                continue
            }
            let line_ = StockLineInput(barcode: barcode.isEmpty ? nil : barcode, skuCode: code.isEmpty ? nil : code, quantity: counted)
            do {
                let resolved = try await SKULookup.resolve([line_], merchantId: store.merchantId, on: req.db, quantities: InputLimits.stockCount)
                guard let skuId = resolved.first?.0 else { continue }
                counts.append((line, skuId, counted))
            } catch {
                errors.append(FieldError(field: "rows[\(line)].sku_code", message: "is not a SKU of this store's merchant"))
            }
        }
        if !partial && !errors.isEmpty { throw ValidationFailure(errors) }
        let context = MovementContext(reason: "CSV count import", referenceType: "csv_import", referenceId: nil, actorStaffId: staff.staffId, now: req.now)
        let batches = partial ? counts.map { [$0] } : [counts]
        var updated = 0
        for batch in batches {
            do {
                // All-or-nothing imports apply every row in one transaction; partial ones row by row.
                updated += try await req.db.writeTransaction { db in
                    let inventory = try await InventoryService.make(req.application, on: db)
                    var changed = 0
                    for (line, skuId, counted) in batch {
                        do {
                            if try await inventory.setCounted(counted, skuId: skuId, storeId: storeId, kind: .stocktake, context: context).applied != nil { changed += 1 }
                        } catch let error as InventoryError {
                            throw ValidationFailure(field: "rows[\(line)].counted", message: error.detail ?? "cannot be applied")
                        }
                    }
                    return changed
                }
            } catch let failure as ValidationFailure {
                errors += failure.errors
                if !partial { throw ValidationFailure(errors) }
            }
        }
        let changedCount = updated
        try await req.db.writeTransaction { db in
            try await req.audit.record(on: db, action: "inventory.import", owner: store.owner, targetType: "store_stock", targetId: storeId.uuidString,
                                       after: ["rows": String(table.rows.count), "changed": String(changedCount)])
        }
        return ImportReport(mode: partial ? "partial" : "all", rows: table.rows.count, created: 0, updated: updated,
                            failedRows: errors.compactMap { Int($0.field.dropFirst(5).prefix { $0.isNumber }) }.sorted(), errors: errors)
    }

    // MARK: Helpers

    struct Table {
        let header: [String]
        let rows: [[String: String]]
    }

    private func readTable(_ req: Request, required: [String]) throws -> Table {
        guard let body = req.body.string, !body.isEmpty else { throw ValidationFailure(field: "body", message: "send the CSV file as the request body") }
        let parsed: [[String]]
        do { parsed = try CSV.parse(body) } catch let error as CSV.ParseError {
            throw ValidationFailure(field: "rows[\(error.line)]", message: error.message)
        }
        guard let header = parsed.first?.map({ $0.trimmingWhitespace().lowercased() }) else {
            throw ValidationFailure(field: "body", message: "the file is empty")
        }
        let missing = required.filter { !header.contains($0) }
        if !missing.isEmpty { throw ValidationFailure(field: "header", message: "missing columns: \(missing.joined(separator: ", "))") }
        if parsed.count > 20_001 { throw ValidationFailure(field: "body", message: "at most 20000 rows per file") }
        return Table(header: header, rows: parsed.dropFirst().map { values in
            Dictionary(zip(header, values + Array(repeating: "", count: max(0, header.count - values.count))), uniquingKeysWith: { a, _ in a })
        })
    }

    private func mode(_ req: Request) throws -> Bool {
        switch req.query[String.self, at: "mode"] ?? "all" {
        case "all": return false
        case "partial": return true
        default: throw ValidationFailure(field: "mode", message: "must be all or partial")
        }
    }

    private func categoryPaths(on db: any Database) async throws -> [UUID: String] {
        let all = try await CategoryModel.query(on: db).all()
        let names = Dictionary(uniqueKeysWithValues: all.map { ($0.id!, $0.name) })
        return Dictionary(uniqueKeysWithValues: all.map { category in
            (category.id!, category.path.split(separator: "/").compactMap { UUID(uuidString: String($0)) }.compactMap { names[$0] }.joined(separator: " > "))
        })
    }

    private func csvResponse(_ rows: [[String]], filename: String) -> Response {
        // The BOM makes spreadsheet programs read the file as UTF-8, so Chinese text survives.
        let response = Response(status: .ok, body: .init(string: "\u{FEFF}" + CSV.write(rows)))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return response
    }
}
