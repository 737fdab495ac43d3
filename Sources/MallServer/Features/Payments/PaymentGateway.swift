import NIOConcurrencyHelpers
import Fluent
import Foundation
import MallAPI
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
/// call can never charge or refund twice on the provider's side either. `logger` is the
/// caller's (the request's or the job's), so what a provider call logs carries its request or
/// job id.
protocol PaymentGateway: Sendable {
    var provider: String { get }
    /// Opens the trade with the provider and says how the shopper pays.
    func start(payment: PaymentModel, subject: String, expiresAt: Date, app: Application, logger: Logger) async throws -> GatewayPayStart
    /// Closes an unpaid trade (the shopper chose another provider); best effort.
    func close(payment: PaymentModel, app: Application, logger: Logger) async throws
    func query(payment: PaymentModel, app: Application, logger: Logger) async throws -> GatewayTradeOutcome
    /// Sends money back; `reason` is what the payer is told (see `RefundReason`).
    func refund(payment: PaymentModel, refund: RefundModel, reason: RefundReason, app: Application, logger: Logger) async throws -> GatewayRefundOutcome
    func queryRefund(payment: PaymentModel, refund: RefundModel, app: Application, logger: Logger) async throws -> GatewayRefundOutcome
}

extension PaymentModel {
    /// The merchant order number sent to providers: our payment id, 32 hex digits, within
    /// every provider's length and character limits.
    var outTradeNo: String { id!.uuidString.replacingOccurrences(of: "-", with: "") }

    static func find(outTradeNo: String, on db: any Database) async throws -> PaymentModel? {
        guard let id = UUID(compactHex: outTradeNo) else { return nil }
        return try await PaymentModel.find(id, on: db)
    }
}

extension RefundModel {
    /// The refund request number sent to providers (out_refund_no / out_request_no).
    var outRefundNo: String { id!.uuidString.replacingOccurrences(of: "-", with: "") }

    static func find(outRefundNo: String, on db: any Database) async throws -> RefundModel? {
        guard let id = UUID(compactHex: outRefundNo) else { return nil }
        return try await RefundModel.find(id, on: db)
    }
}

extension UUID {
    /// Reads the 32-hex-digit form (no dashes) used as provider reference numbers.
    init?(compactHex text: String) {
        guard text.count == 32, text.allSatisfy(\.isHexDigit) else { return nil }
        var dashed = text.uppercased()
        for index in [8, 13, 18, 23] { dashed.insert("-", at: dashed.index(dashed.startIndex, offsetBy: index)) }
        self.init(uuidString: dashed)
    }
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

extension PaymentModel {
    /// Where the shopper pays: the sandbox's hosted page, or the start endpoint that opens the
    /// trade with a real provider.
    func info(_ app: Application) -> PaymentInfo {
        PaymentInfo(id: id!, provider: provider, amountFen: amountFen, status: status,
                    payUrl: provider == SandboxGateway.provider ? SandboxPayPage.link(for: id!, app: app) : "/api/v1/payments/\(id!.uuidString)/start")
    }
}
