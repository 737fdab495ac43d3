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

        func start(payment: PaymentModel, subject: String, expiresAt: Date, app: Application, logger: Logger) async throws -> GatewayPayStart {
            GatewayPayStart(payUrl: SandboxPayPage.link(for: payment.id!, app: app), qrContent: nil)
        }

        func query(payment: PaymentModel, app: Application, logger: Logger) async throws -> GatewayTradeOutcome {
            GatewayTradeOutcome(state: payment.status == PaymentStatus.pending.rawValue ? .pending : .paid, transactionId: payment.providerTransactionId,
                                amountFen: payment.amountFen)
        }

        func close(payment: PaymentModel, app: Application, logger: Logger) async throws {}

        func refund(payment: PaymentModel, refund: RefundModel, reason: RefundReason, app: Application, logger: Logger) async throws -> GatewayRefundOutcome {
            GatewayRefundOutcome(state: .succeeded, providerRefundId: "SBXR" + refund.outRefundNo.prefix(16))
        }

        func queryRefund(payment: PaymentModel, refund: RefundModel, app: Application, logger: Logger) async throws -> GatewayRefundOutcome {
            GatewayRefundOutcome(state: .succeeded, providerRefundId: refund.providerRefundId)
        }
    }

    /// The sandbox takes no money, so where it is switched off (production) nothing may be paid
    /// through it: not its page, not its API, not its notifications.
    static func requireEnabled(on db: any Database) async throws {
        guard try await SettingsService.resolved(on: db).boolean(.paymentSandboxEnabled) else {
            throw MallError.forbidden("The sandbox payment gateway is switched off (setting payments.sandboxEnabled).")
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
    /// A double click books one transaction only: the second finds the payment's transaction
    /// already taken and is refused.
    static func completePayment(_ payment: PaymentModel, app: Application, on db: any Database, now: Date) async throws -> SandboxNotification {
        let notification = SandboxNotification(paymentId: payment.id!, transactionId: "SBX" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(20),
                                               amountFen: payment.amountFen, status: "SUCCESS", paidAt: now)
        let body = try JSONEncoder.api.encode(notification)
        try await db.writeTransaction { tx in
            let booked = try await tx.sql.raw("""
                UPDATE payments SET provider_transaction_id = \(bind: notification.transactionId)
                WHERE id = \(bind: payment.id!) AND status = \(bind: PaymentStatus.pending.rawValue) AND provider_transaction_id IS NULL RETURNING id
                """).all()
            guard !booked.isEmpty else { throw MallError.conflict("This payment has already been submitted.") }
            try await app.jobs.enqueue(notifyJob, payload: NotifyPayload(body: String(decoding: body, as: UTF8.self), signature: sign(body, app: app)), on: tx)
        }
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
    static func handle(body: Data, signature: String, app: Application, db: any Database, logger: Logger) async throws {
        guard verify(body, signature: signature, app: app) else {
            logger.warning("sandbox notification rejected: bad signature")
            throw CallbackError.badSignature
        }
        try await requireEnabled(on: db)
        let notification = try JSONDecoder.api.decode(SandboxNotification.self, from: body)
        guard let payment = try await PaymentModel.find(notification.paymentId, on: db) else { throw CallbackError.unknownPayment }
        guard payment.provider == provider else {
            // The shopper switched to a real provider before this submission landed: it moved
            // no money, so it is dropped.
            logger.info("sandbox notification for payment \(payment.id!) dropped: the payment moved to \(payment.provider)")
            return
        }
        guard notification.amountFen == payment.amountFen, notification.status == "SUCCESS" else {
            logger.warning("sandbox notification rejected for payment \(payment.id!): amount \(notification.amountFen) vs \(payment.amountFen), status \(notification.status)")
            throw CallbackError.amountMismatch(expected: payment.amountFen, got: notification.amountFen)
        }
        try await PaymentService(app: app, database: db).recordPaid(payment: payment, transactionId: notification.transactionId, at: app.clock.now())
    }
}
