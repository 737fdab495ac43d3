import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Count sheets: open one for a store, enter counts (typed or scanned), post all differences at
/// once. The posted sheet stays as the record of what was counted and what changed.
struct StocktakeRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sheets = routes.grouped("stocktakes")
        sheets.get(use: list)
        sheets.post(use: open)
        sheets.get(":stocktakeId", use: show)
        sheets.post(":stocktakeId", "counts", use: count)
        sheets.post(":stocktakeId", "post", use: post)
        sheets.post(":stocktakeId", "cancel", use: cancel)
    }

    func list(req: Request) async throws -> ListPage<Stocktake> {
        let (_, reach) = try req.reach(.inventoryView)
        let page = try PageRequest(from: req)
        var errors = FieldErrorCollector()
        var query = StocktakeModel.query(on: req.db).scoped(to: reach)
        if let storeId = req.optionalQuery(UUID.self, "storeId", into: &errors, message: "must be a store id") { query = query.filter(\.$storeId == storeId) }
        let order = ListSort.parse(req, fields: ["createdAt", "status", "note", "postedAt"], into: &errors)
        try errors.throwIfAny()
        let result = try await query.sort(order).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        var items: [Stocktake] = []
        for sheet in result.items { items.append(try await Self.dto(sheet, on: req.db)) }
        return ListPage(items: items, page: result.page, per: result.per, total: result.total)
    }

    func open(req: Request) async throws -> Response {
        let input = try req.content.decode(StocktakeInput.self)
        let store = try await InventoryAccess.store(input.storeId, req: req, permission: .inventoryManage)
        let sheet = StocktakeModel()
        sheet.id = UUID()
        sheet.storeId = store.id!
        sheet.merchantId = store.merchantId
        sheet.status = .open
        sheet.note = try input.note.map { try TextRule.check($0, field: "note", max: 200) }
        sheet.createdBy = try req.requireStaff().staffId
        sheet.createdAt = req.now
        try await req.db.writeTransaction { db in
            try await sheet.create(on: db)
            try await req.audit.record(on: db, action: "stocktake.open", owner: sheet.owner, targetType: "stocktake", targetId: sheet.id!.uuidString)
        }
        return try Response.json(try await Self.dto(sheet, on: req.db), status: .created)
    }

    func show(req: Request) async throws -> Stocktake {
        let sheet = try await find(req, permission: .inventoryView)
        return try await Self.dto(sheet, on: req.db)
    }

    func count(req: Request) async throws -> Stocktake {
        let sheet = try await find(req, permission: .inventoryManage)
        let input = try req.content.decode(StocktakeCountInput.self)
        try sheet.status.counting()
        // A scan adds at least one unit; a typed count may be zero.
        let lines = try await SKULookup.resolve(input.lines, merchantId: sheet.merchantId, on: req.db,
                                                quantities: input.mode == .add ? InputLimits.stockQuantity : InputLimits.stockCount,
                                                zeroAllowed: input.mode == .set)
        try await req.db.writeTransaction { db in
            try await Self.lockedSheet(sheet.id!, on: db).status.counting()
            for (index, (skuId, quantity)) in lines.enumerated() {
                // Scans from several devices add up in one statement, never by read-modify-write,
                // and a total beyond the count limit is refused rather than stored.
                let counted: SQLQueryString = input.mode == .add ? "stocktake_lines.counted + excluded.counted" : "excluded.counted"
                let stored = try await db.sql.raw("""
                    INSERT INTO stocktake_lines (id, stocktake_id, sku_id, counted, updated_at)
                    VALUES (\(bind: UUID()), \(bind: sheet.id!), \(bind: skuId), \(bind: quantity), \(bind: req.now))
                    ON CONFLICT (stocktake_id, sku_id) DO UPDATE SET counted = \(counted), updated_at = excluded.updated_at
                    WHERE \(counted) <= \(bind: InputLimits.stockCount.upperBound)
                    RETURNING counted
                    """).all()
                if stored.isEmpty {
                    throw ValidationFailure(field: "lines[\(index)].quantity", message: "would bring the count above \(InputLimits.stockCount.upperBound)")
                }
            }
        }
        return try await Self.dto(sheet, on: req.db)
    }

    /// Posts every counted line against the books as they are now, in one transaction.
    func post(req: Request) async throws -> Stocktake {
        let sheet = try await find(req, permission: .inventoryManage)
        let staff = try req.requireStaff()
        _ = try sheet.status.posting()
        let posted = try await req.db.writeTransaction { db in
            // Re-read under the lock: of two clicks on "post", the second finds the sheet posted.
            let sheet = try await Self.lockedSheet(sheet.id!, on: db)
            sheet.status = try sheet.status.posting()
            let service = try await InventoryService.make(req.application, on: db)
            let lines = try await StocktakeLineModel.query(on: db).filter(\.$stocktakeId == sheet.id!).all()
                .sorted { $0.skuId.uuidString < $1.skuId.uuidString }
            guard !lines.isEmpty else { throw MallError.conflict("Nothing was counted on this sheet; count at least one SKU or cancel it.") }
            for line in lines {
                let context = MovementContext(reason: "stocktake", referenceType: "stocktake", referenceId: sheet.id!.uuidString,
                                              actorStaffId: staff.staffId, now: req.now)
                let (book, _) = try await service.setCounted(line.counted, skuId: line.skuId, storeId: sheet.storeId, kind: .stocktake, context: context)
                line.bookQuantity = book
                line.difference = line.counted - book
                line.updatedAt = req.now
                try await line.update(on: db)
            }
            sheet.postedAt = req.now
            sheet.postedBy = staff.staffId
            try await sheet.update(on: db)
            try await req.audit.record(on: db, action: "stocktake.post", owner: sheet.owner, targetType: "stocktake", targetId: sheet.id!.uuidString,
                                       after: ["lines": String(lines.count), "differences": String(lines.filter { $0.difference != 0 }.count)])
            return sheet
        }
        return try await Self.dto(posted, on: req.db)
    }

    func cancel(req: Request) async throws -> Stocktake {
        let sheet = try await find(req, permission: .inventoryManage)
        _ = try sheet.status.cancelling()
        let cancelled = try await req.db.writeTransaction { db in
            let sheet = try await Self.lockedSheet(sheet.id!, on: db)
            sheet.status = try sheet.status.cancelling()
            try await sheet.update(on: db)
            try await req.audit.record(on: db, action: "stocktake.cancel", owner: sheet.owner, targetType: "stocktake", targetId: sheet.id!.uuidString)
            return sheet
        }
        return try await Self.dto(cancelled, on: req.db)
    }

    /// The sheet as it stands, locked until the transaction ends, so counting, posting and
    /// cancelling the same sheet happen one after another.
    private static func lockedSheet(_ id: UUID, on db: any Database) async throws -> StocktakeModel {
        try await db.lockRow("stocktakes", id: id)
        guard let sheet = try await StocktakeModel.find(id, on: db) else { throw MallError.notFound("No such count sheet.") }
        return sheet
    }

    private func find(_ req: Request, permission: Permission) async throws -> StocktakeModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("stocktakeId", as: UUID.self), let sheet = try await StocktakeModel.find(id, on: req.db) else {
            throw MallError.notFound("No such count sheet.")
        }
        try req.authorize(permission, on: sheet.owner)
        return sheet
    }

    static func dto(_ sheet: StocktakeModel, on db: any Database) async throws -> Stocktake {
        let lines = try await StocktakeLineModel.query(on: db).filter(\.$stocktakeId == sheet.id!).all()
        let codes = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ lines.map(\.skuId)).all().map { ($0.id!, $0.code) })
        // While the sheet is open its differences are against the books as they stand now, so
        // whoever posts it sees what posting will change; posting freezes them.
        var onHandNow: [UUID: Int] = [:]
        if sheet.status == .open, !lines.isEmpty {
            for level in try await StockLevelModel.query(on: db).filter(\.$storeId == sheet.storeId).filter(\.$skuId ~~ lines.map(\.skuId)).all() {
                onHandNow[level.skuId] = level.onHand
            }
        }
        return Stocktake(id: sheet.id!, storeId: sheet.storeId, status: sheet.status, note: sheet.note,
                         lines: lines.map { line in
                             let book = sheet.status == .open ? onHandNow[line.skuId] ?? 0 : line.bookQuantity
                             return StocktakeLine(skuId: line.skuId, skuCode: codes[line.skuId] ?? "", counted: line.counted,
                                                  bookQuantity: book, difference: sheet.status == .open ? book.map { line.counted - $0 } : line.difference)
                         }
                             .sorted { $0.skuCode < $1.skuCode },
                         createdAt: sheet.createdAt, postedAt: sheet.postedAt)
    }
}
