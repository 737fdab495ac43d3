import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The shopper's side of orders: checkout, my orders with counts, one order with its timeline,
/// and cancelling before the store accepts.
struct OrderRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("checkout", use: checkout)
        routes.get("checkout", "preview", use: preview)
        let orders = routes.grouped("orders")
        orders.get(use: list)
        orders.get(":orderId", use: show)
        orders.post(":orderId", "cancel", use: cancel)
        orders.post(":orderId", "confirm", use: confirm)
        orders.get(":orderId", "pickup-stores", use: pickupStores)
        orders.post(":orderId", "pickup-store", use: choosePickupStore)
    }

    /// When the chosen pickup store could not take a paid order, the stores that can, nearest
    /// to the first choice first.
    func pickupStores(req: Request) async throws -> [PickupStoreOption] {
        let order = try await owned(req)
        let lifecycle = try order.lifecycle
        guard lifecycle.fulfilment == .pickup, lifecycle.status == .awaitingReallocation else {
            throw MallError.conflict("Only a pickup order whose store could not take it can move to another store.")
        }
        let (decision, _) = try await Self.pickupPlan(order, at: StoreID(order.storeId), directory: req.application.storeDirectory, on: req.db, now: req.now)
        return decision.pickupAlternatives.map { PickupStoreOption(storeId: $0.storeId.rawValue, name: $0.name, distanceMeters: $0.distanceMeters) }
    }

    /// The shopper moves a pickup order to another store that has everything; the new store
    /// then accepts it like a new order.
    func choosePickupStore(req: Request) async throws -> Order {
        let member = try req.requireMember()
        let order = try await owned(req)
        let input = try req.content.decode(PickupStoreInput.self)
        let app = req.application
        let now = req.now
        try await req.db.writeTransaction { db in
            guard let locked = try await OrderLocks.lockOrders(checkoutId: order.checkoutId, on: db).first(where: { $0.id == order.id }) else { return }
            var lifecycle = try locked.lifecycle
            guard lifecycle.fulfilment == .pickup, lifecycle.status == .awaitingReallocation else {
                throw MallError.conflict("Only a pickup order whose store could not take it can move to another store.")
            }
            let target = StoreID(input.storeId)
            let (decision, _) = try await Self.pickupPlan(locked, at: target, directory: app.storeDirectory, on: db, now: now)
            guard decision.outcome == .allocated, decision.shipments.map(\.storeId) == [target] else {
                throw ValidationFailure(field: "storeId", message: "cannot take this order (closed, no self-pickup, or short of stock); choose one of GET /orders/{orderId}/pickup-stores")
            }
            let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == locked.id!).all()
            do {
                try await InventoryService.make(app, on: db).reserve(
                    lines.map { StockRequest(skuId: $0.skuId, storeId: target.rawValue, quantity: $0.quantity) },
                    context: MovementContext(reason: "order \(locked.number)", referenceType: "order", referenceId: locked.id!.uuidString, now: now))
            } catch is InventoryError {
                throw MallError.conflict("That store has just sold what this order needs; choose another store.")
            }
            let effects = try lifecycle.reallocate(to: target, by: .shopper(member.memberId), at: now, note: "pickup moved by the shopper")
            try locked.setLifecycle(lifecycle)
            locked.allocationJSON = try JSONText.encode(decision)
            locked.updatedAt = now
            try await locked.update(on: db)
            try await OrderEffects(app: app, db: db, now: now).apply(effects, to: locked)
        }
        return try await OrderDTO.many([try await OrderModel.find(order.id, on: req.db)!], on: req.db, forShopper: true)[0]
    }

    static func pickupPlan(_ order: OrderModel, at store: StoreID, directory: StoreDirectory, on db: any Database,
                           now: Date) async throws -> (AllocationDecision, [UUID: StoreDirectory.Entry]) {
        let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all()
        return try await OrderAllocation.plan(
            merchantId: order.merchantId, lines: lines.map { AllocationLine(skuId: $0.skuId, quantity: $0.quantity) },
            fulfilment: .pickup(at: store, shopperLocation: nil), excluding: Set(order.lifecycle.rejectedStoreIds),
            productIds: Dictionary(lines.map { ($0.skuId, $0.productId) }, uniquingKeysWith: { a, _ in a }), directory: directory, on: db, now: now)
    }

    func checkout(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let key = req.headers.first(name: "Idempotency-Key")?.trimmingWhitespace(), (8...100).contains(key.count) else {
            throw ValidationFailure(field: "Idempotency-Key", message: "send a unique Idempotency-Key header (8–100 characters) so a retry cannot order twice")
        }
        // The body is optional, but a body that is there must be valid JSON.
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(CheckoutInput.self) : CheckoutInput()
        let (placed, created) = try await CheckoutService(app: req.application, db: req.db, now: req.now).place(memberId: member.memberId, key: key, input: input)
        var result = placed
        result.explanation = result.explanation.map(req.serverText)
        return try Response.json(result, status: created ? .created : .ok)
    }

    func preview(req: Request) async throws -> CheckoutPreview {
        let member = try req.requireMember()
        var errors = FieldErrorCollector()
        let points = req.boundedQuery("pointsToUse", InputLimits.points, into: &errors)
        // Left out: the best combination; empty: no coupons.
        var couponIds: [UUID]?
        if let raw = req.query[String.self, at: "couponIds"] {
            let parts = raw.split(separator: ",", omittingEmptySubsequences: true).map { UUID(uuidString: String($0).trimmingWhitespace()) }
            if parts.contains(where: { $0 == nil }) { errors.add("couponIds", "must be coupon ids separated by commas") }
            couponIds = parts.compactMap { $0 }
            CheckoutService.checkCouponIds(couponIds ?? [], into: &errors)
        }
        try errors.throwIfAny()
        var preview = try await CheckoutService(app: req.application, db: req.db, now: req.now).preview(memberId: member.memberId, pointsToUse: points,
                                                                                                        couponIds: couponIds)
        preview.explanation = preview.explanation.map(req.serverText)
        return preview
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
        if let raw = req.query[String.self, at: "stage"] {
            guard let stage = ShopperOrderStage(rawValue: raw) else {
                throw ValidationFailure(field: "stage", message: "must be one of \(ShopperOrderStage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = query.filter(\.$status ~~ stage.statuses.map(\.rawValue))
        }
        let result = try await query.sort(\.$createdAt, .descending).sort(\.$number).page(page) { $0 }
        var counts: [String: Int] = [:]
        for row in try await req.db.sql.raw("SELECT status, COUNT(*) AS n FROM orders WHERE member_id = \(bind: member.memberId) GROUP BY status").all() {
            counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return MyOrders(orders: ListPage(items: try await OrderDTO.many(result.items, on: req.db, forShopper: true), page: result.page, per: result.per, total: result.total),
                        countsByStatus: counts)
    }

    func show(req: Request) async throws -> Order {
        try await OrderDTO.many([owned(req)], on: req.db, forShopper: true)[0]
    }

    /// Before the store accepts, the shopper may cancel: stock goes back, money (if paid) too.
    func cancel(req: Request) async throws -> Order {
        let member = try req.requireMember()
        let order = try await owned(req)
        let reason = String(((try? req.content.get(String.self, at: "reason")) ?? "cancelled by shopper").prefix(200))
        try await OrderTransition.run(orderId: order.id!, app: req.application, db: req.db, now: req.now) { lifecycle in
            try lifecycle.cancel(by: .shopper(member.memberId), at: req.now, reason: reason)
        }
        return try await OrderDTO.many([try await OrderModel.find(order.id, on: req.db)!], on: req.db, forShopper: true)[0]
    }

    /// The shopper confirms receipt before the automatic confirmation does.
    func confirm(req: Request) async throws -> Order {
        let member = try req.requireMember()
        let order = try await owned(req)
        try await OrderTransition.run(orderId: order.id!, app: req.application, db: req.db, now: req.now) { lifecycle in
            try lifecycle.confirmReceipt(by: .shopper(member.memberId), at: req.now)
        }
        return try await OrderDTO.many([try await OrderModel.find(order.id, on: req.db)!], on: req.db, forShopper: true)[0]
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
        let app = context.app
        // One transaction for the whole checkout: its single payment either finds all of its
        // orders waiting or all of them expired, never a mix.
        try await context.db.writeTransaction { tx in
            for order in try await OrderLocks.lockOrders(checkoutId: payload.checkoutId, on: tx) {
                var lifecycle = try order.lifecycle
                guard lifecycle.status == .pendingPayment && order.paymentDueAt <= now else { continue }
                let effects = try lifecycle.expire(at: now)
                try order.setLifecycle(lifecycle)
                order.updatedAt = now
                try await order.update(on: tx)
                try await OrderEffects(app: app, db: tx, now: now).apply(effects, to: order)
            }
        }
    }
}

enum OrderDTO {
    /// The slots of the page's detail statement (`SQLUnionParts`), shared with Logistics' parts.
    static let detailSlots: [(name: String, type: String)] = [
        ("o", "UUID"), ("id", "UUID"), ("ref", "UUID"), ("t1", "TEXT"), ("t2", "TEXT"), ("t3", "TEXT"), ("t4", "TEXT"), ("t5", "TEXT"), ("t6", "TEXT"),
        ("n1", "BIGINT"), ("n2", "BIGINT"), ("n3", "BIGINT"), ("n4", "BIGINT"), ("ts1", "TIMESTAMPTZ"), ("ts2", "TIMESTAMPTZ"),
    ]

    /// `forShopper`: the order's own member is asking, so the pickup code is shown. Staff never
    /// see it: the store hands over against the code the shopper brings. With `directory` the
    /// store names come from memory rather than a statement.
    static func many(_ orders: [OrderModel], on db: any Database, forShopper: Bool = false,
                     directory: StoreDirectory? = nil) async throws -> [Order] {
        let ids = orders.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let storeIds = Set(orders.map(\.storeId))
        let stores = if let directory { try await directory.names(of: storeIds, on: db) } else {
            Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ storeIds).all().map { ($0.id!, $0.name) })
        }
        // Lines, refunds, shipments and their tracking in one statement, however many orders the page holds.
        var parts = SQLUnionParts(slots: detailSlots)
        parts.add("l", ["o": "order_id", "id": "id", "ref": "sku_id", "t1": "title", "t2": "spec_title",
                        "n1": "quantity", "n2": "unit_price_fen", "n3": "discount_fen", "n4": "payable_fen"],
                  from: "order_lines WHERE order_id IN (\(binds: ids))")
        // A refused refund gave its amount back, and a retried one is carried by its retry: neither counts.
        let counted = [RefundStatus.pending, .processing, .succeeded].map(\.rawValue)
        parts.add("r", ["o": "order_id", "n1": "amount_fen"],
                  from: "refunds WHERE order_id IN (\(binds: ids)) AND status IN (\(binds: counted)) AND transaction_id IS NULL")
        LogisticsService.addShipmentParts(to: &parts, orderIds: ids)
        let rows = try await parts.rows(on: db)
        var lines: [UUID: [OrderLineModel]] = [:]
        var refunded: [UUID: Int64] = [:]
        for row in rows {
            let orderId = try row.decode(column: "o", as: UUID.self)
            switch try row.decode(column: "part", as: String.self) {
            case "l":
                let line = OrderLineModel()
                line.id = try row.decode(column: "id", as: UUID.self)
                line.orderId = orderId
                line.skuId = try row.decode(column: "ref", as: UUID.self)
                line.title = try row.decode(column: "t1", as: String.self)
                line.specTitle = try row.decode(column: "t2", as: String.self)
                line.quantity = try row.decode(column: "n1", as: Int.self)
                line.unitPriceFen = try row.decode(column: "n2", as: Int64.self)
                line.discountFen = try row.decode(column: "n3", as: Int64.self)
                line.payableFen = try row.decode(column: "n4", as: Int64.self)
                lines[orderId, default: []].append(line)
            case "r":
                refunded[orderId] = try Checked.add(refunded[orderId] ?? 0, try row.decode(column: "n1", as: Int64.self), "refund total")
            default:
                continue
            }
        }
        let shipments = try LogisticsService.shipmentInfos(from: rows)
        return try make(orders, lines: lines, storeNames: stores, shipments: shipments, refunded: refunded, forShopper: forShopper)
    }

    /// The DTOs from rows the caller already holds: checkout has just written the orders and
    /// their lines, and a new order has no shipment or refund, so it reads nothing back.
    static func make(_ orders: [OrderModel], lines: [UUID: [OrderLineModel]], storeNames stores: [UUID: String], shipments: [UUID: [ShipmentInfo]],
                     refunded: [UUID: Int64], forShopper: Bool) throws -> [Order] {
        try orders.map { order in
            let lifecycle = try order.lifecycle
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
                shipments: shipments[order.id!] ?? [], refundedFen: refunded[order.id!] ?? 0,
                pickupCode: forShopper && lifecycle.status == .readyForPickup ? lifecycle.pickupCode : nil,
                deliveryAddress: order.deliveryAddressJSON.flatMap { try? JSONDecoder.api.decode(Address.self, from: Data($0.utf8)) },
                createdAt: order.createdAt)
        }
    }
}
