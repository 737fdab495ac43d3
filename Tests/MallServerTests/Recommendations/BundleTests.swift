import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Bundles (搭配购): HQ any merchant's, merchants their own, checked and audited")
struct BundleTests {
    @Test("HQ makes, edits and deletes a self-operated bundle; a third-party merchant neither sees nor makes it; bad bundles name their fields and leave no rows")
    func crud() async throws {
        try await withTestApp { app in
            let bread = try await Fixtures.sku(app, code: "BREAD", priceFen: 990, title: "全麦面包")
            let butter = try await Fixtures.sku(app, code: "BUTTER", priceFen: 1_590, title: "黄油")
            let jam = try await Fixtures.sku(app, code: "JAM", priceFen: 1_290, title: "草莓酱")
            let other = try await Fixtures.merchant(app, code: "FRUIT")
            let apple = try await Fixtures.sku(app, code: "APPLE", merchant: other.id!, priceFen: 500, title: "苹果")
            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let (_, fruit) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(MerchantID(other.id!)))
            let selfOperated = SelfOperatedMerchant.id.rawValue

            let input = BundleInput(merchantId: selfOperated, name: " 早餐搭配 ", priceFen: 2_200, productIds: [bread.productId, butter.productId])
            let created = try await app.send(.POST, "/api/v1/admin/bundles", token: admin, json: input)
            #expect(created.status == .created, "\(created.text)")
            let bundle = try created.decode(ProductBundle.self)
            #expect(bundle.name == "早餐搭配" && bundle.priceFen == 2_200 && bundle.regularPriceFen == 2_580 && bundle.active)
            #expect(bundle.products.map(\.title) == ["全麦面包", "黄油"])

            let forbidden = try await app.send(.POST, "/api/v1/admin/bundles", token: fruit, json: input)
            #expect(forbidden.status == .forbidden && forbidden.problem?.detail?.contains("marketing.manage") == true, "\(forbidden.text)")
            #expect(try await app.send(.GET, "/api/v1/admin/bundles/\(bundle.id)", token: fruit).status == .notFound)
            #expect(try await app.send(.GET, "/api/v1/admin/bundles", token: fruit).decode(ListPage<ProductBundle>.self).total == 0)
            let own = try await app.send(.POST, "/api/v1/admin/bundles", token: fruit,
                                         json: BundleInput(merchantId: other.id!, name: "水果", priceFen: 1_000, productIds: [apple.productId, bread.productId]))
            #expect(own.problem?.errors?.map(\.field) == ["productIds"], "bread is not the fruit merchant's: \(own.text)")

            for (bad, fields) in [
                (BundleInput(merchantId: selfOperated, name: "", priceFen: 0, productIds: [bread.productId]), ["name", "productIds", "priceFen"]),
                (BundleInput(merchantId: selfOperated, name: "贵", priceFen: 2_580, productIds: [bread.productId, butter.productId]), ["priceFen"]),
                (BundleInput(merchantId: selfOperated, name: "重复", priceFen: 1_000, productIds: [bread.productId, bread.productId]), ["productIds"]),
                (BundleInput(merchantId: selfOperated, name: "价", priceFen: 10_000_000_001, productIds: [bread.productId, jam.productId]), ["priceFen"]),
            ] {
                let refused = try await app.send(.POST, "/api/v1/admin/bundles", token: admin, json: bad)
                #expect(refused.status == .unprocessableEntity && refused.problem?.errors?.map(\.field) == fields, "\(refused.text)")
            }
            #expect(try await BundleModel.query(on: app.db).count() == 1, "refused bundles leave no rows")

            var edit = input
            edit.productIds = [bread.productId, butter.productId, jam.productId]
            edit.priceFen = 3_300
            edit.active = false
            let edited = try await app.send(.PUT, "/api/v1/admin/bundles/\(bundle.id)", token: admin, json: edit).decode(ProductBundle.self)
            #expect(edited.products.map(\.id) == [bread.productId, butter.productId, jam.productId] && edited.regularPriceFen == 3_870 && !edited.active)
            edit.merchantId = other.id!
            #expect(try await app.send(.PUT, "/api/v1/admin/bundles/\(bundle.id)", token: admin, json: edit).problem?.errors?.map(\.field) == ["merchantId"])
            let listed = try await app.send(.GET, "/api/v1/admin/bundles", token: admin).decode(ListPage<ProductBundle>.self)
            #expect(listed.total == 1 && listed.items.first == edited)

            #expect(try await app.send(.DELETE, "/api/v1/admin/bundles/\(bundle.id)", token: fruit).status == .notFound)
            #expect(try await app.send(.DELETE, "/api/v1/admin/bundles/\(bundle.id)", token: admin).status == .noContent)
            #expect(try await app.send(.GET, "/api/v1/admin/bundles/\(bundle.id)", token: admin).status == .notFound)
            let actions = try await AuditLogModel.query(on: app.db).filter(\.$targetType == "bundle").sort(\.$createdAt).all().map(\.action)
            #expect(actions.sorted() == ["bundle.create", "bundle.delete", "bundle.update"])
        }
    }
}
