import Foundation
import MallCore
import Testing

/// Fixtures for allocation: a delivery address in central Shanghai and stores placed by
/// kilometres east of it (0.01° of longitude is about 0.95 km at this latitude).
enum AllocationFixture {
    static let address = GeoPoint(latitude: 31.2304, longitude: 121.4737)
    static let milk = UUID(uuidString: "00000000-0000-0000-0000-00000000AA01")!
    static let bread = UUID(uuidString: "00000000-0000-0000-0000-00000000AA02")!
    static let eggs = UUID(uuidString: "00000000-0000-0000-0000-00000000AA03")!
    static let allDay = try! WeeklyHours(parsing: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0.key, ["00:00-24:00"]) }))
    static let nineToNine = try! WeeklyHours(parsing: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0.key, ["09:00-21:00"]) }))

    static func id(_ n: Int) -> StoreID {
        StoreID(UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))!)
    }

    static func store(
        _ n: Int, km: Double, kind: StoreKind = .store, status: StoreStatus = .open, radiusKm: Double = 5,
        hours: WeeklyHours = allDay, pickup: Bool = true, orders: Int = 0, capacity: Int = 100, stock: [UUID: Int]
    ) -> StoreCandidate {
        StoreCandidate(
            id: id(n), name: "S\(n)", kind: kind, status: status,
            location: GeoPoint(latitude: address.latitude, longitude: address.longitude + km / 95.0),
            deliveryRadiusKm: radiusKm, hours: hours, pickupEnabled: pickup, ordersToday: orders, dailyCapacity: capacity,
            available: stock
        )
    }

    static func delivery(
        _ lines: [AllocationLine], _ candidates: [StoreCandidate], weekday: Weekday = .wednesday, at time: String = "12:00",
        window: Int = 60, excluding: Set<StoreID> = []
    ) -> AllocationRequest {
        AllocationRequest(
            lines: lines, fulfilment: .delivery(to: address), candidates: candidates, weekday: weekday,
            minute: try! ClockTime(parsing: time, field: "now"), openingWindowMinutes: window, excluding: excluding
        )
    }

    static func outcome(_ decision: AllocationDecision, _ n: Int) -> CandidateOutcome? {
        decision.candidates.first { $0.storeId == id(n) }?.outcome
    }
}

@Suite("Allocation planner")
struct AllocationPlannerTests {
    typealias F = AllocationFixture
    let order = [AllocationLine(skuId: F.milk, quantity: 2), AllocationLine(skuId: F.bread, quantity: 1)]

    @Test("the nearest store that holds everything wins; the rest are reported")
    func nearestSingleStore() {
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 3, stock: [F.milk: 5, F.bread: 5]),
            F.store(2, km: 1, stock: [F.milk: 5, F.bread: 5]),
        ]))
        #expect(decision.outcome == .allocated)
        #expect(decision.shipments == [AllocationShipment(storeId: F.id(2), lines: order)])
        #expect(!decision.fallbackToWarehouse)
        #expect(F.outcome(decision, 1) == .rejected(.outranked))
        #expect(decision.candidates.map(\.storeId) == [F.id(2), F.id(1)], "reported nearest first")
        #expect((900...1_100).contains(decision.candidates[0].distanceMeters))
        #expect(decision.summary.contains("S2"))
    }

    @Test("the stored decision explains each candidate in words and reads back unchanged")
    func explanationsRoundTrip() throws {
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 4, radiusKm: 3, stock: [F.milk: 5, F.bread: 5]),
            F.store(2, km: 1, stock: [F.milk: 5, F.bread: 5]),
        ]))
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(decision)) as? [String: Any]
        let explanations = (json?["candidates"] as? [[String: Any]])?.compactMap { $0["explanation"] as? String }
        #expect(explanations?.first == "chosen")
        #expect(explanations?.last?.contains("delivers within 3.0 km") == true)
        #expect(try JSONDecoder().decode(AllocationDecision.self, from: try JSONEncoder().encode(decision)) == decision)
    }

    @Test("an address beyond the delivery radius rules a store out")
    func radius() {
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 4, radiusKm: 3, stock: [F.milk: 5, F.bread: 5]),
            F.store(2, km: 6, radiusKm: 10, stock: [F.milk: 5, F.bread: 5]),
        ]))
        #expect(decision.chosenStoreIds == [F.id(2)])
        guard case .rejected(.outOfRadius(let distance, let radius)) = F.outcome(decision, 1) else {
            Issue.record("expected outOfRadius"); return
        }
        #expect(radius == 3_000)
        #expect(distance > 3_000)
    }

    @Test("a store closed now qualifies only if it opens within the window")
    func openingWindow() {
        let stores = [F.store(1, km: 1, hours: F.nineToNine, stock: [F.milk: 5, F.bread: 5]),
                      F.store(2, km: 4, stock: [F.milk: 5, F.bread: 5])]
        // 08:30: opens in 30 minutes, inside a 60-minute window.
        let soon = AllocationPlanner.plan(request: F.delivery(order, stores, at: "08:30", window: 60))
        #expect(soon.chosenStoreIds == [F.id(1)])
        // 07:00: opens in 120 minutes.
        let late = AllocationPlanner.plan(request: F.delivery(order, stores, at: "07:00", window: 60))
        #expect(late.chosenStoreIds == [F.id(2)])
        #expect(F.outcome(late, 1) == .rejected(.notOpeningSoon(minutesUntilOpen: 120)))
        // 22:00: next opening is tomorrow 09:00.
        let night = AllocationPlanner.plan(request: F.delivery(order, stores, at: "22:00", window: 60))
        #expect(F.outcome(night, 1) == .rejected(.notOpeningSoon(minutesUntilOpen: 660)))
    }

    @Test("status, exclusion and capacity each reject with their own reason")
    func statusAndCapacity() {
        let full = [F.milk: 9, F.bread: 9]
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 0.5, status: .suspended, stock: full),
            F.store(2, km: 0.6, status: .closed, stock: full),
            F.store(3, km: 0.7, orders: 50, capacity: 50, stock: full),
            F.store(4, km: 0.8, stock: full),
            F.store(5, km: 2, stock: full),
            F.store(6, km: 3, hours: .closed, stock: full),
        ], excluding: [F.id(4)]))
        #expect(decision.chosenStoreIds == [F.id(5)])
        #expect(F.outcome(decision, 1) == .rejected(.suspended))
        #expect(F.outcome(decision, 2) == .rejected(.closed))
        #expect(F.outcome(decision, 3) == .rejected(.capacityFull(ordersToday: 50, dailyCapacity: 50)))
        #expect(F.outcome(decision, 4) == .rejected(.excluded))
        #expect(F.outcome(decision, 6) == .rejected(.notOpeningSoon(minutesUntilOpen: nil)))
        #expect(decision.excludedStoreIds == [F.id(4)])
    }

    @Test("one store that fills every line beats a nearer store that cannot")
    func singleStorePreferred() {
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 0.5, stock: [F.milk: 9]),
            F.store(2, km: 0.7, stock: [F.bread: 9]),
            F.store(3, km: 4, stock: [F.milk: 2, F.bread: 1]),
        ]))
        #expect(decision.shipments == [AllocationShipment(storeId: F.id(3), lines: order)])
        #expect(F.outcome(decision, 1) == .rejected(.insufficientStock(missing: [AllocationLine(skuId: F.bread, quantity: 1)])))
    }

    @Test("with no single store, the order is split, largest cover first")
    func splitAcrossStores() {
        let lines = [AllocationLine(skuId: F.milk, quantity: 4), AllocationLine(skuId: F.bread, quantity: 1), AllocationLine(skuId: F.eggs, quantity: 12)]
        let decision = AllocationPlanner.plan(request: F.delivery(lines, [
            F.store(1, km: 0.5, stock: [F.milk: 4, F.bread: 1]),
            F.store(2, km: 2, stock: [F.eggs: 12, F.milk: 1]),
            F.store(3, km: 3, stock: [F.eggs: 30]),
        ]))
        #expect(decision.outcome == .allocated)
        // Store 2 covers 13 units, more than store 1 (5) or store 3 (12), so it goes first.
        #expect(decision.shipments == [
            AllocationShipment(storeId: F.id(2), lines: [AllocationLine(skuId: F.milk, quantity: 1), AllocationLine(skuId: F.eggs, quantity: 12)]),
            AllocationShipment(storeId: F.id(1), lines: [AllocationLine(skuId: F.milk, quantity: 3), AllocationLine(skuId: F.bread, quantity: 1)]),
        ])
        #expect(F.outcome(decision, 3) == .rejected(.insufficientStock(missing: [
            AllocationLine(skuId: F.milk, quantity: 4), AllocationLine(skuId: F.bread, quantity: 1),
        ])))
        #expect(decision.summary.contains("2 shipments"))
    }

    @Test("equal distance goes to the less loaded store, then the lower id")
    func tieBreaks() {
        let stock = [F.milk: 9, F.bread: 9]
        let byLoad = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 1, orders: 30, capacity: 50, stock: stock),
            F.store(2, km: 1, orders: 50, capacity: 100, stock: stock),
        ]))
        #expect(byLoad.chosenStoreIds == [F.id(2)])
        let byId = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(2, km: 1, stock: stock), F.store(1, km: 1, stock: stock),
        ]))
        #expect(byId.chosenStoreIds == [F.id(1)])
    }

    @Test("the warehouse is used only when the stores cannot fill the order")
    func warehouseFallback() {
        let warehouse = F.store(9, km: 40, kind: .warehouse, radiusKm: 0, hours: .closed, stock: [F.milk: 100, F.bread: 100])
        let covered = AllocationPlanner.plan(request: F.delivery(order, [F.store(1, km: 1, stock: [F.milk: 5, F.bread: 5]), warehouse]))
        #expect(covered.chosenStoreIds == [F.id(1)])
        #expect(F.outcome(covered, 9) == .rejected(.warehouseNotNeeded))

        let short = AllocationPlanner.plan(request: F.delivery(order, [F.store(1, km: 1, stock: [F.milk: 1]), warehouse]))
        #expect(short.outcome == .allocated)
        #expect(short.fallbackToWarehouse)
        #expect(short.shipments == [AllocationShipment(storeId: F.id(9), lines: order)], "one warehouse beats a store + warehouse split")
        #expect(short.summary.contains("warehouse"))
    }

    @Test("nothing anywhere: unfulfillable, with what is missing")
    func unfulfillable() {
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 1, stock: [F.milk: 1]),
            F.store(2, km: 9, radiusKm: 3, stock: [F.milk: 9, F.bread: 9]),
        ]))
        #expect(decision.outcome == .unfulfillable)
        #expect(decision.shipments.isEmpty)
        #expect(decision.unfilledLines == [AllocationLine(skuId: F.milk, quantity: 1), AllocationLine(skuId: F.bread, quantity: 1)])
    }

    @Test("after a rejection the next best store is chosen and exclusions accumulate")
    func reallocation() {
        let stock = [F.milk: 9, F.bread: 9]
        let stores = [F.store(1, km: 1, stock: stock), F.store(2, km: 2, stock: stock), F.store(3, km: 3, stock: stock)]
        let first = AllocationPlanner.plan(request: F.delivery(order, stores))
        #expect(first.chosenStoreIds == [F.id(1)])
        #expect(first.attempt == 1)

        let second = AllocationPlanner.reallocate(after: first, rejectedBy: F.id(1), request: F.delivery(order, stores))
        #expect(second.chosenStoreIds == [F.id(2)])
        #expect(second.attempt == 2)
        #expect(F.outcome(second, 1) == .rejected(.excluded))

        let third = AllocationPlanner.reallocate(after: second, rejectedBy: F.id(2), request: F.delivery(order, stores))
        #expect(third.chosenStoreIds == [F.id(3)])
        #expect(third.excludedStoreIds == [F.id(1), F.id(2)])
    }

    @Test("pickup at a store with the stock ships from it")
    func pickupServed() {
        let request = AllocationRequest(
            lines: order, fulfilment: .pickup(at: F.id(2), shopperLocation: nil),
            candidates: [F.store(1, km: 0.2, stock: [F.milk: 9, F.bread: 9]), F.store(2, km: 3, radiusKm: 0, stock: [F.milk: 2, F.bread: 1])],
            weekday: .sunday, minute: ClockTime(minutes: 23 * 60), openingWindowMinutes: 0
        )
        let decision = AllocationPlanner.plan(request: request)
        #expect(decision.outcome == .allocated)
        #expect(decision.shipments == [AllocationShipment(storeId: F.id(2), lines: order)])
        #expect(F.outcome(decision, 1) == .rejected(.notThePickupStore))
        #expect(decision.pickupAlternatives.isEmpty)
    }

    @Test("pickup at a store lacking stock offers the nearest stores that have everything")
    func pickupAlternatives() {
        let request = AllocationRequest(
            lines: order, fulfilment: .pickup(at: F.id(1), shopperLocation: F.address),
            candidates: [
                F.store(1, km: 0.5, stock: [F.milk: 1, F.bread: 5]),
                F.store(2, km: 4, stock: [F.milk: 5, F.bread: 5]),
                F.store(3, km: 2, stock: [F.milk: 5, F.bread: 5]),
                F.store(4, km: 1, stock: [F.milk: 5]),
                F.store(5, km: 1.5, pickup: false, stock: [F.milk: 5, F.bread: 5]),
                F.store(6, km: 0.1, kind: .warehouse, stock: [F.milk: 5, F.bread: 5]),
            ],
            weekday: .monday, minute: ClockTime(minutes: 600), openingWindowMinutes: 30
        )
        let decision = AllocationPlanner.plan(request: request)
        #expect(decision.outcome == .pickupStoreUnavailable)
        #expect(decision.shipments.isEmpty)
        #expect(decision.pickupAlternatives.map(\.storeId) == [F.id(3), F.id(2)])
        #expect(decision.pickupAlternatives[0].distanceMeters < decision.pickupAlternatives[1].distanceMeters)
        #expect(decision.unfilledLines == [AllocationLine(skuId: F.milk, quantity: 1)])
        #expect(F.outcome(decision, 1) == .rejected(.insufficientStock(missing: [AllocationLine(skuId: F.milk, quantity: 1)])))
        #expect(F.outcome(decision, 3) == .pickupAlternative)
        #expect(F.outcome(decision, 5) == .rejected(.pickupDisabled))
        #expect(F.outcome(decision, 6) == .rejected(.warehouseNotForPickup))
    }

    @Test("the decision survives a JSON round trip")
    func codable() throws {
        let decision = AllocationPlanner.plan(request: F.delivery(order, [
            F.store(1, km: 1, stock: [F.milk: 1]), F.store(2, km: 9, radiusKm: 3, stock: [:]),
            F.store(3, km: 2, stock: [F.bread: 5, F.milk: 1]),
        ]))
        let data = try JSONEncoder().encode(decision)
        #expect(try JSONDecoder().decode(AllocationDecision.self, from: data) == decision)
    }

    @Test("property: allocated shipments cover exactly the order, within stock and only eligible stores")
    func propertyCoverage() {
        var rng = AllocationTestRandom(seed: 42)
        let skus = [F.milk, F.bread, F.eggs]
        for _ in 0..<300 {
            let lines = skus.filter { _ in rng.next() % 3 != 0 }.map { AllocationLine(skuId: $0, quantity: Int(rng.next() % 5) + 1) }
            let stores = (1...Int(rng.next() % 6 + 1)).map { n in
                F.store(n, km: Double(rng.next() % 80) / 10, kind: rng.next() % 5 == 0 ? .warehouse : .store,
                        status: rng.next() % 7 == 0 ? .closed : .open, radiusKm: Double(rng.next() % 6),
                        orders: Int(rng.next() % 12), capacity: 10,
                        stock: Dictionary(uniqueKeysWithValues: skus.map { ($0, Int(rng.next() % 6)) }))
            }
            let request = F.delivery(lines, stores)
            let decision = AllocationPlanner.plan(request: request)
            // Deterministic: same input, same answer, whatever the candidates' order.
            #expect(AllocationPlanner.plan(request: F.delivery(lines, stores.reversed())) == decision)
            #expect(decision.candidates.count == stores.count)
            guard decision.outcome == .allocated else {
                #expect(decision.shipments.isEmpty)
                // Unfulfillable only when the eligible stock really falls short, never because
                // the greedy split gave up early.
                #expect(!decision.unfilledLines.isEmpty)
                continue
            }
            var shipped: [UUID: Int] = [:]
            for shipment in decision.shipments {
                let store = stores.first { $0.id == shipment.storeId }!
                #expect(store.status == .open && store.ordersToday < store.dailyCapacity)
                for line in shipment.lines {
                    #expect(line.quantity > 0 && line.quantity <= store.available[line.skuId] ?? 0)
                    shipped[line.skuId, default: 0] += line.quantity
                }
            }
            #expect(shipped == Dictionary(uniqueKeysWithValues: lines.map { ($0.skuId, $0.quantity) }))
            #expect(Set(decision.chosenStoreIds).count == decision.shipments.count)
            #expect(decision.fallbackToWarehouse == decision.shipments.contains { s in stores.first { $0.id == s.storeId }!.kind == .warehouse })
        }
    }
}

/// SplitMix64, so generated cases are the same on every run.
struct AllocationTestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
