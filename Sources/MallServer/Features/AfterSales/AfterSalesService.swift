import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Opens after-sales cases and carries out what `AfterSalesCase` decides: refunds through the
/// original gateway (by the discount-allocated amount), returned goods back into the store's
/// stock, replacements reserved and shipped.
struct AfterSalesService {
    let app: Application

    /// Case statuses whose units no longer count against the order line: the request was
    /// turned down, withdrawn, or the goods went back to the shopper.
    static let voidStatuses: [AfterSalesStatus] = [.rejected, .cancelled, .inspectionFailed]

    func open(memberId: UUID, orderId: UUID, input: AfterSalesInput, now: Date) async throws -> AfterSalesCaseModel {
        try await app.db.writeTransaction { db in
            guard let found = try await OrderModel.find(orderId, on: db), found.memberId == memberId,
                  // Two requests for the same order at once must see each other's units.
                  let order = try await OrderLocks.lockOrders(checkoutId: found.checkoutId, on: db).first(where: { $0.id == orderId })
            else { throw MallError.notFound("No such order.") }
            let lifecycle = try order.lifecycle
            let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == orderId).all()
            let earlier = try await Self.claimedUnits(orderId: orderId, on: db)
            let settings = try await SettingsService.resolved(on: db)
            let handedOver = lifecycle.timeline.last { $0.to == .delivered || $0.to == .pickedUp }?.at
            let request = try AfterSalesRules.checkRequest(
                kind: input.kind, lines: input.lines.map { AfterSalesLine(orderLineId: $0.orderLineId, quantity: $0.quantity) },
                reason: input.description, photoURLs: input.photos ?? [],
                purchased: Dictionary(uniqueKeysWithValues: lines.map { ($0.id!, $0.quantity) }), alreadyReturned: earlier.claimed,
                deliveredAt: handedOver, now: now, windowDays: settings.integer(.afterSalesWindowDays))

            let byId = Dictionary(uniqueKeysWithValues: lines.map { ($0.id!, $0) })
            var refunds: [UUID: Money] = [:]
            for line in request.lines {
                let orderLine = byId[line.orderLineId]!
                refunds[line.orderLineId] = request.kind == .exchange ? .zero() : try AfterSalesRefund.amount(
                    linePayable: Money(minorUnits: orderLine.payableFen), lineQuantity: orderLine.quantity,
                    earlierUnits: earlier.refunded[line.orderLineId] ?? 0, units: line.quantity)
            }
            let requested = try refunds.values.reduce(Money.zero()) { try $0.adding($1, "refund total") }

            let model = AfterSalesCaseModel()
            model.id = UUID()
            model.number = "S" + UTCStamp.string(now, format: "yyMMdd") + String(model.id!.uuidString.replacingOccurrences(of: "-", with: "").prefix(10))
            model.orderId = orderId
            model.memberId = memberId
            model.merchantId = order.merchantId
            model.storeId = order.storeId
            model.kind = request.kind.rawValue
            model.reason = input.reason.rawValue
            model.description = request.reason
            try model.setState(AfterSalesCase(request: request, requestedRefund: requested, by: .shopper(memberId), at: now))
            model.requestedRefundFen = requested.minorUnits
            model.refundedFen = 0
            model.createdAt = now
            model.updatedAt = now
            try await model.create(on: db)
            for line in request.lines {
                let orderLine = byId[line.orderLineId]!
                let row = AfterSalesLineModel()
                row.caseId = model.id!
                row.orderLineId = line.orderLineId
                row.skuId = orderLine.skuId
                row.productId = orderLine.productId
                row.quantity = line.quantity
                row.refundFen = refunds[line.orderLineId]!.minorUnits
                try await row.create(on: db)
            }
            try await apply([.notifyStore], to: model, on: db, now: now)
            return model
        }
    }

    /// Units per order line already in live cases, and the part of those that was (or will be)
    /// refunded; exchanges take units but give no money back.
    static func claimedUnits(orderId: UUID, on db: any Database) async throws -> (claimed: [UUID: Int], refunded: [UUID: Int]) {
        let cases = try await AfterSalesCaseModel.query(on: db).filter(\.$orderId == orderId)
            .filter(\.$status !~ voidStatuses.map(\.rawValue)).all()
        guard !cases.isEmpty else { return ([:], [:]) }
        let kinds = Dictionary(uniqueKeysWithValues: cases.map { ($0.id!, $0.kind) })
        var claimed: [UUID: Int] = [:]
        var refunded: [UUID: Int] = [:]
        for line in try await AfterSalesLineModel.query(on: db).filter(\.$caseId ~~ cases.map { $0.id! }).all() {
            claimed[line.orderLineId, default: 0] += line.quantity
            if kinds[line.caseId] != AfterSalesKind.exchange.rawValue { refunded[line.orderLineId, default: 0] += line.quantity }
        }
        return (claimed, refunded)
    }

    /// One event on a case: lock, transition, save, effects — one transaction.
    @discardableResult
    func transition(caseId: UUID, now: Date, on database: (any Database)? = nil,
                    _ event: @escaping @Sendable (inout AfterSalesCase) throws -> [AfterSalesEffect],
                    andThen record: (@Sendable (AfterSalesCaseModel, AfterSalesStatus, any Database) async throws -> Void)? = nil) async throws -> AfterSalesCaseModel {
        let body: @Sendable (any Database) async throws -> AfterSalesCaseModel = { db in
            if db.isPostgres {
                _ = try await db.sql.raw("SELECT id FROM after_sales_cases WHERE id = \(bind: caseId) FOR UPDATE").all()
            }
            guard let model = try await AfterSalesCaseModel.find(caseId, on: db) else { throw MallError.notFound("No such after-sales case.") }
            var state = try model.state
            let before = state.status
            let effects = try event(&state)
            try model.setState(state)
            model.updatedAt = now
            try await model.update(on: db)
            try await apply(effects, to: model, on: db, now: now)
            try await record?(model, before, db)
            return model
        }
        if let database { return try await body(database) }
        return try await app.db.writeTransaction(body)
    }

    /// The gateway confirmed a case's refund (called inside the refund's transaction).
    func refundSucceeded(caseId: UUID, refund: RefundModel, on db: any Database, now: Date) async throws {
        let reference = refund.providerRefundId ?? refund.id!.uuidString
        try await transition(caseId: caseId, now: now, on: db) { state in
            try state.refundSucceeded(reference: reference, at: now)
        } andThen: { model, _, db in
            model.refundedFen += refund.amountFen
            try await model.update(on: db)
            // Points spent on the refunded goods come back; points they earned go.
            try await OrderPointsService(app: app, db: db).afterSalesRefunded(model, refundFen: refund.amountFen, now: now)
            try await CouponService(app: app, db: db).afterSalesRefunded(orderId: model.orderId, now: now)
        }
    }

    func apply(_ effects: [AfterSalesEffect], to model: AfterSalesCaseModel, on db: any Database, now: Date) async throws {
        let context = MovementContext(reason: "after-sales \(model.number)", referenceType: "after_sales", referenceId: model.id!.uuidString, now: now)
        for effect in effects {
            switch effect {
            case .issueRefund(let amount):
                guard let order = try await OrderModel.find(model.orderId, on: db),
                      let payment = try await PaymentModel.query(on: db).filter(\.$checkoutId == order.checkoutId).first() else {
                    throw MallError.conflict("The order's payment cannot be found; the refund cannot be issued.")
                }
                try await PaymentService(app: app).refund(order: order, payment: payment, amountFen: amount.minorUnits,
                                                          cause: "\(RefundReason.afterSalesCode):\(model.id!.uuidString)", afterSalesId: model.id, on: db, now: now)
            case .restock(let lines):
                // Faulty goods are not put back on sale; the case's timeline still says they came back.
                guard (AfterSalesReason(rawValue: model.reason) ?? .other).returnsToSellableStock else { continue }
                try await InventoryService.make(app, on: db).move(.return, try await stockRequests(lines, store: model.storeId, on: db), context: context)
            case .reserveReplacement(let lines):
                do {
                    try await InventoryService.make(app, on: db).reserve(try await stockRequests(lines, store: model.storeId, on: db), context: context)
                } catch is InventoryError {
                    throw MallError.conflict("The store does not have the replacement in stock; receive stock first or refund instead.")
                }
            case .commitReplacement(let lines):
                try await InventoryService.make(app, on: db).commit(try await stockRequests(lines, store: model.storeId, on: db), context: context)
            case .sendGoodsBack:
                // The parcel back to the shopper is the store's to send; the timeline says why.
                continue
            case .notifyShopper(let status):
                try await NotificationOutbox(app: app, db: db).send(
                    audience: .member, recipientId: model.memberId, merchantId: model.merchantId, storeId: model.storeId,
                    title: "After-sales \(model.number): \(Self.shopperPhrase(status))",
                    body: "Your after-sales case \(model.number) was updated: \(Self.shopperPhrase(status)).",
                    reference: .init(type: "after_sales", id: model.id!.uuidString), now: now)
            case .notifyStore:
                try await NotificationOutbox(app: app, db: db).send(
                    audience: .storeManagers, merchantId: model.merchantId, storeId: model.storeId,
                    title: "After-sales case \(model.number)", body: "After-sales case \(model.number) needs your attention.",
                    reference: .init(type: "after_sales", id: model.id!.uuidString), now: now)
            }
        }
    }

    private func stockRequests(_ lines: [AfterSalesLine], store: UUID, on db: any Database) async throws -> [StockRequest] {
        let orderLines = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db).filter(\.$id ~~ lines.map(\.orderLineId)).all().map { ($0.id!, $0) })
        return lines.compactMap { line in
            orderLines[line.orderLineId].map { StockRequest(skuId: $0.skuId, storeId: store, quantity: line.quantity) }
        }
    }

    /// How a shopper's message names a status, as an English phrase the server catalog translates.
    static func shopperPhrase(_ status: AfterSalesStatus) -> String {
        switch status {
        case .requested: "submitted"
        case .rejected: "rejected"
        case .cancelled: "withdrawn"
        case .awaitingReturn: "approved, please send the goods back"
        case .returnShipped: "return sent"
        case .returnReceived: "received by the store"
        case .inspectionFailed: "failed inspection"
        case .refunding: "being refunded"
        case .refunded: "refunded"
        case .replacementReserved: "replacement ready"
        case .replacementShipped: "replacement sent"
        case .completed: "completed"
        }
    }

    /// The cases as the caller reads them: timeline notes in the caller's language.
    static func dto(_ models: [AfterSalesCaseModel], for req: Request) async throws -> [AfterSalesInfo] {
        try await dto(models, on: req.db).map { info in
            var translated = info
            translated.timeline = info.timeline.map { entry in
                var entry = entry
                entry.note = entry.note.map(req.serverText)
                return entry
            }
            return translated
        }
    }

    static func dto(_ models: [AfterSalesCaseModel], on db: any Database) async throws -> [AfterSalesInfo] {
        let ids = models.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let lines = Dictionary(grouping: try await AfterSalesLineModel.query(on: db).filter(\.$caseId ~~ ids).all(), by: \.caseId)
        let orderLines = Dictionary(uniqueKeysWithValues: try await OrderLineModel.query(on: db)
            .filter(\.$id ~~ Set(lines.values.flatMap { $0.map(\.orderLineId) })).all().map { ($0.id!, $0) })
        let orderModels = try await OrderModel.query(on: db).filter(\.$id ~~ Set(models.map(\.orderId))).all()
        let orders = Dictionary(uniqueKeysWithValues: orderModels.map { ($0.id!, $0.number) })
        let breakdowns = Dictionary(uniqueKeysWithValues: try await AfterSalesRefundExplanation.forOrders(orderModels, on: db).values.joined()
            .map { ($0.id, RefundBreakdownInfo($0.breakdown)) })
        return try models.map { model in
            let state = try model.state
            return AfterSalesInfo(
                id: model.id!, number: model.number, orderId: model.orderId, orderNumber: orders[model.orderId] ?? "", storeId: model.storeId,
                kind: state.kind, status: state.status, reason: AfterSalesReason(rawValue: model.reason) ?? .other, description: model.description,
                photos: state.photoURLs,
                lines: (lines[model.id!] ?? []).map { line in
                    let orderLine = orderLines[line.orderLineId]
                    return AfterSalesLineInfo(orderLineId: line.orderLineId, skuId: line.skuId, title: orderLine?.title ?? "",
                                              specTitle: orderLine?.specTitle ?? "", quantity: line.quantity, refundFen: line.refundFen,
                                              breakdown: line.id.flatMap { breakdowns[$0] })
                },
                requestedRefundFen: model.requestedRefundFen, approvedRefundFen: state.approvedRefund?.minorUnits, refundedFen: model.refundedFen,
                rejectionReason: state.rejectionReason, returnCarrier: state.returnShipment?.carrier, returnTrackingNumber: state.returnShipment?.trackingNumber,
                replacementCarrier: state.replacementShipment?.carrier, replacementTrackingNumber: state.replacementShipment?.trackingNumber,
                timeline: state.timeline.map { AfterSalesTimelineEntry(actor: $0.actor.kind.rawValue, at: $0.at, from: $0.from, to: $0.to, note: $0.note) },
                createdAt: model.createdAt)
        }
    }
}
