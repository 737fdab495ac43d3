import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// What happens to orders when money arrives or must go back.
struct PaymentService {
    let app: Application
    /// The database handle to write through; a webhook passes its request's, so its statements
    /// carry the request's logger (and count in statement budgets). The application's otherwise.
    var database: (any Database)?

    /// The providers a shopper can choose: configured, and switched on in settings.
    static func enabledProviders(_ app: Application, on db: any Database) async throws -> [PaymentProviderInfo] {
        enabledProviders(app, settings: try await SettingsService.resolved(on: db))
    }

    static func enabledProviders(_ app: Application, settings: ResolvedSettings) -> [PaymentProviderInfo] {
        let configured = Set(app.paymentGateways.providers)
        var result: [PaymentProviderInfo] = []
        if configured.contains(WeChatPayGateway.provider), settings.boolean(.paymentWeChatEnabled) {
            result.append(PaymentProviderInfo(code: WeChatPayGateway.provider, name: "微信支付 WeChat Pay", isSandbox: false))
        }
        if configured.contains(AlipayGateway.provider), settings.boolean(.paymentAlipayEnabled) {
            result.append(PaymentProviderInfo(code: AlipayGateway.provider, name: "支付宝 Alipay", isSandbox: false))
        }
        if settings.boolean(.paymentSandboxEnabled) {
            result.append(PaymentProviderInfo(code: SandboxGateway.provider, name: "沙箱支付 Sandbox (test only, no money moves)", isSandbox: true))
        }
        return result
    }

    /// The provider a new payment starts with: the sandbox when it is on, otherwise the first
    /// real provider, so a payment can never be settled through a switched-off test gateway.
    static func initialProvider(_ app: Application, settings: ResolvedSettings) -> String {
        let offered = enabledProviders(app, settings: settings)
        return offered.contains { $0.code == SandboxGateway.provider } ? SandboxGateway.provider : offered.first?.code ?? SandboxGateway.provider
    }

    /// Money arrived for a payment (a verified gateway notification or query). The first
    /// transaction pays the payment's orders; the same transaction again is a replay and changes
    /// nothing; a different transaction for a payment already paid is the shopper paying twice
    /// (two tabs, two channels), and that money goes straight back.
    func recordPaid(payment: PaymentModel, transactionId: String, provider: String? = nil, at now: Date) async throws {
        // A replay (gateways repeat their notifications) is answered from the row the caller
        // read: a payment that carries this transaction always will, so no transaction opens.
        var read = try payment.lifecycle
        if case .replay = read.pay(transactionId: transactionId) { return }
        let provider = provider ?? payment.provider
        try await (database ?? app.db).writeTransaction { db in
            // The sandbox books its transaction id when the shopper pays; real gateways leave it
            // empty until their notification arrives.
            // `PaymentLifecycle.pay` as one conditional UPDATE: a pending payment is paid by the
            // transaction it booked (the sandbox books one on its page) or, with none booked, by any.
            let claimed = try await db.sql.raw("""
                UPDATE payments SET status = \(bind: PaymentStatus.paid.rawValue), provider = \(bind: provider),
                    provider_transaction_id = \(bind: transactionId), paid_at = \(bind: now)
                WHERE id = \(bind: payment.id!) AND status = \(bind: PaymentStatus.pending.rawValue)
                  AND (provider_transaction_id IS NULL OR provider_transaction_id = \(bind: transactionId)) RETURNING id
                """).all()
            guard !claimed.isEmpty else {
                guard let current = try await PaymentModel.find(payment.id, on: db) else { return }
                var lifecycle = try current.lifecycle
                switch lifecycle.pay(transactionId: transactionId) {
                case .replay:
                    return
                case .paid:
                    throw MallError.conflict("This payment changed while it was being recorded; retry in a moment.")
                case .duplicate where lifecycle.status == .pending:
                    // The sandbox booked another transaction whose notification is still on its way.
                    throw MallError.conflict("This payment is being completed by another transaction.")
                case .duplicate:
                    try await refundDuplicate(payment: current, transactionId: transactionId, provider: provider, on: db, now: now)
                }
                return
            }
            let orders = try await OrderLocks.lockOrders(checkoutId: payment.checkoutId, on: db)
            for order in orders {
                var lifecycle = try order.lifecycle
                let effects = lifecycle.pay(reference: transactionId, at: now)
                try order.setLifecycle(lifecycle)
                if order.status == OrderStatus.paid.rawValue || order.status == OrderStatus.awaitingGroup.rawValue { order.paidAt = now }
                order.updatedAt = now
                try await order.update(on: db)
                try await OrderEffects(app: app, db: db, now: now).apply(effects, to: order, payment: payment)
            }
            // What each order owes the platform, frozen now: a later fee rule never reaches it.
            try await SettlementFees(db: db).paymentPaid(payment, provider: provider, orders: orders, at: now)
        }
    }

    /// A second transaction for one payment: refunded in full against that transaction, noted
    /// on the first order's timeline. The unique (payment, order, cause) key — the cause names
    /// the transaction — refunds each extra transaction once however often it is reported.
    private func refundDuplicate(payment: PaymentModel, transactionId: String, provider: String, on db: any Database, now: Date) async throws {
        guard let order = try await OrderLocks.lockOrders(checkoutId: payment.checkoutId, on: db).first else { return }
        let refundId = UUID()
        let inserted = try await db.sql.raw("""
            INSERT INTO refunds (id, payment_id, order_id, amount_fen, cause, status, transaction_id, provider, created_at)
            VALUES (\(bind: refundId), \(bind: payment.id!), \(bind: order.id!), \(bind: payment.amountFen),
                    \(bind: RefundCause.duplicatePayment.rawValue + ":" + transactionId), \(bind: RefundStatus.pending.rawValue), \(bind: transactionId),
                    \(bind: provider), \(bind: now))
            ON CONFLICT (payment_id, order_id, cause) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else { return }
        var lifecycle = try order.lifecycle
        _ = lifecycle.pay(reference: transactionId, at: now) // records the second payment on the timeline
        try order.setLifecycle(lifecycle)
        order.updatedAt = now
        try await order.update(on: db)
        try await app.jobs.enqueue(Self.refundJob, payload: RefundPayload(refundId: refundId), uniqueKey: "refund:\(refundId.uuidString)", on: db)
        try await NotificationOutbox(app: app, db: db).send(
            audience: .member, recipientId: payment.memberId, merchantId: order.merchantId, storeId: order.storeId,
            title: "Duplicate payment refunded",
            body: "Order \(order.number) was paid a second time (\(transactionId)); that payment is being refunded to where it came from.",
            reference: .init(type: "order", id: order.id!.uuidString), now: now)
    }

    /// Staff send a failed refund again. The failed row is kept (it is what the provider
    /// refused) and marked `retried`; a new row with its own refund number carries the retry,
    /// booked against the payment again. Only one retry runs per failed refund.
    func retry(refundId: UUID, on db: any Database, now: Date) async throws -> UUID {
        try await db.writeTransaction { tx in
            let claimed = try await tx.sql.raw("""
                UPDATE refunds SET status = \(bind: RefundStatus.retried.rawValue)
                WHERE id = \(bind: refundId) AND status IN (\(binds: RefundStatus.retried.predecessors.map(\.rawValue))) RETURNING id
                """).all()
            guard !claimed.isEmpty, let failed = try await RefundModel.find(refundId, on: tx) else {
                throw MallError.conflict("Only a failed refund can be sent again.")
            }
            let retryId = UUID()
            try await tx.sql.raw("""
                INSERT INTO refunds (id, payment_id, order_id, amount_fen, cause, status, after_sales_id, transaction_id, provider, created_at)
                VALUES (\(bind: retryId), \(bind: failed.paymentId), \(bind: failed.orderId), \(bind: failed.amountFen),
                        \(bind: failed.cause + "#retry:" + String(retryId.uuidString.prefix(8))), \(bind: RefundStatus.pending.rawValue), \(bind: failed.afterSalesId),
                        \(bind: failed.transactionId), \(bind: failed.provider), \(bind: now))
                """).run()
            if failed.transactionId == nil {
                let booked = try await tx.sql.raw("""
                    UPDATE payments SET refunded_fen = refunded_fen + \(bind: failed.amountFen),
                        status = CASE WHEN refunded_fen + \(bind: failed.amountFen) >= amount_fen THEN \(bind: PaymentStatus.refunded.rawValue)
                                  ELSE \(bind: PaymentStatus.partiallyRefunded.rawValue) END
                    WHERE id = \(bind: failed.paymentId) AND refunded_fen + \(bind: failed.amountFen) <= amount_fen RETURNING id
                    """).all()
                guard !booked.isEmpty else { throw MallError.conflict("Sending this refund again would exceed what is left of the payment.") }
            }
            try await app.jobs.enqueue(Self.refundJob, payload: RefundPayload(refundId: retryId), uniqueKey: "refund:\(retryId.uuidString)", on: tx)
            return retryId
        }
    }

    static let refundJob = "payments.refund"

    struct RefundPayload: Codable {
        let refundId: UUID
    }

    /// Books a refund of `amountFen` from one order's share of a payment, inside the caller's
    /// transaction, and queues the call to the gateway. The unique index on
    /// (payment, order, cause) keeps a repeated effect from refunding twice, and the
    /// conditional update keeps the payment's refunds from ever exceeding what was paid.
    /// Returns nil when this refund was already booked.
    @discardableResult
    func refund(order: OrderModel, payment: PaymentModel, amountFen: Int64? = nil, cause: String, afterSalesId: UUID? = nil,
                on db: any Database, now: Date) async throws -> UUID? {
        let amount = amountFen ?? order.payableFen
        guard amount > 0 else { return nil }
        let refundId = UUID()
        let inserted = try await db.sql.raw("""
            INSERT INTO refunds (id, payment_id, order_id, amount_fen, cause, status, after_sales_id, created_at)
            VALUES (\(bind: refundId), \(bind: payment.id!), \(bind: order.id!), \(bind: amount), \(bind: cause), \(bind: RefundStatus.pending.rawValue),
                    \(bind: afterSalesId), \(bind: now))
            ON CONFLICT (payment_id, order_id, cause) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else { return nil }
        let booked = try await db.sql.raw("""
            UPDATE payments SET refunded_fen = refunded_fen + \(bind: amount),
                status = CASE WHEN refunded_fen + \(bind: amount) >= amount_fen THEN \(bind: PaymentStatus.refunded.rawValue)
                              ELSE \(bind: PaymentStatus.partiallyRefunded.rawValue) END
            WHERE id = \(bind: payment.id!) AND refunded_fen + \(bind: amount) <= amount_fen RETURNING id
            """).all()
        guard !booked.isEmpty else {
            throw MallError.conflict("The refund of \(YuanText.format(fen: amount)) would exceed what is left of the payment.")
        }
        try await app.jobs.enqueue(Self.refundJob, payload: RefundPayload(refundId: refundId), uniqueKey: "refund:\(refundId.uuidString)", on: db)
        return refundId
    }

    /// The refund job: asks the payment's gateway to send the money back. A gateway that answers
    /// "processing" finishes later through its callback or the reconciliation job; an error
    /// makes the job retry with backoff.
    static func sendRefund(_ context: JobContext) async throws {
        let payload = try context.decode(RefundPayload.self)
        guard let refund = try await RefundModel.find(payload.refundId, on: context.db), refund.status == RefundStatus.pending.rawValue,
              let payment = try await PaymentModel.find(refund.paymentId, on: context.db) else { return }
        let gateway = try context.app.paymentGateways.gateway(for: refund.provider ?? payment.provider)
        // The payer reads the reason (WeChat puts it in the refund message): an after-sales
        // refund names the case the shopper opened, by the number they were shown.
        var caseNumber: String?
        if let caseId = refund.afterSalesId {
            caseNumber = try await AfterSalesCaseModel.find(caseId, on: context.db)?.number
        }
        let reason = RefundReason(cause: refund.cause, afterSalesNumber: caseNumber)
        let result: GatewayRefundOutcome
        do {
            result = try await gateway.refund(payment: payment, refund: refund, reason: reason, app: context.app, logger: context.logger)
        } catch ProviderError.rejected(let status, let code, let message) where (400..<500).contains(status) {
            // A refusal (balance short, trade too old, amount wrong) will not change on retry.
            result = GatewayRefundOutcome(state: .failed, providerRefundId: nil, message: "\(code) \(message)")
        }
        try await PaymentService(app: context.app).recordRefund(refundId: refund.id!, outcome: result, at: context.now)
    }

    /// Applies what the gateway said about a refund; safe to call again with the same outcome.
    func recordRefund(refundId: UUID, outcome: GatewayRefundOutcome, at now: Date) async throws {
        try await app.db.writeTransaction { db in
            switch outcome.state {
            case .processing:
                try await db.sql.raw("""
                    UPDATE refunds SET status = \(bind: RefundStatus.processing.rawValue), provider_refund_id = \(bind: outcome.providerRefundId)
                    WHERE id = \(bind: refundId) AND status IN (\(binds: RefundStatus.processing.predecessors.map(\.rawValue)))
                    """).run()
            case .succeeded:
                let claimed = try await db.sql.raw("""
                    UPDATE refunds SET status = \(bind: RefundStatus.succeeded.rawValue), provider_refund_id = \(bind: outcome.providerRefundId),
                        completed_at = \(bind: now)
                    WHERE id = \(bind: refundId) AND status IN (\(binds: RefundStatus.succeeded.predecessors.map(\.rawValue))) RETURNING id
                    """).all()
                guard !claimed.isEmpty, let refund = try await RefundModel.find(refundId, on: db) else { return }
                if let caseId = refund.afterSalesId {
                    try await AfterSalesService(app: app).refundSucceeded(caseId: caseId, refund: refund, on: db, now: now)
                }
            case .failed:
                // The money did not go back: give the amount back to the payment so staff can
                // retry it (POST /admin/refunds/{id}/retry). A duplicate payment's refund was
                // never counted against the payment, so there is nothing to give back there.
                let claimed = try await db.sql.raw("""
                    UPDATE refunds SET status = \(bind: RefundStatus.failed.rawValue), completed_at = \(bind: now)
                    WHERE id = \(bind: refundId) AND status IN (\(binds: RefundStatus.failed.predecessors.map(\.rawValue)))
                    RETURNING payment_id, amount_fen, transaction_id
                    """).all()
                guard let row = claimed.first, let paymentId = try? row.decode(column: "payment_id", as: UUID.self),
                      let amount = try? row.decode(column: "amount_fen", as: Int64.self) else { return }
                if (try? row.decode(column: "transaction_id", as: String?.self)) ?? nil == nil {
                    try await db.sql.raw("""
                        UPDATE payments SET refunded_fen = refunded_fen - \(bind: amount),
                            status = CASE WHEN refunded_fen - \(bind: amount) = 0 THEN \(bind: PaymentStatus.paid.rawValue)
                                          ELSE \(bind: PaymentStatus.partiallyRefunded.rawValue) END
                        WHERE id = \(bind: paymentId)
                        """).run()
                }
                try await NotificationOutbox(app: app, db: db).send(
                    audience: .headquarters, merchantId: nil, storeId: nil,
                    title: "Refund failed", body: "Refund \(refundId.uuidString) of \(YuanText.format(fen: amount)) was refused by the gateway: \(outcome.message ?? "no reason given").",
                    reference: .init(type: "refund", id: refundId.uuidString), now: now)
            }
        }
    }
}

