import Fluent
import Foundation
import MallCore
import Vapor

/// Sends provider API calls with Vapor's HTTP client.
struct VaporProviderTransport: ProviderHTTPTransport {
    let client: any Client

    func send(_ request: ProviderHTTPRequest) async throws -> ProviderHTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        let response = try await client.send(HTTPMethod(rawValue: request.method), headers: headers, to: URI(string: request.url.absoluteString)) { outgoing in
            if let body = request.body { outgoing.body = ByteBuffer(data: body) }
        }
        return ProviderHTTPResponse(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                                    body: response.body.map { Data(buffer: $0) } ?? Data())
    }
}

extension Application {
    private struct ProviderTransportKey: StorageKey {
        typealias Value = any ProviderHTTPTransport
    }

    /// How provider API calls leave the process; tests put a fake provider here.
    var providerTransport: any ProviderHTTPTransport {
        get { storage[ProviderTransportKey.self] ?? VaporProviderTransport(client: client) }
        set { storage[ProviderTransportKey.self] = newValue }
    }
}

extension GatewayRefundOutcome {
    init(_ result: ProviderRefundResult) {
        switch result.state {
        case .processing: self.init(state: .processing, providerRefundId: result.refundId)
        case .succeeded: self.init(state: .succeeded, providerRefundId: result.refundId)
        case .failed: self.init(state: .failed, providerRefundId: result.refundId, message: result.providerState)
        }
    }
}

extension GatewayTradeOutcome {
    init(_ status: ProviderTradeStatus) {
        switch status.state {
        case .paid, .refunded: self.init(state: .paid, transactionId: status.transactionId, amountFen: status.amountFen)
        case .closed, .failed: self.init(state: .closed, transactionId: status.transactionId, amountFen: status.amountFen)
        case .pending: self.init(state: .pending, transactionId: nil, amountFen: status.amountFen)
        }
    }
}

/// One call to a real provider, named for the log. An answer that fails verification (bad
/// signature, unknown signing key, stale timestamp, another merchant's data) or cannot be read
/// is logged here with the provider and the reason: the shopper only sees a 502 and the job
/// only retries, and this warning is how an operator notices a wrong platform key, a clock out
/// of step or someone in between. Refusals the provider signed (`rejected`) are ordinary
/// business answers and are left to the caller.
func providerCall<T>(_ provider: String, _ operation: String, logger: Logger, _ call: () async throws -> T) async throws -> T {
    do {
        return try await call()
    } catch let error as ProviderError {
        let metadata: Logger.Metadata = ["provider": .string(provider), "operation": .string(operation), "reason": .string(error.description)]
        if error.isVerificationFailure {
            logger.warning("payment provider \(provider): answer to \(operation) failed verification: \(error.description)", metadata: metadata)
        } else if case .malformed = error {
            logger.warning("payment provider \(provider): answer to \(operation) could not be read: \(error.description)", metadata: metadata)
        }
        throw error
    }
}

/// WeChat Pay API v3, Native (QR code) payments: the shopper scans `code_url` with WeChat.
struct WeChatPayGateway: PaymentGateway {
    static let provider = "wechat"
    /// 申请退款 `reason`: string(80).
    static let refundReasonLimit = 80
    let config: WeChatPayV3Config

    var provider: String { Self.provider }

    func client(_ app: Application) throws -> WeChatPayV3Client {
        let clock = app.clock
        return try WeChatPayV3Client(config: config, transport: app.providerTransport, clock: { clock.now() })
    }

    func start(payment: PaymentModel, subject: String, expiresAt: Date, app: Application, logger: Logger) async throws -> GatewayPayStart {
        let code = try await providerCall(provider, "Native下单", logger: logger) {
            try await client(app).createNativeOrder(outTradeNo: payment.outTradeNo, description: String(subject.prefix(120)),
                                                    amountFen: payment.amountFen, expiresAt: expiresAt)
        }
        return GatewayPayStart(payUrl: nil, qrContent: code)
    }

    func close(payment: PaymentModel, app: Application, logger: Logger) async throws {
        try await providerCall(provider, "关闭订单", logger: logger) { try await client(app).closeOrder(outTradeNo: payment.outTradeNo) }
    }

    func query(payment: PaymentModel, app: Application, logger: Logger) async throws -> GatewayTradeOutcome {
        do {
            return GatewayTradeOutcome(try await providerCall(provider, "查询订单", logger: logger) {
                try await client(app).queryOrder(outTradeNo: payment.outTradeNo)
            })
        } catch ProviderError.rejected(_, "ORDER_NOT_EXIST", _) {
            return GatewayTradeOutcome(state: .pending, transactionId: nil, amountFen: nil)
        }
    }

    func refund(payment: PaymentModel, refund: RefundModel, reason: RefundReason, app: Application, logger: Logger) async throws -> GatewayRefundOutcome {
        GatewayRefundOutcome(try await providerCall(provider, "申请退款", logger: logger) {
            try await client(app).refund(outTradeNo: payment.outTradeNo, outRefundNo: refund.outRefundNo, amountFen: refund.amountFen,
                                         totalFen: payment.amountFen, reason: reason.text(limit: Self.refundReasonLimit))
        })
    }

    func queryRefund(payment: PaymentModel, refund: RefundModel, app: Application, logger: Logger) async throws -> GatewayRefundOutcome {
        GatewayRefundOutcome(try await providerCall(provider, "查询单笔退款", logger: logger) {
            try await client(app).queryRefund(outRefundNo: refund.outRefundNo)
        })
    }
}

/// Alipay, computer-website payment (alipay.trade.page.pay): the shopper is sent to Alipay's
/// cashier page.
struct AlipayGateway: PaymentGateway {
    static let provider = "alipay"
    /// alipay.trade.refund `refund_reason`: String(256).
    static let refundReasonLimit = 256
    let config: AlipayConfig

    var provider: String { Self.provider }

    func client(_ app: Application) throws -> AlipayClient {
        let clock = app.clock
        return try AlipayClient(config: config, transport: app.providerTransport, clock: { clock.now() })
    }

    func start(payment: PaymentModel, subject: String, expiresAt: Date, app: Application, logger: Logger) async throws -> GatewayPayStart {
        // Signed locally: no answer to verify.
        let url = try client(app).pagePayURL(outTradeNo: payment.outTradeNo, amountFen: payment.amountFen, subject: String(subject.prefix(120)),
                                             expiresAt: expiresAt)
        return GatewayPayStart(payUrl: url.absoluteString, qrContent: nil)
    }

    func close(payment: PaymentModel, app: Application, logger: Logger) async throws {
        try await providerCall(provider, "alipay.trade.close", logger: logger) { try await client(app).closeTrade(outTradeNo: payment.outTradeNo) }
    }

    func query(payment: PaymentModel, app: Application, logger: Logger) async throws -> GatewayTradeOutcome {
        do {
            return GatewayTradeOutcome(try await providerCall(provider, "alipay.trade.query", logger: logger) {
                try await client(app).queryTrade(outTradeNo: payment.outTradeNo)
            })
        } catch ProviderError.rejected(_, "ACQ.TRADE_NOT_EXIST", _) {
            // The shopper has not opened the cashier yet.
            return GatewayTradeOutcome(state: .pending, transactionId: nil, amountFen: nil)
        }
    }

    func refund(payment: PaymentModel, refund: RefundModel, reason: RefundReason, app: Application, logger: Logger) async throws -> GatewayRefundOutcome {
        GatewayRefundOutcome(try await providerCall(provider, "alipay.trade.refund", logger: logger) {
            try await client(app).refund(outTradeNo: payment.outTradeNo, outRequestNo: refund.outRefundNo,
                                         amountFen: refund.amountFen, reason: reason.text(limit: Self.refundReasonLimit))
        })
    }

    func queryRefund(payment: PaymentModel, refund: RefundModel, app: Application, logger: Logger) async throws -> GatewayRefundOutcome {
        GatewayRefundOutcome(try await providerCall(provider, "alipay.trade.fastpay.refund.query", logger: logger) {
            try await client(app).queryRefund(outTradeNo: payment.outTradeNo, outRequestNo: refund.outRefundNo)
        })
    }
}

/// A provider that refuses or garbles a call is a bad gateway from the shopper's side.
extension ProviderError: ProblemConvertible {
    var status: HTTPResponseStatus {
        switch self {
        case .invalidConfiguration: .internalServerError
        default: .badGateway
        }
    }

    var title: String { status.reasonPhrase }

    var detail: String? {
        switch self {
        case .rejected(_, let code, let message): "The payment provider refused the request: \(code) \(message)"
        default: "The payment provider's answer could not be used; try again or choose another way to pay."
        }
    }
}

/// The reconciliation job: asks the providers about payments still pending after a minute
/// (a lost notification must not leave a paid order unpaid) and about refunds still
/// processing, and records what they say.
enum PaymentReconciliation {
    static let job = "payments.reconcile"

    static func run(_ context: JobContext) async throws {
        let app = context.app
        let now = context.now
        let service = PaymentService(app: app)
        // Payments still open: within the payment window plus an hour for late notifications,
        // newest first so a backlog never hides the payments shoppers are waiting on.
        let settings = try await SettingsService.resolved(on: context.db)
        let window = TimeInterval(settings.integer(.unpaidOrderTimeoutMinutes) * 60 + 3_600)
        let real = app.paymentGateways.providers.filter { $0 != SandboxGateway.provider }
        guard !real.isEmpty else { return try await reconcileRefunds(context) }
        let pending = try await PaymentModel.query(on: context.db).filter(\.$status == PaymentStatus.pending.rawValue)
            .filter(\.$createdAt < now.addingTimeInterval(-60)).filter(\.$createdAt > now.addingTimeInterval(-window))
            .sort(\.$createdAt, .descending).limit(500).all()
        for payment in pending {
            // The shopper may have started at several providers (switching does not close the
            // others), so each configured one is asked.
            for provider in real {
                do {
                    let outcome = try await app.paymentGateways.gateway(for: provider).query(payment: payment, app: app, logger: context.logger)
                    guard outcome.state == .paid, let transactionId = outcome.transactionId else { continue }
                    guard outcome.amountFen == payment.amountFen else {
                        context.logger.warning("reconciliation: payment \(payment.id!) paid \(outcome.amountFen ?? -1) at \(provider), expected \(payment.amountFen); left for staff")
                        continue
                    }
                    try await service.recordPaid(payment: payment, transactionId: transactionId, provider: provider, at: now)
                } catch {
                    // One provider being down must not stop the others from being reconciled.
                    context.logger.warning("reconciliation: query of payment \(payment.id!) at \(provider) failed: \(error)")
                }
            }
        }
        try await reconcileRefunds(context)
    }

    private static func reconcileRefunds(_ context: JobContext) async throws {
        let app = context.app
        let now = context.now
        let service = PaymentService(app: app)
        let processing = try await RefundModel.query(on: context.db).filter(\.$status == RefundStatus.processing.rawValue).sort(\.$createdAt).limit(500).all()
        for refund in processing {
            do {
                guard let payment = try await PaymentModel.find(refund.paymentId, on: context.db) else { continue }
                let gateway = try app.paymentGateways.gateway(for: refund.provider ?? payment.provider)
                let outcome = try await gateway.queryRefund(payment: payment, refund: refund, app: app, logger: context.logger)
                guard outcome.state != .processing else { continue }
                try await service.recordRefund(refundId: refund.id!, outcome: outcome, at: now)
            } catch {
                context.logger.warning("reconciliation: query of refund \(refund.id!) failed: \(error)")
            }
        }
    }
}
