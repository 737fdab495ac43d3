import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Reports: member statistics")
struct MemberReportTests {
    @Test("buyers, repeat buyers and the repurchase rate, new against returning customers, new members and members by level; a store manager counts their store's buyers only")
    func report() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            let (_, again, _) = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: StoreModel(), in: shop, mobile: "13900000401")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: StoreModel(), in: shop, mobile: "13900000402")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: shop.far, in: shop, mobile: "13900000403")
            clock.advance(seconds: 3_600)
            // The first shopper comes back for a second pickup at the near store.
            let added = try await app.send(.POST, "/api/v1/cart/lines", token: again, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            #expect(added.status == .ok || added.status == .created, "\(added.text)")
            _ = try await app.send(.PUT, "/api/v1/cart/fulfilments/\(SelfOperatedMerchant.id.rawValue)", token: again,
                                   json: FulfilmentInput(mode: .pickup, storeId: shop.near.id!))
            let checkout = try await CheckoutTests.checkout(app, token: again, key: "members-again")
            let second = try checkout.decode(CheckoutResult.self)
            let paid = try await app.send(.POST, "/api/v1/payments/\(second.payment.id)/sandbox/complete", token: again)
            #expect(paid.status == .ok, "\(paid.text)")
            try await app.jobs.runDue()
            #expect(try await OrderModel.query(on: app.db).filter(\.$paidAt != nil).count() == 4)
            clock.advance(seconds: 60)
            let ledger = SalesLedger(app: app, db: app.db)
            _ = try await ledger.fold(now: clock.now())
            #expect(try await ledger.check() == [])
            try await app.db.sql.raw("UPDATE members SET level = 'gold' WHERE mobile = '13900000403'").run()
            // Fluent stamps created_at from the wall clock, not the test's: register everyone on the test's day.
            try await app.db.sql.raw("UPDATE members SET created_at = \(bind: testEpoch)").run()

            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let response = try await app.send(.GET, "/api/v1/admin/reports/members", token: admin)
            let report = try response.decode(MemberReport.self)
            #expect(report.figures == MemberFigures(buyers: 3, repeatBuyers: 1, repurchaseRateBasisPoints: 3_333, newCustomers: 3, returningCustomers: 0),
                    "\(response.text)")
            let everyone = try await MemberModel.query(on: app.db).count()
            #expect(report.newMembers == Int64(everyone) && report.byLevel.reduce(Int64(0)) { $0 + $1.members } == Int64(everyone))
            #expect(report.byLevel.contains { $0.level == "gold" && $0.members == 1 })

            let manager = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(shop.far.storeID)).1
            let own = try await app.send(.GET, "/api/v1/admin/reports/members", token: manager).decode(MemberReport.self)
            #expect(own.figures == MemberFigures(buyers: 1, repeatBuyers: 0, repurchaseRateBasisPoints: 0, newCustomers: 1, returningCustomers: 0))
            #expect(own.newMembers == 1 && own.byLevel == [MemberLevelCount(level: "gold", name: own.byLevel.first?.name ?? "", members: 1)])
            let later = try await app.send(.GET, "/api/v1/admin/reports/members?from=2026-12-01&to=2026-12-31", token: admin).decode(MemberReport.self)
            #expect(later.figures.buyers == 0 && later.newMembers == 0 && later.figures.repurchaseRateBasisPoints == nil)
        }
    }
}
