import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Flash sales (限时秒杀). Staff keep sessions of their merchant's goods (audited). A member's
/// quick purchase first asks the in-memory quota gate, so once the quota is gone refusals cost no
/// SQL; an admitted purchase is one write transaction in which the item's `sold` and the
/// member's counter move by conditional UPDATEs (the database is the truth, the gate only the
/// fast path) and the order is placed through `RewardOrderService` at the flash price, payable
/// within `flash.paymentMinutes`. When that order expires or is cancelled, `orderClosed` puts its
/// units back on sale, in the database and in the gate.
struct FlashSaleService {
    let app: Application
    let db: any Database

    enum Failure: ProblemConvertible, Equatable {
        case soldOut
        case notYet(opensAt: Date)
        case ended
        case limitReached(limit: Int, left: Int)
        case keyReused
        case started

        var status: HTTPResponseStatus {
            switch self {
            case .keyReused: .unprocessableEntity
            case .soldOut, .notYet, .ended, .limitReached, .started: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .soldOut: "This flash-sale item is sold out."
            case .notYet(let opensAt): "This flash sale opens for you at \(opensAt.formatted(.iso8601))."
            case .ended: "This flash sale has ended."
            case .limitReached(let limit, let left): "You may buy at most \(limit) of this item in this flash sale; \(left) left for you."
            case .keyReused: "This Idempotency-Key was already used for a different purchase."
            case .started: "A flash sale that has started or ended cannot be changed."
            }
        }
    }

    static let auditTarget = "flash_session"

    // MARK: Staff

    /// Checks a session against the rules and the catalogue; returns the merchant whose goods it
    /// offers (one merchant per session), refusing merchants outside `reach`.
    private func validated(_ input: FlashSessionInput, reach: AccessReach) async throws -> UUID {
        let skuIds = input.items.map(\.skuId)
        let skus = skuIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ skuIds).all().map { ($0.id!, $0) })
        var errors = FlashSaleRules.validate(
            title: input.title, startsAt: input.startsAt, endsAt: input.endsAt, perMemberLimit: input.perMemberLimit,
            items: input.items.map { FlashItemDraft(skuId: $0.skuId, flashPriceFen: $0.flashPriceFen, quota: $0.quota) },
            listPrices: skus.mapValues(\.priceFen))
        let storeIds = input.items.map(\.storeId)
        let stores = storeIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ storeIds).all().map { ($0.id!, $0) })
        let merchantId = input.items.first.flatMap { skus[$0.skuId]?.merchantId }
        for (index, item) in input.items.enumerated() {
            guard let sku = skus[item.skuId], sku.enabled else {
                errors.add("items[\(index)].skuId", "is not a SKU on sale")
                continue
            }
            if sku.merchantId != merchantId { errors.add("items[\(index)].skuId", "belongs to another merchant; a session offers one merchant's goods") }
            if stores[item.storeId]?.merchantId != sku.merchantId { errors.add("items[\(index)].storeId", "is not a store of the SKU's merchant") }
        }
        try errors.throwIfAny()
        guard let merchantId else { throw ValidationFailure(field: "items", message: "must offer at least one SKU") }
        try Self.requireReach(reach, merchantId: merchantId)
        return merchantId
    }

    static func requireReach(_ reach: AccessReach, merchantId: UUID) throws {
        guard reach.includes(.merchant(MerchantID(merchantId))) else {
            throw MallError.forbidden("You need the marketing.manage permission for merchant \(merchantId.uuidString).")
        }
    }

    func create(_ input: FlashSessionInput, reach: AccessReach, audit: AuditRecorder) async throws -> FlashSessionModel {
        let merchantId = try await validated(input, reach: reach)
        return try await db.writeTransaction { tx in
            let session = FlashSessionModel()
            session.id = UUID()
            session.merchantId = merchantId
            session.createdAt = audit.now
            try await Self.write(input, to: session, on: tx, now: audit.now)
            try await audit.record(on: tx, action: "flash_sale.session.create", owner: .merchant(MerchantID(merchantId)), targetType: Self.auditTarget,
                                   targetId: session.id!.uuidString, after: Self.auditView(input))
            return session
        }
    }

    /// Replaces a session that has not started: its items are written afresh.
    func update(sessionId: UUID, _ input: FlashSessionInput, reach: AccessReach, audit: AuditRecorder) async throws -> FlashSessionModel {
        let merchantId = try await validated(input, reach: reach)
        return try await db.writeTransaction { tx in
            try await tx.lockRow(FlashSessionModel.schema, id: sessionId)
            let session = try await Self.session(sessionId, reach: reach, on: tx)
            guard FlashSaleRules.editable(startsAt: session.startsAt, endedAt: session.endedAt, now: audit.now) else { throw Failure.started }
            guard session.merchantId == merchantId else { throw ValidationFailure(field: "items", message: "must stay the goods of the session's merchant") }
            let before = try await Self.auditView(session, on: tx)
            // Nothing was sold before the start but by a head start, which counts as started.
            guard try await FlashPurchaseModel.query(on: tx).filter(\.$sessionId == sessionId).count() == 0 else { throw Failure.started }
            try await FlashItemModel.query(on: tx).filter(\.$sessionId == sessionId).delete()
            try await Self.write(input, to: session, on: tx, now: audit.now)
            try await audit.record(on: tx, action: "flash_sale.session.update", owner: .merchant(MerchantID(merchantId)), targetType: Self.auditTarget,
                                   targetId: sessionId.uuidString, before: before, after: Self.auditView(input))
            return session
        }
    }

    /// Ends a session now (early); ending an ended session changes nothing.
    func end(sessionId: UUID, reach: AccessReach, audit: AuditRecorder) async throws -> FlashSessionModel {
        try await db.writeTransaction { tx in
            try await tx.lockRow(FlashSessionModel.schema, id: sessionId)
            let session = try await Self.session(sessionId, reach: reach, on: tx)
            guard session.phase(at: audit.now) != .ended else { return session }
            session.endedAt = audit.now
            session.updatedAt = audit.now
            try await session.update(on: tx)
            try await audit.record(on: tx, action: "flash_sale.session.end", owner: .merchant(MerchantID(session.merchantId)), targetType: Self.auditTarget,
                                   targetId: sessionId.uuidString, after: ["endedAt": audit.now.formatted(.iso8601)])
            return session
        }
    }

    /// A new session at another time with the same goods, prices, quotas and limit.
    func copy(sessionId: UUID, _ input: FlashSessionCopyInput, reach: AccessReach, audit: AuditRecorder) async throws -> FlashSessionModel {
        let original = try await Self.session(sessionId, reach: reach, on: db)
        let items = try await FlashItemModel.query(on: db).filter(\.$sessionId == sessionId).sort(\.$position).all()
        return try await create(FlashSessionInput(
            title: original.title, startsAt: input.startsAt, endsAt: input.endsAt, perMemberLimit: original.perMemberLimit,
            items: items.map { FlashItemInput(skuId: $0.skuId, storeId: $0.storeId, flashPriceFen: $0.flashPriceFen, quota: $0.quota) }),
            reach: reach, audit: audit)
    }

    static func session(_ id: UUID, reach: AccessReach, on db: any Database) async throws -> FlashSessionModel {
        guard let session = try await FlashSessionModel.find(id, on: db) else { throw MallError.notFound("No such flash-sale session.") }
        try requireReach(reach, merchantId: session.merchantId)
        return session
    }

    private static func write(_ input: FlashSessionInput, to session: FlashSessionModel, on db: any Database, now: Date) async throws {
        session.title = input.title.trimmingWhitespace()
        session.startsAt = input.startsAt
        session.endsAt = input.endsAt
        session.perMemberLimit = input.perMemberLimit
        session.updatedAt = now
        try await session.save(on: db)
        for (position, entry) in input.items.enumerated() {
            let item = FlashItemModel()
            item.sessionId = session.id!
            item.skuId = entry.skuId
            item.storeId = entry.storeId
            item.position = position
            item.flashPriceFen = entry.flashPriceFen
            item.quota = entry.quota
            item.sold = 0
            try await item.create(on: db)
        }
    }

    private static func auditView(_ input: FlashSessionInput) -> [String: String] {
        ["title": input.title, "startsAt": input.startsAt.formatted(.iso8601), "endsAt": input.endsAt.formatted(.iso8601),
         "perMemberLimit": String(input.perMemberLimit),
         "items": input.items.map { "\($0.skuId.uuidString)@\($0.storeId.uuidString):\($0.flashPriceFen)x\($0.quota)" }.joined(separator: ",")]
    }

    private static func auditView(_ session: FlashSessionModel, on db: any Database) async throws -> [String: String] {
        let items = try await FlashItemModel.query(on: db).filter(\.$sessionId == session.id!).sort(\.$position).all()
        return auditView(FlashSessionInput(
            title: session.title, startsAt: session.startsAt, endsAt: session.endsAt, perMemberLimit: session.perMemberLimit,
            items: items.map { FlashItemInput(skuId: $0.skuId, storeId: $0.storeId, flashPriceFen: $0.flashPriceFen, quota: $0.quota) }))
    }

    // MARK: Members

    /// The quick purchase. Refused at the gate without SQL once the quota is gone; otherwise one
    /// transaction decides. A retry with the same key answers the first purchase (`created`
    /// false) while units are left; once sold out the gate answers 409 first.
    func purchase(sessionId: UUID, memberId: UUID, key: String, input: FlashPurchaseInput, now: Date) async throws -> (FlashPurchaseResult, created: Bool) {
        var errors = FieldErrorCollector()
        let quantity = input.quantity ?? 1
        errors.range(quantity, InputLimits.flashQuantity, "quantity")
        if input.fulfilment == .delivery, input.addressId == nil { errors.add("addressId", "choose the address to deliver to") }
        try errors.throwIfAny()

        let gate = app.flashQuotaGate
        let gateKey = FlashGateKey(sessionId: sessionId, skuId: input.skuId)
        var answer = await gate.take(gateKey, member: memberId, quantity: quantity)
        if answer == .unknown {
            // First purchase this gate sees of the item: start it from the database.
            guard let item = try await FlashItemModel.query(on: db).filter(\.$sessionId == sessionId).filter(\.$skuId == input.skuId).first(),
                  let session = try await FlashSessionModel.find(sessionId, on: db) else {
                throw MallError.notFound("No such item in this flash sale.")
            }
            await gate.prime(gateKey, FlashGateState(remaining: item.quota - item.sold, perMemberLimit: session.perMemberLimit,
                                                     bought: try await Self.boughtCounts(itemIds: [item.id!], on: db)[item.id!] ?? [:]))
            answer = await gate.take(gateKey, member: memberId, quantity: quantity)
        }
        switch answer {
        case .admitted: break
        case .limitReached(let limit, let held):
            // A retry of a purchase that took the member to the limit still answers that purchase.
            if let earlier = try await Self.purchase(memberId: memberId, key: key, on: db) {
                guard earlier.requestDigest == (try Self.digest(sessionId: sessionId, input: input)) else { throw Failure.keyReused }
                return (try await result(earlier), false)
            }
            throw Failure.limitReached(limit: limit, left: max(0, limit - held))
        case .soldOut, .unknown: throw Failure.soldOut
        }
        do {
            return try await admitted(sessionId: sessionId, memberId: memberId, key: key, quantity: quantity, input: input, now: now)
        } catch Failure.soldOut {
            // The database says none are left: so must the gate, until an expiry gives units back.
            await gate.giveBack(gateKey, member: memberId, quantity: quantity)
            await gate.exhaust(gateKey)
            throw Failure.soldOut
        } catch {
            await gate.giveBack(gateKey, member: memberId, quantity: quantity)
            throw error
        }
    }

    private func admitted(sessionId: UUID, memberId: UUID, key: String, quantity: Int, input: FlashPurchaseInput,
                          now: Date) async throws -> (FlashPurchaseResult, created: Bool) {
        let digest = try Self.digest(sessionId: sessionId, input: input)
        if let earlier = try await Self.purchase(memberId: memberId, key: key, on: db) {
            guard earlier.requestDigest == digest else { throw Failure.keyReused }
            // The earlier purchase holds its own units: this request's admission goes back.
            await app.flashQuotaGate.giveBack(FlashGateKey(sessionId: sessionId, skuId: input.skuId), member: memberId, quantity: quantity)
            return (try await result(earlier), false)
        }
        guard let session = try await FlashSessionModel.find(sessionId, on: db) else { throw MallError.notFound("No such flash-sale session.") }
        let priority = try await MembershipService.rights(memberId: memberId, on: db).rights.priorityMinutes
        switch FlashSaleRules.window(startsAt: session.startsAt, endsAt: session.endsAt, endedAt: session.endedAt, priorityMinutes: priority, now: now) {
        case .open: break
        case .notYet(let opensAt): throw Failure.notYet(opensAt: opensAt)
        case .ended: throw Failure.ended
        }
        guard let item = try await FlashItemModel.query(on: db).filter(\.$sessionId == sessionId).filter(\.$skuId == input.skuId).first() else {
            throw MallError.notFound("No such item in this flash sale.")
        }
        let destination: RewardOrderService.Destination
        if input.fulfilment == .delivery, let addressId = input.addressId {
            guard try await MemberAddressModel.owned(by: memberId, on: db).filter(\.$id == addressId).first() != nil else {
                throw ValidationFailure(field: "addressId", message: "is not one of your addresses")
            }
            destination = .delivery(addressId: addressId)
        } else {
            destination = .pickup(storeId: item.storeId)
        }
        let paymentMinutes = try await SettingsService.resolved(on: db).integer(.flashPaymentMinutes)
        let purchaseId = UUID()
        let limit = session.perMemberLimit
        let claimed = try await db.writeTransaction { tx -> Bool in
            // The regular price is read in the statement itself: no extra round trip on the hot path.
            let claim = try await tx.sql.raw("""
                INSERT INTO flash_purchases (id, session_id, item_id, member_id, idempotency_key, request_digest, quantity, unit_price_fen, list_price_fen,
                                             status, created_at)
                VALUES (\(bind: purchaseId), \(bind: sessionId), \(bind: item.id!), \(bind: memberId), \(bind: key), \(bind: digest), \(bind: quantity),
                        \(bind: item.flashPriceFen), COALESCE((SELECT price_fen FROM skus WHERE id = \(bind: item.skuId)), \(bind: item.flashPriceFen)),
                        \(bind: FlashPurchaseStatus.active.rawValue), \(bind: now))
                ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING id
                """).all()
            guard !claim.isEmpty else { return false }
            let taken = try await tx.sql.raw("""
                UPDATE flash_items SET sold = sold + \(bind: quantity)
                WHERE id = \(bind: item.id!) AND sold + \(bind: quantity) <= quota RETURNING sold
                """).all()
            guard !taken.isEmpty else { throw Failure.soldOut }
            // Read after the update, which holds the item's row: an early end that committed
            // meanwhile is seen.
            if let current = try await FlashSessionModel.find(sessionId, on: tx), current.phase(at: now) == .ended { throw Failure.ended }
            // One upsert that refuses to pass the limit, so one member's concurrent purchases can
            // never together exceed it.
            let counted = quantity <= limit ? try await tx.sql.raw("""
                INSERT INTO flash_member_counts (id, item_id, member_id, bought)
                VALUES (\(bind: UUID()), \(bind: item.id!), \(bind: memberId), \(bind: quantity))
                ON CONFLICT (item_id, member_id) DO UPDATE SET bought = flash_member_counts.bought + excluded.bought
                WHERE flash_member_counts.bought + excluded.bought <= \(bind: limit) RETURNING bought
                """).all() : []
            guard !counted.isEmpty else {
                let held = try await Self.boughtCount(itemId: item.id!, memberId: memberId, on: tx)
                throw Failure.limitReached(limit: limit, left: max(0, limit - held))
            }
            let placed = try await RewardOrderService(app: app, db: tx, now: now).place(RewardOrderService.Request(
                memberId: memberId, skuId: item.skuId, quantity: quantity, unitCashFen: item.flashPriceFen, destination: destination,
                key: "flash:\(purchaseId.uuidString)", pointsReference: "", paymentMinutes: paymentMinutes, fulfillingStoreId: item.storeId))
            try await tx.sql.raw("UPDATE flash_purchases SET order_id = \(bind: placed.order.id!) WHERE id = \(bind: purchaseId)").run()
            return true
        }
        guard claimed, let saved = try await FlashPurchaseModel.find(purchaseId, on: db) else {
            // A concurrent request with the same key committed first: answer with its purchase.
            guard let earlier = try await Self.purchase(memberId: memberId, key: key, on: db) else {
                throw MallError.conflict("This purchase is being made by another request; retry in a moment.")
            }
            guard earlier.requestDigest == digest else { throw Failure.keyReused }
            await app.flashQuotaGate.giveBack(FlashGateKey(sessionId: sessionId, skuId: input.skuId), member: memberId, quantity: quantity)
            return (try await result(earlier), false)
        }
        return (try await result(saved), true)
    }

    private func result(_ purchase: FlashPurchaseModel) async throws -> FlashPurchaseResult {
        var payment: PaymentModel?
        var dueAt: Date?
        if let orderId = purchase.orderId, let order = try await OrderModel.find(orderId, on: db) {
            payment = try await PaymentModel.query(on: db).filter(\.$checkoutId == order.checkoutId).first()
            dueAt = order.paidAt == nil ? order.paymentDueAt : nil
        }
        return FlashPurchaseResult(purchase: try await FlashSaleQueries.purchase(purchase, on: db), payment: payment?.info(app), paymentDueAt: dueAt)
    }

    /// A flash order was cancelled or expired: its units go back on sale and off the member's
    /// count, once however often this runs (the conditional UPDATE on the status is the guard).
    /// Called by `OrderEffects` inside the order's transaction before stock moves, so it takes
    /// the item's row before the store's stock lock, as a purchase does.
    func orderClosed(_ order: OrderModel, now: Date) async throws {
        let returned = try await db.sql.raw("""
            UPDATE flash_purchases SET status = \(bind: FlashPurchaseStatus.returned.rawValue), returned_at = \(bind: now)
            WHERE order_id = \(bind: order.id!) AND status = \(bind: FlashPurchaseStatus.active.rawValue)
            RETURNING session_id, item_id, member_id, quantity
            """).all()
        for row in returned {
            let sessionId = try row.decode(column: "session_id", as: UUID.self)
            let itemId = try row.decode(column: "item_id", as: UUID.self)
            let memberId = try row.decode(column: "member_id", as: UUID.self)
            let quantity = try row.decode(column: "quantity", as: Int.self)
            let moved = try await db.sql.raw("""
                UPDATE flash_items SET sold = sold - \(bind: quantity) WHERE id = \(bind: itemId) AND sold >= \(bind: quantity) RETURNING sku_id
                """).all()
            try await db.sql.raw("""
                UPDATE flash_member_counts SET bought = bought - \(bind: quantity)
                WHERE item_id = \(bind: itemId) AND member_id = \(bind: memberId) AND bought >= \(bind: quantity)
                """).run()
            // Before the commit: should the transaction roll back, the gate admits a unit too many,
            // which the database then refuses and the correction job evens out.
            if let skuId = try moved.first?.decode(column: "sku_id", as: UUID.self) {
                await app.flashQuotaGate.giveBack(FlashGateKey(sessionId: sessionId, skuId: skuId), member: memberId, quantity: quantity)
            }
        }
    }

    // MARK: Gate correction

    static let correctGatesJob = "flash.correctGates"

    /// Sets the gate of every session open now, or opening within the longest head start, to
    /// what the database holds, so drift (a rolled-back give-back, a crashed request) never lasts.
    func correctGates(now: Date) async throws {
        let horizon = now.addingTimeInterval(TimeInterval(InputLimits.flashHeadStartMinutes.upperBound) * 60)
        let sessions = try await FlashSessionModel.query(on: db).filter(\.$startsAt <= horizon).filter(\.$endsAt > now).filter(\.$endedAt == nil).all()
        guard !sessions.isEmpty else { return }
        let limits = Dictionary(sessions.compactMap { session in session.id.map { ($0, session.perMemberLimit) } }) { first, _ in first }
        let items = try await FlashItemModel.query(on: db).filter(\.$sessionId ~~ Array(limits.keys)).all()
        let bought = try await Self.boughtCounts(itemIds: items.compactMap(\.id), on: db)
        for item in items {
            await app.flashQuotaGate.load(FlashGateKey(sessionId: item.sessionId, skuId: item.skuId),
                                          FlashGateState(remaining: item.quota - item.sold, perMemberLimit: limits[item.sessionId] ?? 0,
                                                         bought: item.id.flatMap { bought[$0] } ?? [:]))
        }
    }

    // MARK: Helpers

    static func digest(sessionId: UUID, input: FlashPurchaseInput) throws -> String {
        SigV4Signer.hex(SHA256.hash(data: Data((sessionId.uuidString + ":").utf8) + (try JSONEncoder.api.encode(input))))
    }

    static func purchase(memberId: UUID, key: String, on db: any Database) async throws -> FlashPurchaseModel? {
        try await FlashPurchaseModel.query(on: db).filter(\.$memberId == memberId).filter(\.$idempotencyKey == key).first()
    }

    /// What each member holds of each item, for the gate (one statement for any number of items).
    static func boughtCounts(itemIds: [UUID], on db: any Database) async throws -> [UUID: [UUID: Int]] {
        guard !itemIds.isEmpty else { return [:] }
        var counts: [UUID: [UUID: Int]] = [:]
        for row in try await FlashMemberCountModel.query(on: db).filter(\.$itemId ~~ itemIds).filter(\.$bought > 0).all() {
            counts[row.itemId, default: [:]][row.memberId] = row.bought
        }
        return counts
    }

    static func boughtCount(itemId: UUID, memberId: UUID, on db: any Database) async throws -> Int {
        try await FlashMemberCountModel.query(on: db).filter(\.$itemId == itemId).filter(\.$memberId == memberId).first()?.bought ?? 0
    }
}
