import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The shopper's side of orders: checkout, my orders with counts, one order with its timeline,
/// and cancelling before the store accepts.
struct OrderRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("checkout", use: checkout)
        let orders = routes.grouped("orders")
        orders.get(use: list)
        orders.get(":orderId", use: show)
        orders.post(":orderId", "cancel", use: cancel)
        orders.post(":orderId", "confirm", use: confirm)
    }

    func checkout(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let key = req.headers.first(name: "Idempotency-Key")?.trimmingWhitespace(), (8...100).contains(key.count) else {
            throw ValidationFailure(field: "Idempotency-Key", message: "send a unique Idempotency-Key header (8–100 characters) so a retry cannot order twice")
        }
        // The body is optional, but a body that is there must be valid JSON.
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(CheckoutInput.self) : CheckoutInput()
        let (result, created) = try await CheckoutService(req: req).place(memberId: member.memberId, key: key, input: input)
        return try Response.json(result, status: created ? .created : .ok)
    }

    func list(req: Request) async throws -> MyOrders {
        let member = try req.requireMember()
        let page = try PageRequest(from: req)
        var query = OrderModel.query(on: req.db).filter(\.$memberId == member.memberId)
        if let raw = req.query[String.self, at: "status"] {
            guard let status = OrderStatus(rawValue: raw) else {
                throw ValidationFailure(field: "status", message: "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = query.filter(\.$status == status.rawValue)
        }
        let result = try await query.sort(\.$createdAt, .descending).sort(\.$number).page(page) { $0 }
        let statuses = try await OrderModel.query(on: req.db).filter(\.$memberId == member.memberId).all(\.$status)
        return MyOrders(orders: ListPage(items: try await OrderDTO.many(result.items, on: req.db), page: result.page, per: result.per, total: result.total),
                        countsByStatus: statuses.reduce(into: [:]) { $0[$1, default: 0] += 1 })
    }

    func show(req: Request) async throws -> Order {
        try await OrderDTO.many([owned(req)], on: req.db)[0]
    }

    /// Before the store accepts, the shopper may cancel: stock goes back, money (if paid) too.
    func cancel(req: Request) async throws -> Order {
        let member = try req.requireMember()
        let order = try await owned(req)
        let reason = String(((try? req.content.get(String.self, at: "reason")) ?? "cancelled by shopper").prefix(200))
        try await OrderTransition.run(orderId: order.id!, app: req.application, db: req.db, now: req.now) { lifecycle in
            try lifecycle.cancel(by: .shopper(member.memberId), at: req.now, reason: reason)
        }
        return try await OrderDTO.many([try await OrderModel.find(order.id, on: req.db)!], on: req.db)[0]
    }

    /// The shopper confirms receipt before the automatic confirmation does.
    func confirm(req: Request) async throws -> Order {
        let member = try req.requireMember()
        let order = try await owned(req)
        try await OrderTransition.run(orderId: order.id!, app: req.application, db: req.db, now: req.now) { lifecycle in
            try lifecycle.confirmReceipt(by: .shopper(member.memberId), at: req.now)
        }
        return try await OrderDTO.many([try await OrderModel.find(order.id, on: req.db)!], on: req.db)[0]
    }

    private func owned(_ req: Request) async throws -> OrderModel {
        let member = try req.requireMember()
        guard let id = req.parameters.get("orderId", as: UUID.self), let order = try await OrderModel.find(id, on: req.db),
              order.memberId == member.memberId else { throw MallError.notFound("No such order.") }
        return order
    }
}

/// Unpaid orders expire when their payment window closes; their stock is released.
enum OrderExpiry {
    static func run(_ context: JobContext) async throws {
        let payload = try context.decode(CheckoutService.ExpiryPayload.self)
        let now = context.now
        for id in try await OrderModel.query(on: context.db).filter(\.$checkoutId == payload.checkoutId).all(\.$id) {
            try await OrderTransition.run(orderId: id, app: context.app, db: context.db, now: now,
                                          applies: { $0.lifecycle.status == .pendingPayment && $0.paymentDueAt <= now }) { lifecycle in
                try lifecycle.expire(at: now)
            }
        }
    }
}

enum OrderDTO {
    static func many(_ orders: [OrderModel], on db: any Database) async throws -> [Order] {
        let ids = orders.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let lines = Dictionary(grouping: try await OrderLineModel.query(on: db).filter(\.$orderId ~~ ids).all(), by: \.orderId)
        let stores = Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ Set(orders.map(\.storeId))).all().map { ($0.id!, $0.name) })
        let shipments = try await LogisticsService.shipmentInfos(orderIds: ids, on: db)
        var refunded: [UUID: Int64] = [:]
        for refund in try await RefundModel.query(on: db).filter(\.$orderId ~~ ids).filter(\.$status != "failed").filter(\.$transactionId == nil).all() {
            if let orderId = refund.orderId { refunded[orderId, default: 0] += refund.amountFen }
        }
        return orders.map { order in
            let lifecycle = order.lifecycle
            let allocation = try? JSONDecoder.api.decode(AllocationDecision.self, from: Data(order.allocationJSON.utf8))
            return Order(
                id: order.id!, number: order.number, checkoutId: order.checkoutId, merchantId: order.merchantId, storeId: order.storeId,
                storeName: stores[order.storeId] ?? "", fulfilment: lifecycle.fulfilment, status: lifecycle.status,
                lines: (lines[order.id!] ?? []).map {
                    OrderLine(id: $0.id!, skuId: $0.skuId, title: $0.title, specTitle: $0.specTitle, quantity: $0.quantity, unitPriceFen: $0.unitPriceFen,
                              discountFen: $0.discountFen, payableFen: $0.payableFen)
                },
                goodsFen: order.goodsFen, discountFen: order.discountFen, shippingFen: order.shippingFen, payableFen: order.payableFen,
                paymentDueAt: order.paymentDueAt, paidAt: order.paidAt, allocationSummary: allocation?.summary ?? "",
                timeline: lifecycle.timeline.map { entry in
                    OrderTimelineEntry(actor: entry.actor.kind.rawValue, at: entry.at, from: entry.from, to: entry.to, note: entry.note)
                },
                shipments: shipments[order.id!] ?? [], refundedFen: refunded[order.id!] ?? 0, createdAt: order.createdAt)
        }
    }
}
