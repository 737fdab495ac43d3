import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Reports: after-sales statistics")
struct AfterSalesReportTests {
    /// A case as the after-sales flow leaves it, written directly: the report reads only these
    /// columns, and handling times of hours and days need timestamps a test sets.
    static func insertCase(_ app: Application, order: OrderModel, kind: AfterSalesKind, reason: AfterSalesReason, status: AfterSalesStatus,
                           refundedFen: Int64, openedAt: Date, updatedAt: Date) async throws {
        let id = UUID()
        try await app.db.sql.raw("""
            INSERT INTO after_sales_cases (id, number, order_id, member_id, merchant_id, store_id, kind, status, reason, description, state,
                                           requested_refund_fen, refunded_fen, created_at, updated_at)
            VALUES (\(bind: id), \(bind: "S" + id.uuidString.prefix(12)), \(bind: order.id!), \(bind: order.memberId), \(bind: order.merchantId),
                    \(bind: order.storeId), \(bind: kind.rawValue), \(bind: status.rawValue), \(bind: reason.rawValue), 'test', '{}',
                    \(bind: refundedFen), \(bind: refundedFen), \(bind: openedAt), \(bind: updatedAt))
            """).run()
    }

    @Test("cases opened in the period by kind, reason and store; refunds against the same days' sales; median and p90 handling time of the closed ones; a store manager sees only their store")
    func report() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 60 * 86_400 }) { app in
            let shop = try await CheckoutTests.shop(app, nearStock: 50, farStock: 50)
            _ = try await OrderDeskTests.paidOrder(app, quantity: 3, pickupAt: StoreModel(), in: shop, mobile: "13900000301")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 2, pickupAt: StoreModel(), in: shop, mobile: "13900000302")
            _ = try await OrderDeskTests.paidOrder(app, quantity: 1, pickupAt: shop.far, in: shop, mobile: "13900000303")
            clock.advance(seconds: 60)
            _ = try await SalesLedger(app: app, db: app.db).fold(now: clock.now())
            let orders = try await OrderModel.query(on: app.db).sort(\.$createdAt).all()
            let nearOrders = orders.filter { $0.storeId == shop.near.id! }
            let farOrder = try #require(orders.first { $0.storeId == shop.far.id! })
            #expect(nearOrders.count == 2)
            let now = clock.now()
            try await Self.insertCase(app, order: nearOrders[0], kind: .refundOnly, reason: .damaged, status: .refunded, refundedFen: 1_000,
                                      openedAt: now, updatedAt: now.addingTimeInterval(2 * 3_600))
            try await Self.insertCase(app, order: nearOrders[1], kind: .returnAndRefund, reason: .changedMind, status: .awaitingReturn, refundedFen: 0,
                                      openedAt: now, updatedAt: now.addingTimeInterval(600))
            try await Self.insertCase(app, order: farOrder, kind: .exchange, reason: .wrongItem, status: .completed, refundedFen: 0,
                                      openedAt: now, updatedAt: now.addingTimeInterval(26 * 3_600))
            // Opened before the period: not counted, however it ended.
            try await Self.insertCase(app, order: farOrder, kind: .refundOnly, reason: .damaged, status: .refunded, refundedFen: 99_999,
                                      openedAt: now.addingTimeInterval(-40 * 86_400), updatedAt: now)

            let (_, admin) = try await Fixtures.staff(app, "hq.admin", role: .platformAdmin, scope: .platform)
            let response = try await app.send(.GET, "/api/v1/admin/reports/after-sales", token: admin)
            let report = try response.decode(AfterSalesReport.self)
            let sales = try await app.send(.GET, "/api/v1/admin/reports/stores", token: admin).decode(StoreComparisonReport.self)
            let nearGross = try #require(sales.stores.first { $0.storeId == shop.near.id! }).figures.figures.grossFen
            let allGross = sales.stores.reduce(Int64(0)) { $0 + $1.figures.figures.grossFen }
            #expect(report.totals.cases == 3 && report.totals.openCases == 1 && report.totals.closedCases == 2, "\(response.text)")
            #expect(report.totals.refundedFen == 1_000 && report.totals.refundRateBasisPoints == Ratio.basisPoints(1_000, of: allGross))
            #expect(report.totals.caseRateBasisPoints == 10_000, "three cases in three orders")
            #expect(report.totals.medianHandlingSeconds == 2 * 3_600 && report.totals.p90HandlingSeconds == 26 * 3_600)
            #expect(report.byKind.map(\.key) == ["refund_only", "exchange", "return_and_refund"], "equal counts: the refunded one first, then by code")
            #expect(report.byReason.map(\.key) == ["damaged", "changed_mind", "wrong_item"], "equal counts: the refunded one first, then by code")
            #expect(report.byStore.map(\.storeId) == [shop.near.id!, shop.far.id!])
            let near = report.byStore[0]
            #expect(near.storeName == shop.near.name && near.figures.cases == 2 && near.figures.caseRateBasisPoints == 10_000)
            #expect(near.figures.refundRateBasisPoints == Ratio.basisPoints(1_000, of: nearGross) && near.figures.medianHandlingSeconds == 2 * 3_600)

            let manager = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(shop.far.storeID)).1
            let own = try await app.send(.GET, "/api/v1/admin/reports/after-sales", token: manager).decode(AfterSalesReport.self)
            #expect(own.byStore.map(\.storeId) == [shop.far.id!] && own.totals.cases == 1 && own.totals.refundedFen == 0)
            let other = try await app.send(.GET, "/api/v1/admin/reports/after-sales?storeId=\(shop.near.id!)", token: manager)
            #expect(other.status == .forbidden)
            let earlier = try await app.send(.GET, "/api/v1/admin/reports/after-sales?from=2026-01-01&to=2026-01-31", token: admin).decode(AfterSalesReport.self)
            #expect(earlier.totals.cases == 0 && earlier.byStore.isEmpty && earlier.totals.medianHandlingSeconds == nil)
            let bad = try await app.send(.GET, "/api/v1/admin/reports/after-sales?from=nope", token: admin)
            #expect(bad.problem?.errors?.map(\.field) == ["from"])
        }
    }
}
