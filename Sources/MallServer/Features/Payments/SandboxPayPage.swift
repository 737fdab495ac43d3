import Crypto
import Fluent
import Foundation
import MallCore
import Vapor

/// The SANDBOX gateway's hosted pay page (test gateway only: no money moves). Like a real
/// provider's cashier it lives outside our API and knows the payment only from a signed link,
/// so the page works in any browser without the shop's session; paying books one transaction
/// and the gateway then calls back `/api/v1/payments/sandbox/notify`.
struct SandboxPayPage: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let page = routes.grouped("sandbox", "pay", ":paymentId")
        page.get(use: show)
        page.post(use: pay)
    }

    static func link(for paymentId: UUID, app: Application) -> String {
        "/sandbox/pay/\(paymentId.uuidString)?sig=\(signature(paymentId, app: app))"
    }

    static func signature(_ paymentId: UUID, app: Application) -> String {
        SigV4Signer.hex(HMAC<SHA256>.authenticationCode(for: Data(("pay-page:" + paymentId.uuidString).utf8), using: SandboxGateway.secret(app)))
    }

    func show(req: Request) async throws -> Response {
        let (payment, sig) = try await verified(req, signature: req.query[String.self, at: "sig"])
        return try await page(req, payment, sig: sig, message: nil)
    }

    func pay(req: Request) async throws -> Response {
        struct Form: Decodable { var sig: String? }
        let form = try req.content.decode(Form.self)
        let (payment, sig) = try await verified(req, signature: form.sig)
        var message = "支付成功，请返回商城查看订单。Paid — return to the shop to see your order."
        if payment.status == PaymentStatus.pending.rawValue {
            do {
                _ = try await SandboxGateway.completePayment(payment, app: req.application, on: req.db, now: req.now)
            } catch let error as MallError {
                message = error.detail ?? "This payment has already been submitted."
            }
        } else {
            message = "这笔付款已是 \(payment.status) 状态。This payment is already \(payment.status)."
        }
        return try await page(req, try await PaymentModel.find(payment.id, on: req.db) ?? payment, sig: sig, message: message)
    }

    private func verified(_ req: Request, signature: String?) async throws -> (PaymentModel, String) {
        guard let id = req.parameters.get("paymentId", as: UUID.self), let signature,
              SecureToken.constantTimeEquals(Self.signature(id, app: req.application), signature.lowercased()),
              let payment = try await PaymentModel.find(id, on: req.db) else {
            throw MallError.notFound("No such sandbox payment link.")
        }
        guard payment.provider == SandboxGateway.provider else { throw MallError.conflict("This payment is not a sandbox payment.") }
        try await SandboxGateway.requireEnabled(on: req.db)
        return (payment, signature)
    }

    private func page(_ req: Request, _ payment: PaymentModel, sig: String, message: String?) async throws -> Response {
        func e(_ text: String) -> String { HTMLSanitizer.escape(text) }
        let settings = try await SettingsService.resolved(on: req.db)
        let orders = try await OrderModel.query(on: req.db).filter(\.$checkoutId == payment.checkoutId).sort(\.$number).all()
        let pending = payment.status == PaymentStatus.pending.rawValue && payment.providerTransactionId == nil
        var html = """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>沙箱支付 Sandbox payment</title><style>
            body { font: 16px/1.5 system-ui, "Noto Sans CJK SC", sans-serif; background: #f4f5f7; margin: 0; color: #1d2129; }
            main { max-width: 420px; margin: 40px auto; background: #fff; border-radius: 12px; padding: 24px; box-shadow: 0 2px 12px #0001; }
            .badge { display: inline-block; background: #fff3cd; color: #7a5b00; border: 1px solid #e6c200; border-radius: 6px; padding: 2px 8px; font-size: 13px; }
            .amount { font-size: 36px; font-weight: 700; margin: 12px 0; } .orders { color: #4e5969; font-size: 14px; }
            button { width: 100%; padding: 12px; font-size: 18px; border: 0; border-radius: 8px; background: #07c160; color: #fff; cursor: pointer; }
            .message { background: #e8f7ee; border-radius: 8px; padding: 10px; margin-top: 12px; }
            </style></head><body><main>
            <span class="badge">SANDBOX 测试网关 · 不产生真实扣款 · no real money moves</span>
            <h1>\(e(settings.string(.shopName)))</h1>
            <div class="amount">¥\(YuanText.format(fen: payment.amountFen))</div>
            <div class="orders">订单 Orders: \(e(orders.map(\.number).joined(separator: ", ")))</div>
            """
        if let message { html += "<p class=\"message\" role=\"status\">\(e(message))</p>" }
        if !pending, let first = orders.first {
            // Like a provider's return_url: back to the shop's page for the order.
            html += "<p><a id=\"return-to-shop\" href=\"/orders/\(first.id!.uuidString)\">返回商城查看订单 · Back to my order</a></p>"
        }
        if pending {
            html += """
                <form method="post" action="/sandbox/pay/\(payment.id!.uuidString)">
                <input type="hidden" name="sig" value="\(e(sig))"><p><button type="submit">确认支付 Pay ¥\(YuanText.format(fen: payment.amountFen))</button></p></form>
                """
        }
        html += "</main></body></html>\n"
        let response = Response(status: .ok, body: .init(string: html))
        response.headers.contentType = .html
        // The page runs no script; it posts only to itself.
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
        return response
    }
}
