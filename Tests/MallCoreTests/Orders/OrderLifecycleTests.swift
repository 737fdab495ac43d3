import Foundation
import MallCore
import Testing

enum OrderFixture {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
    static let shopper = TimelineActor.shopper(UUID(uuidString: "00000000-0000-0000-0000-0000000000C1")!)
    static let clerk = TimelineActor.storeStaff(UUID(uuidString: "00000000-0000-0000-0000-0000000000C2")!)
    static let hq = TimelineActor.hq(UUID(uuidString: "00000000-0000-0000-0000-0000000000C3")!)
    static let storeA = StoreID(UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!)
    static let storeB = StoreID(UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!)
    static let code = "042917"

    static func minutes(_ m: Double) -> Date { t0.addingTimeInterval(m * 60) }

    static func newOrder(_ fulfilment: OrderFulfilmentKind = .delivery) -> OrderLifecycle {
        OrderLifecycle(fulfilment: fulfilment, storeId: storeA, placedBy: shopper, at: t0, paymentDueAt: minutes(15), autoConfirmAfterDays: 7)
    }

    /// An order driven along the legal path into `status`.
    static func order(in status: OrderStatus) throws -> OrderLifecycle {
        let pickup = status == .readyForPickup || status == .pickedUp
        var o = newOrder(pickup ? .pickup : .delivery)
        switch status {
        case .pendingPayment: return o
        case .expired: _ = try o.expire(at: minutes(20)); return o
        case .cancelled: _ = try o.cancel(by: shopper, at: minutes(1)); return o
        case .awaitingGroup:
            var held = OrderLifecycle(fulfilment: .delivery, storeId: storeA, placedBy: shopper, at: t0, paymentDueAt: minutes(15), heldForGroup: true)
            _ = held.pay(reference: "pay-1", at: minutes(2))
            return held
        default: break
        }
        _ = o.pay(reference: "pay-1", at: minutes(2))
        if status == .paid { return o }
        if status == .awaitingReallocation { _ = try o.reject(by: clerk, at: minutes(3), reason: "out of stock"); return o }
        _ = try o.accept(by: clerk, at: minutes(4))
        if status == .accepted { return o }
        _ = try o.startPicking(by: clerk, at: minutes(5))
        if status == .picking { return o }
        if pickup {
            _ = try o.markReadyForPickup(code: code, by: clerk, at: minutes(30))
            if status == .readyForPickup { return o }
            _ = try o.pickUp(enteredCode: code, by: clerk, at: minutes(90))
            return o
        }
        _ = try o.ship(carrier: "SF Express", trackingNumber: "SF1234567890", by: clerk, at: minutes(30))
        if status == .shipped { return o }
        _ = try o.markDelivered(by: .system, at: minutes(300))
        if status == .delivered { return o }
        _ = try o.confirmReceipt(by: shopper, at: minutes(400))
        return o
    }
}

@Suite("Order lifecycle")
struct OrderLifecycleTests {
    typealias F = OrderFixture

    @Test("delivery: placed → paid → accepted → picking → shipped → delivered → completed")
    func deliveryPath() throws {
        var order = F.newOrder()
        #expect(order.pay(reference: "pay-1", at: F.minutes(2)) == [.notifyShopper(.paid), .notifyStore(F.storeA), .scheduleAcceptanceTimeout(store: F.storeA)])
        #expect(try order.accept(by: F.clerk, at: F.minutes(4)) == [.notifyShopper(.accepted)])
        #expect(try order.startPicking(by: F.clerk, at: F.minutes(5)) == [])
        #expect(try order.ship(carrier: " SF Express ", trackingNumber: "SF1234567890", by: F.clerk, at: F.minutes(30))
            == [.commitStock(store: F.storeA), .notifyShopper(.shipped)])
        #expect(order.shipment?.carrier == "SF Express")
        let due = F.minutes(300).addingTimeInterval(7 * 86_400)
        #expect(try order.markDelivered(by: .system, at: F.minutes(300)) == [.notifyShopper(.delivered), .scheduleAutoConfirm(at: due)])
        #expect(order.autoConfirmDueAt == due)
        #expect(try order.confirmReceipt(by: F.shopper, at: F.minutes(400)) == [.settle])
        #expect(order.status == .completed)
        #expect(order.status.isTerminal)

        #expect(order.timeline.map(\.to) == [.pendingPayment, .paid, .accepted, .picking, .shipped, .delivered, .completed])
        #expect(order.timeline.map(\.from) == [.pendingPayment, .pendingPayment, .paid, .accepted, .picking, .shipped, .delivered])
        #expect(order.timeline.map(\.actor.kind) == [.shopper, .system, .storeStaff, .storeStaff, .storeStaff, .system, .shopper])
        #expect(order.timeline[1].note == "payment pay-1")
        #expect(order.timeline[4].note == "SF Express SF1234567890")
        #expect(order.timeline.map(\.at) == [F.t0, F.minutes(2), F.minutes(4), F.minutes(5), F.minutes(30), F.minutes(300), F.minutes(400)])
    }

    @Test("pickup: ready with a code, handed over on the right code, auto-confirmed after N days")
    func pickupPath() throws {
        var order = F.newOrder(.pickup)
        _ = order.pay(reference: "p", at: F.minutes(1))
        _ = try order.accept(by: F.clerk, at: F.minutes(2))
        _ = try order.startPicking(by: F.clerk, at: F.minutes(3))
        #expect(throws: ValidationFailure.self) { try order.markReadyForPickup(code: "12345", by: F.clerk, at: F.minutes(4)) }
        #expect(try order.markReadyForPickup(code: F.code, by: F.clerk, at: F.minutes(4)) == [.notifyShopper(.readyForPickup)])
        #expect(order.pickupCode == F.code)
        #expect(throws: ValidationFailure.self) { try order.pickUp(enteredCode: "042918", by: F.clerk, at: F.minutes(60)) }
        #expect(order.status == .readyForPickup, "a wrong code changes nothing")
        let effects = try order.pickUp(enteredCode: " 042917 ", by: F.clerk, at: F.minutes(60))
        let due = F.minutes(60).addingTimeInterval(7 * 86_400)
        #expect(effects == [.commitStock(store: F.storeA), .notifyShopper(.pickedUp), .scheduleAutoConfirm(at: due)])
        #expect(throws: IllegalTransition.self) { try order.autoConfirm(at: due.addingTimeInterval(-1)) }
        #expect(try order.autoConfirm(at: due) == [.settle])
        #expect(order.status == .completed)
        #expect(order.timeline.last?.actor == .system)
        #expect(order.timeline.last?.note == "receipt confirmed automatically")
    }

    @Test("an unpaid order expires only after its window, releasing stock")
    func expiry() throws {
        var order = F.newOrder()
        #expect(throws: IllegalTransition.self) { try order.expire(at: F.minutes(14)) }
        #expect(try order.expire(at: F.minutes(15)) == [.releaseStock(store: F.storeA), .returnPoints, .notifyShopper(.expired)])
        #expect(order.status == .expired)
        #expect(order.timeline.last?.actor == .system)
    }

    @Test("a payment after expiry is refunded and shown on the timeline; its retry is a no-op")
    func latePayment() throws {
        var order = F.newOrder()
        _ = try order.expire(at: F.minutes(16))
        let effects = order.pay(reference: "wx-77", at: F.minutes(17))
        #expect(effects == [.refundPayment(reference: "wx-77", cause: .paidAfterExpiry), .notifyShopper(.expired)])
        #expect(order.status == .expired)
        let entry = try #require(order.timeline.last)
        #expect(entry.from == .expired && entry.to == .expired)
        #expect(entry.note?.contains("wx-77") == true)

        var cancelled = F.newOrder()
        _ = try cancelled.cancel(by: F.shopper, at: F.minutes(1))
        #expect(cancelled.pay(reference: "ali-1", at: F.minutes(2)) == [.refundPayment(reference: "ali-1", cause: .paidAfterCancellation), .notifyShopper(.cancelled)])
    }

    @Test("a repeated callback is ignored, a second different payment is refunded")
    func duplicatePayments() throws {
        var order = try F.order(in: .accepted)
        let count = order.timeline.count
        #expect(order.pay(reference: "pay-1", at: F.minutes(10)) == [])
        #expect(order.timeline.count == count)
        #expect(order.pay(reference: "pay-2", at: F.minutes(11)) == [.refundPayment(reference: "pay-2", cause: .duplicatePayment)])
        #expect(order.status == .accepted)
        #expect(order.paymentReference == "pay-1")
    }

    @Test("a store rejection or timeout sends the order for reallocation, excluding those stores")
    func rejectionAndReallocation() throws {
        var order = try F.order(in: .paid)
        #expect(throws: ValidationFailure.self) { try order.reject(by: F.clerk, at: F.minutes(3), reason: " ") }
        #expect(throws: IllegalTransition.self) { try order.reject(by: F.hq, at: F.minutes(3), reason: "no") }
        #expect(try order.reject(by: F.clerk, at: F.minutes(3), reason: "out of stock")
            == [.releaseStock(store: F.storeA), .reallocate(excluding: [F.storeA])])
        #expect(order.status == .awaitingReallocation)
        #expect(order.timeline.last?.note == "rejected: out of stock")
        #expect(throws: IllegalTransition.self) { try order.reallocate(to: F.storeB, by: F.clerk, at: F.minutes(4)) }
        #expect(try order.reallocate(to: F.storeB, by: .system, at: F.minutes(4)) == [.notifyStore(F.storeB), .scheduleAcceptanceTimeout(store: F.storeB)])
        #expect(order.status == .paid)
        #expect(order.storeId == F.storeB)
        #expect(try order.acceptanceTimedOut(at: F.minutes(40)) == [.releaseStock(store: F.storeB), .reallocate(excluding: [F.storeA, F.storeB])])
        #expect(order.rejectedStoreIds == [F.storeA, F.storeB])
        #expect(order.timeline.last?.note == "not accepted in time")
    }

    @Test("HQ can move a paid or accepted order to another store by hand")
    func manualReallocation() throws {
        var order = try F.order(in: .accepted)
        #expect(throws: IllegalTransition.self) { try order.reallocate(to: F.storeB, by: .system, at: F.minutes(6)) }
        #expect(throws: IllegalTransition.self) { try order.reallocate(to: F.storeA, by: F.hq, at: F.minutes(6)) }
        let effects = try order.reallocate(to: F.storeB, by: F.hq, at: F.minutes(6), note: "store A flooded")
        #expect(effects == [.releaseStock(store: F.storeA), .notifyStore(F.storeA), .notifyStore(F.storeB), .scheduleAcceptanceTimeout(store: F.storeB)])
        #expect(order.status == .paid)
        #expect(order.rejectedStoreIds.isEmpty, "HQ moving an order is not the store's rejection")
        #expect(order.timeline.last == TimelineEntry(actor: F.hq, at: F.minutes(6), from: .accepted, to: .paid, note: "store A flooded"))
    }

    @Test("cancellation: who may cancel when, and what it undoes")
    func cancellation() throws {
        var unpaid = F.newOrder()
        #expect(try unpaid.cancel(by: F.shopper, at: F.minutes(1)) == [.releaseStock(store: F.storeA), .returnPoints, .notifyShopper(.cancelled)])
        #expect(unpaid.cancellationReason == nil)

        var paid = try F.order(in: .paid)
        #expect(try paid.cancel(by: F.shopper, at: F.minutes(3), reason: "changed my mind")
            == [.releaseStock(store: F.storeA), .refundPayment(reference: "pay-1", cause: .cancelled), .returnPoints, .notifyStore(F.storeA), .notifyShopper(.cancelled)])
        #expect(paid.cancellationReason == "changed my mind")

        var waiting = try F.order(in: .awaitingReallocation)
        #expect(try waiting.cancel(by: F.hq, at: F.minutes(9), reason: "no store can serve")
            == [.refundPayment(reference: "pay-1", cause: .cancelled), .returnPoints, .notifyShopper(.cancelled)], "stock was already released on rejection")

        var accepted = try F.order(in: .accepted)
        #expect(throws: IllegalTransition.self) { try accepted.cancel(by: F.shopper, at: F.minutes(6)) }
        #expect(throws: ValidationFailure.self) { try accepted.cancel(by: F.clerk, at: F.minutes(6)) }
        #expect(try accepted.cancel(by: F.clerk, at: F.minutes(6), reason: "item damaged").contains(.refundPayment(reference: "pay-1", cause: .cancelled)))
        #expect(accepted.timeline.last?.note == "item damaged")

        var ready = try F.order(in: .readyForPickup)
        #expect(try ready.cancel(by: F.clerk, at: F.minutes(3_000), reason: "never collected").first == .releaseStock(store: F.storeA))
    }

    @Test("a delivery order is never made ready for pickup, and a pickup order never ships")
    func fulfilmentKindGuards() throws {
        var delivery = try F.order(in: .picking)
        #expect(throws: IllegalTransition.self) { try delivery.markReadyForPickup(code: F.code, by: F.clerk, at: F.minutes(9)) }
        var pickup = F.newOrder(.pickup)
        _ = pickup.pay(reference: "p", at: F.minutes(1))
        _ = try pickup.accept(by: F.clerk, at: F.minutes(2))
        _ = try pickup.startPicking(by: F.clerk, at: F.minutes(3))
        #expect(throws: IllegalTransition.self) { try pickup.ship(carrier: "SF", trackingNumber: "1", by: F.clerk, at: F.minutes(4)) }
    }

    /// Every event against every status: legal where listed, a 409-style IllegalTransition
    /// everywhere else, and a refused event leaves the order untouched.
    enum Event: String, CaseIterable {
        case expire, accept, reject, timeout, reallocateBySystem, reallocateByHQ, startPicking, ship, readyForPickup
        case deliver, pickUp, confirm, autoConfirm, cancelByShopper, cancelByStore, cancelByHQ, groupFilled, groupFailed

        var legalFrom: Set<OrderStatus> {
            switch self {
            case .expire: [.pendingPayment]
            case .accept, .reject, .timeout: [.paid]
            case .reallocateBySystem: [.awaitingReallocation]
            case .reallocateByHQ: [.awaitingReallocation, .paid, .accepted]
            case .startPicking: [.accepted]
            case .ship: [.picking]
            case .readyForPickup: []  // fixtures in `picking` are delivery orders; see fulfilmentKindGuards
            case .deliver: [.shipped]
            case .pickUp: [.readyForPickup]
            case .confirm, .autoConfirm: [.delivered, .pickedUp]
            case .cancelByShopper: [.pendingPayment, .paid, .awaitingReallocation]
            case .cancelByStore: [.accepted, .picking, .readyForPickup]
            case .cancelByHQ: [.pendingPayment, .paid, .awaitingReallocation, .awaitingGroup, .accepted, .picking, .readyForPickup]
            case .groupFilled: [.awaitingGroup]
            case .groupFailed: [.pendingPayment, .awaitingGroup]
            }
        }

        func apply(to order: inout OrderLifecycle) throws -> [OrderEffect] {
            let late = OrderFixture.minutes(60 * 24 * 30)
            switch self {
            case .expire: return try order.expire(at: late)
            case .accept: return try order.accept(by: OrderFixture.clerk, at: late)
            case .reject: return try order.reject(by: OrderFixture.clerk, at: late, reason: "busy")
            case .timeout: return try order.acceptanceTimedOut(at: late)
            case .reallocateBySystem: return try order.reallocate(to: OrderFixture.storeB, by: .system, at: late)
            case .reallocateByHQ: return try order.reallocate(to: OrderFixture.storeB, by: OrderFixture.hq, at: late)
            case .startPicking: return try order.startPicking(by: OrderFixture.clerk, at: late)
            case .ship: return try order.ship(carrier: "SF", trackingNumber: "SF1", by: OrderFixture.clerk, at: late)
            case .readyForPickup: return try order.markReadyForPickup(code: OrderFixture.code, by: OrderFixture.clerk, at: late)
            case .deliver: return try order.markDelivered(by: .system, at: late)
            case .pickUp: return try order.pickUp(enteredCode: OrderFixture.code, by: OrderFixture.clerk, at: late)
            case .confirm: return try order.confirmReceipt(by: OrderFixture.shopper, at: late)
            case .autoConfirm: return try order.autoConfirm(at: late)
            case .cancelByShopper: return try order.cancel(by: OrderFixture.shopper, at: late)
            case .cancelByStore: return try order.cancel(by: OrderFixture.clerk, at: late, reason: "damaged")
            case .cancelByHQ: return try order.cancel(by: OrderFixture.hq, at: late, reason: "fraud check")
            case .groupFilled: return try order.groupFilled(at: late)
            case .groupFailed: return try order.groupFailed(at: late)
            }
        }
    }

    @Test("transition table", arguments: OrderStatus.allCases)
    func transitionTable(status: OrderStatus) throws {
        let start = try F.order(in: status)
        #expect(start.status == status)
        for event in Event.allCases {
            var order = start
            if event.legalFrom.contains(status) {
                #expect(throws: Never.self, "\(event) from \(status)") { _ = try event.apply(to: &order) }
                #expect(order.timeline.count == start.timeline.count + 1, "\(event) records one entry")
                #expect(order.timeline.last?.from == status)
            } else {
                let error = #expect(throws: IllegalTransition.self, "\(event) from \(status)") { _ = try event.apply(to: &order) }
                #expect(error?.from == status.rawValue)
                if error?.to == status.rawValue {
                    #expect(error?.message == error?.reason, "a repeated step says why, not 'from X to X'")
                } else {
                    #expect(error?.message.hasPrefix("cannot change from \(status.rawValue) to ") == true)
                }
                #expect(order == start, "a refused event changes nothing")
            }
        }
    }

    @Test("group buying: a paid group order waits without a store until the group fills, then goes to its store; a failed group cancels and refunds it")
    func groupHold() throws {
        var order = OrderLifecycle(fulfilment: .pickup, storeId: F.storeA, placedBy: F.shopper, at: F.t0, paymentDueAt: F.minutes(15), heldForGroup: true)
        #expect(order.pay(reference: "pay-g", at: F.minutes(1)) == [.notifyShopper(.awaitingGroup)])
        #expect(order.status == .awaitingGroup)
        #expect(order.pay(reference: "pay-g", at: F.minutes(2)) == [], "a repeated callback changes nothing")
        #expect(throws: IllegalTransition.self) { try order.accept(by: F.clerk, at: F.minutes(2)) }
        #expect(throws: IllegalTransition.self) { try order.cancel(by: F.shopper, at: F.minutes(2)) }
        var failed = order
        #expect(try order.groupFilled(at: F.minutes(3)) == [.notifyStore(F.storeA), .scheduleAcceptanceTimeout(store: F.storeA)])
        #expect(order.status == .paid)
        #expect(try order.accept(by: F.clerk, at: F.minutes(4)) == [.notifyShopper(.accepted)])

        #expect(try failed.groupFailed(at: F.minutes(3)) == [.releaseStock(store: F.storeA), .refundPayment(reference: "pay-g", cause: .groupFailed),
                                                               .returnPoints, .notifyShopper(.cancelled)])
        #expect(failed.status == .cancelled && failed.cancellationReason == "the group did not fill in time")
        #expect(throws: IllegalTransition.self) { try failed.groupFailed(at: F.minutes(4)) }
        var unpaid = OrderLifecycle(fulfilment: .pickup, storeId: F.storeA, placedBy: F.shopper, at: F.t0, paymentDueAt: F.minutes(15), heldForGroup: true)
        #expect(try unpaid.groupFailed(at: F.minutes(3)) == [.releaseStock(store: F.storeA), .returnPoints, .notifyShopper(.cancelled)])
        #expect(unpaid.pay(reference: "late", at: F.minutes(5)) == [.refundPayment(reference: "late", cause: .paidAfterCancellation), .notifyShopper(.cancelled)])
        // Orders stored before group buying have no such key and are never held.
        let plain = try JSONEncoder().encode(F.newOrder())
        #expect(!String(decoding: plain, as: UTF8.self).contains("heldForGroup"))
        var decoded = try JSONDecoder().decode(OrderLifecycle.self, from: plain)
        _ = decoded.pay(reference: "p", at: F.minutes(1))
        #expect(decoded.status == .paid)
    }

    @Test("pickup codes: six ASCII digits, compared in full")
    func pickupCodes() {
        #expect(PickupCode.verify(entered: "042917", expected: "042917"))
        #expect(PickupCode.verify(entered: "  042917\n", expected: "042917"))
        #expect(!PickupCode.verify(entered: "042918", expected: "042917"))
        #expect(!PickupCode.verify(entered: "42917", expected: "042917"))
        #expect(!PickupCode.verify(entered: "0429170", expected: "042917"))
        #expect(!PickupCode.verify(entered: "٠٤٢٩١٧", expected: "042917"), "Arabic-Indic digits are not our digits")
        #expect(!PickupCode.verify(entered: "abcdef", expected: "abcdef"), "a malformed stored code never matches")
        #expect(!PickupCode.verify(entered: "", expected: ""))
        #expect(PickupCode.isWellFormed("000000"))
        #expect(!PickupCode.isWellFormed("12 456"))
    }

    @Test("the lifecycle survives a JSON round trip")
    func codable() throws {
        let order = try F.order(in: .shipped)
        let data = try JSONEncoder().encode(order)
        #expect(try JSONDecoder().decode(OrderLifecycle.self, from: data) == order)
    }
}
