import MallCore
import Testing

@Suite("Payment and refund state machines")
struct PaymentLifecycleTests {
    @Test("money arriving: the first transaction pays, the same one again is a replay, another one a duplicate to refund")
    func arrivals() {
        var payment = PaymentLifecycle(status: .pending, amountFen: 5_000, refundedFen: 0, transactionId: nil)
        #expect(payment.pay(transactionId: "T1") == .paid)
        #expect(payment.status == .paid && payment.transactionId == "T1")
        #expect(payment.pay(transactionId: "T1") == .replay)
        #expect(payment.pay(transactionId: "T2") == .duplicate)
        var booked = PaymentLifecycle(status: .pending, amountFen: 5_000, refundedFen: 0, transactionId: "SBX-1")
        #expect(booked.pay(transactionId: "SBX-2") == .duplicate, "a pending payment with a booked transaction is paid only by it")
        #expect(booked.status == .pending)
        #expect(booked.pay(transactionId: "SBX-1") == .paid)
    }

    @Test("refunds move paid → partially refunded → refunded and never beyond what was paid; a refused one counts as paid again")
    func refunds() throws {
        var payment = PaymentLifecycle(status: .paid, amountFen: 5_000, refundedFen: 0, transactionId: "T1")
        try payment.bookRefund(1_200)
        #expect(payment.status == .partiallyRefunded && payment.refundedFen == 1_200)
        #expect(throws: IllegalTransition.self) { try payment.bookRefund(3_801) }
        try payment.bookRefund(3_800)
        #expect(payment.status == .refunded)
        try payment.refundFailed(3_800)
        #expect(payment.status == .partiallyRefunded && payment.refundedFen == 1_200)
        try payment.refundFailed(1_200)
        #expect(payment.status == .paid)
        #expect(throws: IllegalTransition.self) { try payment.refundFailed(1) }
        var unpaid = PaymentLifecycle(status: .pending, amountFen: 5_000, refundedFen: 0, transactionId: nil)
        #expect(throws: IllegalTransition.self) { try unpaid.bookRefund(100) }
        #expect(throws: IllegalTransition.self) { try payment.bookRefund(0) }
        #expect(throws: IllegalTransition.self) { try payment.bookRefund(.max) }
        #expect(PaymentLifecycle.status(refundedFen: 0, of: 100) == .paid)
        #expect(PaymentLifecycle.status(refundedFen: 100, of: 100) == .refunded)
    }

    @Test("a refund goes pending → processing → succeeded or failed once, and a failed one is retried once")
    func refundStates() throws {
        var refund = RefundLifecycle(status: .pending)
        try refund.accepted()
        try refund.succeeded()
        #expect(throws: IllegalTransition.self) { try refund.failed() }
        #expect(throws: IllegalTransition.self) { try refund.succeeded() }
        var refused = RefundLifecycle(status: .pending)
        try refused.failed()
        try refused.retried()
        #expect(throws: IllegalTransition.self) { try refused.retried() }
        for status in RefundStatus.allCases {
            for target in RefundStatus.allCases {
                var lifecycle = RefundLifecycle(status: status)
                let allowed = target.predecessors.contains(status)
                let moved: Bool
                switch target {
                case .pending: moved = false
                case .processing: moved = (try? lifecycle.accepted()) != nil
                case .succeeded: moved = (try? lifecycle.succeeded()) != nil
                case .failed: moved = (try? lifecycle.failed()) != nil
                case .retried: moved = (try? lifecycle.retried()) != nil
                }
                #expect(moved == allowed, "\(status) → \(target)")
            }
        }
        #expect(RefundStatus.succeeded.isFinal && !RefundStatus.failed.isFinal)
    }
}
