import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The shopper's side of after-sales: ask for a refund, a return or an exchange on a delivered
/// order, follow it, withdraw it, send the goods back, confirm a replacement arrived.
struct AfterSalesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("orders", ":orderId", "after-sales", use: open)
        let cases = routes.grouped("after-sales")
        cases.get(use: list)
        cases.get(":caseId", use: show)
        cases.post(":caseId", "cancel", use: cancel)
        cases.post(":caseId", "return-shipment", use: shipReturn)
        cases.post(":caseId", "confirm", use: confirm)
    }

    func open(req: Request) async throws -> Response {
        let member = try req.requireMember()
        guard let orderId = req.parameters.get("orderId", as: UUID.self) else { throw MallError.notFound("No such order.") }
        let input = try req.content.decode(AfterSalesInput.self)
        let model = try await AfterSalesService(app: req.application).open(memberId: member.memberId, orderId: orderId, input: input, now: req.now)
        return try Response.json(try await AfterSalesService.dto([model], for: req)[0], status: .created)
    }

    func list(req: Request) async throws -> ListPage<AfterSalesInfo> {
        let member = try req.requireMember()
        let page = try PageRequest(from: req)
        var query = AfterSalesCaseModel.query(on: req.db).filter(\.$memberId == member.memberId)
        if let raw = req.query[String.self, at: "status"] {
            guard let status = AfterSalesStatus(rawValue: raw) else {
                throw ValidationFailure(field: "status", message: "must be one of \(AfterSalesStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = query.filter(\.$status == status.rawValue)
        }
        let result = try await query.sort(\.$createdAt, .descending).sort(\.$number).page(page) { $0 }
        return ListPage(items: try await AfterSalesService.dto(result.items, for: req), page: result.page, per: result.per, total: result.total)
    }

    func show(req: Request) async throws -> AfterSalesInfo {
        try await AfterSalesService.dto([owned(req)], for: req)[0]
    }

    func cancel(req: Request) async throws -> AfterSalesInfo {
        let member = try req.requireMember()
        let model = try await owned(req)
        let now = req.now
        let updated = try await AfterSalesService(app: req.application).transition(caseId: model.id!, now: now) { state in
            try state.cancel(by: .shopper(member.memberId), at: now)
        }
        return try await AfterSalesService.dto([updated], for: req)[0]
    }

    /// The shopper's return parcel: its carrier and tracking number, which also opens a
    /// shipment that carrier pushes update.
    func shipReturn(req: Request) async throws -> AfterSalesInfo {
        let member = try req.requireMember()
        let model = try await owned(req)
        let input = try req.content.decode(ReturnShipmentInput.self)
        let checked = try CheckedShipment(carrier: input.carrier, trackingNumber: input.trackingNumber, courierName: nil, courierPhone: nil, allowCourier: false)
        let now = req.now
        let logistics = LogisticsService(app: req.application)
        let updated = try await AfterSalesService(app: req.application).transition(caseId: model.id!, now: now) { state in
            try state.shipReturn(carrier: checked.carrier.name, trackingNumber: checked.trackingNumber!, by: .shopper(member.memberId), at: now)
        } andThen: { model, _, db in
            try await logistics.createShipment(checked, purpose: .return, orderId: model.orderId, afterSalesId: model.id,
                                               merchantId: model.merchantId, storeId: model.storeId, on: db, now: now)
        }
        return try await AfterSalesService.dto([updated], for: req)[0]
    }

    func confirm(req: Request) async throws -> AfterSalesInfo {
        let member = try req.requireMember()
        let model = try await owned(req)
        let now = req.now
        let updated = try await AfterSalesService(app: req.application).transition(caseId: model.id!, now: now) { state in
            try state.completeExchange(by: .shopper(member.memberId), at: now)
        }
        return try await AfterSalesService.dto([updated], for: req)[0]
    }

    private func owned(_ req: Request) async throws -> AfterSalesCaseModel {
        let member = try req.requireMember()
        guard let id = req.parameters.get("caseId", as: UUID.self), let model = try await AfterSalesCaseModel.find(id, on: req.db),
              model.memberId == member.memberId else { throw MallError.notFound("No such after-sales case.") }
        return model
    }
}

/// Staff handle after-sales for their stores: decide, receive and inspect returns, ship
/// replacements; HQ sees statistics by store, product and reason.
struct AfterSalesDeskRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let cases = routes.grouped("after-sales")
        cases.get(use: list)
        cases.get("stats", use: stats)
        cases.get(":caseId", use: show)
        cases.post(":caseId", "approve", use: approve)
        cases.post(":caseId", "reject", use: reject)
        cases.post(":caseId", "receive", use: receive)
        cases.post(":caseId", "inspect", use: inspect)
        cases.post(":caseId", "ship-replacement", use: shipReplacement)
    }

    func list(req: Request) async throws -> ListPage<AfterSalesInfo> {
        let (_, reach) = try req.reach(.afterSalesHandle)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = AfterSalesCaseModel.query(on: req.db).scoped(to: reach)
        if let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id") { query = query.filter(\.$storeId == storeId) }
        if let raw = req.query[String.self, at: "status"] {
            if let status = AfterSalesStatus(rawValue: raw) { query = query.filter(\.$status == status.rawValue) } else {
                errors.add("status", "must be one of \(AfterSalesStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let raw = req.query[String.self, at: "kind"] {
            if let kind = AfterSalesKind(rawValue: raw) { query = query.filter(\.$kind == kind.rawValue) } else {
                errors.add("kind", "must be one of \(AfterSalesKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let number = req.query[String.self, at: "number"]?.trimmingWhitespace(), !number.isEmpty { query = query.filter(\.$number == number.uppercased()) }
        let order = ListSort.parse(req, fields: ["number", "kind", "status", "reason", "requestedRefundFen", "refundedFen", "createdAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$number).page(page) { $0 }
        return ListPage(items: try await AfterSalesService.dto(result.items, for: req), page: result.page, per: result.per, total: result.total)
    }

    /// Cases, units and refunded money grouped by store, product and reason over a period,
    /// within the caller's reach.
    func stats(req: Request) async throws -> AfterSalesStats {
        let (_, reach) = try req.reach(.afterSalesHandle)
        var errors = FieldErrorCollector()
        var query = AfterSalesCaseModel.query(on: req.db).scoped(to: reach)
        let period = req.optionalPeriod(into: &errors)
        if let from = period.from { query = query.filter(\.$createdAt >= from) }
        if let to = period.to { query = query.filter(\.$createdAt < to) }
        try errors.throwIfAny()
        let cases = try await query.all()
        let lines = cases.isEmpty ? [] : try await AfterSalesLineModel.query(on: req.db).filter(\.$caseId ~~ cases.map { $0.id! }).all()
        let stores = Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: req.db).filter(\.$id ~~ Set(cases.map(\.storeId))).all().map { ($0.id!.uuidString, $0.name) })
        let productIds = Set(lines.map(\.productId))
        let products = productIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: req.db)
            .filter(\.$id ~~ productIds).all().map { ($0.id!.uuidString, $0.title) })
        let figures = try AfterSalesStatistics.compute(
            cases: cases.map { AfterSalesStatistics.Case(id: $0.id!, storeId: $0.storeId, reason: AfterSalesReason(rawValue: $0.reason) ?? .other,
                                                         status: $0.status, refundedFen: $0.refundedFen) },
            lines: lines.map { AfterSalesStatistics.Line(caseId: $0.caseId, productId: $0.productId, quantity: $0.quantity, refundFen: $0.refundFen) })
        func rows(_ groups: [AfterSalesStatistics.Group], label: (String) -> String) -> [AfterSalesStats.Row] {
            groups.map { AfterSalesStats.Row(key: $0.key, label: label($0.key), cases: $0.cases, units: $0.units, refundedFen: $0.refundedFen) }
        }
        return AfterSalesStats(totalCases: figures.totalCases, byStatus: figures.byStatus,
                               byStore: rows(figures.byStore) { stores[$0] ?? $0 },
                               byProduct: rows(figures.byProduct) { products[$0] ?? $0 },
                               byReason: rows(figures.byReason) { (AfterSalesReason(rawValue: $0) ?? .other).label })
    }

    func show(req: Request) async throws -> AfterSalesInfo {
        let model = try await find(req)
        try req.authorize(.afterSalesHandle, on: model.owner)
        return try await AfterSalesService.dto([model], for: req)[0]
    }

    func approve(req: Request) async throws -> AfterSalesInfo {
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(AfterSalesApprovalInput.self) : AfterSalesApprovalInput()
        return try await step(req, action: "aftersales.approve") { state, actor, now in
            try state.approve(by: actor, at: now, refund: input.refundFen.map { Money(minorUnits: $0) })
        }
    }

    func reject(req: Request) async throws -> AfterSalesInfo {
        let input = try req.content.decode(ReasonInput.self)
        return try await step(req, action: "aftersales.reject") { state, actor, now in try state.reject(by: actor, at: now, reason: input.reason) }
    }

    func receive(req: Request) async throws -> AfterSalesInfo {
        try await step(req, action: "aftersales.receive") { state, actor, now in try state.receiveReturn(by: actor, at: now) }
    }

    func inspect(req: Request) async throws -> AfterSalesInfo {
        let input = try req.content.decode(AfterSalesInspectionInput.self)
        return try await step(req, action: "aftersales.inspect") { state, actor, now in
            try state.inspect(passed: input.passed, by: actor, at: now, note: input.note)
        }
    }

    func shipReplacement(req: Request) async throws -> AfterSalesInfo {
        let input = try req.content.decode(ShipmentInput.self)
        let checked = try CheckedShipment(carrier: input.carrier, trackingNumber: input.trackingNumber,
                                          courierName: input.courierName, courierPhone: input.courierPhone)
        let logistics = LogisticsService(app: req.application)
        return try await step(req, action: "aftersales.shipReplacement") { state, actor, now in
            try state.shipReplacement(carrier: checked.tracking.carrier, trackingNumber: checked.tracking.number, by: actor, at: now)
        } andThen: { model, db, now in
            try await logistics.createShipment(checked, purpose: .replacement, orderId: model.orderId, afterSalesId: model.id,
                                               merchantId: model.merchantId, storeId: model.storeId, on: db, now: now)
        }
    }

    private func step(_ req: Request, action: String,
                      _ event: @escaping @Sendable (inout AfterSalesCase, TimelineActor, Date) throws -> [AfterSalesEffect],
                      andThen extra: (@Sendable (AfterSalesCaseModel, any Database, Date) async throws -> Void)? = nil) async throws -> AfterSalesInfo {
        let model = try await find(req)
        let staff = try req.authorize(.afterSalesHandle, on: model.owner)
        let actor = staff.timelineActor(for: .afterSalesHandle, merchantId: model.merchantId)
        let now = req.now
        let updated = try await AfterSalesService(app: req.application).transition(caseId: model.id!, now: now) { state in
            try event(&state, actor, now)
        } andThen: { model, before, db in
            try await extra?(model, db, now)
            try await req.audit.record(on: db, action: action, owner: model.owner, targetType: "after_sales", targetId: model.id!.uuidString,
                                       before: ["status": before.rawValue], after: ["status": model.status])
        }
        return try await AfterSalesService.dto([updated], for: req)[0]
    }

    private func find(_ req: Request) async throws -> AfterSalesCaseModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("caseId", as: UUID.self), let model = try await AfterSalesCaseModel.find(id, on: req.db) else {
            throw MallError.notFound("No such after-sales case.")
        }
        return model
    }
}
