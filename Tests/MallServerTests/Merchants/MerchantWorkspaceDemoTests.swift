import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Merchant workspace on the demo: a pending application to review; fruit.admin sees only its own")
struct MerchantWorkspaceDemoTests {
    @Test("the demo application waits with its papers; seeding twice adds nothing; fruit.admin's lists (products, stores, staff, stock, orders, after-sales, promotions) hold only XFRUIT's rows")
    func demo() async throws {
        try await withTestApp { app in
            _ = try await DemoSeeder(app: app).run()
            _ = try await DemoSeeder(app: app).run()
            let applications = try await MerchantApplicationModel.query(on: app.db).all()
            #expect(applications.map(\.creditCode) == [DemoMerchantApplications.creditCode])
            #expect(applications.first?.status == .submitted)
            #expect(try await MerchantApplicationDocumentModel.query(on: app.db).count() == 3)

            let admin = try await PointsTests.login(app, "admin", staff: true, password: DemoSeeder.staffPassword)
            let queue = try await app.send(.GET, "/api/v1/admin/merchant-applications?status=submitted", token: admin)
                .decode(ListPage<MerchantApplication>.self)
            #expect(queue.items.map(\.companyName) == ["杭州茶香里茶叶有限公司"] && queue.items.first?.missingDocuments == [])

            let fruit = try #require(try await MerchantModel.find(code: "XFRUIT", on: app.db)).id!
            let token = try await PointsTests.login(app, "fruit.admin", staff: true, password: DemoSeeder.staffPassword)
            let products = try await app.send(.GET, "/api/v1/admin/products?per=200", token: token).decode(ListPage<Product>.self)
            #expect(!products.items.isEmpty && products.items.allSatisfy { $0.merchantId == fruit })
            let stores = try await app.send(.GET, "/api/v1/admin/stores?per=200", token: token).decode(ListPage<Store>.self)
            #expect(!stores.items.isEmpty && stores.items.allSatisfy { $0.merchantId == fruit })
            let staff = try await app.send(.GET, "/api/v1/admin/staff?per=200", token: token).decode(ListPage<StaffMember>.self)
            #expect(!staff.items.isEmpty && staff.items.allSatisfy { $0.grants.allSatisfy { $0.merchantId == fruit } })
            let levels = try await app.send(.GET, "/api/v1/admin/inventory/levels?per=200", token: token).decode(ListPage<StockLevelEntry>.self)
            #expect(Set(levels.items.map(\.storeId)).isSubset(of: Set(stores.items.map(\.id))))
            let orders = try await app.send(.GET, "/api/v1/admin/orders?per=200", token: token).decode(StaffOrderList.self)
            #expect(orders.orders.items.allSatisfy { $0.merchantId == fruit })
            let cases = try await app.send(.GET, "/api/v1/admin/after-sales?per=200", token: token).decode(ListPage<AfterSalesInfo>.self)
            #expect(Set(cases.items.map(\.storeId)).isSubset(of: Set(stores.items.map(\.id))))
            let promotions = try await app.send(.GET, "/api/v1/admin/marketing/promotions?per=200", token: token).decode(ListPage<PromotionDTO>.self)
            #expect(promotions.items.allSatisfy { $0.merchantId == fruit })
            let merchants = try await app.send(.GET, "/api/v1/admin/merchants", token: token).decode(ListPage<Merchant>.self)
            #expect(merchants.items.map(\.id) == [fruit])
            let other = try #require(try await ProductModel.query(on: app.db).filter(\.$merchantId != fruit).first())
            #expect(try await app.send(.GET, "/api/v1/admin/products/\(other.id!)", token: token).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/merchant-applications", token: token).status == .forbidden)
        }
    }
}
