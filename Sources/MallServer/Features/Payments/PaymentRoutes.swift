import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Shopper-side payment steps and the gateways' callbacks.
struct PaymentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let payments = routes.grouped("payments")
        payments.get(":paymentId", use: show)
        payments.post(":paymentId", "sandbox", "complete", use: completeSandbox)
        payments.on(.POST, "sandbox", "notify", body: .collect(maxSize: "64kb"), use: sandboxNotify)
    }

    func show(req: Request) async throws -> PaymentInfo {
        try await owned(req).info
    }

    /// The sandbox's hosted pay page, reduced to its one action. Sandbox only: no money moves.
    func completeSandbox(req: Request) async throws -> PaymentInfo {
        let payment = try await owned(req)
        guard payment.provider == SandboxGateway.provider else { throw MallError.badRequest("This payment is not a sandbox payment.") }
        guard payment.status == "pending" else { throw MallError.conflict("This payment is already \(payment.status).") }
        _ = try await SandboxGateway.completePayment(payment, app: req.application, on: req.db, now: req.now)
        return payment.info
    }

    /// Called by the sandbox gateway (and by replays of it). Answers 200 once the notification
    /// is recorded, however many times it arrives.
    func sandboxNotify(req: Request) async throws -> Response {
        guard let body = req.body.data, let signature = req.headers.first(name: SandboxGateway.signatureHeader) else {
            throw SandboxGateway.CallbackError.badSignature
        }
        try await SandboxGateway.handle(body: Data(buffer: body), signature: signature, app: req.application, logger: req.logger)
        return try Response.json(["code": "SUCCESS"])
    }

    private func owned(_ req: Request) async throws -> PaymentModel {
        let member = try req.requireMember()
        guard let id = req.parameters.get("paymentId", as: UUID.self), let payment = try await PaymentModel.find(id, on: req.db),
              payment.memberId == member.memberId else { throw MallError.notFound("No such payment.") }
        return payment
    }
}
