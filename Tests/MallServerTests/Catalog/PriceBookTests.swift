import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// A SKU's price book as the console's price panel reads and edits it, and spec templates edited
/// in place.
@Suite("Price book and spec templates")
struct PriceBookTests {
    @Test("the price book lists store, level and planned prices; a level or planned price can be taken out, audited")
    func priceBook() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SA")
            let sku = try await Fixtures.sku(app, code: "MILK-1", priceFen: 1_000)
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (_, clerk) = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            let base = "/api/v1/admin/skus/\(sku.id!)"
            #expect(try await app.send(.PUT, "\(base)/store-prices/\(store.id!)", token: admin, json: StorePriceInput(priceFen: 900)).status == .ok)
            #expect(try await app.send(.PUT, "\(base)/level-prices/gold", token: admin, json: LevelPriceInput(discountBasisPoints: 9_000)).status == .ok)
            let from = app.clock.now().addingTimeInterval(86_400)
            #expect(try await app.send(.POST, "\(base)/scheduled-prices", token: admin, json: ScheduledPriceInput(priceFen: 800, effectiveFrom: from)).status == .created)

            var book = try await app.send(.GET, "\(base)/prices", token: admin).decode(SKUPriceBook.self)
            #expect(book.priceFen == 1_000)
            #expect(book.storePrices == [.init(storeId: store.id!, priceFen: 900)])
            #expect(book.levelPrices == [.init(level: "gold", discountBasisPoints: 9_000, fixedPriceFen: nil)])
            #expect(book.scheduledPrices.map(\.priceFen) == [800])
            let planned = try #require(book.scheduledPrices.first)

            // A store clerk may look but not change.
            #expect(try await app.send(.DELETE, "\(base)/level-prices/gold", token: clerk).status == .forbidden)
            #expect(try await app.send(.DELETE, "\(base)/level-prices/gold", token: admin).status == .noContent)
            #expect(try await app.send(.DELETE, "\(base)/level-prices/gold", token: admin).status == .notFound)
            #expect(try await app.send(.DELETE, "\(base)/scheduled-prices/\(planned.id)", token: admin).status == .noContent)
            #expect(try await app.send(.DELETE, "\(base)/scheduled-prices/\(planned.id)", token: admin).status == .notFound)
            book = try await app.send(.GET, "\(base)/prices", token: admin).decode(SKUPriceBook.self)
            #expect(book.levelPrices.isEmpty && book.scheduledPrices.isEmpty)
            let actions = try await AuditLogModel.query(on: app.db).filter(\.$targetId == sku.id!.uuidString).all().map(\.action)
            #expect(Set(actions) == ["price.store", "price.level", "price.schedule", "price.level.remove", "price.schedule.remove"])
        }
    }

    @Test("a spec template is renamed and its specs changed; a taken name or an empty spec list is a 422")
    func editTemplate() async throws {
        try await withTestApp { app in
            let (_, admin) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let (_, merchantAdmin) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let colour = try await app.send(.POST, "/api/v1/admin/spec-templates", token: admin,
                                            json: SpecTemplateInput(name: "服装", specs: [SpecDefinition(name: "颜色", values: ["红", "蓝"])])).decode(SpecTemplate.self)
            _ = try await app.send(.POST, "/api/v1/admin/spec-templates", token: admin,
                                   json: SpecTemplateInput(name: "鞋", specs: [SpecDefinition(name: "尺码", values: ["40", "41"])]))
            let change = SpecTemplateInput(name: "上衣", specs: [SpecDefinition(name: "颜色", values: ["红"]), SpecDefinition(name: "尺码", values: ["M", "L"])])
            #expect(try await app.send(.PUT, "/api/v1/admin/spec-templates/\(colour.id)", token: merchantAdmin, json: change).status == .forbidden)
            let updated = try await app.send(.PUT, "/api/v1/admin/spec-templates/\(colour.id)", token: admin, json: change).decode(SpecTemplate.self)
            #expect(updated.name == "上衣" && updated.specs.count == 2)

            let taken = try await app.send(.PUT, "/api/v1/admin/spec-templates/\(colour.id)", token: admin, json: SpecTemplateInput(name: "鞋", specs: []))
            #expect(taken.status == .unprocessableEntity)
            #expect(Set(taken.problem?.errors?.map(\.field) ?? []) == ["specs"], "the spec list is checked before the name's uniqueness")
            let duplicate = try await app.send(.PUT, "/api/v1/admin/spec-templates/\(colour.id)", token: admin, json: SpecTemplateInput(name: "鞋", specs: change.specs))
            #expect(duplicate.problem?.errors?.map(\.field) == ["name"])
            #expect(try await app.send(.PUT, "/api/v1/admin/spec-templates/\(UUID())", token: admin, json: change).status == .notFound)
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "spec_template.update").count() == 1)
        }
    }
}
