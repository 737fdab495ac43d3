import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The points mall: staff keep the items (audited); a member exchanges points (plus cash) for
/// one. An exchange is one write transaction: the item's own stock and the member's counter
/// move by conditional UPDATEs (never below zero, never past the limit), the points are spent
/// through `PointsService`, and an SKU item becomes an order through `RewardOrderService`. When
/// that order is cancelled or expires, `orderClosed` gives the points and the item's unit back.
struct PointsMallService {
    let app: Application
    let db: any Database

    enum Failure: ProblemConvertible, Equatable {
        case unavailable(PointsMallAvailability)
        case limitReached(limit: Int, left: Int)
        case keyReused
        case stockBelowExchanged(exchanged: Int)

        var status: HTTPResponseStatus {
            switch self {
            case .keyReused: .unprocessableEntity
            case .unavailable, .limitReached, .stockBelowExchanged: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .unavailable(.off): "This item is not on offer."
            case .unavailable(.notStarted): "This item is not on offer yet."
            case .unavailable(.ended): "This item is no longer on offer."
            case .unavailable(.soldOut): "This item is sold out."
            case .unavailable(.open): nil
            case .limitReached(let limit, let left): "You may exchange at most \(limit) of this item; \(left) left for you."
            case .keyReused: "This Idempotency-Key was already used for a different exchange."
            case .stockBelowExchanged(let exchanged): "\(exchanged) units were already exchanged; the stock cannot be lower than that."
            }
        }
    }

    static let referenceType = "points_mall_redemption"

    // MARK: Staff

    /// Checks an item as staff entered it; returns the SKU for SKU items.
    private func validated(_ input: PointsMallItemInput) async throws -> (title: String, description: String, imageUrl: String?, sku: SKUModel?) {
        var errors = PointsMallRules.validate(
            kind: input.kind, title: input.title, hasSKU: input.skuId != nil, hasCouponTemplate: input.couponTemplateId != nil,
            pricePoints: input.pricePoints, cashFen: input.cashFen ?? 0, stock: input.stock, perMemberLimit: input.perMemberLimit,
            sortOrder: input.sortOrder ?? 0, startsAt: input.startsAt, endsAt: input.endsAt)
        let title = (try? TextRule.check(input.title, field: "title", min: 1, max: 60)) ?? input.title
        let description = errors.collect { try TextRule.check(input.description ?? "", field: "description", min: 0, max: 500) } ?? ""
        var imageUrl: String?
        if let raw = input.imageUrl?.trimmingWhitespace(), !raw.isEmpty {
            if let checked = errors.collect({ try TextRule.check(raw, field: "imageUrl", max: 500) }) {
                if checked.hasPrefix("/") || checked.hasPrefix("https://") { imageUrl = checked } else { errors.add("imageUrl", "must be a path on this site or an https:// address") }
            }
        }
        if input.kind == .coupon {
            if let templateId = input.couponTemplateId, try await CouponTemplateModel.find(templateId, on: db) == nil {
                errors.add("couponTemplateId", "is not a coupon template")
            }
        }
        var sku: SKUModel?
        if let skuId = input.skuId {
            sku = try await SKUModel.find(skuId, on: db)
            if sku?.enabled != true { errors.add("skuId", "is not a SKU on sale") }
        }
        try errors.throwIfAny()
        return (title, description, imageUrl, sku)
    }

    func create(_ input: PointsMallItemInput, audit: AuditRecorder) async throws -> PointsMallItemModel {
        let checked = try await validated(input)
        return try await db.writeTransaction { tx in
            let item = PointsMallItemModel()
            item.id = UUID()
            item.stockTotal = input.stock
            item.stockRemaining = input.stock
            item.enabled = true
            item.sortOrder = 0
            Self.apply(input, checked, to: item)
            item.createdAt = audit.now
            item.updatedAt = audit.now
            try await item.create(on: tx)
            try await audit.record(on: tx, action: "points_mall.item.create", owner: .platform, targetType: "points_mall_item",
                                   targetId: item.id!.uuidString, after: Self.auditView(item))
            return item
        }
    }

    /// Everything but the stock, which create sets and update moves by a conditional update;
    /// an absent `enabled` or `sortOrder` keeps what the item has.
    private static func apply(_ input: PointsMallItemInput, _ checked: (title: String, description: String, imageUrl: String?, sku: SKUModel?),
                              to item: PointsMallItemModel) {
        item.kind = input.kind.rawValue
        item.title = checked.title
        item.description = checked.description
        item.imageUrl = checked.imageUrl
        item.skuId = checked.sku?.id
        item.couponTemplateId = input.couponTemplateId
        item.pricePoints = input.pricePoints
        item.cashFen = input.cashFen ?? 0
        item.perMemberLimit = input.perMemberLimit
        item.startsAt = input.startsAt
        item.endsAt = input.endsAt
        item.enabled = input.enabled ?? item.enabled
        item.sortOrder = input.sortOrder ?? item.sortOrder
    }

    /// Replaces an item. The stock moves by the difference to the old total, conditionally, so
    /// exchanges running meanwhile are never lost and it never drops below what was exchanged.
    func update(itemId: UUID, _ input: PointsMallItemInput, audit: AuditRecorder) async throws -> PointsMallItemModel {
        let checked = try await validated(input)
        return try await db.writeTransaction { tx in
            try await tx.lockRow(PointsMallItemModel.schema, id: itemId)
            guard let item = try await PointsMallItemModel.find(itemId, on: tx) else { throw MallError.notFound("No such points-mall item.") }
            let before = Self.auditView(item)
            let delta = input.stock - item.stockTotal
            Self.apply(input, checked, to: item)
            item.updatedAt = audit.now
            try await item.update(on: tx)
            if delta != 0 {
                let moved = try await tx.sql.raw("""
                    UPDATE points_mall_items SET stock_total = stock_total + \(bind: delta), stock_remaining = stock_remaining + \(bind: delta)
                    WHERE id = \(bind: itemId) AND stock_remaining + \(bind: delta) >= 0 RETURNING stock_total
                    """).all()
                guard !moved.isEmpty else { throw Failure.stockBelowExchanged(exchanged: item.stockTotal - item.stockRemaining) }
            }
            guard let saved = try await PointsMallItemModel.find(itemId, on: tx) else { throw MallError.notFound("No such points-mall item.") }
            try await audit.record(on: tx, action: "points_mall.item.update", owner: .platform, targetType: "points_mall_item",
                                   targetId: itemId.uuidString, before: before, after: Self.auditView(saved))
            return saved
        }
    }

    static func auditView(_ item: PointsMallItemModel) -> [String: String] {
        ["title": item.title, "kind": item.kind, "skuId": item.skuId?.uuidString ?? "", "pricePoints": String(item.pricePoints),
         "cashFen": String(item.cashFen), "stock": String(item.stockTotal), "perMemberLimit": item.perMemberLimit.map(String.init) ?? "",
         "enabled": String(item.enabled)]
    }

    // MARK: Members

    /// Exchanges points for `input.quantity` units of the item. A retry with the same key
    /// answers the first exchange (`created` false) and changes nothing.
    func redeem(itemId: UUID, memberId: UUID, key: String, input: RedemptionInput, now: Date) async throws -> (RedemptionResult, created: Bool) {
        // A coupon item needs no store or address.
        let needsDestination = try await PointsMallItemModel.find(itemId, on: db)?.itemKind != .coupon
        var errors = FieldErrorCollector()
        let quantity = input.quantity ?? 1
        errors.range(quantity, InputLimits.mallQuantity, "quantity")
        let fulfilment = input.fulfilment ?? .pickup
        let destination: RewardOrderService.Destination?
        switch fulfilment {
        case .pickup:
            if input.storeId == nil && needsDestination { errors.add("storeId", "choose the store to collect it from") }
            destination = input.storeId.map { .pickup(storeId: $0) }
        case .delivery:
            if input.addressId == nil && needsDestination { errors.add("addressId", "choose the address to deliver to") }
            destination = input.addressId.map { .delivery(addressId: $0) }
        }
        try errors.throwIfAny()
        let digest = SigV4Signer.hex(SHA256.hash(data: Data((itemId.uuidString + ":").utf8) + (try JSONEncoder.api.encode(input))))
        if let earlier = try await Self.redemption(memberId: memberId, key: key, on: db) {
            guard earlier.requestDigest == digest else { throw Failure.keyReused }
            return (try await result(earlier), false)
        }
        guard try await PointsMallItemModel.find(itemId, on: db) != nil else { throw MallError.notFound("No such points-mall item.") }
        // Input the member can fix comes back before anything is counted or spent.
        if case .delivery(let addressId)? = destination,
           try await MemberAddressModel.owned(by: memberId, on: db).filter(\.$id == addressId).first() == nil {
            throw ValidationFailure(field: "addressId", message: "is not one of your addresses")
        }
        let redemptionId = UUID()
        let claimed = try await db.writeTransaction { tx -> Bool in
            let claim = try await tx.sql.raw("""
                INSERT INTO points_mall_redemptions (id, item_id, member_id, idempotency_key, request_digest, quantity, points, cash_fen, status, created_at)
                VALUES (\(bind: redemptionId), \(bind: itemId), \(bind: memberId), \(bind: key), \(bind: digest), \(bind: quantity), 0, 0,
                        \(bind: RedemptionStatus.active.rawValue), \(bind: now))
                ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING id
                """).all()
            guard !claim.isEmpty else { return false }
            let taken = try await tx.sql.raw("""
                UPDATE points_mall_items SET stock_remaining = stock_remaining - \(bind: quantity)
                WHERE id = \(bind: itemId) AND stock_remaining >= \(bind: quantity) RETURNING stock_remaining
                """).all()
            // Read after the update, which holds the item's row: the price, limit and window are
            // the ones in force now, not from before a staff edit that committed meanwhile.
            guard let item = try await PointsMallItemModel.find(itemId, on: tx) else { throw MallError.notFound("No such points-mall item.") }
            let availability = PointsMallRules.availability(enabled: item.enabled, startsAt: item.startsAt, endsAt: item.endsAt, remaining: nil, now: now)
            guard availability == .open else { throw Failure.unavailable(availability) }
            let couponTemplateId = item.itemKind == .coupon ? item.couponTemplateId : nil
            guard couponTemplateId != nil || item.skuId != nil else { throw Failure.unavailable(.off) }
            guard couponTemplateId != nil || destination != nil else { throw ValidationFailure(field: "storeId", message: "choose the store to collect it from") }
            guard !taken.isEmpty else { throw Failure.unavailable(.soldOut) }
            let cost = try PointsMallRules.cost(pricePoints: item.pricePoints, cashFen: item.cashFen, quantity: quantity)
            // The member's counter: one upsert that refuses to pass the limit, so concurrent
            // exchanges by one member can never together exceed it.
            let limit = item.perMemberLimit ?? Int(Int32.max)
            let counted = quantity <= limit ? try await tx.sql.raw("""
                INSERT INTO points_mall_member_counts (id, item_id, member_id, redeemed)
                VALUES (\(bind: UUID()), \(bind: itemId), \(bind: memberId), \(bind: quantity))
                ON CONFLICT (item_id, member_id) DO UPDATE SET redeemed = points_mall_member_counts.redeemed + excluded.redeemed
                WHERE points_mall_member_counts.redeemed + excluded.redeemed <= \(bind: limit) RETURNING redeemed
                """).all() : []
            guard !counted.isEmpty else {
                let held = try await Self.redeemedCount(itemId: itemId, memberId: memberId, on: tx)
                throw Failure.limitReached(limit: limit, left: max(0, limit - held))
            }
            let reference = (Self.referenceType, redemptionId.uuidString)
            try await PointsService(db: tx).spend(cost.points, memberId: memberId, kind: .mallSpent, context: PointsService.Context(
                reference: reference, note: "\(item.title) × \(quantity)", idempotencyKey: "mall-spend:\(redemptionId.uuidString)", now: now))
            if let couponTemplateId {
                // The coupons go straight into the member's wallet, within the template's own limits.
                for _ in 0..<quantity {
                    _ = try await CouponService(app: app, db: tx).grant(templateId: couponTemplateId, memberId: memberId, source: .pointsMall,
                                                                        checkAudience: false, now: now)
                }
                try await tx.sql.raw("UPDATE points_mall_redemptions SET points = \(bind: cost.points), cash_fen = 0 WHERE id = \(bind: redemptionId)").run()
                return true
            }
            guard let skuId = item.skuId, let destination else { throw Failure.unavailable(.off) }
            let placed = try await RewardOrderService(app: app, db: tx, now: now).place(RewardOrderService.Request(
                memberId: memberId, skuId: skuId, quantity: quantity, unitCashFen: item.cashFen, destination: destination,
                key: "redemption:\(redemptionId.uuidString)", pointsReference: "POINTS-" + Self.shortCode(redemptionId)))
            try await tx.sql.raw("""
                UPDATE points_mall_redemptions SET points = \(bind: cost.points), cash_fen = \(bind: cost.cashFen), order_id = \(bind: placed.order.id!)
                WHERE id = \(bind: redemptionId)
                """).run()
            return true
        }
        guard claimed, let saved = try await PointsMallRedemptionModel.find(redemptionId, on: db) else {
            // A concurrent request with the same key committed first: answer with its exchange.
            guard let earlier = try await Self.redemption(memberId: memberId, key: key, on: db) else {
                throw MallError.conflict("This exchange is being made by another request; retry in a moment.")
            }
            guard earlier.requestDigest == digest else { throw Failure.keyReused }
            return (try await result(earlier), false)
        }
        return (try await result(saved), true)
    }

    private func result(_ redemption: PointsMallRedemptionModel) async throws -> RedemptionResult {
        let dto = try await PointsMallQueries.redemptions([redemption], on: db)[0]
        var payment: PaymentModel?
        var dueAt: Date?
        if let orderId = redemption.orderId, let order = try await OrderModel.find(orderId, on: db), redemption.cashFen > 0 {
            payment = try await PaymentModel.query(on: db).filter(\.$checkoutId == order.checkoutId).first()
            dueAt = order.paymentDueAt
        }
        return RedemptionResult(redemption: dto, balance: try await PointsService(db: db).balance(memberId: redemption.memberId),
                                payment: payment?.info(app), paymentDueAt: dueAt)
    }

    /// A reward's order was cancelled or expired: the points-mall exchange it fulfilled gives
    /// its points and its units back, and a lottery prize its unit, once however often this runs
    /// (the conditional UPDATE on the status is the guard). Called by `OrderEffects` inside the
    /// order's transaction, before the stock moves, so it takes the item's row before the
    /// store's stock lock like an exchange does.
    func orderClosed(_ order: OrderModel, now: Date) async throws {
        let returned = try await db.sql.raw("""
            UPDATE points_mall_redemptions SET status = \(bind: RedemptionStatus.returned.rawValue), returned_at = \(bind: now)
            WHERE order_id = \(bind: order.id!) AND status = \(bind: RedemptionStatus.active.rawValue)
            RETURNING id, item_id, member_id, quantity, points
            """).all()
        if !returned.isEmpty {
            let settings = try await SettingsService.resolved(on: db)
            for row in returned {
                let id = try row.decode(column: "id", as: UUID.self)
                let itemId = try row.decode(column: "item_id", as: UUID.self)
                let memberId = try row.decode(column: "member_id", as: UUID.self)
                let quantity = try row.decode(column: "quantity", as: Int.self)
                let points = try row.decode(column: "points", as: Int64.self)
                try await db.sql.raw("""
                    UPDATE points_mall_items SET stock_remaining = stock_remaining + \(bind: quantity) WHERE id = \(bind: itemId)
                    """).run()
                try await db.sql.raw("""
                    UPDATE points_mall_member_counts SET redeemed = redeemed - \(bind: quantity)
                    WHERE item_id = \(bind: itemId) AND member_id = \(bind: memberId) AND redeemed >= \(bind: quantity)
                    """).run()
                // Returned points are a new lot that expires like an earning made today.
                let expiresAt = PointsExpiry.expiry(earnedAt: now, years: settings.integer(.pointsExpiryYears), timeZone: settings.timeZone)
                try await PointsService(db: db).credit(points, memberId: memberId, kind: .mallReturned, expiresAt: expiresAt, context: PointsService.Context(
                    reference: (Self.referenceType, id.uuidString), note: "order \(order.number) \(order.status)",
                    idempotencyKey: "mall-return:\(id.uuidString)", now: now))
                if points > 0 {
                    try await NotificationOutbox(app: app, db: db).send(
                        audience: .member, recipientId: memberId, merchantId: order.merchantId, storeId: order.storeId,
                        title: "Points returned", body: "Order \(order.number) closed; the \(points) points of the exchange are back.",
                        reference: .init(type: Self.referenceType, id: id.uuidString), now: now)
                }
            }
        }
        try await LotteryService(app: app, db: db).prizeOrderClosed(order, now: now)
    }

    // MARK: Helpers

    static func redemption(memberId: UUID, key: String, on db: any Database) async throws -> PointsMallRedemptionModel? {
        try await PointsMallRedemptionModel.query(on: db).filter(\.$memberId == memberId).filter(\.$idempotencyKey == key).first()
    }

    static func redeemedCount(itemId: UUID, memberId: UUID, on db: any Database) async throws -> Int {
        try await PointsMallMemberCountModel.query(on: db).filter(\.$itemId == itemId).filter(\.$memberId == memberId).first()?.redeemed ?? 0
    }

    /// Eight upper-case hex digits of an id: short enough to read out at a counter.
    static func shortCode(_ id: UUID) -> String {
        String(id.uuidString.replacingOccurrences(of: "-", with: "").prefix(8))
    }

    /// The `Idempotency-Key` header, checked like checkout's; `problem` is what to say when it is missing.
    static func idempotencyKey(_ req: Request, problem: String) throws -> String {
        guard let key = req.headers.first(name: "Idempotency-Key")?.trimmingWhitespace(), (8...100).contains(key.count) else {
            throw ValidationFailure(field: "Idempotency-Key", message: problem)
        }
        return key
    }
}
