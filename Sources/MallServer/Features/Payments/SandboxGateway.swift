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

    /// Refunds one order's share of a payment. The sandbox refunds at once; the unique index on
    /// (payment, order, cause) keeps a repeated effect from refunding twice.
    func refund(order: OrderModel, payment: PaymentModel, cause: String, on db: any Database, now: Date) async throws {
        let inserted = try await db.sql.raw("""
            INSERT INTO refunds (id, payment_id, order_id, amount_fen, cause, status, provider_refund_id, created_at)
            VALUES (\(bind: UUID()), \(bind: payment.id!), \(bind: order.id!), \(bind: order.payableFen), \(bind: cause), 'succeeded',
                    \(bind: "SBXR" + UUID().uuidString.prefix(8)), \(bind: now))
            ON CONFLICT (payment_id, order_id, cause) DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else { return }
        try await db.sql.raw("""
            UPDATE payments SET refunded_fen = refunded_fen + \(bind: order.payableFen),
                status = CASE WHEN refunded_fen + \(bind: order.payableFen) >= amount_fen THEN 'refunded' ELSE 'partially_refunded' END
            WHERE id = \(bind: payment.id!)
            """).run()
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
