import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Carries out what the order state machine asks for, inside the caller's transaction: stock
/// moves, refunds, follow-up jobs, notifications and reallocation.
struct OrderEffects {
    let app: Application
    let db: any Database
    let now: Date

    static let acceptanceTimeoutJob = "orders.acceptanceTimeout"
    static let autoConfirmJob = "orders.autoConfirm"
    static let awaitingDeadlineJob = "orders.awaitingDeadline"

    struct OrderPayload: Codable {
        let orderId: UUID
        let storeId: UUID?
        /// When the store was given the order: a timeout belongs to one assignment only, so an
        /// order that comes back to the same store later gets a fresh deadline.
        var assignedAt: Date? = nil
    }

    /// When the order last became paid at its current store (payment or reallocation).
    static func assignedAt(_ lifecycle: OrderLifecycle) -> Date? {
        lifecycle.timeline.last { $0.to == .paid }?.at
    }

    func apply(_ effects: [OrderEffect], to order: OrderModel, payment: PaymentModel? = nil) async throws {
        // A reward order (points-mall exchange, lottery prize), a flash-sale or group-buy order
        // that closed unfulfilled gives its points, units and slot back, once. First, before stock
        // moves: the exchange or purchase takes the item's row before the store's stock lock, and
        // so must this.
        if order.status == OrderStatus.cancelled.rawValue || order.status == OrderStatus.expired.rawValue {
            try await PointsMallService(app: app, db: db).orderClosed(order, now: now)
            try await FlashSaleService(app: app, db: db).orderClosed(order, now: now)
            try await GroupBuyService(app: app, db: db).orderClosed(order, now: now)
            try await PromotionService.orderClosed(order, on: db)
            // Coupons the checkout locked come back once all of its orders closed unpaid.
            try await CouponService(app: app, db: db).orderClosedUnpaid(order, now: now)
        }
        if order.status == OrderStatus.paid.rawValue {
            try await CouponService(app: app, db: db).checkoutPaid(order.checkoutId, now: now)
        }
        for effect in effects {
            switch effect {
            case .releaseStock(let store):
                try await InventoryService.make(app, on: db).release(try await requests(order, store: store), context: context(order))
            case .commitStock(let store):
                try await InventoryService.make(app, on: db).commit(try await requests(order, store: store), context: context(order))
            case .refundPayment(_, .duplicatePayment):
                // Handled by PaymentService when the second transaction arrives.
                continue
            case .refundPayment(_, let cause):
                var target = payment
                if target == nil { target = try await PaymentModel.query(on: db).filter(\.$checkoutId == order.checkoutId).first() }
                guard let payment = target else { continue }
                try await PaymentService(app: app).refund(order: order, payment: payment, cause: cause.rawValue, on: db, now: now)
            case .scheduleAcceptanceTimeout(let store):
                let settings = try await SettingsService.resolved(on: db)
                let due = now.addingTimeInterval(TimeInterval(settings.integer(.storeAcceptTimeoutMinutes) * 60))
                let assigned = try Self.assignedAt(order.lifecycle) ?? now
                try await app.jobs.enqueue(Self.acceptanceTimeoutJob,
                                           payload: OrderPayload(orderId: order.id!, storeId: store.rawValue, assignedAt: assigned), runAt: due,
                                           uniqueKey: "accept-timeout:\(order.id!.uuidString):\(store.rawValue.uuidString):\(Int(assigned.timeIntervalSince1970 * 1000))",
                                           on: db)
            case .scheduleAutoConfirm(let due):
                try await app.jobs.enqueue(Self.autoConfirmJob, payload: OrderPayload(orderId: order.id!, storeId: nil), runAt: due,
                                           uniqueKey: "auto-confirm:\(order.id!.uuidString)", on: db)
            case .reallocate(let excluding):
                try await reallocate(order, excluding: Set(excluding))
            case .notifyShopper(let status):
                try await NotificationOutbox(app: app, db: db).send(
                    audience: .member, recipientId: order.memberId, merchantId: order.merchantId, storeId: order.storeId,
                    title: "Order \(order.number): \(Self.statusPhrase(status))",
                    body: "Your order \(order.number) was updated: \(Self.statusPhrase(status)).",
                    reference: .init(type: "order", id: order.id!.uuidString), now: now)
            case .notifyStore(let store):
                try await NotificationOutbox(app: app, db: db).send(
                    audience: .storeManagers, merchantId: order.merchantId, storeId: store.rawValue,
                    title: "New order \(order.number)", body: "Order \(order.number) was assigned to your store; please accept it soon.",
                    reference: .init(type: "order", id: order.id!.uuidString), now: now)
            case .settle:
                // Points for the member (and their level). Settlement with the merchant waits for
                // the after-sales window to close: `SettlementService.settle` books it then.
                try await OrderPointsService(app: app, db: db).orderCompleted(order, now: now)
            case .returnPoints:
                try await OrderPointsService(app: app, db: db).returnForOrder(order, now: now)
            }
        }
        // After the payment's own effects: the payment that completes a group sends every
        // member's order on to its store.
        if order.status == OrderStatus.awaitingGroup.rawValue {
            try await GroupBuyService(app: app, db: db).memberPaid(order, now: now)
        }
    }

    /// Finds the next best store for a rejected or timed-out order. A single store that can
    /// take it all gets it (with a fresh reservation); otherwise the order waits for HQ.
    func reallocate(_ order: OrderModel, excluding: Set<StoreID>) async throws {
        let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all()
        let lifecycle = try order.lifecycle
        let fulfilment: AllocationFulfilment
        if lifecycle.fulfilment == .delivery, let json = order.deliveryAddressJSON,
           let address = try? JSONDecoder.api.decode(Address.self, from: Data(json.utf8)), let lat = address.latitude, let lng = address.longitude {
            fulfilment = .delivery(to: GeoPoint(latitude: lat, longitude: lng))
        } else if lifecycle.fulfilment == .pickup {
            // A pickup order cannot move without the shopper choosing another store.
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: order.memberId, merchantId: order.merchantId, storeId: order.storeId,
                title: "Choose another pickup store",
                body: "The pickup store cannot prepare order \(order.number). Choose another store, or the order will be cancelled and refunded.",
                reference: .init(type: "order", id: order.id!.uuidString), now: now)
            try await tellHeadquartersItWaits(order)
            return
        } else {
            // A delivery address without coordinates cannot be planned for: HQ decides.
            try await tellHeadquartersItWaits(order)
            return
        }
        let (decision, _) = try await OrderAllocation.plan(
            merchantId: order.merchantId, lines: lines.map { AllocationLine(skuId: $0.skuId, quantity: $0.quantity) }, fulfilment: fulfilment,
            excluding: excluding, productIds: Dictionary(lines.map { ($0.skuId, $0.productId) }, uniquingKeysWith: { a, _ in a }),
            directory: app.storeDirectory, on: db, now: now)
        guard decision.outcome == .allocated, decision.shipments.count == 1, let shipment = decision.shipments.first else {
            try await tellHeadquartersItWaits(order)
            return
        }
        // The plan read stock without locks; if another order took it meanwhile, undo what was
        // held and leave the order for HQ instead of failing the rejection that led here.
        let inventory = try await InventoryService.make(app, on: db)
        var held: [StockRequest] = []
        for line in lines {
            let request = StockRequest(skuId: line.skuId, storeId: shipment.storeId.rawValue, quantity: line.quantity)
            do {
                try await inventory.reserve([request], context: context(order))
                held.append(request)
            } catch is InventoryError {
                try await inventory.release(held, context: context(order))
                try await tellHeadquartersItWaits(order)
                return
            }
        }
        var updated = try order.lifecycle
        let effects = try updated.reallocate(to: shipment.storeId, by: .system, at: now, note: decision.summary)
        try order.setLifecycle(updated)
        order.allocationJSON = try JSONText.encode(decision)
        order.updatedAt = now
        try await order.update(on: db)
        try await apply(effects.filter { if case .releaseStock = $0 { return false } else { return true } }, to: order)
    }

    /// An order no store can take now: HQ must move it by hand or cancel it, and if nobody
    /// does within the set time the order is cancelled and refunded.
    private func tellHeadquartersItWaits(_ order: OrderModel) async throws {
        let settings = try await SettingsService.resolved(on: db)
        let due = now.addingTimeInterval(TimeInterval(settings.integer(.awaitingReallocationMinutes) * 60))
        try await app.jobs.enqueue(Self.awaitingDeadlineJob, payload: OrderPayload(orderId: order.id!, storeId: nil, assignedAt: now), runAt: due,
                                   uniqueKey: "awaiting-deadline:\(order.id!.uuidString):\(Int(now.timeIntervalSince1970 * 1000))", on: db)
        try await NotificationOutbox(app: app, db: db).send(
            audience: .headquarters, merchantId: order.merchantId, storeId: order.storeId,
            title: "Order \(order.number) needs a store", body: "No store can take order \(order.number); assign it by hand or cancel it.",
            reference: .init(type: "order", id: order.id!.uuidString), now: now)
    }

    private func requests(_ order: OrderModel, store: StoreID) async throws -> [StockRequest] {
        try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).all()
            .map { StockRequest(skuId: $0.skuId, storeId: store.rawValue, quantity: $0.quantity) }
    }

    private func context(_ order: OrderModel) -> MovementContext {
        MovementContext(reason: "order \(order.number)", referenceType: "order", referenceId: order.id!.uuidString, now: now)
    }

    /// How messages and reports name a status, as an English phrase the server catalog translates.
    static func statusPhrase(_ status: OrderStatus) -> String {
        switch status {
        case .pendingPayment: "awaiting payment"
        case .paid: "paid"
        case .awaitingReallocation: "finding another store"
        case .awaitingGroup: "paid, waiting for the group to fill"
        case .accepted: "accepted by the store"
        case .picking: "being picked"
        case .shipped: "shipped"
        case .readyForPickup: "ready for pickup"
        case .delivered: "delivered"
        case .pickedUp: "picked up"
        case .completed: "completed"
        case .cancelled: "cancelled"
        case .expired: "closed unpaid"
        }
    }
}
