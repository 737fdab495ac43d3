import Foundation
import MallCore
import Testing

enum AfterSalesFixture {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)
    static let shopper = TimelineActor.shopper(UUID(uuidString: "00000000-0000-0000-0000-0000000000D1")!)
    static let clerk = TimelineActor.storeStaff(UUID(uuidString: "00000000-0000-0000-0000-0000000000D2")!)
    static let hq = TimelineActor.hq(UUID(uuidString: "00000000-0000-0000-0000-0000000000D3")!)
    static let shirt = UUID(uuidString: "00000000-0000-0000-0000-0000000000E1")!
    static let socks = UUID(uuidString: "00000000-0000-0000-0000-0000000000E2")!
    static let purchased = [shirt: 2, socks: 3]

    static func days(_ d: Double) -> Date { t0.addingTimeInterval(d * 86_400) }

    static func request(_ kind: AfterSalesKind, _ lines: [AfterSalesLine] = [AfterSalesLine(orderLineId: shirt, quantity: 1)]) throws -> AfterSalesRequest {
        try AfterSalesRules.checkRequest(
            kind: kind, lines: lines, reason: "wrong size", photoURLs: ["https://cdn.example.com/a.jpg", "/files/after-sales/b.png"],
            purchased: purchased, deliveredAt: t0, now: days(2), windowDays: 7
        )
    }

    static func newCase(_ kind: AfterSalesKind) throws -> AfterSalesCase {
        AfterSalesCase(request: try request(kind), requestedRefund: Money(minorUnits: 19_900), by: shopper, at: days(2))
    }

    /// A case driven along the legal path into `status` (exchange or return as the status needs).
    static func aCase(in status: AfterSalesStatus) throws -> AfterSalesCase {
        let kind: AfterSalesKind = [.replacementReserved, .replacementShipped, .completed].contains(status) ? .exchange
            : status == .refunding || status == .refunded ? .refundOnly : .returnAndRefund
        var c = try newCase(kind)
        switch status {
        case .requested: return c
        case .rejected: _ = try c.reject(by: clerk, at: days(3), reason: "worn"); return c
        case .cancelled: _ = try c.cancel(by: shopper, at: days(3)); return c
        default: break
        }
        _ = try c.approve(by: clerk, at: days(3))
        if status == .refunding || status == .awaitingReturn { return c }
        if status == .refunded { _ = try c.refundSucceeded(reference: "r-1", at: days(3.1)); return c }
        _ = try c.shipReturn(carrier: "YTO", trackingNumber: "YT100", by: shopper, at: days(4))
        if status == .returnShipped { return c }
        _ = try c.receiveReturn(by: clerk, at: days(6))
        if status == .returnReceived { return c }
        if status == .inspectionFailed { _ = try c.inspect(passed: false, by: clerk, at: days(6.5), note: "stained"); return c }
        _ = try c.inspect(passed: true, by: clerk, at: days(6.5))
        if status == .replacementReserved { return c }
        _ = try c.shipReplacement(carrier: "SF", trackingNumber: "SF9", by: clerk, at: days(7))
        if status == .replacementShipped { return c }
        _ = try c.completeExchange(by: shopper, at: days(9))
        return c
    }
}

@Suite("After-sales")
struct AfterSalesTests {
    typealias F = AfterSalesFixture
    let shirtLine = [AfterSalesLine(orderLineId: F.shirt, quantity: 1)]

    // MARK: - Request rules

    @Test("a good request is trimmed and accepted")
    func goodRequest() throws {
        let request = try AfterSalesRules.checkRequest(
            kind: .returnAndRefund, lines: [AfterSalesLine(orderLineId: F.socks, quantity: 2)], reason: "  too small ",
            photoURLs: [" https://cdn.example.com/p.jpg "], purchased: F.purchased, alreadyReturned: [F.socks: 1],
            deliveredAt: F.t0, now: F.days(7), windowDays: 7
        )
        #expect(request.reason == "too small")
        #expect(request.photoURLs == ["https://cdn.example.com/p.jpg"])
        #expect(request.lines == [AfterSalesLine(orderLineId: F.socks, quantity: 2)])
    }

    @Test("the window counts elapsed days since delivery; undelivered orders are refused")
    func window() {
        func check(_ now: Date, delivered: Date? = F.t0) throws {
            _ = try AfterSalesRules.checkRequest(kind: .refundOnly, lines: shirtLine, reason: "broken", photoURLs: [],
                                                 purchased: F.purchased, deliveredAt: delivered, now: now, windowDays: 7)
        }
        #expect(throws: Never.self) { try check(F.days(7)) }
        let late = #expect(throws: ValidationFailure.self) { try check(F.days(7.01)) }
        #expect(late?.errors == [FieldError(field: "order", message: "is past the 7-day after-sales window")])
        let early = #expect(throws: ValidationFailure.self) { try check(F.days(1), delivered: nil) }
        #expect(early?.errors.first?.field == "order")
    }

    @Test("quantities: at least one, at most purchased minus already returned, known lines, no duplicates")
    func quantities() {
        let failure = #expect(throws: ValidationFailure.self) {
            _ = try AfterSalesRules.checkRequest(
                kind: .exchange,
                lines: [AfterSalesLine(orderLineId: F.shirt, quantity: 2), AfterSalesLine(orderLineId: F.socks, quantity: 0),
                        AfterSalesLine(orderLineId: UUID(), quantity: 1), AfterSalesLine(orderLineId: F.shirt, quantity: 1)],
                reason: "x", photoURLs: [], purchased: F.purchased, alreadyReturned: [F.shirt: 1],
                deliveredAt: F.t0, now: F.days(1), windowDays: 7
            )
        }
        #expect(failure?.errors == [
            FieldError(field: "lines[0].quantity", message: "must be at most 1"),
            FieldError(field: "lines[1].quantity", message: "must be at least 1"),
            FieldError(field: "lines[2]", message: "is not a line of this order"),
            FieldError(field: "lines[3]", message: "names the same item twice"),
            FieldError(field: "description", message: "must be at least 2 characters"),
        ])
        let exhausted = #expect(throws: ValidationFailure.self) {
            _ = try AfterSalesRules.checkRequest(kind: .refundOnly, lines: shirtLine, reason: "broken", photoURLs: [],
                                                 purchased: F.purchased, alreadyReturned: [F.shirt: 2], deliveredAt: F.t0, now: F.days(1), windowDays: 7)
        }
        #expect(exhausted?.errors.first?.message == "nothing left to return on this item")
        #expect(throws: ValidationFailure.self) {
            _ = try AfterSalesRules.checkRequest(kind: .refundOnly, lines: [], reason: "broken", photoURLs: [],
                                                 purchased: F.purchased, deliveredAt: F.t0, now: F.days(1), windowDays: 7)
        }
    }

    @Test("photos: at most nine, https or uploaded paths only")
    func photos() {
        func errors(_ urls: [String]) -> [FieldError] {
            do {
                _ = try AfterSalesRules.checkRequest(kind: .refundOnly, lines: shirtLine, reason: "broken", photoURLs: urls,
                                                     purchased: F.purchased, deliveredAt: F.t0, now: F.days(1), windowDays: 7)
                return []
            } catch let failure as ValidationFailure {
                return failure.errors
            } catch {
                return [FieldError(field: "?", message: "\(error)")]
            }
        }
        #expect(errors(["https://img.example.com/1.jpg", "/files/a/2.jpg"]).isEmpty)
        #expect(errors(Array(repeating: "/files/p.jpg", count: 10)) == [FieldError(field: "photos", message: "must be at most 9")])
        for bad in ["http://img.example.com/1.jpg", "javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example/x.jpg",
                    "/files/../etc/passwd", "https://", "", "https://a.example/x y.jpg"] {
            #expect(errors([bad]).map(\.field) == ["photos[0]"], "\(bad)")
        }
    }

    // MARK: - Case lifecycle

    @Test("refund only: approved with a partial amount, refunded when the gateway confirms")
    func refundOnly() throws {
        var c = try F.newCase(.refundOnly)
        #expect(throws: ValidationFailure.self) { try c.approve(by: F.clerk, at: F.days(3), refund: Money(minorUnits: 20_000)) }
        #expect(try c.approve(by: F.clerk, at: F.days(3), refund: Money(minorUnits: 9_900)) == [.issueRefund(Money(minorUnits: 9_900)), .notifyShopper(.refunding)])
        #expect(c.approvedRefund == Money(minorUnits: 9_900))
        #expect(try c.refundSucceeded(reference: "refund-1", at: F.days(3.2)) == [.notifyShopper(.refunded)])
        #expect(c.status == .refunded && c.status.isTerminal)
        #expect(c.timeline.map(\.to) == [.requested, .refunding, .refunded])
        #expect(c.timeline.map(\.actor) == [F.shopper, F.clerk, .system])
        #expect(c.timeline.first?.note == "wrong size")
    }

    @Test("return and refund: goods come back, pass inspection, are restocked and refunded")
    func returnAndRefund() throws {
        var c = try F.newCase(.returnAndRefund)
        #expect(try c.approve(by: F.hq, at: F.days(3)) == [.notifyShopper(.awaitingReturn)])
        #expect(throws: ValidationFailure.self) { try c.shipReturn(carrier: "", trackingNumber: "", by: F.shopper, at: F.days(4)) }
        #expect(try c.shipReturn(carrier: "YTO", trackingNumber: "YT100", by: F.shopper, at: F.days(4)) == [.notifyStore])
        #expect(c.returnShipment?.trackingNumber == "YT100")
        #expect(try c.receiveReturn(by: F.clerk, at: F.days(6)) == [])
        #expect(try c.inspect(passed: true, by: F.clerk, at: F.days(6.5))
            == [.restock(shirtLine), .issueRefund(Money(minorUnits: 19_900)), .notifyShopper(.refunding)])
        _ = try c.refundSucceeded(reference: "r-9", at: F.days(7))
        #expect(c.refundReference == "r-9")
        #expect(c.timeline.map(\.to) == [.requested, .awaitingReturn, .returnShipped, .returnReceived, .refunding, .refunded])
        #expect(c.timeline[2].note == "YTO YT100")
    }

    @Test("a failed inspection needs a note and sends the goods back without a refund")
    func failedInspection() throws {
        var c = try F.aCase(in: .returnReceived)
        #expect(throws: ValidationFailure.self) { try c.inspect(passed: false, by: F.clerk, at: F.days(6.5)) }
        #expect(try c.inspect(passed: false, by: F.clerk, at: F.days(6.5), note: "water damage") == [.sendGoodsBack, .notifyShopper(.inspectionFailed)])
        #expect(c.status == .inspectionFailed)
        #expect(c.timeline.last?.note == "water damage")
    }

    @Test("exchange: returned goods restocked, replacement reserved, shipped and confirmed")
    func exchange() throws {
        var c = try F.newCase(.exchange)
        #expect(c.requestedRefund == Money(minorUnits: 0), "an exchange refunds nothing")
        _ = try c.approve(by: F.clerk, at: F.days(3))
        _ = try c.shipReturn(carrier: "YTO", trackingNumber: "YT1", by: F.shopper, at: F.days(4))
        _ = try c.receiveReturn(by: F.clerk, at: F.days(5))
        #expect(try c.inspect(passed: true, by: F.clerk, at: F.days(5)) == [.reserveReplacement(shirtLine), .restock(shirtLine), .notifyShopper(.replacementReserved)])
        #expect(try c.shipReplacement(carrier: "SF", trackingNumber: "SF9", by: F.clerk, at: F.days(6)) == [.commitReplacement(shirtLine), .notifyShopper(.replacementShipped)])
        #expect(c.replacementShipment?.carrier == "SF")
        #expect(try c.completeExchange(by: .system, at: F.days(13)) == [])
        #expect(c.timeline.map(\.to) == [.requested, .awaitingReturn, .returnShipped, .returnReceived, .replacementReserved, .replacementShipped, .completed])
    }

    @Test("rejection needs a reason; only the shopper withdraws, and only before a decision")
    func rejectAndCancel() throws {
        var c = try F.newCase(.returnAndRefund)
        #expect(throws: IllegalTransition.self) { try c.approve(by: F.shopper, at: F.days(3)) }
        #expect(throws: IllegalTransition.self) { try c.cancel(by: F.clerk, at: F.days(3)) }
        #expect(throws: ValidationFailure.self) { try c.reject(by: F.clerk, at: F.days(3), reason: "") }
        #expect(try c.reject(by: F.clerk, at: F.days(3), reason: "tags removed") == [.notifyShopper(.rejected)])
        #expect(c.rejectionReason == "tags removed")
        #expect(throws: IllegalTransition.self) { try c.cancel(by: F.shopper, at: F.days(4)) }

        var withdrawn = try F.newCase(.refundOnly)
        #expect(try withdrawn.cancel(by: F.shopper, at: F.days(2.5)) == [.notifyStore])
        #expect(withdrawn.status == .cancelled)
    }

    enum Event: String, CaseIterable {
        case approve, reject, cancel, shipReturn, receive, inspectOK, inspectFailed, refunded, shipReplacement, complete

        /// Legal sources for the fixtures `aCase(in:)` builds (refund-only for refunding).
        var legalFrom: Set<AfterSalesStatus> {
            switch self {
            case .approve, .reject, .cancel: [.requested]
            case .shipReturn: [.awaitingReturn]
            case .receive: [.returnShipped]
            case .inspectOK, .inspectFailed: [.returnReceived]
            case .refunded: [.refunding]
            case .shipReplacement: [.replacementReserved]
            case .complete: [.replacementShipped]
            }
        }

        func apply(to c: inout AfterSalesCase) throws -> [AfterSalesEffect] {
            let at = AfterSalesFixture.days(10)
            let clerk = AfterSalesFixture.clerk, shopper = AfterSalesFixture.shopper
            switch self {
            case .approve: return try c.approve(by: clerk, at: at)
            case .reject: return try c.reject(by: clerk, at: at, reason: "no")
            case .cancel: return try c.cancel(by: shopper, at: at)
            case .shipReturn: return try c.shipReturn(carrier: "YTO", trackingNumber: "1", by: shopper, at: at)
            case .receive: return try c.receiveReturn(by: clerk, at: at)
            case .inspectOK: return try c.inspect(passed: true, by: clerk, at: at)
            case .inspectFailed: return try c.inspect(passed: false, by: clerk, at: at, note: "damaged")
            case .refunded: return try c.refundSucceeded(reference: "r", at: at)
            case .shipReplacement: return try c.shipReplacement(carrier: "SF", trackingNumber: "2", by: clerk, at: at)
            case .complete: return try c.completeExchange(by: shopper, at: at)
            }
        }
    }

    @Test("transition table", arguments: AfterSalesStatus.allCases)
    func transitionTable(status: AfterSalesStatus) throws {
        let start = try F.aCase(in: status)
        #expect(start.status == status)
        for event in Event.allCases {
            var c = start
            if event.legalFrom.contains(status) {
                #expect(throws: Never.self, "\(event) from \(status)") { _ = try event.apply(to: &c) }
                #expect(c.timeline.count == start.timeline.count + 1)
            } else {
                let error = #expect(throws: IllegalTransition.self, "\(event) from \(status)") { _ = try event.apply(to: &c) }
                #expect(error?.from == status.rawValue)
                #expect(c == start)
            }
        }
    }

    @Test("a case survives a JSON round trip")
    func codable() throws {
        let c = try F.aCase(in: .replacementShipped)
        #expect(try JSONDecoder().decode(AfterSalesCase.self, from: JSONEncoder().encode(c)) == c)
    }
}
