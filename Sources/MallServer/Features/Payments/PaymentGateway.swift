import NIOConcurrencyHelpers
import Foundation
import MallCore
import Vapor

/// What a gateway said about a refund.
struct GatewayRefundOutcome: Sendable, Equatable {
    enum State: Sendable, Equatable { case processing, succeeded, failed }
    var state: State
    var providerRefundId: String?
    var message: String?
}

/// What a gateway says about a payment when asked (the reconciliation job).
struct GatewayTradeOutcome: Sendable, Equatable {
    enum State: Sendable, Equatable { case pending, paid, closed }
    var state: State
    var transactionId: String?
    var amountFen: Int64?
}

/// How the shopper pays: a page to open, or a QR code (WeChat Native) to scan.
struct GatewayPayStart: Sendable, Equatable {
    var payUrl: String?
    var qrContent: String?
}

/// One payment provider. Payments and refunds are keyed by our own ids (the payment id is the
/// provider's merchant order number, the refund id its refund request number), so a retried
/// call can never charge or refund twice on the provider's side either.
protocol PaymentGateway: Sendable {
    var provider: String { get }
    func start(payment: PaymentModel, subject: String, expiresAt: Date, app: Application) async throws -> GatewayPayStart
    func query(payment: PaymentModel, app: Application) async throws -> GatewayTradeOutcome
    func refund(payment: PaymentModel, refund: RefundModel, app: Application) async throws -> GatewayRefundOutcome
}

/// The gateways this installation can use; the sandbox is always there, real providers only
/// when configured.
final class PaymentGateways: @unchecked Sendable {
    private let lock = NIOLock()
    private var gateways: [String: any PaymentGateway] = [:]

    func register(_ gateway: any PaymentGateway) {
        lock.withLock { gateways[gateway.provider] = gateway }
    }

    func gateway(for provider: String) throws -> any PaymentGateway {
        guard let gateway = lock.withLock({ gateways[provider] }) else {
            throw MallError.badRequest("The payment provider \(provider) is not enabled.")
        }
        return gateway
    }

    var providers: [String] { lock.withLock { gateways.keys.sorted() } }
}

extension Application {
    private struct PaymentGatewaysKey: StorageKey {
        typealias Value = PaymentGateways
    }

    var paymentGateways: PaymentGateways {
        if let existing = storage[PaymentGatewaysKey.self] { return existing }
        let created = PaymentGateways()
        created.register(SandboxGateway.Client())
        storage[PaymentGatewaysKey.self] = created
        return created
    }
}
