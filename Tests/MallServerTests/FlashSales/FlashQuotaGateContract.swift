import Foundation
import Testing
@testable import MallServer

/// What every flash-sale gate must do, checked against the in-process gate here and against the
/// Redis gate by the Redis suite, so the two cannot drift apart.
enum FlashQuotaGateContract {
    static func check(_ gate: any FlashQuotaGate) async throws {
        let key = FlashGateKey(sessionId: UUID(), skuId: UUID())
        let early = UUID()
        #expect(await gate.take(key, member: early, quantity: 1) == .unknown)
        #expect(await gate.remaining(key) == nil)
        await gate.exhaust(key)
        #expect(await gate.remaining(key) == nil, "exhausting an unknown item leaves it to be primed from the database")

        await gate.prime(key, FlashGateState(remaining: 300, perMemberLimit: 2, bought: [early: 2]))
        await gate.prime(key, FlashGateState(remaining: 5, perMemberLimit: 9))
        #expect(await gate.remaining(key) == 300, "a second prime leaves a known item alone")
        #expect(await gate.take(key, member: early, quantity: 1) == .limitReached(limit: 2, held: 2))

        // 50 members asking six times each, concurrently: two each, however the takes interleave.
        let members = (0..<50).map { _ in UUID() }
        let limited = await takes((0..<300).map { members[$0 % members.count] }, from: gate, key: key)
        #expect(limited.filter { $0 == .admitted }.count == 100)
        #expect(limited.filter { if case .limitReached(2, 2) = $0 { true } else { false } }.count == 200)
        #expect(await gate.remaining(key) == 200)

        // Then 500 newcomers for the 200 units left: the quota binds.
        let rushed = await takes((0..<500).map { _ in UUID() }, from: gate, key: key)
        #expect(rushed.filter { $0 == .admitted }.count == 200)
        #expect(rushed.filter { $0 == .soldOut }.count == 300)
        #expect(await gate.remaining(key) == 0)
        #expect(await gate.refusals(sessionId: key.sessionId) == 1 + 200 + 300)

        // A purchase that fails gives its units back to the item and off the member's count.
        await gate.giveBack(key, member: members[0], quantity: 2)
        #expect(await gate.remaining(key) == 2)
        #expect(await gate.take(key, member: members[1], quantity: 1) == .limitReached(limit: 2, held: 2))
        #expect(await gate.take(key, member: members[0], quantity: 3) == .soldOut)
        #expect(await gate.take(key, member: members[0], quantity: 2) == .admitted)

        // The correction job replaces everything with the database's view.
        let buyer = UUID()
        let other = UUID()
        await gate.load(key, FlashGateState(remaining: -5, perMemberLimit: 1))
        #expect(await gate.remaining(key) == 0)
        await gate.load(key, FlashGateState(remaining: 3, perMemberLimit: 1, bought: [buyer: 1]))
        #expect(await gate.take(key, member: buyer, quantity: 1) == .limitReached(limit: 1, held: 1))
        #expect(await gate.take(key, member: members[0], quantity: 1) == .admitted, "counts the database does not hold are gone")
        #expect(await gate.take(key, member: other, quantity: 1) == .admitted)
        #expect(await gate.take(key, member: other, quantity: 1) == .limitReached(limit: 1, held: 1))
        await gate.exhaust(key)
        #expect(await gate.remaining(key) == 0)
        #expect(await gate.take(key, member: UUID(), quantity: 1) == .soldOut)
    }

    private static func takes(_ members: [UUID], from gate: any FlashQuotaGate, key: FlashGateKey) async -> [FlashGateAnswer] {
        await withTaskGroup(of: FlashGateAnswer.self) { group in
            for member in members { group.addTask { await gate.take(key, member: member, quantity: 1) } }
            return await group.reduce(into: [FlashGateAnswer]()) { $0.append($1) }
        }
    }
}

@Suite("Flash sales: the in-process quota gate")
struct InProcessFlashQuotaGateTests {
    @Test("800 concurrent takes admit exactly the quota and no member beyond the limit; prime, give-back, reload and exhaust behave like the Redis gate")
    func contract() async throws {
        try await FlashQuotaGateContract.check(InProcessFlashQuotaGate())
    }
}
