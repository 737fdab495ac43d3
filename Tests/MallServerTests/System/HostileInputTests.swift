import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Testing
import Vapor
@testable import MallServer

/// The requests that once stopped the whole server (Swift traps on overflow and on a nil force
/// unwrap), each sent through HTTP as a hostile caller would: now a 4xx problem naming the field,
/// nothing written, and the server still answering the next request.
@Suite("Hostile input: numbers out of range are refused, never trapped on")
struct HostileInputTests {
    struct Shop {
        let store: StoreModel
        let other: StoreModel
        let sku: SKUModel
        let clerk: String
        let admin: String
    }

    static func shop(_ app: Application) async throws -> Shop {
        let store = try await Fixtures.store(app, code: "JA01")
        let other = try await Fixtures.store(app, code: "XH02", latitude: 31.1951, longitude: 121.4370)
        let sku = try await Fixtures.sku(app, code: "MILK", priceFen: 1_250)
        try await app.db.writeTransaction { db in
            try await InventoryService.make(app, on: db).move(.receipt, [StockRequest(skuId: sku.id!, storeId: store.id!, quantity: 40)],
                                                              context: MovementContext(now: testEpoch))
        }
        let (_, clerk) = try await Fixtures.staff(app, "ja.clerk", role: .storeClerk, scope: .store(store.storeID))
        let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
        return Shop(store: store, other: other, sku: sku, clerk: clerk, admin: admin)
    }

    /// After a refused request the server still serves, and the stock books still add up.
    static func stillServing(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let health = try await app.send(.GET, "/healthz")
        #expect(health.status == .ok, sourceLocation: sourceLocation)
        try await Fixtures.expectLedgerMatchesProjection(app, sourceLocation: sourceLocation)
    }

    static func fields(_ response: APIResponse) -> [String] { response.problem?.errors?.map(\.field) ?? [] }

    @Test("a page number past 100000, however large, is a 422 naming `page` on public and staff lists alike")
    func pageNumbers() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            for page in ["1000000000000000000", "9223372036854775807", "18446744073709551616", "100001", "0", "-1", "1e3", "", "二"] {
                let products = try await app.send(.GET, "/api/v1/products?page=\(page)")
                #expect(products.status == .unprocessableEntity, "page=\(page)")
                #expect(Self.fields(products) == ["page"], "page=\(page)")
                for list in ["orders", "staff", "inventory/movements"] {
                    let staff = try await app.send(.GET, "/api/v1/admin/\(list)?page=\(page)", token: shop.admin)
                    #expect(staff.status == .unprocessableEntity && Self.fields(staff) == ["page"], "\(list) page=\(page)")
                }
            }
            let last = try await app.send(.GET, "/api/v1/products?page=100000&per=200")
            #expect(last.status == .ok)
            #expect(try last.decode(ListPage<ProductSummary>.self).items.isEmpty, "the deepest page is simply empty")
            #expect(Self.fields(try await app.send(.GET, "/api/v1/products?per=201")) == ["per"])
            try await Self.stillServing(app)
        }
    }

    @Test("an adjustment or POS movement of Int.min or Int.max units is a 422 on its field and moves nothing")
    func extremeDeltas() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            for delta in ["-9223372036854775808", "9223372036854775807", "-1000001", "1000001", "0"] {
                let adjusted = try await app.send(.POST, "/api/v1/admin/inventory/adjustments", token: shop.clerk, raw: """
                    {"storeId":"\(shop.store.id!)","skuId":"\(shop.sku.id!)","delta":\(delta),"reason":"盘点差异"}
                    """)
                #expect(adjusted.status == .unprocessableEntity, "delta \(delta)")
                #expect(Self.fields(adjusted).contains { $0.contains("delta") || $0.hasSuffix("quantity") }, "delta \(delta): \(adjusted.text)")
                let synced = try await app.send(.POST, "/api/v1/admin/inventory/sync/\(shop.store.id!)/batches", token: shop.clerk, raw: """
                    {"externalReference":"POS-\(delta)","kind":"movements","lines":[{"skuId":"\(shop.sku.id!)","quantity":\(delta)}]}
                    """)
                #expect(synced.status == .unprocessableEntity && Self.fields(synced) == ["lines[0].quantity"], "sync \(delta): \(synced.text)")
            }
            let beyond = try await app.send(.POST, "/api/v1/admin/inventory/adjustments", token: shop.clerk, raw: """
                {"storeId":"\(shop.store.id!)","skuId":"\(shop.sku.id!)","delta":18446744073709551616,"reason":"盘点差异"}
                """)
            #expect(beyond.status == .unprocessableEntity && Self.fields(beyond) == ["delta"], "a number past 64 bits: \(beyond.text)")
            #expect(try await Fixtures.level(app, sku: shop.sku, store: shop.store) == StockLevel(onHand: 40, reserved: 0))
            let fine = try await app.send(.POST, "/api/v1/admin/inventory/adjustments", token: shop.clerk,
                                          json: StockAdjustmentInput(storeId: shop.store.id!, skuId: shop.sku.id!, delta: -1_000_000 + 999_960, reason: "盘点差异"))
            #expect(fine.status == .ok)
            try await Self.stillServing(app)
        }
    }

    @Test("a number no field can hold (2^64, 1e308, 1.5 for a count) is a 422 naming its field; text that is not JSON stays a 400")
    func unrepresentableNumbers() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            for quantity in ["1.5", "1e308", "18446744073709551616", "-1e400"] {
                let cart = try await app.send(.POST, "/api/v1/cart/lines", raw: #"{"skuId":"\#(shop.sku.id!)","quantity":\#(quantity)}"#)
                #expect(cart.status == .unprocessableEntity && Self.fields(cart) == ["quantity"], "\(quantity): \(cart.text)")
            }
            let receipt = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: shop.clerk, raw: """
                {"storeId":"\(shop.store.id!)","note":"到货 12.5 箱","lines":[{"skuId":"\(shop.sku.id!)","quantity":3},{"skuId":"\(shop.sku.id!)","quantity":1e308}]}
                """)
            #expect(receipt.status == .unprocessableEntity && Self.fields(receipt) == ["lines[1].quantity"], "\(receipt.text)")
            // Too many numbers to search one by one: the body as a whole is named.
            let lines = (0..<300).map { #"{"skuId":"\#(shop.sku.id!)","quantity":\#($0 == 150 ? "1e308" : "1")}"# }.joined(separator: ",")
            let long = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: shop.clerk,
                                          raw: #"{"storeId":"\#(shop.store.id!)","lines":[\#(lines)]}"#)
            #expect(long.status == .unprocessableEntity && Self.fields(long) == ["body"], "\(long.text)")
            for huge in ["9223372036854775808", "1e308", "1.5"] {
                let setting = try await app.send(.PATCH, "/api/v1/admin/settings", token: shop.admin,
                                                 raw: #"{"values":{"order.unpaidTimeoutMinutes":\#(huge)}}"#)
                #expect(setting.status == .unprocessableEntity, "\(huge): \(setting.text)")
                #expect(setting.problem?.errors?.contains { $0.field.contains("order.unpaidTimeoutMinutes") && !$0.message.contains("string") } == true,
                        "\(huge): \(setting.text)")
            }
            for broken in [#"{"quantity": 1"#, "quantity=1", #"{"skuId":"\#(shop.sku.id!)","quantity":--1}"#, #"{"skuId":"\#(shop.sku.id!)","quantity":1.}"#] {
                let response = try await app.send(.POST, "/api/v1/cart/lines", raw: broken)
                #expect(response.status == .badRequest, "\(broken): \(response.text)")
            }
            try await Self.stillServing(app)
        }
    }

    @Test("multipart bodies the framework's parser trapped on: 415 wherever JSON is expected, 400 at the image upload")
    func hostileMultipart() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let bodies: [(String, [UInt8])] = [
                ("multipart/form-data; boundary=B", Array("--B\r\n".utf8) + [0xC2, 0x82] + Array("--B--\r\n".utf8)),
                ("multipart/form-data; boundary=", Array("--\r\nx".utf8)),
                ("multipart/form-data; boundary=\"\"", Array("--\r\nx".utf8)),
                ("multipart/form-data; boundary=B", Array("--B\r\n{: x\r\n\r\nx\r\n--B--\r\n".utf8)),
            ]
            for (contentType, body) in bodies {
                for path in ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/admin/auth/login", "/api/v1/cart/lines"] {
                    let response = try await app.send(.POST, path, raw: String(decoding: body, as: UTF8.self), headers: ["Content-Type": contentType])
                    #expect(response.status == .unsupportedMediaType, "\(path) \(contentType): \(response.text)")
                }
                let upload = try await app.send(.POST, Application.imageUploadPath, token: shop.admin, raw: String(decoding: body, as: UTF8.self),
                                                headers: ["Content-Type": contentType])
                #expect(upload.status == .badRequest && upload.problem?.detail == "The multipart/form-data body could not be read.", "\(upload.text)")
            }
            try await Self.stillServing(app)
        }
    }

    @Test("count sheets: a count is 0…1000000, scans add up in the database, and a total past the limit is refused")
    func stocktakeCounts() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let sheet = try await app.send(.POST, "/api/v1/admin/stocktakes", token: shop.clerk, json: StocktakeInput(storeId: shop.store.id!))
                .decode(Stocktake.self)
            func count(_ mode: String, _ quantity: String) async throws -> APIResponse {
                try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: shop.clerk, raw: """
                    {"mode":"\(mode)","lines":[{"skuId":"\(shop.sku.id!)","quantity":\(quantity)}]}
                    """)
            }
            #expect(try await count("set", "9223372036854775807").status == .unprocessableEntity)
            #expect(try await count("add", "9223372036854775807").status == .unprocessableEntity)
            #expect(try await count("add", "0").status == .unprocessableEntity, "a scan counts at least one")
            #expect(try await count("set", "999999").status == .ok)
            #expect(try await count("add", "1").status == .ok)
            let over = try await count("add", "1")
            #expect(over.status == .unprocessableEntity && Self.fields(over) == ["lines[0].quantity"], "\(over.text)")
            #expect(try await app.send(.GET, "/api/v1/admin/stocktakes/\(sheet.id)", token: shop.clerk).decode(Stocktake.self).lines.map(\.counted)
                == [1_000_000], "the refused scan changed nothing")

            // Twenty devices scanning the same item at once: every scan counts, none is lost.
            #expect(try await count("set", "0").status == .ok)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<20 { group.addTask { try await count("add", "1").status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(try await app.send(.GET, "/api/v1/admin/stocktakes/\(sheet.id)", token: shop.clerk).decode(Stocktake.self).lines.map(\.counted) == [20])
            try await Self.stillServing(app)
        }
    }

    @Test("two clicks on post apply a count sheet once; counting a posted sheet is a 409")
    func stocktakePostedOnce() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let sheet = try await app.send(.POST, "/api/v1/admin/stocktakes", token: shop.clerk, json: StocktakeInput(storeId: shop.store.id!))
                .decode(Stocktake.self)
            _ = try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: shop.clerk,
                                   json: StocktakeCountInput(mode: .set, lines: [StockLineInput(skuId: shop.sku.id!, quantity: 37)]))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<4 { group.addTask { try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/post", token: shop.clerk).status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 3, "\(statuses)")
            #expect(try await StockMovementModel.query(on: app.db).filter(\.$kind == StockMovementKind.stocktake.rawValue).count() == 1)
            let late = try await app.send(.POST, "/api/v1/admin/stocktakes/\(sheet.id)/counts", token: shop.clerk,
                                          json: StocktakeCountInput(mode: .add, lines: [StockLineInput(skuId: shop.sku.id!, quantity: 1)]))
            #expect(late.status == .conflict)
            #expect(try await Fixtures.level(app, sku: shop.sku, store: shop.store) == StockLevel(onHand: 37, reserved: 0))
            try await Self.stillServing(app)
        }
    }

    @Test("every kind of price is capped at 10000000000 fen; a price stored before the cap makes its cart line unbuyable, not the server stop")
    func prices() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let huge = "9223372036854775807"
            let store = try await app.send(.PUT, "/api/v1/admin/skus/\(shop.sku.id!)/store-prices/\(shop.store.id!)", token: shop.admin,
                                           raw: #"{"priceFen":\#(huge)}"#)
            #expect(store.status == .unprocessableEntity && Self.fields(store) == ["priceFen"], "\(store.text)")
            let scheduled = try await app.send(.POST, "/api/v1/admin/skus/\(shop.sku.id!)/scheduled-prices", token: shop.admin,
                                               raw: #"{"priceFen":\#(huge),"effectiveFrom":"2026-11-28T00:00:00Z"}"#)
            #expect(scheduled.status == .unprocessableEntity && Self.fields(scheduled) == ["priceFen"], "\(scheduled.text)")
            let level = try await app.send(.PUT, "/api/v1/admin/skus/\(shop.sku.id!)/level-prices/gold", token: shop.admin,
                                           raw: #"{"discountBasisPoints":9000,"fixedPriceFen":10000000001}"#)
            #expect(level.status == .unprocessableEntity && Self.fields(level) == ["fixedPriceFen"], "\(level.text)")
            #expect(try await app.send(.PUT, "/api/v1/admin/skus/\(shop.sku.id!)/store-prices/\(shop.store.id!)", token: shop.admin,
                                       json: StorePriceInput(priceFen: 10_000_000_000)).status == .ok, "the cap itself is a price")

            // A row from before the cap (or written by another system): the cart shows the line
            // as unbuyable and checkout refuses it, for every shopper who has it in the cart.
            let legacy = ScheduledPriceModel()
            legacy.skuId = shop.sku.id!
            legacy.priceFen = .max
            legacy.effectiveFrom = testEpoch.addingTimeInterval(-3_600)
            try await legacy.create(on: app.db)
            let token = try await CheckoutTests.shopper(app)
            let cart = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.sku.id!, quantity: 2))
            #expect(cart.status == .ok, "\(cart.text)")
            let view = try cart.decode(CartView.self)
            #expect(view.groups.flatMap(\.lines).map(\.problems) == [[.priceUnavailable]])
            #expect(view.subtotalFen == 0 && view.hasProblems)
            let checkout = try await CheckoutTests.checkout(app, token: token, key: "legacy-price-1")
            #expect(checkout.status == .conflict, "\(checkout.text)")
            #expect(checkout.problem?.detail?.contains("its price cannot be charged") == true)
            #expect(try await OrderModel.query(on: app.db).count() == 0)
            try await Self.stillServing(app)
        }
    }

    @Test("transfer lines above a million units are refused when the transfer is written, not when it ships")
    func transferQuantities() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            for quantity in ["4611686018427387904", "1000001", "0", "-5"] {
                let created = try await app.send(.POST, "/api/v1/admin/transfers", token: shop.admin, raw: """
                    {"fromStoreId":"\(shop.store.id!)","toStoreId":"\(shop.other.id!)","lines":[{"skuId":"\(shop.sku.id!)","quantity":\(quantity)}]}
                    """)
                #expect(created.status == .unprocessableEntity && Self.fields(created) == ["lines[0].quantity"], "\(quantity): \(created.text)")
            }
            #expect(try await TransferModel.query(on: app.db).count() == 0)
            try await Self.stillServing(app)
        }
    }

    @Test("an empty store id or coordinate is a field error: the stock lookup (anonymous: 401) and the nearby-stores search")
    func emptyQueryValues() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let anonymous = try await app.send(.GET, "/api/v1/admin/inventory/levels/lookup?storeId=&code=x")
            #expect(anonymous.status == .unauthorized)
            let staff = try await app.send(.GET, "/api/v1/admin/inventory/levels/lookup?storeId=&code=x", token: shop.clerk)
            #expect(staff.status == .unprocessableEntity && Self.fields(staff) == ["storeId"], "\(staff.text)")
            for query in ["lat=&lng=121.4", "lat=31.2&lng=", "lat=&lng=", "lat=nan&lng=121.4", "lat=31.2&lng=1e400"] {
                let nearby = try await app.send(.GET, "/api/v1/stores/nearby?\(query)")
                #expect(nearby.status == .unprocessableEntity, "\(query): \(nearby.text)")
            }
            try await Self.stillServing(app)
        }
    }

    @Test("a product import with full-width or Chinese digits in a price is a row error, not a trap")
    func importDigits() async throws {
        try await withTestApp { app in
            let shop = try await Self.shop(app)
            let category = try await CategoryModel.query(on: app.db).first()!
            let csv = """
                product_title,category,unit,sku_code,price
                全角价格,\(category.name),盒,FW-1,12.５０
                汉字价格,\(category.name),盒,FW-2,3.五
                """
            let imported = try await app.send(.POST, "/api/v1/admin/products/import?merchantId=\(SelfOperatedMerchant.id.rawValue)", token: shop.admin,
                                              raw: csv, headers: ["Content-Type": "text/csv"])
            #expect(imported.status == .unprocessableEntity, "\(imported.text)")
            #expect(Set(Self.fields(imported)) == ["rows[2].price", "rows[3].price"], "\(imported.text)")
            try await Self.stillServing(app)
        }
    }

    @Test("stored state this version cannot read fails that order's requests with a 500, and only those")
    func unreadableStoredState() async throws {
        try await withTestApp { app in
            let (shop, token, order) = try await OrderDeskTests.paidOrder(app)
            let (_, other, _) = try await OrderDeskTests.paidOrder(app, in: shop, mobile: "13900000011")
            try await app.db.sql.raw("UPDATE orders SET lifecycle = '{\"status\":\"teleported\"}' WHERE id = \(bind: order.id)").run()
            let broken = try await app.send(.GET, "/api/v1/orders/\(order.id)", token: token)
            #expect(broken.status == .internalServerError)
            #expect(broken.problem?.requestId == broken.headers.first(name: .xRequestId))
            #expect(try await app.send(.GET, "/api/v1/orders", token: other).status == .ok, "other shoppers are not affected")
            #expect(try await app.send(.GET, "/healthz").status == .ok)
        }
    }
}
