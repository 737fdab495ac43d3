import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The built-in SANDBOX payment gateway, for local use and tests only: it moves no money. It
/// behaves like a real provider in the ways that matter to us — the shopper "pays" on its side,
/// and it then sends an asynchronous notification signed with HMAC-SHA256 to our callback,
/// which must verify the signature and the amount and may receive it many times.
enum SandboxGateway {
    static let provider = "sandbox"
    static let notifyJob = "payments.sandboxNotify"
    static let signatureHeader = "X-Sandbox-Signature"

    struct NotifyPayload: Codable {
        let body: String
        let signature: String
    }

    /// The sandbox as a `PaymentGateway`: its pay page is our own endpoint, it remembers
    /// nothing the database does not, and it refunds at once.
    struct Client: PaymentGateway {
        var provider: String { SandboxGateway.provider }

        func start(payment: PaymentModel, subject: String, expiresAt: Date, app: Application) async throws -> GatewayPayStart {
            GatewayPayStart(payUrl: "/api/v1/payments/\(payment.id!.uuidString)/sandbox/complete", qrContent: nil)
        }

        func query(payment: PaymentModel, app: Application) async throws -> GatewayTradeOutcome {
            GatewayTradeOutcome(state: payment.status == "pending" ? .pending : .paid, transactionId: payment.providerTransactionId,
                                amountFen: payment.amountFen)
        }

        func refund(payment: PaymentModel, refund: RefundModel, app: Application) async throws -> GatewayRefundOutcome {
            GatewayRefundOutcome(state: .succeeded, providerRefundId: "SBXR" + refund.id!.uuidString.replacingOccurrences(of: "-", with: "").prefix(16))
        }
    }

    static func secret(_ app: Application) -> SymmetricKey {
        SymmetricKey(data: Data(app.config.sandboxPaymentSecret.utf8))
    }

    static func sign(_ body: Data, app: Application) -> String {
        SigV4Signer.hex(HMAC<SHA256>.authenticationCode(for: body, using: secret(app)))
    }

    static func verify(_ body: Data, signature: String, app: Application) -> Bool {
        SecureToken.constantTimeEquals(sign(body, app: app), signature.lowercased())
    }

    /// The shopper completed the sandbox pay page: the gateway books a transaction and queues
    /// its notification, as a real provider would call us back a moment later.
    static func completePayment(_ payment: PaymentModel, app: Application, on db: any Database, now: Date) async throws -> SandboxNotification {
        let notification = SandboxNotification(paymentId: payment.id!, transactionId: "SBX" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20),
                                               amountFen: payment.amountFen, status: "SUCCESS", paidAt: now)
        let body = try JSONEncoder.api.encode(notification)
        try await app.jobs.enqueue(notifyJob, payload: NotifyPayload(body: String(decoding: body, as: UTF8.self), signature: sign(body, app: app)), on: db)
        return notification
    }

    enum CallbackError: ProblemConvertible {
        case badSignature
        case unknownPayment
        case amountMismatch(expected: Int64, got: Int64)

        var status: HTTPResponseStatus {
            switch self {
            case .badSignature: .unauthorized
            case .unknownPayment: .notFound
            case .amountMismatch: .unprocessableEntity
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .badSignature: "The notification's signature does not verify."
            case .unknownPayment: "No such payment."
            case .amountMismatch(let expected, let got): "The notified amount \(got) does not match the payment's \(expected)."
            }
        }
    }

    /// Verifies and applies a notification. Safe to receive any number of times: only the first
    /// one moves the payment from pending to paid, in a conditional update.
    static func handle(body: Data, signature: String, app: Application, logger: Logger) async throws {
        guard verify(body, signature: signature, app: app) else {
            logger.warning("sandbox notification rejected: bad signature")
            throw CallbackError.badSignature
        }
        let notification = try JSONDecoder.api.decode(SandboxNotification.self, from: body)
        guard let payment = try await PaymentModel.find(notification.paymentId, on: app.db), payment.provider == provider else {
            throw CallbackError.unknownPayment
        }
        guard notification.amountFen == payment.amountFen, notification.status == "SUCCESS" else {
            logger.warning("sandbox notification rejected for payment \(payment.id!): amount \(notification.amountFen) vs \(payment.amountFen), status \(notification.status)")
            throw CallbackError.amountMismatch(expected: payment.amountFen, got: notification.amountFen)
        }
        try await PaymentService(app: app).recordPaid(payment: payment, transactionId: notification.transactionId, at: app.clock.now())
    }
}

/// What happens to orders when money arrives or must go back.
struct PaymentService {
    let app: Application

    func recordPaid(payment: PaymentModel, transactionId: String, at now: Date) async throws {
        try await app.db.writeTransaction { db in
            let claimed = try await db.sql.raw("""
                UPDATE payments SET status = 'paid', provider_transaction_id = \(bind: transactionId), paid_at = \(bind: now)
                WHERE id = \(bind: payment.id!) AND status = 'pending' RETURNING id
                """).all()
            guard !claimed.isEmpty else { return } // already paid by this notification: a replay
            let orders = try await OrderLocks.lockOrders(checkoutId: payment.checkoutId, on: db)
            for order in orders {
                var lifecycle = order.lifecycle
                let effects = lifecycle.pay(reference: transactionId, at: now)
                order.lifecycle = lifecycle
                if order.status == OrderStatus.paid.rawValue { order.paidAt = now }
                order.updatedAt = now
                try await order.update(on: db)
                try await OrderEffects(app: app, db: db, now: now).apply(effects, to: order, payment: payment)
            }
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
            VALUES (\(bind: refundId), \(bind: payment.id!), \(bind: order.id!), \(bind: amount), \(bind: cause), 'pending',
                    \(bind: afterSalesId), \(bind: now))
            ON CONFLICT (payment_id, order_id, cause) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else { return nil }
        let booked = try await db.sql.raw("""
            UPDATE payments SET refunded_fen = refunded_fen + \(bind: amount),
                status = CASE WHEN refunded_fen + \(bind: amount) >= amount_fen THEN 'refunded' ELSE 'partially_refunded' END
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
        guard let refund = try await RefundModel.find(payload.refundId, on: context.db), refund.status == "pending",
              let payment = try await PaymentModel.find(refund.paymentId, on: context.db) else { return }
        let gateway = try context.app.paymentGateways.gateway(for: payment.provider)
        let result = try await gateway.refund(payment: payment, refund: refund, app: context.app)
        try await PaymentService(app: context.app).recordRefund(refundId: refund.id!, outcome: result, at: context.now)
    }

    /// Applies what the gateway said about a refund; safe to call again with the same outcome.
    func recordRefund(refundId: UUID, outcome: GatewayRefundOutcome, at now: Date) async throws {
        try await app.db.writeTransaction { db in
            switch outcome.state {
            case .processing:
                try await db.sql.raw("""
                    UPDATE refunds SET status = 'processing', provider_refund_id = \(bind: outcome.providerRefundId)
                    WHERE id = \(bind: refundId) AND status = 'pending'
                    """).run()
            case .succeeded:
                let claimed = try await db.sql.raw("""
                    UPDATE refunds SET status = 'succeeded', provider_refund_id = \(bind: outcome.providerRefundId), completed_at = \(bind: now)
                    WHERE id = \(bind: refundId) AND status IN ('pending', 'processing') RETURNING id
                    """).all()
                guard !claimed.isEmpty, let refund = try await RefundModel.find(refundId, on: db) else { return }
                if let caseId = refund.afterSalesId {
                    try await AfterSalesService(app: app).refundSucceeded(caseId: caseId, refund: refund, on: db, now: now)
                }
            case .failed:
                // The money did not go back: give the amount back to the payment so staff can retry.
                let claimed = try await db.sql.raw("""
                    UPDATE refunds SET status = 'failed', completed_at = \(bind: now)
                    WHERE id = \(bind: refundId) AND status IN ('pending', 'processing') RETURNING payment_id, amount_fen
                    """).all()
                guard let row = claimed.first, let paymentId = try? row.decode(column: "payment_id", as: UUID.self),
                      let amount = try? row.decode(column: "amount_fen", as: Int64.self) else { return }
                try await db.sql.raw("""
                    UPDATE payments SET refunded_fen = refunded_fen - \(bind: amount),
                        status = CASE WHEN refunded_fen - \(bind: amount) = 0 THEN 'paid' ELSE 'partially_refunded' END
                    WHERE id = \(bind: paymentId)
                    """).run()
                try await NotificationOutbox(app: app, db: db).send(
                    audience: .headquarters, merchantId: nil, storeId: nil,
                    title: "退款失败 Refund failed", body: "Refund \(refundId.uuidString) of \(YuanText.format(fen: amount)) was refused by the gateway: \(outcome.message ?? "no reason given").",
                    reference: .init(type: "refund", id: refundId.uuidString), now: now)
            }
        }
    }
}

enum OrderLocks {
    /// A checkout's orders, locked on PostgreSQL so a payment and the expiry job cannot both
    /// act on the same order (SQLite's write transaction already serialises them).
    static func lockOrders(checkoutId: UUID, on db: any Database) async throws -> [OrderModel] {
        if db.isPostgres {
            _ = try await db.sql.raw("SELECT id FROM orders WHERE checkout_id = \(bind: checkoutId) ORDER BY id FOR UPDATE").all()
        }
        return try await OrderModel.query(on: db).filter(\.$checkoutId == checkoutId).sort(\.$number).all()
    }
}

extension PaymentModel {
    var info: PaymentInfo {
        PaymentInfo(id: id!, provider: provider, amountFen: amountFen, status: status, payUrl: "/api/v1/payments/\(id!.uuidString)/sandbox/complete")
    }
}
