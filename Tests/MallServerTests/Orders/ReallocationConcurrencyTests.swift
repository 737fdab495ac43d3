import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("HQ reallocation under concurrency")
struct ReallocationConcurrencyTests {
    @Test("HQ moves one order A→B while another moves B→A, round after round: every move goes through, none deadlocks")
    func crossingMoves() async throws {
        try await withTestApp { app in
            let (shop, _, first) = try await OrderDeskTests.paidOrder(app)
            let (_, _, second) = try await OrderDeskTests.paidOrder(app, in: shop, mobile: "13900000021")
            let (_, hq) = try await Fixtures.staff(app, "hq", role: .platformOperator, scope: .platform)
            func move(_ order: Order, to store: StoreModel) async throws -> HTTPResponseStatus {
                try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/reallocate", token: hq, json: ReallocationInput(storeId: store.id!)).status
            }
            #expect(try await move(second, to: shop.far) == .ok)
            var (firstAt, secondAt) = (shop.near, shop.far)
            for round in 0..<6 {
                // Each transaction holds stock at its target and then lets go at its source: taken
                // in that order, A→B and B→A would wait on each other.
                let (firstTarget, secondTarget) = (secondAt, firstAt)
                let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                    group.addTask { try await move(first, to: firstTarget) }
                    group.addTask { try await move(second, to: secondTarget) }
                    return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
                }
                #expect(statuses == [.ok, .ok], "round \(round): \(statuses)")
                (firstAt, secondAt) = (secondAt, firstAt)
            }
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.near)?.reserved == 2)
            #expect(try await Fixtures.level(app, sku: shop.milk, store: shop.far)?.reserved == 2)
            try await Fixtures.expectLedgerMatchesProjection(app)
        }
    }
}
