import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Store stock for staff: levels, receipts, adjustments, outbound, movements and alerts.
struct InventoryRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let inventory = routes.grouped("inventory")
        inventory.get("levels", use: levels)
        inventory.get("levels", "lookup", use: lookup)
        inventory.put("levels", ":storeId", ":skuId", "threshold", use: setThreshold)
        inventory.post("receipts", use: receive)
        inventory.post("adjustments", use: adjust)
        inventory.post("outbound", use: outbound)
        inventory.get("movements", use: movements)
        inventory.get("alerts", use: alerts)
    }

    func levels(req: Request) async throws -> ListPage<StockLevelEntry> {
        let (_, reach) = try req.reach(.inventoryView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = StockLevelModel.query(on: req.db).scoped(to: reach)
        if let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id") {
            query = query.filter(\.$storeId == storeId)
        }
        if let skuId = req.optionalQuery(UUID.self, "skuId", into: &errors, message: "must be a SKU id") {
            query = query.filter(\.$skuId == skuId)
        }
        let order = ListSort.parse(req, fields: ["onHand", "reserved", "lowStockThreshold", "updatedAt"],
                                   computed: ["available": "stock_levels.on_hand - stock_levels.reserved"], into: &errors)
        try errors.throwIfAny()
        let defaultThreshold = try await SettingsService.resolved(on: req.db).integer(.lowStockThreshold)
        if req.query[Bool.self, at: "low"] == true {
            query = query.filter(.sql(unsafeRaw: "stock_levels.on_hand - stock_levels.reserved < COALESCE(stock_levels.low_stock_threshold, \(defaultThreshold))"))
        }
        let result = try await query.sort(order).sort(\.$storeId).sort(\.$skuId).page(page) { $0 }
        let entries = try await StockLevelEntries.describe(result.items, defaultThreshold: defaultThreshold, on: req.db)
        return ListPage(items: entries, page: result.page, per: result.per, total: result.total)
    }

    /// One SKU of a store's merchant by what a scanner or a person reads off the label — its
    /// barcode or SKU code — with its stock at the store (zero when it has never been there),
    /// so a count or a receipt can name the item before any quantity is typed.
    func lookup(req: Request) async throws -> StockLevelEntry {
        var errors = FieldErrorCollector()
        let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id")
        let code = req.query[String.self, at: "code"]?.trimmingWhitespace() ?? ""
        // optionalQuery reads an empty value as absent, so "?storeId=" lands here as well.
        if storeId == nil && errors.errors.allSatisfy({ $0.field != "storeId" }) { errors.add("storeId", "is required") }
        if code.isEmpty { errors.add("code", "is required") }
        try errors.throwIfAny()
        guard let storeId else { throw ValidationFailure(field: "storeId", message: "is required") }
        let store = try await InventoryAccess.store(storeId, req: req, permission: .inventoryView)
        guard let sku = try await SKUModel.query(on: req.db).filter(\.$merchantId == store.merchantId)
            .group(.or, { $0.filter(\.$barcode == code).filter(\.$code == code.uppercased()) }).first() else {
            throw MallError.notFound("No SKU of this store's merchant has the barcode or code \(code.prefix(40)).")
        }
        let level = try await StockLevelModel.query(on: req.db).filter(\.$storeId == store.id!).filter(\.$skuId == sku.id!).first() ?? {
            let empty = StockLevelModel()
            empty.skuId = sku.id!
            empty.storeId = store.id!
            empty.merchantId = store.merchantId
            empty.onHand = 0
            empty.reserved = 0
            return empty
        }()
        let defaultThreshold = try await SettingsService.resolved(on: req.db).integer(.lowStockThreshold)
        return try await StockLevelEntries.describe([level], defaultThreshold: defaultThreshold, on: req.db)[0]
    }

    func setThreshold(req: Request) async throws -> StockLevelEntry {
        guard let storeId = req.parameters.get("storeId", as: UUID.self), let skuId = req.parameters.get("skuId", as: UUID.self),
              let store = try await StoreModel.find(storeId, on: req.db) else { throw MallError.notFound("No such store.") }
        try req.authorize(.inventoryManage, on: store.owner)
        let input = try req.content.decode(StockThresholdInput.self)
        if let threshold = input.lowStockThreshold, !InputLimits.stockThreshold.contains(threshold) {
            throw ValidationFailure.outOfRange("lowStockThreshold", InputLimits.stockThreshold)
        }
        guard let level = try await StockLevelModel.query(on: req.db).filter(\.$storeId == storeId).filter(\.$skuId == skuId).first() else {
            throw MallError.notFound("This SKU has no stock record at this store yet; receive stock first.")
        }
        let before = level.lowStockThreshold
        level.lowStockThreshold = input.lowStockThreshold
        let settings = try await SettingsService.resolved(on: req.db)
        try await req.db.writeTransaction { db in
            try await level.update(on: db)
            let effective = level.lowStockThreshold ?? settings.integer(.lowStockThreshold)
            let alerts = LowStockAlerts(app: req.application, db: db)
            if level.level.available < effective, let sku = try await SKUModel.find(skuId, on: db) {
                try await alerts.raise(skuId: skuId, storeId: storeId, merchantId: sku.merchantId, threshold: effective,
                                       available: level.level.available, now: req.now)
            } else if level.level.available >= effective {
                try await alerts.resolve([(skuId, storeId)], now: req.now)
            }
            try await req.audit.record(on: db, action: "inventory.threshold", owner: store.owner, targetType: "stock_level",
                                       targetId: "\(skuId.uuidString)@\(storeId.uuidString)",
                                       before: ["lowStockThreshold": before], after: ["lowStockThreshold": input.lowStockThreshold])
        }
        return try await StockLevelEntries.describe([level], defaultThreshold: settings.integer(.lowStockThreshold), on: req.db)[0]
    }

    func receive(req: Request) async throws -> [StockLevelEntry] {
        let input = try req.content.decode(StockReceiptInput.self)
        let store = try await InventoryAccess.store(input.storeId, req: req, permission: .inventoryManage)
        let lines = try await SKULookup.resolve(input.lines, merchantId: store.merchantId, on: req.db)
        let reason = try input.note.map { try TextRule.check($0, field: "note", max: 200) }
        return try await InventoryAccess.record(req, store: store, kind: .receipt, lines: lines, action: "inventory.receipt",
                                                context: MovementContext(reason: reason, referenceType: "receipt", referenceId: input.reference,
                                                                         actorStaffId: try req.requireStaff().staffId, now: req.now))
    }

    func outbound(req: Request) async throws -> [StockLevelEntry] {
        let input = try req.content.decode(StockOutboundInput.self)
        let store = try await InventoryAccess.store(input.storeId, req: req, permission: .inventoryManage)
        let reason = try TextRule.check(input.reason, field: "reason", min: 2, max: 200)
        let lines = try await SKULookup.resolve(input.lines, merchantId: store.merchantId, on: req.db)
        return try await InventoryAccess.record(req, store: store, kind: .outbound, lines: lines, action: "inventory.outbound",
                                                context: MovementContext(reason: reason, referenceType: "outbound", referenceId: nil,
                                                                         actorStaffId: try req.requireStaff().staffId, now: req.now))
    }

    func adjust(req: Request) async throws -> [StockLevelEntry] {
        let input = try req.content.decode(StockAdjustmentInput.self)
        let store = try await InventoryAccess.store(input.storeId, req: req, permission: .inventoryManage)
        var errors = FieldErrorCollector()
        let reason = errors.collect { try TextRule.check(input.reason, field: "reason", min: 2, max: 200) }
        errors.collect { _ = try StockChange.movement(.adjustment, quantity: input.delta, field: "delta") }
        try errors.throwIfAny()
        let lines = try await SKULookup.resolve([StockLineInput(skuId: input.skuId, quantity: input.delta)], merchantId: store.merchantId,
                                                on: req.db, quantities: InputLimits.stockDelta, zeroAllowed: false)
        return try await InventoryAccess.record(req, store: store, kind: .adjustment, lines: lines, action: "inventory.adjustment",
                                                context: MovementContext(reason: reason, referenceType: "adjustment", referenceId: nil,
                                                                         actorStaffId: try req.requireStaff().staffId, now: req.now))
    }

    func movements(req: Request) async throws -> ListPage<StockMovementEntry> {
        let (_, reach) = try req.reach(.inventoryView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = StockMovementModel.query(on: req.db).scoped(to: reach)
        if let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id") { query = query.filter(\.$storeId == storeId) }
        if let skuId = req.optionalQuery(UUID.self, "skuId", into: &errors, message: "must be a SKU id") { query = query.filter(\.$skuId == skuId) }
        if let raw = req.query[String.self, at: "kind"] {
            if let kind = StockMovementKind(rawValue: raw) { query = query.filter(\.$kind == kind.rawValue) } else {
                errors.add("kind", "must be one of \(StockMovementKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let type = req.query[String.self, at: "referenceType"], !type.isEmpty { query = query.filter(\.$referenceType == type) }
        if let id = req.query[String.self, at: "referenceId"], !id.isEmpty { query = query.filter(\.$referenceId == id) }
        let period = req.optionalPeriod(into: &errors)
        if let from = period.from { query = query.filter(\.$createdAt >= from) }
        if let to = period.to { query = query.filter(\.$createdAt < to) }
        let order = ListSort.parse(req, fields: ["createdAt", "kind", "onHandDelta", "reservedDelta", "onHandAfter", "reason"], into: &errors)
        try errors.throwIfAny()
        return try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$storeSeq, .descending).page(page) { movement in
            var entry = movement.dto
            entry.reason = entry.reason.map(req.serverText)
            return entry
        }
    }

    func alerts(req: Request) async throws -> ListPage<LowStockAlert> {
        let (_, reach) = try req.reach(.inventoryView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = LowStockAlertModel.query(on: req.db).scoped(to: reach)
        if let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id") { query = query.filter(\.$storeId == storeId) }
        let status = req.query[String.self, at: "status"] ?? "open"
        guard ["open", "resolved", "all"].contains(status) else { throw ValidationFailure(field: "status", message: "must be open, resolved or all") }
        if status != "all" { query = query.filter(\.$status == status) }
        let order = ListSort.parse(req, fields: ["createdAt", "available", "threshold", "status", "resolvedAt"], into: &errors)
        try errors.throwIfAny()
        return try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0.dto }
    }
}

/// Shared steps of the inventory endpoints.
enum InventoryAccess {
    static func store(_ id: UUID, req: Request, permission: Permission) async throws -> StoreModel {
        _ = try req.requireStaff()
        guard let store = try await StoreModel.find(id, on: req.db) else {
            throw ValidationFailure(field: "storeId", message: "is not a store")
        }
        try req.authorize(permission, on: store.owner)
        return store
    }

    /// Applies one kind of movement to several lines in one transaction with one audit row.
    static func record(_ req: Request, store: StoreModel, kind: StockMovementKind, lines: [(UUID, Int)], action: String,
                       context: MovementContext) async throws -> [StockLevelEntry] {
        let applied = try await req.db.writeTransaction { db in
            let service = try await InventoryService.make(req.application, on: db)
            let requests = lines.map { StockRequest(skuId: $0.0, storeId: store.id!, quantity: $0.1) }
            let applied = try await service.move(kind, requests, context: context)
            try await req.audit.record(on: db, action: action, owner: store.owner, targetType: "store_stock", targetId: store.id!.uuidString,
                                       after: AuditLines(reason: context.reason, reference: context.referenceId,
                                                         lines: lines.map { ["skuId": $0.0.uuidString, "quantity": String($0.1)] }))
            return applied
        }
        let levels = try await StockLevelModel.query(on: req.db).filter(\.$storeId == store.id!)
            .filter(\.$skuId ~~ applied.map(\.skuId)).all()
        let defaultThreshold = try await SettingsService.resolved(on: req.db).integer(.lowStockThreshold)
        return try await StockLevelEntries.describe(levels, defaultThreshold: defaultThreshold, on: req.db)
    }

    struct AuditLines: Encodable {
        let reason: String?
        let reference: String?
        let lines: [[String: String]]
    }
}

/// Finds SKUs named by id, barcode or code, all of one merchant, reporting every bad line.
enum SKULookup {
    /// `quantities` is the range each line's quantity must be in (`InputLimits`: a movement,
    /// a count or a signed delta); zero is refused as well when `zeroAllowed` is false.
    static func resolve(_ lines: [StockLineInput], merchantId: UUID, on db: any Database,
                        quantities: ClosedRange<Int> = InputLimits.stockQuantity, zeroAllowed: Bool = true) async throws -> [(UUID, Int)] {
        var errors = FieldErrorCollector()
        if lines.isEmpty { errors.add("lines", "must have at least one line") }
        if lines.count > 500 { errors.add("lines", "must have at most 500 lines") }
        try errors.throwIfAny()
        var resolved: [(UUID, Int)] = []
        for (index, line) in lines.enumerated() {
            let field = "lines[\(index)]"
            if errors.range(line.quantity, quantities, field + ".quantity"), !zeroAllowed, line.quantity == 0 {
                errors.add(field + ".quantity", "must not be zero")
            }
            var query = SKUModel.query(on: db).filter(\.$merchantId == merchantId)
            if let id = line.skuId {
                query = query.filter(\.$id == id)
            } else if let barcode = line.barcode?.trimmingWhitespace(), !barcode.isEmpty {
                query = query.filter(\.$barcode == barcode)
            } else if let code = line.skuCode?.trimmingWhitespace(), !code.isEmpty {
                query = query.filter(\.$code == code.uppercased())
            } else {
                errors.add(field, "name the SKU by skuId, barcode or skuCode")
                continue
            }
            guard let sku = try await query.first() else {
                errors.add(field, "is not a SKU of this store's merchant")
                continue
            }
            resolved.append((sku.id!, line.quantity))
        }
        try errors.throwIfAny()
        return resolved
    }
}

enum StockLevelEntries {
    static func describe(_ levels: [StockLevelModel], defaultThreshold: Int, on db: any Database) async throws -> [StockLevelEntry] {
        let skus = try await SKUModel.query(on: db).filter(\.$id ~~ Set(levels.map(\.skuId))).all()
        let skuById = Dictionary(uniqueKeysWithValues: skus.map { ($0.id!, $0) })
        let products = try await ProductModel.query(on: db).filter(\.$id ~~ Set(skus.map(\.productId))).all()
        let productById = Dictionary(uniqueKeysWithValues: products.map { ($0.id!, $0) })
        return levels.map { level in
            let sku = skuById[level.skuId]
            let threshold = level.lowStockThreshold ?? defaultThreshold
            let available = level.onHand - level.reserved
            return StockLevelEntry(skuId: level.skuId, skuCode: sku?.code ?? "", productId: sku?.productId ?? level.skuId,
                                   productTitle: sku.flatMap { productById[$0.productId]?.title } ?? "", specTitle: sku?.specTitle ?? "",
                                   storeId: level.storeId, onHand: level.onHand, reserved: level.reserved, available: available,
                                   lowStockThreshold: threshold, thresholdIsDefault: level.lowStockThreshold == nil, isLow: available < threshold)
        }
    }
}

extension StockMovementModel {
    var dto: StockMovementEntry {
        StockMovementEntry(id: id!, seq: storeSeq, storeId: storeId, skuId: skuId, kind: StockMovementKind(rawValue: kind) ?? .adjustment,
                           onHandDelta: onHandDelta, reservedDelta: reservedDelta, onHandAfter: onHandAfter, reservedAfter: reservedAfter,
                           reason: reason, referenceType: referenceType, referenceId: referenceId, actorStaffId: actorStaffId, createdAt: createdAt)
    }
}

extension LowStockAlertModel {
    var dto: LowStockAlert {
        LowStockAlert(id: id!, skuId: skuId, storeId: storeId, threshold: threshold, available: available, status: status,
                      createdAt: createdAt, resolvedAt: resolvedAt)
    }
}
