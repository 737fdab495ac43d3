import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Group buying: its own payment window")
struct GroupBuySettingTests {
    @Test("groupBuy.paymentMinutes (default 5, like flash sales) sets a group order's payment window apart from flash.paymentMinutes; out of range is refused")
    func paymentMinutes() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            let deal = try await GroupBuyTests.deal(app, size: 2)
            #expect(SettingKey.groupBuyPaymentMinutes.definition.defaultValue == SettingKey.flashPaymentMinutes.definition.defaultValue)
            let first = try await FlashSaleTests.quickMember(app, 1)
            let opened = try await GroupBuyTests.open(app, deal, token: first.token).decode(GroupBuyJoinResult.self)
            #expect(opened.paymentDueAt == testEpoch.addingTimeInterval(5 * 60))

            let bad = try await app.send(.PATCH, "/api/v1/admin/settings", token: deal.admin, json: SettingsUpdate(values: ["groupBuy.paymentMinutes": .integer(61)]))
            #expect(bad.status == .unprocessableEntity && bad.problem?.errors?.first?.field == "groupBuy.paymentMinutes", "\(bad.text)")
            let set = try await app.send(.PATCH, "/api/v1/admin/settings", token: deal.admin, json: SettingsUpdate(values: ["groupBuy.paymentMinutes": .integer(12)]))
            #expect(set.status == .ok, "\(set.text)")

            let second = try await FlashSaleTests.quickMember(app, 2)
            let joined = try await GroupBuyTests.join(app, opened.group.id, token: second.token).decode(GroupBuyJoinResult.self)
            #expect(joined.paymentDueAt == testEpoch.addingTimeInterval(12 * 60))
            #expect(try await SettingsService.resolved(on: app.db).integer(.flashPaymentMinutes) == 5, "the flash window stays as it was")
            // The first member's order, due at 5 minutes, expires; the second's, due at 12, does not.
            clock.advance(seconds: 6 * 60)
            try await app.jobs.runDue()
            #expect(try await GroupBuyTests.status(app, opened.orderId) == OrderStatus.expired.rawValue)
            #expect(try await GroupBuyTests.status(app, joined.orderId) == OrderStatus.pendingPayment.rawValue)
            try await GroupBuyTests.invariants(app)
        }
    }
}
