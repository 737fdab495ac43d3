import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Admin lists order the whole list on the server, so page 2 of a sorted list continues page 1.
@Suite("Admin list sorting")
struct ListSortTests {
    @Test("products sorted by price read in order across pages, both ways; an unknown sort field is a field error")
    func productsAcrossPages() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            for (index, price) in [900, 100, 500, 300, 700].enumerated() {
                _ = try await Fixtures.sku(app, code: "P\(index)", priceFen: Int64(price))
            }
            func prices(_ sort: String) async throws -> [Int64] {
                var all: [Int64] = []
                for page in 1...3 {
                    let response = try await app.send(.GET, "/api/v1/admin/products?sort=\(sort)&per=2&page=\(page)", token: token)
                    let list = try response.decode(ListPage<Product>.self)
                    #expect(list.total == 5)
                    all += list.items.map { $0.skus.map(\.priceFen).min()! }
                }
                return all
            }
            #expect(try await prices("minPriceFen") == [100, 300, 500, 700, 900])
            #expect(try await prices("-minPriceFen") == [900, 700, 500, 300, 100])

            let bad = try await app.send(.GET, "/api/v1/admin/products?sort=passwordHash", token: token)
            #expect(bad.status == .unprocessableEntity)
            let problem = try bad.decode(Problem.self)
            #expect(problem.errors?.first?.field == "sort")
            #expect(problem.errors?.first?.message.contains("minPriceFen") == true, "names the fields that can be used")
        }
    }

    @Test("stock levels sort by available stock, a value computed from on hand minus reserved")
    func levelsByAvailable() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let store = try await Fixtures.store(app, code: "SH-S1")
            var lines: [StockLineInput] = []
            for (index, quantity) in [30, 10, 20].enumerated() {
                let sku = try await Fixtures.sku(app, code: "L\(index)")
                lines.append(StockLineInput(skuId: sku.id!, quantity: quantity))
            }
            let received = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                              json: StockReceiptInput(storeId: store.id!, lines: lines))
            #expect(received.status == .ok, "\(received.text)")
            let ascending = try await app.send(.GET, "/api/v1/admin/inventory/levels?storeId=\(store.id!)&sort=available", token: token)
            #expect(try ascending.decode(ListPage<StockLevelEntry>.self).items.map(\.available) == [10, 20, 30])
            let descending = try await app.send(.GET, "/api/v1/admin/inventory/levels?storeId=\(store.id!)&sort=-available", token: token)
            #expect(try descending.decode(ListPage<StockLevelEntry>.self).items.map(\.available) == [30, 20, 10])
        }
    }

    @Test("stores sort by a named column; the default order (by code) breaks ties")
    func storesByCity() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            for (code, city) in [("B2", "Hangzhou"), ("A1", "Shanghai"), ("C3", "Hangzhou")] {
                let store = try await Fixtures.store(app, code: code)
                store.city = city
                try await store.update(on: app.db)
            }
            let response = try await app.send(.GET, "/api/v1/admin/stores?sort=-city", token: token)
            let codes = try response.decode(ListPage<Store>.self).items.map(\.code)
            #expect(codes == ["A1", "B2", "C3"], "Shanghai leads descending; the Hangzhou pair keeps code order")
        }
    }

    @Test("every sort field a console table offers is accepted by its endpoint, in both directions")
    func consoleSortFieldsAccepted() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let folder = "Public/js/console/sections"
            let pattern = try NSRegularExpression(pattern: #"endpoint: '([^']+)',\s*sortFields: \[([^\]]*)\]"#)
            var checked = 0
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".js") {
                let text = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let endpoint = String(text[Range(match.range(at: 1), in: text)!])
                    let fields = text[Range(match.range(at: 2), in: text)!].split(separator: ",")
                        .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '")) }
                    for field in fields {
                        for sort in [field, "-" + field] {
                            let response = try await app.send(.GET, "/api/v1\(endpoint)?sort=\(sort)", token: token)
                            #expect(response.status == .ok, "\(endpoint)?sort=\(sort): \(response.text)")
                            checked += 1
                        }
                    }
                }
            }
            #expect(checked >= 140, "every console table declares its sort fields")
        }
    }

    @Test("a period that ends before it starts is a field error on the lists that take one, not an empty list")
    func backwardsPeriod() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            for path in ["/admin/audit-logs", "/admin/orders", "/admin/inventory/movements", "/admin/after-sales/stats"] {
                let response = try await app.send(.GET, "/api/v1\(path)?from=2026-11-28T00:00:00Z&to=2026-11-27T00:00:00Z", token: token)
                #expect(response.status == .unprocessableEntity, "\(path)")
                #expect(response.problem?.errors?.map(\.field) == ["from"], "\(path): \(response.text)")
            }
            let fine = try await app.send(.GET, "/api/v1/admin/audit-logs?from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z", token: token)
            #expect(fine.status == .ok)
        }
    }
}
