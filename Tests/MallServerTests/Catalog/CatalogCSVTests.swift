import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("CSV import and export")
struct CatalogCSVTests {
    static let csvHeaders: HTTPHeaders = ["Content-Type": "text/csv; charset=utf-8"]

    @Test("products round-trip: export from one merchant, import into another, same catalogue")
    func productRoundTrip() async throws {
        try await withTestApp { app in
            let category = try await Fixtures.category(app, name: "服装")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            var input = CatalogWorkflowTests.tshirt(category.id!)
            input.skus[0].barcode = "6901234567892"
            input.skus[1].marketPriceFen = 9_900
            let original = try await app.send(.POST, "/api/v1/admin/products", token: admin, json: input).decode(Product.self)

            let exported = try await app.send(.GET, "/api/v1/admin/products/export?merchantId=\(SelfOperatedMerchant.id.rawValue)", token: admin)
            #expect(exported.headers.contentType?.subType == "csv")
            let csv = exported.text
            #expect(csv.hasPrefix("\u{FEFF}product_title,"))
            #expect(csv.contains("服装"))

            let other = try await Fixtures.merchant(app, code: "OTHER")
            let imported = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(other.id!)", token: admin, raw: csv, headers: Self.csvHeaders)
            #expect(imported.status == .ok, "\(imported.text)")
            let report = try imported.decode(ImportReport.self)
            #expect(report == ImportReport(mode: "all", rows: 4, created: 1, updated: 0, failedRows: [], errors: []))
            let copy = try #require(try await ProductModel.query(on: app.db).filter(\.$merchantId == other.id!).first())
            let copied = try await ProductDTO.one(copy, on: app.db)
            #expect(copied.title == original.title)
            #expect(copied.status == .draft, "imported products still go through review")
            #expect(copied.specs == original.specs)
            #expect(copied.tags == original.tags)
            func signature(_ skus: [SKU]) -> [String] { skus.map { "\($0.specKey) \($0.code) \($0.barcode ?? "-") \($0.priceFen) \($0.marketPriceFen ?? 0)" }.sorted() }
            #expect(signature(copied.skus) == signature(original.skus))

            let again = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(other.id!)", token: admin, raw: csv, headers: Self.csvHeaders)
            #expect(try again.decode(ImportReport.self).updated == 1, "importing the same file again updates, it does not duplicate")
            #expect(try await ProductModel.query(on: app.db).filter(\.$merchantId == other.id!).count() == 1)
        }
    }

    @Test("bad rows are reported by row and column; all-or-nothing writes nothing, partial writes the good products")
    func errorReport() async throws {
        try await withTestApp { app in
            _ = try await Fixtures.category(app, name: "乳品")
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let csv = """
            product_title,category,unit,specs,sku_code,barcode,price
            纯牛奶,乳品,盒,规格=250ml,M-250,6901234567892,3.50
            纯牛奶,乳品,盒,规格=1L,M-1L,,12.9x
            酸奶,乳品,杯,,Y-1,6901234567890,5
            豆浆,饮料,瓶,,D-1,,4.00
            奶酪,乳品,块,,C-1,,18.00
            """
            let all = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(SelfOperatedMerchant.id.rawValue)", token: admin,
                                         raw: csv, headers: Self.csvHeaders)
            #expect(all.status == .unprocessableEntity)
            #expect(Set(all.problem?.errors?.map(\.field) ?? []) == ["rows[3].price", "rows[4].barcode", "rows[5].category"])
            #expect(try await ProductModel.query(on: app.db).count() == 0)

            let partial = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(SelfOperatedMerchant.id.rawValue)&mode=partial",
                                             token: admin, raw: csv, headers: Self.csvHeaders).decode(ImportReport.self)
            #expect(partial.created == 1)
            #expect(partial.failedRows == [2, 3, 4, 5])
            #expect(try await ProductModel.query(on: app.db).all().map(\.title) == ["奶酪"])

            let noColumns = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(SelfOperatedMerchant.id.rawValue)", token: admin,
                                               raw: "title\nx\n", headers: Self.csvHeaders)
            #expect(noColumns.problem?.errors?.first?.field == "header")
            let broken = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(SelfOperatedMerchant.id.rawValue)", token: admin,
                                            raw: "product_title\n\"unclosed\n", headers: Self.csvHeaders)
            #expect(broken.status == .unprocessableEntity)
        }
    }

    @Test("stock counts round-trip through a spreadsheet")
    func stockRoundTrip() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let milk = try await Fixtures.sku(app, code: "MILK", barcode: "6901234567892")
            let tea = try await Fixtures.sku(app, code: "TEA")
            let (_, manager) = try await Fixtures.staff(app, "manager", role: .storeManager, scope: .store(store.storeID))
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: manager,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: milk.id!, quantity: 10), StockLineInput(skuId: tea.id!, quantity: 5)]))
            let sheet = try await app.send(.GET, "/api/v1/admin/inventory/export?storeId=\(store.id!)", token: manager).text
            var rows = try CSV.parse(sheet)
            #expect(rows[0] == CatalogCSVRoutes.stockColumns)
            #expect(rows.dropFirst().map { $0[0] } == ["MILK", "TEA"])
            rows[1][7] = "8"
            rows[2][7] = "5"
            let report = try await app.send(.POST, "/api/v1/admin/inventory/import?storeId=\(store.id!)", token: manager,
                                            raw: CSV.write(rows), headers: Self.csvHeaders).decode(ImportReport.self)
            #expect(report.updated == 1)
            #expect(try await Fixtures.level(app, sku: milk, store: store)?.onHand == 8)
            #expect(try await Fixtures.level(app, sku: tea, store: store)?.onHand == 5)

            let bad = try await app.send(.POST, "/api/v1/admin/inventory/import?storeId=\(store.id!)", token: manager,
                                         raw: "barcode,counted\n6901234567892,3\n0000,2\n", headers: Self.csvHeaders)
            #expect(bad.problem?.errors?.map(\.field) == ["rows[3].sku_code"])
            #expect(try await Fixtures.level(app, sku: milk, store: store)?.onHand == 8, "all-or-nothing: the good row was not applied either")
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }
}
