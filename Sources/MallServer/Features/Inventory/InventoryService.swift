import Fluent
import Foundation
import MallCore
import SQLKit
import Vapor

/// A request to move `quantity` units of one SKU at one store.
struct StockRequest: Hashable, Sendable {
    let skuId: UUID
    let storeId: UUID
    let quantity: Int
}

/// Why and by whom stock moved; stored on every ledger row.
struct MovementContext: Sendable {
    var reason: String?
    var referenceType: String?
    var referenceId: String?
    var actorStaffId: UUID?
    var now: Date
}

enum InventoryError: ProblemConvertible {
    case insufficient(skuCode: String, storeCode: String, available: Int, requested: Int)
    case notReserved(skuCode: String, storeCode: String, reserved: Int, requested: Int)
    case unknownSKU(UUID)
    case unknownStore(UUID)
    case belowReserved(skuCode: String, reserved: Int)

    var status: HTTPResponseStatus {
        switch self {
        case .unknownSKU, .unknownStore: .unprocessableEntity
        default: .conflict
        }
    }

    var title: String { status.reasonPhrase }

    var detail: String? {
        switch self {
        case .insufficient(let sku, let store, let available, let requested):
            "Only \(available) of SKU \(sku) available at store \(store); \(requested) requested."
        case .notReserved(let sku, let store, let reserved, let requested):
            "Only \(reserved) of SKU \(sku) are reserved at store \(store); cannot release or commit \(requested)."
        case .unknownSKU(let id): "SKU \(id) does not exist."
        case .unknownStore(let id): "Store \(id) does not exist."
        case .belowReserved(let sku, let reserved):
            "SKU \(sku) has \(reserved) units promised to orders; stock cannot go below that. Release or reallocate those orders first."
        }
    }
}

/// Every stock change goes through here: one conditional UPDATE of the projection, one ledger
/// row, both in the caller's transaction. Nothing else writes `stock_levels`.
struct InventoryService {
    let app: Application
    let db: any Database
    let settings: ResolvedSettings

    static func make(_ app: Application, on db: any Database) async throws -> InventoryService {
        InventoryService(app: app, db: db, settings: try await SettingsService.resolved(on: db))
    }

    struct Applied: Sendable {
        let skuId: UUID
        let storeId: UUID
        let level: StockLevel
        let seq: Int64
    }

    /// Reserves every line or none (the caller's transaction rolls back on the first shortfall).
    /// Lines are taken in a fixed order so two multi-line reservations cannot deadlock.
    /// `skus`: rows the caller already read (checkout has them from pricing); only the others are read.
    @discardableResult
    func reserve(_ requests: [StockRequest], context: MovementContext, skus: [UUID: SKUModel] = [:]) async throws -> [Applied] {
        try await move(.reserve, requests, context: context, skus: skus)
    }

    @discardableResult
    func release(_ requests: [StockRequest], context: MovementContext) async throws -> [Applied] {
        try await move(.release, requests, context: context)
    }

    @discardableResult
    func commit(_ requests: [StockRequest], context: MovementContext) async throws -> [Applied] {
        try await move(.commit, requests, context: context)
    }

    @discardableResult
    func move(_ kind: StockMovementKind, _ requests: [StockRequest], context: MovementContext, skus known: [UUID: SKUModel] = [:]) async throws -> [Applied] {
        let ordered = requests.sorted { ($0.storeId.uuidString, $0.skuId.uuidString) < ($1.storeId.uuidString, $1.skuId.uuidString) }
        // One query for every SKU of the batch the caller did not bring, not one per line.
        var skus = known
        let missing = Set(requests.map(\.skuId)).subtracting(known.keys)
        if !missing.isEmpty {
            for sku in try await SKUModel.query(on: db).filter(\.$id ~~ missing).all() { skus[sku.id!] = sku }
        }
        let changes = try ordered.enumerated().map { index, request in
            try StockChange.movement(kind, quantity: request.quantity, field: "lines[\(index)].quantity")
        }
        if ordered.count > 1, changes.allSatisfy(\.alwaysApplies) {
            return try await applyIncreases(Array(zip(ordered, changes)), skus: skus, context: context)
        }
        var results: [Applied] = []
        for (request, change) in zip(ordered, changes) {
            results.append(try await apply(change, skuId: request.skuId, storeId: request.storeId, context: context, sku: skus[request.skuId]))
        }
        return results
    }

    /// Stock that only goes up (a delivery note of hundreds of lines, a transfer's arrival) in a
    /// fixed number of statements per chunk instead of several per line: the missing level rows
    /// in one INSERT, every level in one UPDATE … FROM, the store's sequence numbers in one bump
    /// and the ledger rows in one INSERT. Lines for the same SKU and store keep one ledger row
    /// each, with running balances.
    private func applyIncreases(_ lines: [(StockRequest, StockChange)], skus: [UUID: SKUModel], context: MovementContext) async throws -> [Applied] {
        // Well under SQLite's and PostgreSQL's limits on bound parameters per statement.
        let chunkSize = 1_000
        guard lines.count <= chunkSize else {
            var results: [Applied] = []
            for start in stride(from: 0, to: lines.count, by: chunkSize) {
                results += try await applyIncreases(Array(lines[start..<min(start + chunkSize, lines.count)]), skus: skus, context: context)
            }
            return results
        }
        struct Pair: Hashable {
            let skuId: UUID
            let storeId: UUID
        }
        for (request, _) in lines where skus[request.skuId] == nil { throw InventoryError.unknownSKU(request.skuId) }
        let storeIds = Set(lines.map(\.0.storeId))
        let storeMerchants = Dictionary(uniqueKeysWithValues: try await db.sql.select().column("id").column("merchant_id").from(StoreModel.schema)
            .where("id", .in, Array(storeIds)).all()
            .map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "merchant_id", as: UUID.self)) })
        for (request, _) in lines {
            guard let merchant = storeMerchants[request.storeId] else { throw InventoryError.unknownStore(request.storeId) }
            guard merchant == skus[request.skuId]!.merchantId else {
                throw ValidationFailure(field: "storeId", message: "belongs to another merchant than the SKU")
            }
        }

        var totals: [Pair: (onHand: Int, reserved: Int)] = [:]
        for (request, change) in lines {
            let pair = Pair(skuId: request.skuId, storeId: request.storeId)
            let sum = totals[pair] ?? (0, 0)
            totals[pair] = (sum.onHand + change.onHandDelta, sum.reserved + change.reservedDelta)
        }
        let pairs = Array(totals.keys)
        var insertLevels = db.sql.insert(into: "stock_levels").columns("id", "sku_id", "store_id", "merchant_id", "on_hand", "reserved", "updated_at")
        for pair in pairs {
            insertLevels = insertLevels.values(SQLBind(UUID()), SQLBind(pair.skuId), SQLBind(pair.storeId), SQLBind(skus[pair.skuId]!.merchantId),
                                               SQLLiteral.numeric("0"), SQLLiteral.numeric("0"), SQLBind(context.now))
        }
        try await insertLevels.ignoringConflicts(with: ["sku_id", "store_id"]).run()

        // Sequence numbers first: the store's sequence row lock orders this batch against other
        // writers of the store, as for single lines.
        var nextSeq: [UUID: Int64] = [:]
        for storeId in storeIds.sorted(by: { $0.uuidString < $1.uuidString }) {
            let count = lines.count { $0.0.storeId == storeId }
            nextSeq[storeId] = try await nextSequence(storeId: storeId, count: count) - Int64(count) + 1
        }

        let rows = pairs.map { pair -> SQLQueryString in
            let sum = totals[pair]!
            return "(\(bind: pair.skuId), \(bind: pair.storeId), \(bind: sum.onHand), \(bind: sum.reserved))"
        }
        let updated = try await db.sql.raw("""
            WITH delta(sku_id, store_id, on_hand, reserved) AS (VALUES \(rows.joined(separator: ", ")))
            UPDATE stock_levels
            SET on_hand = stock_levels.on_hand + delta.on_hand, reserved = stock_levels.reserved + delta.reserved, updated_at = \(bind: context.now)
            FROM delta
            WHERE stock_levels.sku_id = delta.sku_id AND stock_levels.store_id = delta.store_id
            RETURNING stock_levels.sku_id, stock_levels.store_id, stock_levels.on_hand, stock_levels.reserved, stock_levels.low_stock_threshold
            """).all()
        var final: [Pair: (level: StockLevel, threshold: Int?)] = [:]
        for row in updated {
            let pair = Pair(skuId: try row.decode(column: "sku_id", as: UUID.self), storeId: try row.decode(column: "store_id", as: UUID.self))
            final[pair] = (StockLevel(onHand: try row.decode(column: "on_hand", as: Int.self), reserved: try row.decode(column: "reserved", as: Int.self)),
                           try row.decode(column: "low_stock_threshold", as: Int?.self))
        }
        // Every pair's row exists after the INSERT above; a missing one is a bug, not bad input.
        guard final.count == pairs.count else { throw Abort(.internalServerError, reason: "stock levels missing after insert") }

        // Running balances per pair, starting from the level before this batch.
        var running: [Pair: StockLevel] = [:]
        for (pair, sum) in totals {
            let after = final[pair]!.level
            running[pair] = StockLevel(onHand: after.onHand - sum.onHand, reserved: after.reserved - sum.reserved)
        }
        let before = running
        var results: [Applied] = []
        var ledger = db.sql.insert(into: StockMovementModel.schema).columns(
            "id", "store_id", "store_seq", "sku_id", "merchant_id", "kind", "on_hand_delta", "reserved_delta", "on_hand_after", "reserved_after",
            "reason", "reference_type", "reference_id", "actor_staff_id", "created_at")
        for (request, change) in lines {
            let pair = Pair(skuId: request.skuId, storeId: request.storeId)
            let level = StockLevel(onHand: running[pair]!.onHand + change.onHandDelta, reserved: running[pair]!.reserved + change.reservedDelta)
            running[pair] = level
            let seq = nextSeq[request.storeId]!
            nextSeq[request.storeId] = seq + 1
            ledger = ledger.values(SQLBind(UUID()), SQLBind(request.storeId), SQLBind(seq), SQLBind(request.skuId), SQLBind(skus[request.skuId]!.merchantId),
                                   SQLBind(change.kind.rawValue), SQLBind(change.onHandDelta), SQLBind(change.reservedDelta), SQLBind(level.onHand),
                                   SQLBind(level.reserved), SQLBind(context.reason), SQLBind(context.referenceType), SQLBind(context.referenceId),
                                   SQLBind(context.actorStaffId), SQLBind(context.now))
            results.append(Applied(skuId: request.skuId, storeId: request.storeId, level: level, seq: seq))
        }
        try await ledger.run()

        // Added stock can only clear alerts, so the recovered levels are resolved together.
        let recovered = pairs.filter { pair in
            let (after, threshold) = final[pair]!
            let limit = threshold ?? settings.integer(.lowStockThreshold)
            return LowStockRule.decide(available: after.available, threshold: limit, alertOpen: before[pair]!.available < limit) == .resolve
        }
        try await LowStockAlerts(app: app, db: db).resolve(recovered.map { ($0.skuId, $0.storeId) }, now: context.now)
        return results
    }

    /// Takes the stock lock of each store, in one fixed order, before the caller moves stock at
    /// several of them: every stock write takes its store's lock first (`nextSequence`), so a
    /// transaction that moves A then B and another that moves B then A would otherwise wait on
    /// each other for ever (PostgreSQL breaks such a deadlock by failing one of them).
    func lockStores(_ storeIds: [UUID]) async throws {
        for storeId in Set(storeIds).sorted(by: { $0.uuidString < $1.uuidString }) {
            _ = try await nextSequence(storeId: storeId, count: 0)
        }
    }

    /// Sets on-hand to a counted quantity (stocktake, POS count) and records the difference.
    /// Returns nil when the count equals the books.
    func setCounted(_ counted: Int, skuId: UUID, storeId: UUID, kind: StockMovementKind, context: MovementContext) async throws -> (book: Int, applied: Applied?) {
        guard InputLimits.stockCount.contains(counted) else {
            throw ValidationFailure.outOfRange("quantity", InputLimits.stockCount)
        }
        // The store's lock before the level's row lock, in the order every other stock write takes them.
        try await lockStores([storeId])
        let current = try await lockedLevel(skuId: skuId, storeId: storeId)
        let book = current?.onHand ?? 0
        let delta = counted - book
        guard delta != 0 else { return (book, nil) }
        if let current, counted < current.reserved {
            throw InventoryError.belowReserved(skuCode: try await skuCode(skuId), reserved: current.reserved)
        }
        let change = try StockChange.movement(kind, quantity: delta)
        return (book, try await apply(change, skuId: skuId, storeId: storeId, context: context))
    }

    /// The level row, locked against concurrent change until the transaction ends (on SQLite the
    /// write transaction already holds the database's single write lock).
    func lockedLevel(skuId: UUID, storeId: UUID) async throws -> StockLevel? {
        let lock: SQLQueryString = db.isPostgres ? "FOR UPDATE" : ""
        let rows = try await db.sql.raw("""
            SELECT on_hand, reserved FROM stock_levels WHERE sku_id = \(bind: skuId) AND store_id = \(bind: storeId) \(lock)
            """).all()
        guard let row = rows.first else { return nil }
        return StockLevel(onHand: try row.decode(column: "on_hand", as: Int.self), reserved: try row.decode(column: "reserved", as: Int.self))
    }

    func apply(_ change: StockChange, skuId: UUID, storeId: UUID, context: MovementContext, sku known: SKUModel? = nil) async throws -> Applied {
        var found = known
        if found == nil { found = try await SKUModel.find(skuId, on: db) }
        guard let sku = found else { throw InventoryError.unknownSKU(skuId) }
        let seq = try await nextSequence(storeId: storeId)
        var updated = try await conditionalUpdate(change, skuId: skuId, storeId: storeId, now: context.now)
        if updated == nil, change.applied(to: StockLevel(onHand: 0, reserved: 0)) != nil,
           try await lockedLevel(skuId: skuId, storeId: storeId) == nil {
            // First stock of this SKU at this store: create the row, then apply as usual.
            guard let store = try await StoreModel.find(storeId, on: db) else { throw InventoryError.unknownStore(storeId) }
            guard store.merchantId == sku.merchantId else {
                throw ValidationFailure(field: "storeId", message: "belongs to another merchant than the SKU")
            }
            try await db.sql.raw("""
                INSERT INTO stock_levels (id, sku_id, store_id, merchant_id, on_hand, reserved, updated_at)
                VALUES (\(bind: UUID()), \(bind: skuId), \(bind: storeId), \(bind: sku.merchantId), 0, 0, \(bind: context.now))
                ON CONFLICT (sku_id, store_id) DO NOTHING
                """).run()
            updated = try await conditionalUpdate(change, skuId: skuId, storeId: storeId, now: context.now)
        }
        guard let (after, threshold) = updated else {
            let current = try await lockedLevel(skuId: skuId, storeId: storeId) ?? StockLevel(onHand: 0, reserved: 0)
            let storeCode = try await StoreModel.find(storeId, on: db)?.code ?? storeId.uuidString
            if change.minimumReserved > 0 {
                throw InventoryError.notReserved(skuCode: sku.code, storeCode: storeCode, reserved: current.reserved, requested: change.minimumReserved)
            }
            throw InventoryError.insufficient(skuCode: sku.code, storeCode: storeCode, available: current.available, requested: change.minimumAvailable)
        }
        let movement = StockMovementModel()
        movement.id = UUID()
        movement.storeId = storeId
        movement.storeSeq = seq
        movement.skuId = skuId
        movement.merchantId = sku.merchantId
        movement.kind = change.kind.rawValue
        movement.onHandDelta = change.onHandDelta
        movement.reservedDelta = change.reservedDelta
        movement.onHandAfter = after.onHand
        movement.reservedAfter = after.reserved
        movement.reason = context.reason
        movement.referenceType = context.referenceType
        movement.referenceId = context.referenceId
        movement.actorStaffId = context.actorStaffId
        movement.createdAt = context.now
        try await movement.create(on: db)

        let before = StockLevel(onHand: after.onHand - change.onHandDelta, reserved: after.reserved - change.reservedDelta)
        try await LowStockAlerts(app: app, db: db).evaluate(
            sku: sku, storeId: storeId, before: before, after: after,
            threshold: threshold ?? settings.integer(.lowStockThreshold), now: context.now)
        return Applied(skuId: skuId, storeId: storeId, level: after, seq: seq)
    }

    private func conditionalUpdate(_ change: StockChange, skuId: UUID, storeId: UUID, now: Date) async throws -> (StockLevel, Int?)? {
        let rows = try await db.sql.raw("""
            UPDATE stock_levels
            SET on_hand = on_hand + \(bind: change.onHandDelta), reserved = reserved + \(bind: change.reservedDelta), updated_at = \(bind: now)
            WHERE sku_id = \(bind: skuId) AND store_id = \(bind: storeId)
              AND on_hand - reserved >= \(bind: change.minimumAvailable) AND reserved >= \(bind: change.minimumReserved)
            RETURNING on_hand, reserved, low_stock_threshold
            """).all()
        guard let row = rows.first else { return nil }
        let level = StockLevel(onHand: try row.decode(column: "on_hand", as: Int.self), reserved: try row.decode(column: "reserved", as: Int.self))
        return (level, try row.decode(column: "low_stock_threshold", as: Int?.self))
    }

    /// The store's next movement number (the last of `count` taken together); the row lock it takes serialises the store's stock
    /// writes so sequence order is commit order.
    private func nextSequence(storeId: UUID, count: Int = 1) async throws -> Int64 {
        func bump() async throws -> Int64? {
            try await db.sql.raw("UPDATE stock_sequences SET last_seq = last_seq + \(bind: count) WHERE store_id = \(bind: storeId) RETURNING last_seq")
                .all().first.map { try $0.decode(column: "last_seq", as: Int64.self) }
        }
        if let seq = try await bump() { return seq }
        guard try await StoreModel.find(storeId, on: db) != nil else { throw InventoryError.unknownStore(storeId) }
        try await db.sql.raw("""
            INSERT INTO stock_sequences (id, store_id, last_seq) VALUES (\(bind: UUID()), \(bind: storeId), 0) ON CONFLICT (store_id) DO NOTHING
            """).run()
        guard let seq = try await bump() else { throw InventoryError.unknownStore(storeId) }
        return seq
    }

    private func skuCode(_ id: UUID) async throws -> String {
        try await SKUModel.find(id, on: db)?.code ?? id.uuidString
    }
}
