import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// HQ's view of money: payments by status and provider, refunds that are pending, processing
/// or failed, and sending a failed refund again.
struct RefundRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("payments", use: payments)
        let refunds = routes.grouped("refunds")
        refunds.get(use: list)
        refunds.post(":refundId", "retry", use: retry)
    }

    func payments(req: Request) async throws -> ListPage<StaffPayment> {
        try req.authorize(.paymentView, on: .platform)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = PaymentModel.query(on: req.db)
        if let status = req.query[String.self, at: "status"] {
            let known = PaymentStatus.allCases.map(\.rawValue)
            if known.contains(status) { query = query.filter(\.$status == status) } else {
                errors.add("status", "must be one of \(known.joined(separator: ", "))")
            }
        }
        if let provider = req.query[String.self, at: "provider"] {
            // Any provider the mall knows, configured now or not: past payments keep their provider.
            if [SandboxGateway.provider, WeChatPayGateway.provider, AlipayGateway.provider].contains(provider) {
                query = query.filter(\.$provider == provider)
            } else {
                errors.add("provider", "must be one of sandbox, wechat, alipay")
            }
        }
        let order = ListSort.parse(req, fields: ["createdAt", "amountFen", "status", "refundedFen", "provider", "paidAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        let orders = Dictionary(grouping: try await OrderModel.query(on: req.db).filter(\.$checkoutId ~~ Set(result.items.map(\.checkoutId)))
            .sort(\.$number).all(), by: \.checkoutId)
        return ListPage(items: result.items.map { payment in
            StaffPayment(id: payment.id!, checkoutId: payment.checkoutId, memberId: payment.memberId, provider: payment.provider,
                         amountFen: payment.amountFen, status: payment.status, providerTransactionId: payment.providerTransactionId,
                         refundedFen: payment.refundedFen, orders: (orders[payment.checkoutId] ?? []).map { OrderRef(id: $0.id!, number: $0.number) },
                         createdAt: payment.createdAt, paidAt: payment.paidAt)
        }, page: result.page, per: result.per, total: result.total)
    }

    func list(req: Request) async throws -> ListPage<RefundInfo> {
        try req.authorize(.paymentView, on: .platform)
        let page = try PageRequest(from: req)
        var query = RefundModel.query(on: req.db)
        if let status = req.query[String.self, at: "status"] {
            let known = RefundStatus.allCases.map(\.rawValue)
            guard known.contains(status) else { throw ValidationFailure(field: "status", message: "must be one of \(known.joined(separator: ", "))") }
            query = query.filter(\.$status == status)
        }
        var errors = FieldErrorCollector()
        let order = ListSort.parse(req, fields: ["createdAt", "amountFen", "status", "cause", "provider", "completedAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        let payments = Dictionary(uniqueKeysWithValues: try await PaymentModel.query(on: req.db)
            .filter(\.$id ~~ Set(result.items.map(\.paymentId))).all().map { ($0.id!, $0.provider) })
        let cases = Dictionary(uniqueKeysWithValues: try await AfterSalesCaseModel.query(on: req.db)
            .filter(\.$id ~~ Set(result.items.compactMap(\.afterSalesId))).all().map { ($0.id!, $0.number) })
        return ListPage(items: result.items.map { refund in
                            var info = Self.info(refund, provider: refund.provider ?? payments[refund.paymentId] ?? "")
                            info.afterSalesNumber = refund.afterSalesId.flatMap { cases[$0] }
                            return info
                        },
                        page: result.page, per: result.per, total: result.total)
    }

    func retry(req: Request) async throws -> RefundInfo {
        guard let id = req.parameters.get("refundId", as: UUID.self), let refund = try await RefundModel.find(id, on: req.db),
              let orderId = refund.orderId, let order = try await OrderModel.find(orderId, on: req.db) else {
            throw MallError.notFound("No such refund.")
        }
        try req.authorize(.paymentRefund, on: .merchant(MerchantID(order.merchantId)))
        let retryId = try await PaymentService(app: req.application).retry(refundId: id, on: req.db, now: req.now)
        try await req.audit.record(on: req.db, action: "refund.retry", owner: order.owner, targetType: "refund", targetId: id.uuidString,
                                   after: ["retry": retryId.uuidString])
        let retried = try await RefundModel.find(retryId, on: req.db)!
        let provider = try await PaymentModel.find(refund.paymentId, on: req.db)?.provider ?? ""
        return Self.info(retried, provider: retried.provider ?? provider)
    }

    static func info(_ refund: RefundModel, provider: String) -> RefundInfo {
        RefundInfo(id: refund.id!, paymentId: refund.paymentId, orderId: refund.orderId, cause: refund.cause, amountFen: refund.amountFen,
                   status: refund.status, provider: provider, providerRefundId: refund.providerRefundId, createdAt: refund.createdAt,
                   completedAt: refund.completedAt)
    }
}
