import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Stock moving between two stores of one merchant (a warehouse counts as a store): created at
/// the source, shipped (stock leaves), in transit with an expected arrival, received at the
/// destination, possibly in parts, with whatever never arrives recorded as a discrepancy.
struct TransferRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let transfers = routes.grouped("transfers")
        transfers.get(use: list)
        transfers.post(use: create)
        transfers.get(":transferId", use: show)
        transfers.post(":transferId", "ship", use: ship)
        transfers.post(":transferId", "receive", use: receive)
        transfers.post(":transferId", "close", use: close)
        transfers.post(":transferId", "cancel", use: cancel)
    }

    /// Both ends see a transfer: the source ships it, the destination expects it.
    func list(req: Request) async throws -> ListPage<Transfer> {
        let (_, reach) = try req.reach(.inventoryView)
        let page = try PageRequest(from: req)
        var query = TransferModel.query(on: req.db)
        if case .limited(let merchants, let stores) = reach {
            let storeIds = stores.map(\.rawValue)
            query = query.group(.or) { group in
                group.filter(\.$merchantId ~~ merchants.map(\.rawValue)).filter(\.$fromStoreId ~~ storeIds).filter(\.$toStoreId ~~ storeIds)
            }
        }
        if let raw = req.query[String.self, at: "status"] {
            guard let status = TransferStatus(rawValue: raw) else {
                throw ValidationFailure(field: "status", message: "must be one of \(TransferStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query = query.filter(\.$status == status)
        }
        var errors = FieldErrorCollector()
        let order = ListSort.parse(req, fields: ["number", "status", "createdAt", "shippedAt", "receivedAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await Self.many(result.items, on: req.db), page: result.page, per: result.per, total: result.total)
    }

    func create(req: Request) async throws -> Response {
        let input = try req.content.decode(TransferInput.self)
        let source = try await InventoryAccess.store(input.fromStoreId, req: req, permission: .inventoryManage)
        guard let destination = try await StoreModel.find(input.toStoreId, on: req.db) else {
            throw ValidationFailure(field: "toStoreId", message: "is not a store")
        }
        var errors = FieldErrorCollector()
        if destination.id == source.id { errors.add("toStoreId", "must differ from the source store") }
        if destination.merchantId != source.merchantId { errors.add("toStoreId", "must belong to the same merchant as the source") }
        if let eta = input.expectedArrivalAt, eta < req.now.addingTimeInterval(-86_400) { errors.add("expectedArrivalAt", "must not be in the past") }
        let note = input.note.flatMap { raw in errors.collect { try TextRule.check(raw, field: "note", max: 200) } }
        try errors.throwIfAny()
        let lines = try await SKULookup.resolve(input.lines, merchantId: source.merchantId, on: req.db)
        let transfer = TransferModel()
        transfer.id = UUID()
        transfer.number = Self.number(now: req.now, id: transfer.id!)
        transfer.merchantId = source.merchantId
        transfer.fromStoreId = source.id!
        transfer.toStoreId = destination.id!
        transfer.status = .created
        transfer.note = note
        transfer.expectedArrivalAt = input.expectedArrivalAt
        transfer.createdBy = try req.requireStaff().staffId
        transfer.createdAt = req.now
        try await req.db.writeTransaction { db in
            try await transfer.create(on: db)
            for (position, line) in lines.enumerated() {
                let model = TransferLineModel()
                model.transferId = transfer.id!
                model.position = position
                model.skuId = line.0
                model.quantity = line.1
                model.receivedQuantity = 0
                model.discrepancy = 0
                try await model.create(on: db)
            }
            try await req.audit.record(on: db, action: "transfer.create", owner: transfer.sourceOwner, targetType: "transfer",
                                       targetId: transfer.id!.uuidString, after: ["number": transfer.number])
        }
        return try Response.json(try await Self.dto(transfer, on: req.db), status: .created)
    }

    func show(req: Request) async throws -> Transfer {
        let transfer = try await find(req)
        guard try req.requireStaff().policy.allows(.inventoryView, on: transfer.sourceOwner)
            || req.requireStaff().policy.allows(.inventoryView, on: transfer.destinationOwner) else {
            throw MallError.forbidden("You need the inventory.view permission at one end of this transfer.")
        }
        return try await Self.dto(transfer, on: req.db)
    }

    /// The source ships: every line leaves its stock now, all or nothing.
    func ship(req: Request) async throws -> Transfer {
        let transfer = try await find(req)
        let staff = try req.authorize(.inventoryManage, on: transfer.sourceOwner)
        var lifecycle = try await lifecycle(transfer, on: req.db)
        try lifecycle.ship()
        let shipped = lifecycle
        try await req.db.writeTransaction { db in
            let lines = try await TransferLineModel.query(on: db).filter(\.$transferId == transfer.id!).all()
            let service = try await InventoryService.make(req.application, on: db)
            try await service.move(.transferOut, lines.map { StockRequest(skuId: $0.skuId, storeId: transfer.fromStoreId, quantity: $0.quantity) },
                                   context: MovementContext(reason: "transfer \(transfer.number)", referenceType: "transfer",
                                                            referenceId: transfer.id!.uuidString, actorStaffId: staff.staffId, now: req.now))
            transfer.status = shipped.status
            transfer.shippedAt = req.now
            try await transfer.update(on: db)
            try await req.audit.record(on: db, action: "transfer.ship", owner: transfer.sourceOwner, targetType: "transfer", targetId: transfer.id!.uuidString)
        }
        return try await Self.dto(transfer, on: req.db)
    }

    /// The destination books what arrived; more may follow until it is complete or closed.
    func receive(req: Request) async throws -> Transfer {
        let transfer = try await find(req)
        let staff = try req.authorize(.inventoryManage, on: transfer.destinationOwner)
        let input = try req.content.decode(TransferReceiptInput.self)
        let received = try await SKULookup.resolve(input.lines, merchantId: transfer.merchantId, on: req.db)
        var lifecycle = try await lifecycle(transfer, on: req.db)
        let lines = try await TransferLineModel.query(on: req.db).filter(\.$transferId == transfer.id!).sort(\.$position).all()
        var quantities: [Int: Int] = [:]
        for (index, (skuId, quantity)) in received.enumerated() {
            guard let position = lines.firstIndex(where: { $0.skuId == skuId }) else {
                throw ValidationFailure(field: "lines[\(index)]", message: "is not on this transfer")
            }
            quantities[position, default: 0] += quantity
        }
        try lifecycle.receive(quantities)
        let after = lifecycle
        let arrived = quantities
        try await req.db.writeTransaction { db in
            let service = try await InventoryService.make(req.application, on: db)
            let arrivals = arrived.filter { $0.value > 0 }.map { StockRequest(skuId: lines[$0.key].skuId, storeId: transfer.toStoreId, quantity: $0.value) }
            try await service.move(.transferIn, arrivals, context: MovementContext(reason: "transfer \(transfer.number)", referenceType: "transfer",
                                                                                  referenceId: transfer.id!.uuidString, actorStaffId: staff.staffId, now: req.now))
            for (position, line) in lines.enumerated() {
                line.receivedQuantity = after.lines[position].received
                try await line.update(on: db)
            }
            transfer.status = after.status
            if after.status == .received { transfer.receivedAt = req.now }
            try await transfer.update(on: db)
            try await req.audit.record(on: db, action: "transfer.receive", owner: transfer.destinationOwner, targetType: "transfer",
                                       targetId: transfer.id!.uuidString,
                                       after: arrived.map { ["skuId": lines[$0.key].skuId.uuidString, "quantity": String($0.value)] })
        }
        return try await Self.dto(transfer, on: req.db)
    }

    /// Ends a transfer that will receive nothing more; the missing units become discrepancies.
    func close(req: Request) async throws -> Transfer {
        let transfer = try await find(req)
        try req.authorize(.inventoryManage, on: transfer.destinationOwner)
        var lifecycle = try await lifecycle(transfer, on: req.db)
        let missing = try lifecycle.close()
        let closed = lifecycle
        try await req.db.writeTransaction { db in
            let lines = try await TransferLineModel.query(on: db).filter(\.$transferId == transfer.id!).sort(\.$position).all()
            for (position, line) in lines.enumerated() {
                line.discrepancy = missing[position]
                try await line.update(on: db)
            }
            transfer.status = closed.status
            transfer.receivedAt = req.now
            try await transfer.update(on: db)
            try await req.audit.record(on: db, action: "transfer.close", owner: transfer.destinationOwner, targetType: "transfer",
                                       targetId: transfer.id!.uuidString, after: ["missingUnits": String(missing.reduce(0, +))])
        }
        return try await Self.dto(transfer, on: req.db)
    }

    func cancel(req: Request) async throws -> Transfer {
        let transfer = try await find(req)
        try req.authorize(.inventoryManage, on: transfer.sourceOwner)
        var lifecycle = try await lifecycle(transfer, on: req.db)
        try lifecycle.cancel()
        transfer.status = lifecycle.status
        try await req.db.writeTransaction { db in
            try await transfer.update(on: db)
            try await req.audit.record(on: db, action: "transfer.cancel", owner: transfer.sourceOwner, targetType: "transfer", targetId: transfer.id!.uuidString)
        }
        return try await Self.dto(transfer, on: req.db)
    }

    private func find(_ req: Request) async throws -> TransferModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("transferId", as: UUID.self), let transfer = try await TransferModel.find(id, on: req.db) else {
            throw MallError.notFound("No such transfer.")
        }
        return transfer
    }

    private func lifecycle(_ transfer: TransferModel, on db: any Database) async throws -> TransferLifecycle {
        let lines = try await TransferLineModel.query(on: db).filter(\.$transferId == transfer.id!).sort(\.$position).all()
        return TransferLifecycle(status: transfer.status, lines: lines.map { TransferLineState(quantity: $0.quantity, received: $0.receivedQuantity) })
    }

    /// `TR` + UTC date + a slice of the id: readable on a delivery note, unique in practice and
    /// guaranteed unique by the column's constraint.
    static func number(now: Date, id: UUID) -> String {
        return "TR" + UTCStamp.string(now, format: "yyyyMMdd") + String(id.uuidString.replacingOccurrences(of: "-", with: "").prefix(8))
    }

    static func dto(_ transfer: TransferModel, on db: any Database) async throws -> Transfer {
        try await many([transfer], on: db)[0]
    }

    /// Transfers with their lines, store names and line titles: four queries for any number.
    static func many(_ transfers: [TransferModel], on db: any Database) async throws -> [Transfer] {
        guard !transfers.isEmpty else { return [] }
        let lines = Dictionary(grouping: try await TransferLineModel.query(on: db).filter(\.$transferId ~~ transfers.map { $0.id! })
            .sort(\.$position).all(), by: \.transferId)
        let skuIds = Set(lines.values.flatMap { $0.map(\.skuId) })
        let skus = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ skuIds).all().map { ($0.id!, $0) })
        let products = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ Set(skus.values.map(\.productId)))
            .all().map { ($0.id!, $0.title) })
        let stores = Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db)
            .filter(\.$id ~~ Set(transfers.flatMap { [$0.fromStoreId, $0.toStoreId] })).all().map { ($0.id!, $0.name) })
        func title(_ skuId: UUID) -> String {
            guard let sku = skus[skuId] else { return "" }
            return [products[sku.productId], sku.specTitle.isEmpty ? nil : sku.specTitle].compactMap { $0 }.joined(separator: " ")
        }
        return transfers.map { transfer in
            Transfer(id: transfer.id!, number: transfer.number, fromStoreId: transfer.fromStoreId, fromStoreName: stores[transfer.fromStoreId] ?? "",
                     toStoreId: transfer.toStoreId, toStoreName: stores[transfer.toStoreId] ?? "",
                     status: transfer.status, note: transfer.note, expectedArrivalAt: transfer.expectedArrivalAt,
                     lines: (lines[transfer.id!] ?? []).map {
                         TransferLine(skuId: $0.skuId, skuCode: skus[$0.skuId]?.code ?? "", title: title($0.skuId), quantity: $0.quantity,
                                      receivedQuantity: $0.receivedQuantity, discrepancy: $0.discrepancy)
                     },
                     createdAt: transfer.createdAt, shippedAt: transfer.shippedAt, receivedAt: transfer.receivedAt)
        }
    }
}
