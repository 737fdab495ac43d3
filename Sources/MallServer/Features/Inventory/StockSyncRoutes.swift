import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The API a store's POS/ERP uses, signed in as a staff account of that store: push counts or
/// movements in idempotent batches, pull every change after a cursor.
struct StockSyncRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sync = routes.grouped("inventory", "sync", ":storeId")
        sync.post("batches", use: push)
        sync.get("changes", use: pull)
    }

    func push(req: Request) async throws -> StockSyncResult {
        let store = try await store(req, permission: .inventoryManage)
        let staff = try req.requireStaff()
        let input = try req.content.decode(StockSyncBatchInput.self)
        let reference = try TextRule.check(input.externalReference, field: "externalReference", max: 100)
        // A count is a level (0 and up); a movement a signed, non-zero change.
        let lines = try await SKULookup.resolve(input.lines, merchantId: store.merchantId, on: req.db,
                                                quantities: input.kind == .counts ? InputLimits.stockCount : InputLimits.stockDelta,
                                                zeroAllowed: input.kind == .counts)
        return try await req.db.writeTransaction { db in
            // Claim the reference first: a concurrent duplicate waits here and then finds it taken.
            let batchId = UUID()
            let claimed = try await db.sql.raw("""
                INSERT INTO stock_sync_batches (id, store_id, external_reference, kind, result, created_at)
                VALUES (\(bind: batchId), \(bind: store.id!), \(bind: reference), \(bind: input.kind.rawValue), '{}', \(bind: req.now))
                ON CONFLICT (store_id, external_reference) DO NOTHING RETURNING id
                """).all()
            guard !claimed.isEmpty else {
                guard let earlier = try await StockSyncBatchModel.query(on: db).filter(\.$storeId == store.id!)
                    .filter(\.$externalReference == reference).first(),
                      var result = try? JSONDecoder.api.decode(StockSyncResult.self, from: Data(earlier.resultJSON.utf8)) else {
                    throw MallError.conflict("This batch reference is being processed; retry in a moment.")
                }
                result.replayed = true
                return result
            }
            let service = try await InventoryService.make(req.application, on: db)
            let context = MovementContext(reason: "POS sync \(reference)", referenceType: "sync", referenceId: reference,
                                          actorStaffId: staff.staffId, now: req.now)
            var changed = 0
            for (skuId, quantity) in lines {
                switch input.kind {
                case .counts:
                    if try await service.setCounted(quantity, skuId: skuId, storeId: store.id!, kind: .sync, context: context).applied != nil { changed += 1 }
                case .movements:
                    _ = try await service.apply(try StockChange.movement(.sync, quantity: quantity), skuId: skuId, storeId: store.id!, context: context)
                    changed += 1
                }
            }
            let cursor = try await Self.cursor(storeId: store.id!, on: db)
            let result = StockSyncResult(externalReference: reference, replayed: false, changedLines: changed,
                                         unchangedLines: lines.count - changed, cursor: cursor)
            try await StockSyncBatchModel.query(on: db).set(\.$resultJSON, to: try JSONText.encode(result))
                .filter(\.$id == batchId).update()
            try await req.audit.record(on: db, action: "inventory.sync", owner: store.owner, targetType: "stock_sync_batch",
                                       targetId: batchId.uuidString, after: result)
            return result
        }
    }

    func pull(req: Request) async throws -> StockChanges {
        let store = try await store(req, permission: .inventoryView)
        var errors = FieldErrorCollector()
        let after = req.boundedQuery("after", 0...Int64.max, into: &errors) ?? 0
        let limit = req.boundedQuery("limit", 1...1000, into: &errors) ?? 500
        try errors.throwIfAny()
        let rows = try await StockMovementModel.query(on: req.db).filter(\.$storeId == store.id!).filter(\.$storeSeq > after)
            .sort(\.$storeSeq).limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        return StockChanges(changes: page.map(\.dto), nextCursor: page.last?.storeSeq ?? after, hasMore: rows.count > limit)
    }

    private func store(_ req: Request, permission: Permission) async throws -> StoreModel {
        _ = try req.requireStaff()
        guard let id = req.parameters.get("storeId", as: UUID.self), let store = try await StoreModel.find(id, on: req.db) else {
            throw MallError.notFound("No such store.")
        }
        try req.authorize(permission, on: store.owner)
        return store
    }

    static func cursor(storeId: UUID, on db: any Database) async throws -> Int64 {
        try await db.sql.raw("SELECT last_seq FROM stock_sequences WHERE store_id = \(bind: storeId)").all()
            .first.map { try $0.decode(column: "last_seq", as: Int64.self) } ?? 0
    }
}
