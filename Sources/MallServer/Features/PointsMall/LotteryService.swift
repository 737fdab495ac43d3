import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The lottery: staff keep wheels of prizes (audited, every save a new immutable table
/// version); a member draws. A draw is one write transaction: the member's daily counter moves by
/// a conditional upsert, the cost is spent through `PointsService`, the server's secure random
/// value picks a slot through the pure `LotteryWheel.slot`, the prize's stock moves by a
/// conditional UPDATE (never below zero — when it is gone the draw falls back to nothing and
/// says so), and the prize is given: points credited, or an SKU as a zero-price pickup order.
/// The random value and the table version are stored, so every draw can be replayed.
struct LotteryService {
    let app: Application
    let db: any Database

    enum Failure: ProblemConvertible, Equatable {
        case unavailable(PointsMallAvailability)
        case dailyLimitReached(Int)
        case keyReused
        case stockBelowGiven(prize: String, given: Int)

        var status: HTTPResponseStatus {
            switch self {
            case .keyReused: .unprocessableEntity
            case .unavailable, .dailyLimitReached, .stockBelowGiven: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .unavailable(.notStarted): "This lottery has not started yet."
            case .unavailable(.ended): "This lottery has ended."
            case .unavailable: "This lottery is not open."
            case .dailyLimitReached(let limit): "You have used today's \(limit) draws; come back tomorrow."
            case .keyReused: "This Idempotency-Key was already used for another lottery."
            case .stockBelowGiven(let prize, let given): "\(given) of prize \(prize) were already given out; its stock cannot be lower than that."
            }
        }
    }

    static let referenceType = "lottery_draw"

    // MARK: Staff

    private struct CheckedInput {
        let name: String
        let description: String
        let prizeNames: [String]
    }

    private func validated(_ input: LotteryInput, lotteryId: UUID?) async throws -> CheckedInput {
        var errors = FieldErrorCollector()
        let name = errors.collect { try TextRule.check(input.name, field: "name", min: 1, max: 40) } ?? input.name
        let description = errors.collect { try TextRule.check(input.description ?? "", field: "description", min: 0, max: 500) } ?? ""
        errors.range(input.costPoints, InputLimits.lotteryCostPoints, "costPoints")
        errors.range(input.dailyLimit, InputLimits.lotteryDailyLimit, "dailyLimit")
        errors.range(input.sortOrder ?? 0, InputLimits.mallSortOrder, "sortOrder")
        if let startsAt = input.startsAt, let endsAt = input.endsAt, startsAt >= endsAt { errors.add("endsAt", "must be after startsAt") }
        let specs = input.prizes.map {
            LotteryPrizeSpec(name: $0.name, kind: $0.kind, points: $0.points, hasSKU: $0.skuId != nil, hasStore: $0.storeId != nil, weight: $0.weight, stock: $0.stock)
        }
        for error in LotteryWheel.validate(specs).errors { errors.add(error.field, error.message) }
        let skuIds = input.prizes.compactMap(\.skuId)
        let storeIds = input.prizes.compactMap(\.storeId)
        let skus = skuIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ skuIds).all().map { ($0.id!, $0) })
        let stores = storeIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ storeIds).all().map { ($0.id!, $0) })
        let existing = lotteryId == nil ? [] : try await LotteryPrizeModel.query(on: db).filter(\.$lotteryId == lotteryId!).filter(\.$retired == false).all().compactMap(\.id)
        var seen = Set<UUID>()
        for (index, prize) in input.prizes.enumerated() {
            let at = "prizes[\(index)]"
            if let id = prize.id {
                if !existing.contains(id) { errors.add("\(at).id", "is not a prize of this lottery; leave it out for a new prize") }
                if !seen.insert(id).inserted { errors.add("\(at).id", "appears twice") }
            }
            guard prize.kind == .sku, let skuId = prize.skuId, let storeId = prize.storeId else { continue }
            guard let sku = skus[skuId], sku.enabled else {
                errors.add("\(at).skuId", "is not a SKU on sale")
                continue
            }
            guard let store = stores[storeId], store.merchantId == sku.merchantId, store.kind == .store, store.pickupEnabled else {
                errors.add("\(at).storeId", "must be a store of the SKU's merchant that offers pickup")
                continue
            }
        }
        try errors.throwIfAny()
        return CheckedInput(name: name, description: description,
                       prizeNames: input.prizes.map { (try? TextRule.check($0.name, field: "name", max: 30)) ?? $0.name })
    }

    func create(_ input: LotteryInput, audit: AuditRecorder) async throws -> LotteryModel {
        let checked = try await validated(input, lotteryId: nil)
        return try await db.writeTransaction { tx in
            let lottery = LotteryModel()
            lottery.id = UUID()
            lottery.name = checked.name
            lottery.description = checked.description
            lottery.costPoints = input.costPoints
            lottery.dailyLimit = input.dailyLimit
            lottery.startsAt = input.startsAt
            lottery.endsAt = input.endsAt
            lottery.enabled = input.enabled ?? true
            lottery.sortOrder = input.sortOrder ?? 0
            lottery.tableVersion = 0
            lottery.createdAt = audit.now
            lottery.updatedAt = audit.now
            try await lottery.create(on: tx)
            let table = try await saveWheel(lottery, input.prizes, names: checked.prizeNames, on: tx, now: audit.now)
            try await audit.record(on: tx, action: "lottery.create", owner: .platform, targetType: "lottery", targetId: lottery.id!.uuidString,
                                   after: Self.auditView(lottery, table: table))
            return lottery
        }
    }

    func update(lotteryId: UUID, _ input: LotteryInput, audit: AuditRecorder) async throws -> LotteryModel {
        let checked = try await validated(input, lotteryId: lotteryId)
        return try await db.writeTransaction { tx in
            try await tx.lockRow(LotteryModel.schema, id: lotteryId)
            guard let lottery = try await LotteryModel.find(lotteryId, on: tx) else { throw MallError.notFound("No such lottery.") }
            let before = Self.auditView(lottery, table: try await Self.table(lotteryId: lotteryId, version: lottery.tableVersion, on: tx))
            lottery.name = checked.name
            lottery.description = checked.description
            lottery.costPoints = input.costPoints
            lottery.dailyLimit = input.dailyLimit
            lottery.startsAt = input.startsAt
            lottery.endsAt = input.endsAt
            lottery.enabled = input.enabled ?? lottery.enabled
            lottery.sortOrder = input.sortOrder ?? lottery.sortOrder
            lottery.updatedAt = audit.now
            let table = try await saveWheel(lottery, input.prizes, names: checked.prizeNames, on: tx, now: audit.now)
            try await audit.record(on: tx, action: "lottery.update", owner: .platform, targetType: "lottery", targetId: lotteryId.uuidString,
                                   before: before, after: Self.auditView(lottery, table: table))
            return lottery
        }
    }

    /// Writes the wheel's prizes and its next table version, and saves the lottery with it.
    /// A kept prize's stock moves by the difference to its old total, conditionally, so draws
    /// running meanwhile are never lost and it never drops below what was given out.
    private func saveWheel(_ lottery: LotteryModel, _ prizes: [LotteryPrizeInput], names: [String], on tx: any Database, now: Date) async throws -> LotteryTable {
        let existing = Dictionary(uniqueKeysWithValues: try await LotteryPrizeModel.query(on: tx).filter(\.$lotteryId == lottery.id!)
            .filter(\.$retired == false).all().map { ($0.id!, $0) })
        var kept: [UUID] = []
        for (position, input) in prizes.enumerated() {
            let prize = input.id.flatMap { existing[$0] } ?? LotteryPrizeModel()
            let isNew = prize.id == nil
            if isNew {
                prize.id = UUID()
                prize.lotteryId = lottery.id!
                prize.retired = false
                prize.createdAt = now
                prize.stockTotal = input.stock
                prize.stockRemaining = input.stock
            }
            prize.position = position
            prize.name = names[position]
            prize.kind = input.kind.rawValue
            prize.points = input.kind == .points ? input.points : nil
            prize.skuId = input.kind == .sku ? input.skuId : nil
            prize.storeId = input.kind == .sku ? input.storeId : nil
            prize.weight = input.weight
            if isNew {
                try await prize.create(on: tx)
            } else {
                try await prize.update(on: tx)
                try await moveStock(prize, to: input.stock, on: tx)
            }
            kept.append(prize.id!)
        }
        try await LotteryPrizeModel.query(on: tx).filter(\.$lotteryId == lottery.id!).filter(\.$id !~ kept).set(\.$retired, to: true).update()
        let slots = try await LotteryPrizeModel.query(on: tx).filter(\.$id ~~ kept).sort(\.$position).all().map(\.slot)
        let table = LotteryTable(version: lottery.tableVersion + 1, slots: slots)
        let row = LotteryPrizeTableModel()
        row.lotteryId = lottery.id!
        row.version = table.version
        row.slotsJSON = try JSONText.encode(slots)
        row.createdAt = now
        try await row.create(on: tx)
        lottery.tableVersion = table.version
        try await lottery.update(on: tx)
        return table
    }

    private func moveStock(_ prize: LotteryPrizeModel, to stock: Int?, on tx: any Database) async throws {
        switch (prize.stockTotal, stock) {
        case (nil, nil):
            return
        case (_, nil):
            try await tx.sql.raw("UPDATE lottery_prizes SET stock_total = NULL, stock_remaining = NULL WHERE id = \(bind: prize.id!)").run()
        case (nil, let total?):
            try await tx.sql.raw("UPDATE lottery_prizes SET stock_total = \(bind: total), stock_remaining = \(bind: total) WHERE id = \(bind: prize.id!)").run()
        case (let old?, let total?):
            let delta = total - old
            guard delta != 0 else { return }
            let moved = try await tx.sql.raw("""
                UPDATE lottery_prizes SET stock_total = stock_total + \(bind: delta), stock_remaining = stock_remaining + \(bind: delta)
                WHERE id = \(bind: prize.id!) AND stock_remaining + \(bind: delta) >= 0 RETURNING id
                """).all()
            guard !moved.isEmpty else { throw Failure.stockBelowGiven(prize: prize.name, given: old - (prize.stockRemaining ?? 0)) }
        }
    }

    static func auditView(_ lottery: LotteryModel, table: LotteryTable?) -> [String: String] {
        ["name": lottery.name, "costPoints": String(lottery.costPoints), "dailyLimit": String(lottery.dailyLimit), "enabled": String(lottery.enabled),
         "tableVersion": String(lottery.tableVersion),
         "prizes": (table?.slots ?? []).map { "\($0.name) [\($0.kind.rawValue)] ×\($0.weight)" }.joined(separator: "; ")]
    }

    // MARK: Members

    /// Draws once. A retry with the same key answers the first draw (`created` false).
    func draw(lotteryId: UUID, memberId: UUID, key: String, now: Date) async throws -> (LotteryDrawResult, created: Bool) {
        if let earlier = try await Self.draw(memberId: memberId, key: key, on: db) {
            guard earlier.lotteryId == lotteryId else { throw Failure.keyReused }
            return (try await result(earlier), false)
        }
        guard let lottery = try await LotteryModel.find(lotteryId, on: db) else { throw MallError.notFound("No such lottery.") }
        let availability = lottery.availability(at: now)
        guard availability == .open else { throw Failure.unavailable(availability) }
        let settings = try await SettingsService.resolved(on: db)
        let day = LocalTime.calendarDate(of: now, in: settings.timeZone).description
        let drawId = UUID()
        let random = app.lotteryRandom
        let claimed = try await db.writeTransaction { tx -> Bool in
            let claim = try await tx.sql.raw("""
                INSERT INTO lottery_draws (id, lottery_id, member_id, idempotency_key, day, table_version, random, drawn_slot, drawn_prize_id,
                                           landing_slot, prize_kind, prize_name, cost_points, created_at)
                VALUES (\(bind: drawId), \(bind: lotteryId), \(bind: memberId), \(bind: key), \(bind: day), 0, '', -1, \(bind: drawId), -1,
                        \(bind: LotteryPrizeKind.nothing.rawValue), '', 0, \(bind: now))
                ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING id
                """).all()
            guard !claim.isEmpty else { return false }
            guard let lottery = try await LotteryModel.find(lotteryId, on: tx) else { throw MallError.notFound("No such lottery.") }
            // The member's draws today: one upsert that refuses to pass the limit.
            let counted = try await tx.sql.raw("""
                INSERT INTO lottery_daily_counts (id, lottery_id, member_id, day, draws)
                VALUES (\(bind: UUID()), \(bind: lotteryId), \(bind: memberId), \(bind: day), 1)
                ON CONFLICT (lottery_id, member_id, day) DO UPDATE SET draws = lottery_daily_counts.draws + 1
                WHERE lottery_daily_counts.draws < \(bind: lottery.dailyLimit) RETURNING draws
                """).all()
            guard !counted.isEmpty else { throw Failure.dailyLimitReached(lottery.dailyLimit) }
            let reference = (Self.referenceType, drawId.uuidString)
            try await PointsService(db: tx).spend(lottery.costPoints, memberId: memberId, kind: .lotterySpent, context: PointsService.Context(
                reference: reference, note: lottery.name, idempotencyKey: "lottery-spend:\(drawId.uuidString)", now: now))

            let table = try await Self.table(lotteryId: lotteryId, version: lottery.tableVersion, on: tx)
            let value = random.next()
            guard let table, let drawn = LotteryWheel.slot(for: value, weights: table.weights) else {
                throw StoredDataError(row: "prize table \(lottery.tableVersion) of lottery \(lotteryId)", underlying: "missing, or no prize has a weight")
            }
            let slot = table.slots[drawn]
            var awarded: LotterySlot?
            var fallback: LotteryFallback?
            var orderId: UUID?
            if slot.kind != .nothing {
                // NULL stock (no limit) stays NULL; a counted prize never goes below zero.
                let took = try await tx.sql.raw("""
                    UPDATE lottery_prizes SET stock_remaining = stock_remaining - 1
                    WHERE id = \(bind: slot.prizeId) AND (stock_remaining IS NULL OR stock_remaining >= 1) RETURNING id
                    """).all()
                if took.isEmpty {
                    fallback = .outOfStock
                } else if slot.kind == .points {
                    try await PointsService(db: tx).earn(slot.points ?? 0, memberId: memberId, kind: .lotteryPrize, context: PointsService.Context(
                        reference: reference, note: "\(lottery.name): \(slot.name)", idempotencyKey: "lottery-prize:\(drawId.uuidString)", now: now),
                        settings: settings)
                    awarded = slot
                } else if let skuId = slot.skuId, let storeId = slot.storeId {
                    do {
                        let placed = try await RewardOrderService(app: app, db: tx, now: now).place(RewardOrderService.Request(
                            memberId: memberId, skuId: skuId, quantity: 1, unitCashFen: 0, destination: .pickup(storeId: storeId),
                            key: "draw:\(drawId.uuidString)", pointsReference: "LOTTERY-" + PointsMallService.shortCode(drawId)))
                        orderId = placed.order.id
                        awarded = slot
                    } catch is RewardOrderService.Failure {
                        // The store cannot hand it over (sold out, SKU withdrawn): the unit goes
                        // back to the prize and the draw gives nothing, on the record.
                        fallback = .storeOutOfStock
                        try await tx.sql.raw("""
                            UPDATE lottery_prizes SET stock_remaining = stock_remaining + 1 WHERE id = \(bind: slot.prizeId) AND stock_remaining IS NOT NULL
                            """).run()
                    }
                }
            }
            let landing = LotteryWheel.landing(drawn: drawn, fellBack: fallback != nil, kinds: table.slots.map(\.kind))
            let shown = awarded ?? (table.slots[landing].kind == .nothing ? table.slots[landing] : nil)
            if let awarded {
                let body = switch awarded.kind {
                case .points: "\(lottery.name): you won \(awarded.points ?? 0) points."
                case .sku: "\(lottery.name): you won \(awarded.name); collect it at the store (see My orders)."
                default: "\(lottery.name): you won \(awarded.name)."
                }
                try await NotificationOutbox(app: app, db: tx).send(
                    audience: .member, recipientId: memberId, merchantId: nil, storeId: awarded.storeId,
                    title: "You won: \(awarded.name)", body: body,
                    reference: .init(type: Self.referenceType, id: drawId.uuidString), now: now)
            }
            try await tx.sql.raw("""
                UPDATE lottery_draws SET table_version = \(bind: table.version), random = \(bind: Self.hex(value)), drawn_slot = \(bind: drawn),
                    drawn_prize_id = \(bind: slot.prizeId), landing_slot = \(bind: landing), prize_id = \(bind: awarded?.prizeId),
                    prize_kind = \(bind: (awarded?.kind ?? .nothing).rawValue), prize_name = \(bind: shown?.name ?? ""),
                    points = \(bind: awarded?.kind == .points ? awarded?.points : nil), order_id = \(bind: orderId),
                    fallback = \(bind: fallback?.rawValue), cost_points = \(bind: lottery.costPoints)
                WHERE id = \(bind: drawId)
                """).run()
            return true
        }
        guard claimed, let saved = try await LotteryDrawModel.find(drawId, on: db) else {
            guard let earlier = try await Self.draw(memberId: memberId, key: key, on: db) else {
                throw MallError.conflict("This draw is being made by another request; retry in a moment.")
            }
            guard earlier.lotteryId == lotteryId else { throw Failure.keyReused }
            return (try await result(earlier), false)
        }
        return (try await result(saved), true)
    }

    private func result(_ draw: LotteryDrawModel) async throws -> LotteryDrawResult {
        let dto = try await LotteryQueries.draws([draw], on: db)[0]
        let limit = try await LotteryModel.find(draw.lotteryId, on: db)?.dailyLimit ?? 0
        let today = try await Self.drawsOn(day: draw.day, lotteryId: draw.lotteryId, memberId: draw.memberId, on: db)
        return LotteryDrawResult(draw: dto, balance: try await PointsService(db: db).balance(memberId: draw.memberId), remainingToday: max(0, limit - today))
    }

    /// A prize's order was cancelled or expired: its unit goes back to the prize, once.
    func prizeOrderClosed(_ order: OrderModel, now: Date) async throws {
        let rows = try await db.sql.raw("""
            UPDATE lottery_draws SET prize_returned_at = \(bind: now)
            WHERE order_id = \(bind: order.id!) AND prize_returned_at IS NULL RETURNING prize_id
            """).all()
        for row in rows {
            guard let prizeId = try row.decode(column: "prize_id", as: UUID?.self) else { continue }
            try await db.sql.raw("""
                UPDATE lottery_prizes SET stock_remaining = stock_remaining + 1 WHERE id = \(bind: prizeId) AND stock_remaining IS NOT NULL
                """).run()
        }
    }

    /// Runs a stored draw again against its table version.
    func audit(drawId: UUID, lotteryId: UUID) async throws -> LotteryDrawAudit {
        guard let draw = try await LotteryDrawModel.find(drawId, on: db), draw.lotteryId == lotteryId else { throw MallError.notFound("No such draw.") }
        guard let table = try await Self.table(lotteryId: lotteryId, version: draw.tableVersion, on: db) else {
            throw StoredDataError(row: "prize table \(draw.tableVersion) of lottery \(lotteryId)", underlying: "missing")
        }
        let replayed = draw.randomValue.flatMap { LotteryWheel.slot(for: $0, weights: table.weights) }
        let reproduced = replayed == draw.drawnSlot && replayed.map { table.slots[$0].prizeId == draw.drawnPrizeId } == true
        return LotteryDrawAudit(draw: try await LotteryQueries.draws([draw], on: db)[0], table: table, replayedSlot: replayed, reproduced: reproduced)
    }

    // MARK: Helpers

    static func table(lotteryId: UUID, version: Int, on db: any Database) async throws -> LotteryTable? {
        try await LotteryPrizeTableModel.query(on: db).filter(\.$lotteryId == lotteryId).filter(\.$version == version).first()?.table
    }

    static func draw(memberId: UUID, key: String, on db: any Database) async throws -> LotteryDrawModel? {
        try await LotteryDrawModel.query(on: db).filter(\.$memberId == memberId).filter(\.$idempotencyKey == key).first()
    }

    static func drawsOn(day: String, lotteryId: UUID, memberId: UUID, on db: any Database) async throws -> Int {
        try await LotteryDailyCountModel.query(on: db).filter(\.$lotteryId == lotteryId).filter(\.$memberId == memberId).filter(\.$day == day).first()?.draws ?? 0
    }

    /// 16 hex digits, zero-padded.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
