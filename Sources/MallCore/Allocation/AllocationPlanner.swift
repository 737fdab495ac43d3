import Foundation

/// Chooses which store(s) fulfil an order.
///
/// Delivery, in order of preference:
/// 1. Filter: not excluded, not suspended, status open, (stores only) the address inside the
///    delivery radius and open now or opening within `openingWindowMinutes`, below the daily
///    capacity. Warehouses ship by carrier, so radius and hours do not apply to them.
/// 2. Among eligible *stores*, a single store holding every line wins; ties go to the shorter
///    distance, then the lower load (orders today / capacity), then the store id.
/// 3. Otherwise split across stores greedily: repeatedly take the store that covers the most
///    still-unfilled units (same tie-breaks), until everything is covered. Greedy set cover is
///    not always minimal, but it is deterministic, fast and close enough for a handful of
///    stores; optimal cover is NP-hard and not worth the surprise of a slow checkout.
/// 4. When the stores together cannot fill the order, fall back to warehouses: steps 2–3 run
///    again over stores and warehouses together (so one warehouse that holds everything beats
///    a store + warehouse split).
///
/// Pickup: the chosen store must be open for trade (status, not hours — the shopper comes
/// later), offer pickup, have capacity and hold every line. If not, nothing is shipped and the
/// nearest other stores passing the same checks are offered as `pickupAlternatives`.
public enum AllocationPlanner {
    public static func plan(request: AllocationRequest) -> AllocationDecision {
        plan(request: request, attempt: 1)
    }

    /// Reallocation after a store rejected a shipment or did not accept it in time: the same
    /// request planned again with the rejecting store and everything `previous` excluded left
    /// out. Pass the lines of the rejected shipment only (a split order's other shipments stay
    /// where they are); the caller has already released that store's reservation. HQ's manual
    /// reallocation uses `plan` with the stores it wants to avoid in `excluding`.
    public static func reallocate(after previous: AllocationDecision, rejectedBy store: StoreID, request: AllocationRequest) -> AllocationDecision {
        var request = request
        request.excluding.formUnion(previous.excludedStoreIds)
        request.excluding.insert(store)
        return plan(request: request, attempt: previous.attempt + 1)
    }

    // MARK: - Planning

    private struct Evaluated {
        var candidate: StoreCandidate
        var distanceMeters: Int
        /// nil when eligible apart from stock.
        var rejection: AllocationRejection?
        var missing: [AllocationLine]
    }

    private static func plan(request: AllocationRequest, attempt: Int) -> AllocationDecision {
        let lines = request.mergedLines
        // Duplicated candidate ids would double-count stock; keep the first.
        var seen = Set<StoreID>()
        let candidates = request.candidates.filter { seen.insert($0.id).inserted }
        let excluded = request.excluding.sorted()
        switch request.fulfilment {
        case .delivery(let address):
            return planDelivery(request: request, lines: lines, candidates: candidates, address: address, excluded: excluded, attempt: attempt)
        case .pickup(let storeId, let shopper):
            return planPickup(request: request, lines: lines, candidates: candidates, storeId: storeId, shopper: shopper, excluded: excluded, attempt: attempt)
        }
    }

    private static func planDelivery(
        request: AllocationRequest, lines: [AllocationLine], candidates: [StoreCandidate], address: GeoPoint,
        excluded: [StoreID], attempt: Int
    ) -> AllocationDecision {
        let evaluated = candidates.map { candidate -> Evaluated in
            let distance = Int(candidate.location.distanceMeters(to: address).rounded())
            return Evaluated(candidate: candidate, distanceMeters: distance,
                             rejection: deliveryRejection(candidate, distance: distance, request: request),
                             missing: missingLines(lines, at: candidate))
        }
        let eligible = evaluated.filter { $0.rejection == nil }.sorted(by: preferred)
        let eligibleStores = eligible.filter { $0.candidate.kind == .store }

        var shipments = cover(lines, using: eligibleStores)
        var usedWarehouse = false
        if shipments == nil {
            shipments = cover(lines, using: eligible)
            usedWarehouse = shipments != nil
        }

        let chosen = Set((shipments ?? []).map(\.storeId))
        let reports = evaluated.map { item -> CandidateReport in
            let outcome: CandidateOutcome
            if chosen.contains(item.candidate.id) {
                outcome = .chosen
            } else if let rejection = item.rejection {
                outcome = .rejected(rejection)
            } else if item.missing.count == lines.count, !lines.isEmpty {
                // Holds none of what is needed: saying "outranked" would mislead.
                outcome = .rejected(.insufficientStock(missing: item.missing))
            } else if shipments != nil, item.candidate.kind == .warehouse, !usedWarehouse {
                outcome = .rejected(.warehouseNotNeeded)
            } else if shipments != nil, item.missing.isEmpty {
                outcome = .rejected(.outranked)
            } else {
                outcome = .rejected(.insufficientStock(missing: item.missing))
            }
            return report(item, outcome)
        }.sorted(by: reportOrder)

        guard let shipments else {
            let unfilled = unfilledLines(lines, eligible: eligible)
            return AllocationDecision(
                outcome: .unfulfillable, shipments: [], fallbackToWarehouse: false, candidates: reports,
                pickupAlternatives: [], unfilledLines: unfilled, excludedStoreIds: excluded, attempt: attempt,
                summary: "No store or warehouse can fill the order: \(unfilled.reduce(0) { $0 + $1.quantity }) unit(s) across \(unfilled.count) line(s) unavailable among \(eligible.count) eligible of \(candidates.count) candidate(s)."
            )
        }
        let byId = Dictionary(uniqueKeysWithValues: evaluated.map { ($0.candidate.id, $0) })
        let parts = shipments.map { shipment -> String in
            let item = byId[shipment.storeId]!
            return "\(label(item.candidate)) (\(item.candidate.kind.rawValue), \(AllocationDecision.kilometres(item.distanceMeters)))"
        }
        if shipments.isEmpty {
            return AllocationDecision(
                outcome: .allocated, shipments: [], fallbackToWarehouse: false, candidates: reports,
                pickupAlternatives: [], unfilledLines: [], excludedStoreIds: excluded, attempt: attempt,
                summary: "Nothing to allocate: the order has no units."
            )
        }
        let how = shipments.count == 1
            ? (usedWarehouse ? "no store can fill the order, so the warehouse ships it" : "one store fills every line")
            : "no single source holds every line, split into \(shipments.count) shipments"
        return AllocationDecision(
            outcome: .allocated, shipments: shipments, fallbackToWarehouse: usedWarehouse, candidates: reports,
            pickupAlternatives: [], unfilledLines: [], excludedStoreIds: excluded, attempt: attempt,
            summary: "Delivery from \(parts.joined(separator: " + ")): \(how); \(candidates.count - eligible.count) of \(candidates.count) candidate(s) not eligible."
        )
    }

    private static func planPickup(
        request: AllocationRequest, lines: [AllocationLine], candidates: [StoreCandidate], storeId: StoreID, shopper: GeoPoint?,
        excluded: [StoreID], attempt: Int
    ) -> AllocationDecision {
        let chosenCandidate = candidates.first { $0.id == storeId }
        let origin = shopper ?? chosenCandidate?.location
        let evaluated = candidates.map { candidate -> Evaluated in
            let distance = origin.map { Int(candidate.location.distanceMeters(to: $0).rounded()) } ?? 0
            let missing = missingLines(lines, at: candidate)
            var rejection = pickupRejection(candidate, request: request)
            if rejection == nil, !missing.isEmpty { rejection = .insufficientStock(missing: missing) }
            return Evaluated(candidate: candidate, distanceMeters: distance, rejection: rejection, missing: missing)
        }
        let chosen = evaluated.first { $0.candidate.id == storeId }
        if let chosen, chosen.rejection == nil {
            let reports = evaluated.map { item in
                report(item, item.candidate.id == storeId ? .chosen : .rejected(item.rejection ?? .notThePickupStore))
            }.sorted(by: reportOrder)
            return AllocationDecision(
                outcome: .allocated, shipments: [AllocationShipment(storeId: storeId, lines: lines)], fallbackToWarehouse: false,
                candidates: reports, pickupAlternatives: [], unfilledLines: [], excludedStoreIds: excluded, attempt: attempt,
                summary: "Pickup at \(label(chosen.candidate)): the store holds every line."
            )
        }
        let alternatives = evaluated
            .filter { $0.rejection == nil && $0.candidate.id != storeId }
            .sorted(by: preferred)
            .prefix(max(0, request.maxPickupAlternatives))
        let offered = Set(alternatives.map(\.candidate.id))
        let reports = evaluated.map { item -> CandidateReport in
            if offered.contains(item.candidate.id) { return report(item, .pickupAlternative) }
            return report(item, .rejected(item.rejection ?? .outranked))
        }.sorted(by: reportOrder)
        let why = chosen.map { $0.rejection!.message } ?? "not a store of this merchant"
        return AllocationDecision(
            outcome: .pickupStoreUnavailable, shipments: [], fallbackToWarehouse: false, candidates: reports,
            pickupAlternatives: alternatives.map { PickupAlternative(storeId: $0.candidate.id, name: $0.candidate.name, distanceMeters: $0.distanceMeters) },
            unfilledLines: chosen?.missing ?? lines, excludedStoreIds: excluded, attempt: attempt,
            summary: "Pickup at \(chosen.map { label($0.candidate) } ?? "the chosen store") is not possible (\(why)); \(alternatives.count) nearby store(s) offered instead."
        )
    }

    // MARK: - Rules

    private static func deliveryRejection(_ candidate: StoreCandidate, distance: Int, request: AllocationRequest) -> AllocationRejection? {
        if request.excluding.contains(candidate.id) { return .excluded }
        switch candidate.status {
        case .suspended: return .suspended
        case .closed: return .closed
        case .open: break
        }
        if candidate.kind == .store {
            // Stores are saved with 0–100 km; a value from elsewhere (NaN, huge) must not trap.
            let radiusKm = candidate.deliveryRadiusKm.isFinite ? min(max(candidate.deliveryRadiusKm, 0), 20_000) : 0
            let radius = Int((radiusKm * 1000).rounded())
            if distance > radius { return .outOfRadius(distanceMeters: distance, radiusMeters: radius) }
            let wait = candidate.hours.minutesUntilOpen(on: request.weekday, at: request.minute)
            if wait.map({ $0 > request.openingWindowMinutes }) ?? true { return .notOpeningSoon(minutesUntilOpen: wait) }
        }
        if candidate.isAtCapacity { return .capacityFull(ordersToday: candidate.ordersToday, dailyCapacity: candidate.dailyCapacity) }
        return nil
    }

    private static func pickupRejection(_ candidate: StoreCandidate, request: AllocationRequest) -> AllocationRejection? {
        if request.excluding.contains(candidate.id) { return .excluded }
        switch candidate.status {
        case .suspended: return .suspended
        case .closed: return .closed
        case .open: break
        }
        if candidate.kind == .warehouse { return .warehouseNotForPickup }
        if !candidate.pickupEnabled { return .pickupDisabled }
        if candidate.isAtCapacity { return .capacityFull(ordersToday: candidate.ordersToday, dailyCapacity: candidate.dailyCapacity) }
        return nil
    }

    private static func missingLines(_ lines: [AllocationLine], at candidate: StoreCandidate) -> [AllocationLine] {
        lines.compactMap { line in
            let short = line.quantity - max(0, candidate.available[line.skuId] ?? 0)
            return short > 0 ? AllocationLine(skuId: line.skuId, quantity: short) : nil
        }
    }

    /// Single source first, then greedy split; `sources` must already be in preference order.
    private static func cover(_ lines: [AllocationLine], using sources: [Evaluated]) -> [AllocationShipment]? {
        if lines.isEmpty { return [] }
        if let single = sources.first(where: { $0.missing.isEmpty }) {
            return [AllocationShipment(storeId: single.candidate.id, lines: lines)]
        }
        var remaining = lines
        var pool = sources
        var shipments: [AllocationShipment] = []
        while remaining.contains(where: { $0.quantity > 0 }) {
            // Most units covered wins; `pool` is sorted, so the first maximum keeps the tie-breaks.
            var best: (index: Int, units: Int)?
            for (index, source) in pool.enumerated() {
                let units = remaining.reduce(0) { $0 + min($1.quantity, max(0, source.candidate.available[$1.skuId] ?? 0)) }
                if units > (best?.units ?? 0) { best = (index, units) }
            }
            guard let best else { return nil }
            let source = pool.remove(at: best.index)
            var taken: [AllocationLine] = []
            for i in remaining.indices {
                let units = min(remaining[i].quantity, max(0, source.candidate.available[remaining[i].skuId] ?? 0))
                if units > 0 {
                    taken.append(AllocationLine(skuId: remaining[i].skuId, quantity: units))
                    remaining[i].quantity -= units
                }
            }
            shipments.append(AllocationShipment(storeId: source.candidate.id, lines: taken))
        }
        return shipments
    }

    private static func unfilledLines(_ lines: [AllocationLine], eligible: [Evaluated]) -> [AllocationLine] {
        lines.compactMap { line in
            let total = eligible.reduce(0) { $0 + max(0, $1.candidate.available[line.skuId] ?? 0) }
            return total < line.quantity ? AllocationLine(skuId: line.skuId, quantity: line.quantity - total) : nil
        }
    }

    /// Shorter distance, then lower load ratio (compared exactly by cross-multiplying), then id.
    private static func preferred(_ a: Evaluated, _ b: Evaluated) -> Bool {
        if a.distanceMeters != b.distanceMeters { return a.distanceMeters < b.distanceMeters }
        let loadA = a.candidate.ordersToday * max(b.candidate.dailyCapacity, 1)
        let loadB = b.candidate.ordersToday * max(a.candidate.dailyCapacity, 1)
        if loadA != loadB { return loadA < loadB }
        return a.candidate.id < b.candidate.id
    }

    private static func reportOrder(_ a: CandidateReport, _ b: CandidateReport) -> Bool {
        a.distanceMeters != b.distanceMeters ? a.distanceMeters < b.distanceMeters : a.storeId < b.storeId
    }

    private static func report(_ item: Evaluated, _ outcome: CandidateOutcome) -> CandidateReport {
        CandidateReport(storeId: item.candidate.id, name: item.candidate.name, kind: item.candidate.kind,
                        distanceMeters: item.distanceMeters, outcome: outcome)
    }

    private static func label(_ candidate: StoreCandidate) -> String {
        candidate.name.isEmpty ? "store \(candidate.id.rawValue.uuidString.prefix(8))" : candidate.name
    }
}
