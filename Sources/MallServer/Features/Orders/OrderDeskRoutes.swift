import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The store order desk and HQ's view of orders: list with counts per status, the allocation
/// explanation, and every step a store takes — accept or reject, pick, ship or make ready for
/// pickup, hand over against the shopper's code — each a `OrderLifecycle` transition.
struct OrderDeskRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let orders = routes.grouped("orders")
        orders.get(use: list)
        orders.get("totals", use: totals)
        orders.get(":orderId", use: show)
        orders.get(":orderId", "slip", use: slip)
        orders.post(":orderId", "accept", use: accept)
        orders.post(":orderId", "reject", use: reject)
        orders.post(":orderId", "pick", use: pick)
        orders.post(":orderId", "ship", use: ship)
        orders.post(":orderId", "ready", use: ready)
        orders.post(":orderId", "pickup", use: pickup)
        orders.post(":orderId", "delivered", use: delivered)
        orders.post(":orderId", "reallocate", use: reallocate)
    }

    func list(req: Request) async throws -> StaffOrderList {
        let (staff, reach) = try req.reach(.orderView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = OrderModel.query(on: req.db)
        let storeFilter = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id")
        var countReach = reach
        var oneStore = false
        if let storeId = storeFilter, let store = try await req.application.storeDirectory.store(storeId, on: req.db),
           staff.policy.allows(.orderView, on: .store(StoreID(store.id), merchant: MerchantID(store.merchantId))) {
            // One store the caller may see: its own index serves the filter, the newest-first
            // order and the count, instead of the reach's merchant-or-store disjunction.
            query = query.filter(\.$storeId == storeId)
            countReach = .everything
            oneStore = true
        } else {
            query = query.scoped(to: reach)
            if let storeId = storeFilter { query = query.filter(\.$storeId == storeId) }
        }
        var narrowed = false
        let period = req.optionalPeriod(into: &errors)
        if let from = period.from { query = query.filter(\.$createdAt >= from); narrowed = true }
        if let to = period.to { query = query.filter(\.$createdAt < to); narrowed = true }
        var statusFilter: OrderStatus?
        if let raw = req.query[String.self, at: "status"] {
            if let status = OrderStatus(rawValue: raw) { query = query.filter(\.$status == status.rawValue); statusFilter = status } else {
                errors.add("status", "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let number = req.query[String.self, at: "number"]?.trimmingWhitespace(), !number.isEmpty {
            query = query.filter(\.$number == number.uppercased())
            narrowed = true
        }
        if let phone = req.query[String.self, at: "phone"], !phone.isEmpty {
            let mobile = try MobileNumber(parsing: phone, field: "phone")
            let members = try await MemberModel.query(on: req.db).filter(\.$mobile == mobile.digits).all(\.$id)
            query = query.filter(\.$memberId ~~ members)
            narrowed = true
        }
        let order = ListSort.parse(req, fields: ["number", "createdAt", "status", "fulfilment", "payableFen", "paidAt"], into: &errors)
        try errors.throwIfAny()
        let counts = try await Self.countsByStatus(reach: countReach, storeId: storeFilter, on: req.db)
        // A store's queue by status is what the counts already hold: no second pass over the
        // store's whole order history to count the page's total.
        let total = oneStore && !narrowed ? statusFilter.map { counts[$0.rawValue] ?? 0 } ?? counts.values.reduce(0, +) : nil
        let result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$number).page(page, total: total) { $0 }
        return StaffOrderList(orders: ListPage(items: try await OrderDTO.many(result.items, on: req.db, directory: req.application.storeDirectory), page: result.page, per: result.per, total: result.total),
                              countsByStatus: counts)
    }

    /// Orders and money by status, store and day over `from`..`to` (default: the last 30 days),
    /// within the caller's reach, optionally for one store.
    func totals(req: Request) async throws -> OrderTotals {
        let (_, reach) = try req.reach(.orderView)
        var errors = FieldErrorCollector()
        let now = req.now
        let to = req.optionalInstant("to", into: &errors) ?? now
        let from = req.optionalInstant("from", into: &errors) ?? to.addingTimeInterval(-30 * 86_400)
        if from >= to { errors.add("from", "must be before to") }
        if to.timeIntervalSince(from) > 366 * 86_400 { errors.add("from", "the period can be at most 366 days") }
        var query = OrderModel.query(on: req.db).scoped(to: reach).filter(\.$createdAt >= from).filter(\.$createdAt < to)
        if let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id") { query = query.filter(\.$storeId == storeId) }
        try errors.throwIfAny()
        // Only the columns the sums need, not whole orders with their JSON.
        let rows = try await query.field(\.$id).field(\.$status).field(\.$storeId).field(\.$payableFen).field(\.$createdAt).all()
        let timeZone = try await SettingsService.resolved(on: req.db).timeZone
        let stores = Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: req.db).filter(\.$id ~~ Set(rows.map(\.storeId))).all().map { ($0.id!, $0.name) })
        var byStatus: [String: (Int, Int64)] = [:]
        var byStore: [UUID: (Int, Int64)] = [:]
        var byDay: [String: (Int, Int64)] = [:]
        let lost: Set<String> = [OrderStatus.cancelled.rawValue, OrderStatus.expired.rawValue, OrderStatus.pendingPayment.rawValue]
        // Sales are what was kept: money refunded after the sale (after-sales, partial refunds)
        // comes off the store and day rows.
        var refunded: [UUID: Int64] = [:]
        for row in try await req.db.sql.raw("""
            SELECT r.order_id, CAST(SUM(r.amount_fen) AS BIGINT) AS fen FROM refunds r JOIN orders o ON o.id = r.order_id
            WHERE r.status = \(bind: RefundStatus.succeeded.rawValue) AND o.created_at >= \(bind: from) AND o.created_at < \(bind: to) GROUP BY r.order_id
            """).all() {
            refunded[try row.decode(column: "order_id", as: UUID.self)] = try row.decode(column: "fen", as: Int64.self)
        }
        // Checked sums: amounts stored before prices were capped must not trap the report.
        func add(_ amount: Int64, to entry: (Int, Int64)?) throws -> (Int, Int64) {
            let (orders, fen) = entry ?? (0, 0)
            return (orders + 1, try Checked.add(fen, amount, "sales total"))
        }
        for row in rows {
            byStatus[row.status] = try add(row.payableFen, to: byStatus[row.status])
            guard !lost.contains(row.status) else { continue }
            let kept = try Checked.subtract(row.payableFen, refunded[row.id!] ?? 0, "sales total")
            byStore[row.storeId] = try add(kept, to: byStore[row.storeId])
            let day = LocalTime.calendarDate(of: row.createdAt, in: timeZone).description
            byDay[day] = try add(kept, to: byDay[day])
        }
        return OrderTotals(
            from: from, to: to,
            byStatus: OrderStatus.allCases.compactMap { status in
                byStatus[status.rawValue].map { OrderTotals.Row(key: status.rawValue, label: req.serverText(OrderEffects.statusPhrase(status)), orders: $0.0, payableFen: $0.1) }
            },
            byStore: byStore.map { OrderTotals.Row(key: $0.key.uuidString, label: stores[$0.key] ?? "", orders: $0.value.0, payableFen: $0.value.1) }
                .sorted { ($0.payableFen, $1.key) > ($1.payableFen, $0.key) },
            byDay: byDay.map { OrderTotals.Row(key: $0.key, label: $0.key, orders: $0.value.0, payableFen: $0.value.1) }.sorted { $0.key < $1.key })
    }

    /// The printable packing slip (`?format=a4`, the default) or 80 mm receipt (`?format=receipt`).
    func slip(req: Request) async throws -> Response {
        let order = try await find(req)
        try req.authorize(.orderView, on: order.owner)
        let raw = req.query[String.self, at: "format"] ?? PackingSlipPage.Format.a4.rawValue
        guard let format = PackingSlipPage.Format(rawValue: raw) else {
            throw ValidationFailure(field: "format", message: "must be one of \(PackingSlipPage.Format.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let settings = try await SettingsService.resolved(on: req.db)
        let store = try await StoreModel.find(order.storeId, on: req.db)
        let lines = try await OrderLineModel.query(on: req.db).filter(\.$orderId == order.id!).sort(\.$title).all()
        let lifecycle = try order.lifecycle
        let address = order.deliveryAddressJSON.flatMap { try? JSONDecoder.api.decode(Address.self, from: Data($0.utf8)) }
        let page = PackingSlipPage(
            format: format, shopName: settings.string(.shopName), servicePhone: settings.string(.shopServicePhone),
            storeName: store?.name ?? "", storeAddress: store.map { Self.postal($0.province, $0.city, $0.district, $0.address) } ?? "",
            storePhone: store?.phone ?? "", orderNumber: order.number, placedAt: order.createdAt, paidAt: order.paidAt, timeZone: settings.timeZone,
            fulfilment: lifecycle.fulfilment, recipient: address.map { "\($0.contactName) \($0.phone)" },
            deliveryAddress: address.map { Self.postal($0.province, $0.city, $0.district, $0.detail) },
            shipment: lifecycle.shipment.map { "\($0.carrier) \($0.trackingNumber)" },
            lines: lines.map { .init(title: $0.title, specTitle: $0.specTitle, quantity: $0.quantity, unitPriceFen: $0.unitPriceFen, payableFen: $0.payableFen) },
            goodsFen: order.goodsFen, discountFen: order.discountFen, shippingFen: order.shippingFen, payableFen: order.payableFen)
        let response = Response(status: .ok, body: .init(string: page.render()))
        response.headers.contentType = .html
        // Nothing on this page runs; its only styles are its own.
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; style-src 'unsafe-inline'")
        return response
    }

    /// A Chinese postal address; municipalities (上海市上海市) name their city once.
    static func postal(_ province: String, _ city: String, _ district: String, _ detail: String) -> String {
        (province == city ? city : province + city) + district + detail
    }

    /// Orders per status within a reach, counted by the database (a store's history can be
    /// hundreds of thousands of orders; none of them needs to leave it for a count).
    static func countsByStatus(reach: AccessReach, storeId: UUID?, on db: any Database) async throws -> [String: Int] {
        var conditions: [SQLQueryString] = []
        if case .limited(let merchants, let stores) = reach {
            var either: [SQLQueryString] = []
            if !merchants.isEmpty { either.append("merchant_id IN (\(binds: merchants.map(\.rawValue)))") }
            if !stores.isEmpty { either.append("store_id IN (\(binds: stores.map(\.rawValue)))") }
            guard !either.isEmpty else { return [:] }
            conditions.append("(\(either.joined(separator: " OR ")))")
        }
        if let storeId { conditions.append("store_id = \(bind: storeId)") }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : "WHERE \(conditions.joined(separator: " AND "))"
        let rows = try await db.sql.raw("SELECT status, COUNT(*) AS n FROM orders \(whereClause) GROUP BY status").all()
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        return counts
    }

    func show(req: Request) async throws -> StaffOrder {
        let order = try await find(req)
        try req.authorize(.orderView, on: order.owner)
        return try await Self.dto(order, for: req)
    }

    func accept(req: Request) async throws -> StaffOrder {
        try await step(req, action: "order.accept") { lifecycle, actor, now in try lifecycle.accept(by: actor, at: now) }
    }

    func reject(req: Request) async throws -> StaffOrder {
        let input = try req.content.decode(ReasonInput.self)
        return try await step(req, action: "order.reject") { lifecycle, actor, now in try lifecycle.reject(by: actor, at: now, reason: input.reason) }
    }

    func pick(req: Request) async throws -> StaffOrder {
        try await step(req, action: "order.pick") { lifecycle, actor, now in try lifecycle.startPicking(by: actor, at: now) }
    }

    /// Hands the order to a carrier (with its tracking number) or the store's own courier, and
    /// opens the shipment that carrier pushes and staff updates attach to.
    func ship(req: Request) async throws -> StaffOrder {
        let input = try req.content.decode(ShipmentInput.self)
        let checked = try CheckedShipment(carrier: input.carrier, trackingNumber: input.trackingNumber,
                                          courierName: input.courierName, courierPhone: input.courierPhone)
        let logistics = LogisticsService(app: req.application)
        return try await step(req, action: "order.ship") { lifecycle, actor, now in
            try lifecycle.ship(carrier: checked.tracking.carrier, trackingNumber: checked.tracking.number, by: actor, at: now)
        } andThen: { order, db, now in
            try await logistics.createShipment(checked, purpose: .order, orderId: order.id!, merchantId: order.merchantId,
                                               storeId: order.storeId, on: db, now: now)
        }
    }

    /// The shopper's 6-digit pickup code is drawn here from a cryptographic generator.
    func ready(req: Request) async throws -> StaffOrder {
        var generator = SystemRandomNumberGenerator()
        let code = String(format: "%06d", Int.random(in: 0...999_999, using: &generator))
        return try await step(req, action: "order.ready") { lifecycle, actor, now in try lifecycle.markReadyForPickup(code: code, by: actor, at: now) }
    }

    /// Accepts the bare code or the QR payload `chainmall:pickup:<order number>:<code>`.
    func pickup(req: Request) async throws -> StaffOrder {
        let input = try req.content.decode(PickupInput.self)
        var entered = input.code.trimmingWhitespace()
        if entered.hasPrefix("chainmall:pickup:") {
            let parts = entered.split(separator: ":")
            guard parts.count == 4 else { throw ValidationFailure(field: "code", message: "is not a pickup QR code") }
            let order = try await find(req)
            guard parts[2] == order.number else { throw ValidationFailure(field: "code", message: "belongs to another order") }
            entered = String(parts[3])
        }
        guard PickupCode.isWellFormed(entered) else { throw ValidationFailure(field: "code", message: "must be the 6-digit pickup code") }
        let code = entered
        do {
            return try await step(req, action: "order.pickup") { lifecycle, actor, now in try lifecycle.pickUp(enteredCode: code, by: actor, at: now) }
        } catch let failure as ValidationFailure {
            // The core names its own field; the clerk typed into `code`.
            throw ValidationFailure(failure.errors.map { FieldError(field: "code", message: $0.message) })
        }
    }

    func delivered(req: Request) async throws -> StaffOrder {
        try await step(req, action: "order.delivered") { lifecycle, actor, now in try lifecycle.markDelivered(by: actor, at: now) }
    }

    /// HQ moves an order: to a named store, or to the planner's next best choice.
    func reallocate(req: Request) async throws -> StaffOrder {
        let order = try await find(req)
        let staff = try req.authorize(.orderFulfil, on: .merchant(MerchantID(order.merchantId)))
        let input = try req.content.decode(ReallocationInput.self)
        let moved = try await OrderDeskService(app: req.application, db: req.db, audit: req.audit, now: req.now)
            .reallocate(orderId: order.id!, checkoutId: order.checkoutId, to: input.storeId, by: staff)
        return try await Self.dto(moved, for: req)
    }

    /// One state machine step by the store's staff: permission on the order's store here, the
    /// transition with its effects and audit row in `OrderDeskService`.
    private func step(_ req: Request, action: String,
                      _ transition: @escaping @Sendable (inout OrderLifecycle, TimelineActor, Date) throws -> [OrderEffect],
                      andThen extra: (@Sendable (OrderModel, any Database, Date) async throws -> Void)? = nil) async throws -> StaffOrder {
        let order = try await find(req)
        let staff = try req.authorize(.orderFulfil, on: order.owner)
        let done = try await OrderDeskService(app: req.application, db: req.db, audit: req.audit, now: req.now)
            .step(orderId: order.id!, atStore: order.storeId, action: action, actor: staff.timelineActor(for: .orderFulfil, merchantId: order.merchantId),
                  transition, andThen: extra)
        return try await Self.dto(done, for: req)
    }

    private func find(_ req: Request) async throws -> OrderModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("orderId", as: UUID.self), let order = try await OrderModel.find(id, on: req.db) else {
            throw MallError.notFound("No such order.")
        }
        return order
    }

    /// The order as staff see it; the allocation's summary in the reader's language.
    static func dto(_ order: OrderModel, for req: Request) async throws -> StaffOrder {
        let lifecycle = try order.lifecycle
        var dto = try await OrderDTO.many([order], on: req.db)[0]
        var allocation = try JSONDecoder.api.decode(AllocationDecision.self, from: Data(order.allocationJSON.utf8))
        dto.allocationSummary = req.serverText(dto.allocationSummary)
        dto.timeline = dto.timeline.map { entry in
            var entry = entry
            entry.note = entry.note.map(req.serverText)
            return entry
        }
        allocation.summary = req.serverText(allocation.summary)
        return StaffOrder(order: dto, allocation: allocation, carrier: lifecycle.shipment?.carrier, trackingNumber: lifecycle.shipment?.trackingNumber)
    }
}

/// Timed order steps: a store that does not accept in time loses the order to the next best
/// store; delivered or collected orders complete on their own after the configured days.
enum OrderTimers {
    static func acceptanceTimeout(_ context: JobContext) async throws {
        let payload = try context.decode(OrderEffects.OrderPayload.self)
        try await OrderTransition.run(orderId: payload.orderId, app: context.app, db: context.db, now: context.now,
                                      applies: { order in
                                          let lifecycle = try order.lifecycle
                                          return lifecycle.status == .paid && order.storeId == payload.storeId
                                              && (payload.assignedAt == nil || OrderEffects.assignedAt(lifecycle) == payload.assignedAt)
                                      }) { lifecycle in
            try lifecycle.acceptanceTimedOut(at: context.now)
        }
    }

    /// Nobody found a store for the order in time: it is cancelled and the shopper refunded.
    /// A job from an earlier wait does nothing once the order moved on since.
    static func awaitingDeadline(_ context: JobContext) async throws {
        let payload = try context.decode(OrderEffects.OrderPayload.self)
        try await OrderTransition.run(orderId: payload.orderId, app: context.app, db: context.db, now: context.now,
                                      applies: { order in
                                          let lifecycle = try order.lifecycle
                                          // Still the same wait: the last move into it is not newer than this job.
                                          let waitingSince = lifecycle.timeline.last { $0.to == .awaitingReallocation && $0.from != $0.to }?.at
                                          return lifecycle.status == .awaitingReallocation
                                              && (waitingSince ?? .distantPast) <= (payload.assignedAt ?? .distantFuture)
                                      }) { lifecycle in
            try lifecycle.cancel(by: .system, at: context.now, reason: "no store could take the order in time; refunded")
        }
    }

    static func autoConfirm(_ context: JobContext) async throws {
        let payload = try context.decode(OrderEffects.OrderPayload.self)
        try await OrderTransition.run(orderId: payload.orderId, app: context.app, db: context.db, now: context.now,
                                      applies: { [.delivered, .pickedUp].contains(try $0.lifecycle.status) }) { lifecycle in
            try lifecycle.autoConfirm(at: context.now)
        }
    }
}
