import Foundation
import MallAPI
import Testing
import Vapor
@testable import MallServer

@Suite("Flash sales: what a purchase costs the database")
struct FlashSaleStatementTests {
    @Test("once a session is sold out, a refused purchase runs no SQL after authentication: the quota gate answers 409 alone")
    func refusalRunsNoSQL() async throws {
        try await withTestApp { app in
            let log = SQLStatementLog()
            log.install(on: app)
            let sale = try await FlashSaleTests.sale(app, quota: 2, limit: 2)
            let winner = try await FlashSaleTests.quickMember(app, 1)
            let loser = try await FlashSaleTests.quickMember(app, 2)

            let bought = try await log.during { try await FlashSaleTests.buy(app, sale.session, token: winner.token, quantity: 2) }
            #expect(bought.result.status == .created, "\(bought.result.text)")
            #expect(try bought.result.decode(FlashPurchaseResult.self).purchase.quantity == 2)
            // The log sees a purchase's statements, so an empty log below means none ran.
            #expect(SQLStatementLog.afterAuthentication(bought.statements).count > 5, "\(bought.statements)")

            let refused = try await log.during { try await FlashSaleTests.buy(app, sale.session, token: loser.token) }
            #expect(refused.result.status == .conflict && refused.result.problem?.detail == "This flash-sale item is sold out.", "\(refused.result.text)")
            #expect(refused.statements.count == 1, "only the bearer token's session check: \(refused.statements)")
            #expect(SQLStatementLog.afterAuthentication(refused.statements).isEmpty, "\(refused.statements)")
            #expect(await app.flashQuotaGate.refusals(sessionId: sale.session.id) == 1)

            let live = try await app.send(.GET, "/api/v1/admin/marketing/flash-sales/\(sale.session.id)/live", token: sale.admin)
                .decode(FlashSessionLive.self)
            #expect(live.items.map(\.sold) == [2] && live.items.map(\.gateLeft) == [0] && live.refusals == 1)
            try await FlashSaleTests.invariants(app)
        }
    }
}
