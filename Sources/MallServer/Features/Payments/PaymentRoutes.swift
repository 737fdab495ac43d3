import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Shopper-side payment steps and the gateways' callbacks.
struct PaymentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let payments = routes.grouped("payments")
        payments.get("providers", use: providers)
        let owned = payments.grouped(RequirePrincipalMiddleware.member)
        owned.get(":paymentId", use: show)
        owned.post(":paymentId", "start", use: start)
        owned.post(":paymentId", "sandbox", "complete", use: completeSandbox)
        payments.on(.POST, "sandbox", "notify", body: .collect(maxSize: "64kb"), use: sandboxNotify)
        payments.on(.POST, "wechat", "notify", body: .collect(maxSize: "64kb"), use: weChatNotify)
        payments.on(.POST, "alipay", "notify", body: .collect(maxSize: "64kb"), use: alipayNotify)
    }

    /// The providers a shopper can choose: configured, and switched on in settings.
    func providers(req: Request) async throws -> [PaymentProviderInfo] {
        try await PaymentService.enabledProviders(req.application, on: req.db)
    }

    /// Opens the trade with the chosen provider. Switching provider closes the previous
    /// provider's trade first (best effort), so one payment is open at one provider at a time.
    func start(req: Request) async throws -> PaymentStart {
        let payment = try await owned(req)
        let input = try req.content.decode(PaymentStartInput.self)
        guard try await PaymentService.enabledProviders(req.application, on: req.db).contains(where: { $0.code == input.provider }) else {
            throw ValidationFailure(field: "provider", message: "is not an enabled payment provider")
        }
        guard payment.status == PaymentStatus.pending.rawValue else { throw MallError.conflict("This payment is already \(payment.status).") }
        let orders = try await OrderModel.query(on: req.db).filter(\.$checkoutId == payment.checkoutId).sort(\.$number).all()
        guard orders.contains(where: { $0.status == OrderStatus.pendingPayment.rawValue }) else {
            throw MallError.conflict("The orders of this payment are no longer waiting for payment.")
        }
        let gateways = req.application.paymentGateways
        if payment.provider != input.provider {
            // The other provider's trade stays open until its own expiry rather than being
            // closed: closing would keep the shopper from coming back to it (providers refuse
            // a closed merchant order number), and money paid there anyway is still recorded
            // (reconciliation asks every provider) and, if it is a second payment, refunded.
            // A sandbox submission still on its way is abandoned with the switch.
            let switched = try await req.db.sql.raw("""
                UPDATE payments SET provider = \(bind: input.provider), provider_transaction_id = NULL
                WHERE id = \(bind: payment.id!) AND status = \(bind: PaymentStatus.pending.rawValue) RETURNING id
                """).all()
            guard !switched.isEmpty else { throw MallError.conflict("This payment was completed meanwhile.") }
            payment.provider = input.provider
            payment.providerTransactionId = nil
        }
        let settings = try await SettingsService.resolved(on: req.db)
        let subject = "\(settings.string(.shopName)) 订单 " + orders.map(\.number).joined(separator: ",")
        let expiresAt = orders.map(\.paymentDueAt).min() ?? req.now.addingTimeInterval(1_800)
        let gateway = try gateways.gateway(for: input.provider)
        let started = try await gateway.start(payment: payment, subject: subject, expiresAt: expiresAt, app: req.application, logger: req.logger)
        let svg = try started.qrContent.map { try QRCode.encode($0).svg(moduleSize: 4, quietZone: 4) }
        return PaymentStart(payment: payment.info(req.application), payUrl: started.payUrl ?? (input.provider == SandboxGateway.provider ? payment.info(req.application).payUrl : nil),
                            qrContent: started.qrContent, qrSvg: svg)
    }

    /// WeChat Pay's payment and refund notifications (支付通知 / 退款结果通知): verified with the
    /// platform key, decrypted with the APIv3 key. WeChat wants 200/204 on success and a 4XX/5XX
    /// with `{"code":"FAIL","message":…}` otherwise, and re-sends until it gets a 2xx. Failure
    /// answers never say why (the caller is not authenticated until verified); the log does.
    func weChatNotify(req: Request) async throws -> Response {
        func reply(_ answer: WeChatPayCallbackReply) -> Response {
            let response = Response(status: HTTPResponseStatus(statusCode: answer.status))
            if !answer.body.isEmpty {
                response.body = .init(data: answer.body)
                response.headers.replaceOrAdd(name: .contentType, value: answer.contentType ?? "application/json")
            }
            return response
        }
        guard let gateway = try? req.application.paymentGateways.gateway(for: WeChatPayGateway.provider) as? WeChatPayGateway else {
            throw MallError.notFound("WeChat Pay is not configured.")
        }
        let body = req.body.data.map { Data(buffer: $0) } ?? Data()
        let headers = req.headers.map { ($0.name, $0.value) }
        let app = req.application
        do {
            let wechat = try WeChatPayV3(config: gateway.config)
            let envelope = (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
            if (envelope["event_type"] as? String)?.hasPrefix("REFUND.") == true {
                let notification = try wechat.refundNotification(headers: headers, body: body, now: req.now)
                guard let refund = try await RefundModel.find(outRefundNo: notification.resource.result.outRefundNo, on: req.db) else {
                    req.logger.warning("wechat refund notification for unknown refund \(notification.resource.result.outRefundNo)")
                    return reply(.refused(status: 404))
                }
                try await PaymentService(app: app).recordRefund(refundId: refund.id!, outcome: GatewayRefundOutcome(notification.resource.result), at: req.now)
                return reply(.success)
            }
            let notification = try wechat.paymentNotification(headers: headers, body: body, now: req.now)
            let trade = notification.resource.status
            guard trade.state == .paid, let transactionId = trade.transactionId else { return reply(.success) }
            guard let payment = try await PaymentModel.find(outTradeNo: trade.outTradeNo, on: req.db) else {
                req.logger.warning("wechat notification for unknown payment \(trade.outTradeNo)")
                return reply(.refused(status: 404))
            }
            guard trade.amountFen == payment.amountFen else {
                req.logger.warning("wechat notification refused for payment \(payment.id!): amount \(trade.amountFen) vs \(payment.amountFen)")
                return reply(.refused(status: 400))
            }
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: transactionId, provider: WeChatPayGateway.provider, at: req.now)
            return reply(.success)
        } catch let error as ProviderError {
            req.logger.warning("payment provider wechat: notification refused: \(error.description)",
                               metadata: ["provider": "wechat", "reason": .string(error.description)])
            return reply(.refused(status: 401))
        } catch {
            // Our side failed (the database, a race with another notification): WeChat sends
            // the notification again later, so answer FAIL rather than a problem document.
            req.logger.error("payment provider wechat: notification not recorded: \(String(reflecting: error))", metadata: ["provider": "wechat"])
            return reply(.refused(status: 500))
        }
    }

    /// Alipay's asynchronous notification (异步通知): a signed form. Alipay stops re-sending once
    /// the body is exactly `success`; anything else (we answer `failure`, never a reason) makes it
    /// try again later.
    func alipayNotify(req: Request) async throws -> Response {
        func reply(_ answer: AlipayNotificationReply, status: HTTPResponseStatus = .ok) -> Response {
            let response = Response(status: status, body: .init(data: answer.body))
            response.headers.replaceOrAdd(name: .contentType, value: answer.contentType)
            return response
        }
        guard let gateway = try? req.application.paymentGateways.gateway(for: AlipayGateway.provider) as? AlipayGateway else {
            throw MallError.notFound("Alipay is not configured.")
        }
        let body = req.body.data.map { Data(buffer: $0) } ?? Data()
        let app = req.application
        do {
            let notification = try Alipay(config: gateway.config).verifyNotification(body: body)
            guard let payment = try await PaymentModel.find(outTradeNo: notification.outTradeNo, on: req.db) else {
                req.logger.warning("alipay notification for unknown payment \(notification.outTradeNo)")
                return reply(.failure, status: .notFound)
            }
            // A refund is reported as a trade notification naming the refund request.
            if let requestNo = notification.outBizNo, (notification.refundFeeFen ?? 0) > 0,
               let refund = try await RefundModel.find(outRefundNo: requestNo, on: req.db) {
                try await PaymentService(app: app).recordRefund(refundId: refund.id!, outcome: GatewayRefundOutcome(state: .succeeded, providerRefundId: notification.tradeNo), at: req.now)
                return reply(.success)
            }
            guard notification.status.state == .paid else { return reply(.success) }
            guard notification.totalAmountFen == payment.amountFen else {
                req.logger.warning("alipay notification refused for payment \(payment.id!): amount \(notification.totalAmountFen) vs \(payment.amountFen)")
                return reply(.failure, status: .badRequest)
            }
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: notification.tradeNo, provider: AlipayGateway.provider, at: req.now)
            return reply(.success)
        } catch let error as ProviderError {
            req.logger.warning("payment provider alipay: notification refused: \(error.description)",
                               metadata: ["provider": "alipay", "reason": .string(error.description)])
            return reply(.failure, status: .unauthorized)
        } catch {
            // Our side failed: Alipay retries anything but `success`, so say only that.
            req.logger.error("payment provider alipay: notification not recorded: \(String(reflecting: error))", metadata: ["provider": "alipay"])
            return reply(.failure, status: .internalServerError)
        }
    }

    func show(req: Request) async throws -> PaymentInfo {
        try await owned(req).info(req.application)
    }

    /// The sandbox's hosted pay page, reduced to its one action. Sandbox only: no money moves.
    func completeSandbox(req: Request) async throws -> PaymentInfo {
        let payment = try await owned(req)
        guard payment.provider == SandboxGateway.provider else { throw MallError.badRequest("This payment is not a sandbox payment.") }
        try await SandboxGateway.requireEnabled(on: req.db)
        guard payment.status == PaymentStatus.pending.rawValue else { throw MallError.conflict("This payment is already \(payment.status).") }
        _ = try await SandboxGateway.completePayment(payment, app: req.application, on: req.db, now: req.now)
        return payment.info(req.application)
    }

    /// Called by the sandbox gateway (and by replays of it). Answers 200 once the notification
    /// is recorded, however many times it arrives.
    func sandboxNotify(req: Request) async throws -> Response {
        guard let body = req.body.data, let signature = req.headers.first(name: SandboxGateway.signatureHeader) else {
            throw SandboxGateway.CallbackError.badSignature
        }
        try await SandboxGateway.handle(body: Data(buffer: body), signature: signature, app: req.application, db: req.db, logger: req.logger)
        return try Response.json(["code": "SUCCESS"])
    }

    private func owned(_ req: Request) async throws -> PaymentModel {
        let member = try req.requireMember()
        guard let id = req.parameters.get("paymentId", as: UUID.self), let payment = try await PaymentModel.find(id, on: req.db),
              payment.memberId == member.memberId else { throw MallError.notFound("No such payment.") }
        return payment
    }
}
