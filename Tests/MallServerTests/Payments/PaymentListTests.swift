import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("HQ payment list")
struct PaymentListTests {
    @Test("HQ lists payments with their orders and filters by status and provider; a store clerk may not")
    func list() async throws {
        try await withTestApp { app in
            let (shop, _, order) = try await OrderDeskTests.paidOrder(app)
            let (_, hq) = try await Fixtures.staff(app, "finance", role: .platformAdmin, scope: .platform)
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))

            let all = try await app.send(.GET, "/api/v1/admin/payments", token: hq).decode(ListPage<StaffPayment>.self)
            #expect(all.total == 1)
            let payment = try #require(all.items.first)
            #expect(payment.status == "paid" && payment.provider == "sandbox" && payment.amountFen == order.payableFen)
            #expect(payment.orders == [OrderRef(id: order.id, number: order.number)])
            #expect(payment.providerTransactionId != nil && payment.paidAt != nil)

            #expect(try await app.send(.GET, "/api/v1/admin/payments?status=pending", token: hq).decode(ListPage<StaffPayment>.self).total == 0)
            #expect(try await app.send(.GET, "/api/v1/admin/payments?provider=sandbox", token: hq).decode(ListPage<StaffPayment>.self).total == 1)
            #expect(try await app.send(.GET, "/api/v1/admin/payments?provider=alipay", token: hq).decode(ListPage<StaffPayment>.self).total == 0,
                    "a provider not configured here lists nothing rather than failing")
            let bad = try await app.send(.GET, "/api/v1/admin/payments?status=lost&provider=paypal", token: hq)
            #expect(Set(bad.problem?.errors?.map(\.field) ?? []) == ["status", "provider"])
            #expect(try await app.send(.GET, "/api/v1/admin/payments", token: clerk).status == .forbidden)
        }
    }
}
