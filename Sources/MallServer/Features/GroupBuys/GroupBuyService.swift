import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Group buying (拼团). Staff keep activities of their merchant's goods (audited). A member opens
/// a group or joins one through a quick purchase like the flash sale's: one transaction takes
/// the slot by a conditional UPDATE, counts the member against the activity's limit and places
/// the order at the group price through `RewardOrderService`, held for the group
/// (`OrderLifecycle.heldForGroup`): once paid it waits in `awaiting_group` without a store. When
/// the last slot is paid the group fills and every order goes to its store; when time runs out
/// the expiry job fails the group — once, by a conditional UPDATE on its status — and every
/// order is cancelled and refunded, unless the activity lets the platform fill the last slots.
struct GroupBuyService {
    let app: Application
    let db: any Database

    enum Failure: ProblemConvertible, Equatable {
        case notLive
        case full
        case closed
        case alreadyMember
        case limitReached(limit: Int)
        case started
        case keyReused

        var status: HTTPResponseStatus { self == .keyReused ? .unprocessableEntity : .conflict }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .notLive: "This group buy is not running."
            case .full: "This group is full."
            case .closed: "This group is closed: it filled or its time ran out."
            case .alreadyMember: "You are already in this group."
            case .limitReached(let limit): "You may be in at most \(limit) groups of this group buy."
            case .started: "A group buy that has started or ended cannot be changed."
            case .keyReused: "This Idempotency-Key was already used for a different group."
            }
        }
    }

    static let auditTarget = "group_buy_activity"
    static let expiryJob = "groupBuys.expire"
    static let sweepJob = "groupBuys.sweep"

    struct ExpiryPayload: Codable {
        let groupId: UUID
    }

    // MARK: Staff

    /// Checks an activity against the rules and the catalogue; returns the SKU's merchant,
    /// refusing merchants outside `reach`.
    private func validated(_ input: GroupBuyActivityInput, reach: AccessReach) async throws -> UUID {
        let sku = try await SKUModel.find(input.skuId, on: db)
        var errors = GroupBuyRules.validate(GroupBuyDraft(
            title: input.title, startsAt: input.startsAt, endsAt: input.endsAt, groupPriceFen: input.groupPriceFen, groupSize: input.groupSize,
            timeLimitMinutes: input.timeLimitMinutes, perMemberLimit: input.perMemberLimit, virtualFill: input.virtualFill), listPriceFen: sku?.priceFen)
        guard let sku, sku.enabled else {
            errors.add("skuId", "is not a SKU on sale")
            try errors.throwIfAny()
            throw ValidationFailure(field: "skuId", message: "is not a SKU on sale")
        }
        if try await StoreModel.find(input.storeId, on: db)?.merchantId != sku.merchantId {
            errors.add("storeId", "is not a store of the SKU's merchant")
        }
        try errors.throwIfAny()
        try FlashSaleService.requireReach(reach, merchantId: sku.merchantId)
        return sku.merchantId
    }

    func create(_ input: GroupBuyActivityInput, reach: AccessReach, audit: AuditRecorder) async throws -> GroupBuyActivityModel {
        let merchantId = try await validated(input, reach: reach)
        return try await db.writeTransaction { tx in
            let activity = GroupBuyActivityModel()
            activity.id = UUID()
            activity.merchantId = merchantId
            activity.createdAt = audit.now
            try await Self.write(input, to: activity, on: tx, now: audit.now)
            try await audit.record(on: tx, action: "group_buy.activity.create", owner: .merchant(MerchantID(merchantId)), targetType: Self.auditTarget,
                                   targetId: activity.id!.uuidString, after: Self.auditView(input))
            return activity
        }
    }

    /// Replaces an activity that has not started.
    func update(activityId: UUID, _ input: GroupBuyActivityInput, reach: AccessReach, audit: AuditRecorder) async throws -> GroupBuyActivityModel {
        let merchantId = try await validated(input, reach: reach)
        return try await db.writeTransaction { tx in
            try await tx.lockRow(GroupBuyActivityModel.schema, id: activityId)
            let activity = try await Self.activity(activityId, reach: reach, on: tx)
            guard GroupBuyRules.editable(startsAt: activity.startsAt, endedAt: activity.endedAt, now: audit.now) else { throw Failure.started }
            guard activity.merchantId == merchantId else { throw ValidationFailure(field: "skuId", message: "must stay a SKU of the activity's merchant") }
            let before = Self.auditView(Self.input(of: activity))
            try await Self.write(input, to: activity, on: tx, now: audit.now)
            try await audit.record(on: tx, action: "group_buy.activity.update", owner: .merchant(MerchantID(merchantId)), targetType: Self.auditTarget,
                                   targetId: activityId.uuidString, before: before, after: Self.auditView(input))
            return activity
        }
    }

    /// Ends an activity now: no new groups or joins; open groups run until their expiry, which
    /// the early end brings forward to now.
    func end(activityId: UUID, reach: AccessReach, audit: AuditRecorder) async throws -> GroupBuyActivityModel {
        try await db.writeTransaction { tx in
            try await tx.lockRow(GroupBuyActivityModel.schema, id: activityId)
            let activity = try await Self.activity(activityId, reach: reach, on: tx)
            guard activity.phase(at: audit.now) != .ended else { return activity }
            activity.endedAt = audit.now
            activity.updatedAt = audit.now
            try await activity.update(on: tx)
            // Nobody can join any more, so an open group can only fail or fill virtually: now.
            let cut = try await tx.sql.raw("""
                UPDATE group_buy_groups SET expires_at = \(bind: audit.now)
                WHERE activity_id = \(bind: activityId) AND status = \(bind: GroupBuyGroupStatus.open.rawValue) AND expires_at > \(bind: audit.now)
                RETURNING id
                """).all()
            for row in cut {
                let groupId = try row.decode(column: "id", as: UUID.self)
                try await app.jobs.enqueue(Self.expiryJob, payload: ExpiryPayload(groupId: groupId), runAt: audit.now,
                                           uniqueKey: "group-buy-expiry:\(groupId.uuidString):ended", on: tx)
            }
            try await audit.record(on: tx, action: "group_buy.activity.end", owner: .merchant(MerchantID(activity.merchantId)), targetType: Self.auditTarget,
                                   targetId: activityId.uuidString, after: ["endedAt": audit.now.formatted(.iso8601)])
            return activity
        }
    }

    /// A new activity at another time with the same SKU, store, price, size and limits.
    func copy(activityId: UUID, _ input: GroupBuyCopyInput, reach: AccessReach, audit: AuditRecorder) async throws -> GroupBuyActivityModel {
        var copied = Self.input(of: try await Self.activity(activityId, reach: reach, on: db))
        copied.startsAt = input.startsAt
        copied.endsAt = input.endsAt
        return try await create(copied, reach: reach, audit: audit)
    }

    static func activity(_ id: UUID, reach: AccessReach, on db: any Database) async throws -> GroupBuyActivityModel {
        guard let activity = try await GroupBuyActivityModel.find(id, on: db) else { throw MallError.notFound("No such group buy.") }
        try FlashSaleService.requireReach(reach, merchantId: activity.merchantId)
        return activity
    }

    private static func write(_ input: GroupBuyActivityInput, to activity: GroupBuyActivityModel, on db: any Database, now: Date) async throws {
        activity.title = input.title.trimmingWhitespace()
        activity.skuId = input.skuId
        activity.storeId = input.storeId
        activity.groupPriceFen = input.groupPriceFen
        activity.groupSize = input.groupSize
        activity.timeLimitMinutes = input.timeLimitMinutes
        activity.perMemberLimit = input.perMemberLimit
        activity.virtualFill = input.virtualFill
        activity.startsAt = input.startsAt
        activity.endsAt = input.endsAt
        activity.updatedAt = now
        try await activity.save(on: db)
    }

    private static func input(of activity: GroupBuyActivityModel) -> GroupBuyActivityInput {
        GroupBuyActivityInput(title: activity.title, skuId: activity.skuId, storeId: activity.storeId, groupPriceFen: activity.groupPriceFen,
                              groupSize: activity.groupSize, timeLimitMinutes: activity.timeLimitMinutes, perMemberLimit: activity.perMemberLimit,
                              virtualFill: activity.virtualFill, startsAt: activity.startsAt, endsAt: activity.endsAt)
    }

    private static func auditView(_ input: GroupBuyActivityInput) -> [String: String] {
        ["title": input.title, "skuId": input.skuId.uuidString, "storeId": input.storeId.uuidString, "groupPriceFen": String(input.groupPriceFen),
         "groupSize": String(input.groupSize), "timeLimitMinutes": String(input.timeLimitMinutes), "perMemberLimit": String(input.perMemberLimit),
         "virtualFill": String(input.virtualFill), "startsAt": input.startsAt.formatted(.iso8601), "endsAt": input.endsAt.formatted(.iso8601)]
    }

    // MARK: Members

    struct Joined: Sendable {
        let groupId: UUID
        let order: OrderModel
        let payment: PaymentModel?
        /// False when the request's Idempotency-Key answered an earlier open or join.
        var created = true
    }

    /// A member opens a group, holding its first slot with an order at the group price.
    func open(activityId: UUID, memberId: UUID, key: String, input: GroupBuyJoinInput, now: Date) async throws -> Joined {
        if let earlier = try await earlier(memberId: memberId, key: key, matches: { $0.activityId == activityId && $0.opener }) { return earlier }
        guard let activity = try await GroupBuyActivityModel.find(activityId, on: db) else { throw MallError.notFound("No such group buy.") }
        guard activity.phase(at: now) == .live else { throw Failure.notLive }
        let destination = try await destination(input, memberId: memberId, activity: activity)
        let groupId = UUID()
        return try await db.writeTransaction { tx in
            let group = GroupBuyGroupModel()
            group.id = groupId
            group.activityId = activityId
            group.openerMemberId = memberId
            group.size = activity.groupSize
            group.joined = 1
            group.paid = 0
            group.virtualMembers = 0
            group.status = GroupBuyGroupStatus.open.rawValue
            group.openedAt = now
            group.expiresAt = GroupBuyRules.expiresAt(openedAt: now, timeLimitMinutes: activity.timeLimitMinutes, activityEndsAt: activity.closesAt)
            try await group.create(on: tx)
            try await app.jobs.enqueue(Self.expiryJob, payload: ExpiryPayload(groupId: groupId), runAt: group.expiresAt,
                                       uniqueKey: "group-buy-expiry:\(groupId.uuidString)", on: tx)
            return try await place(activity: activity, groupId: groupId, memberId: memberId, opener: true, key: key, destination: destination,
                                   now: now, on: tx)
        }
    }

    /// A member joins an open group: the slot is taken by one conditional UPDATE, so a full
    /// group refuses however many join at once.
    func join(groupId: UUID, memberId: UUID, key: String, input: GroupBuyJoinInput, now: Date) async throws -> Joined {
        if let earlier = try await earlier(memberId: memberId, key: key, matches: { $0.groupId == groupId && !$0.opener }) { return earlier }
        guard let group = try await GroupBuyGroupModel.find(groupId, on: db),
              let activity = try await GroupBuyActivityModel.find(group.activityId, on: db) else { throw MallError.notFound("No such group.") }
        let destination = try await destination(input, memberId: memberId, activity: activity)
        return try await db.writeTransaction { tx in
            let taken = try await tx.sql.raw("""
                UPDATE group_buy_groups SET joined = joined + 1
                WHERE id = \(bind: groupId) AND joined < size AND status = \(bind: GroupBuyGroupStatus.open.rawValue) AND expires_at > \(bind: now)
                RETURNING joined
                """).all()
            guard !taken.isEmpty else {
                if try await GroupBuyMemberModel.query(on: tx).filter(\.$groupId == groupId).filter(\.$memberId == memberId).first() != nil {
                    throw Failure.alreadyMember
                }
                guard let current = try await GroupBuyGroupModel.find(groupId, on: tx),
                      current.status == GroupBuyGroupStatus.open.rawValue, current.expiresAt > now else { throw Failure.closed }
                throw Failure.full
            }
            return try await place(activity: activity, groupId: groupId, memberId: memberId, opener: false, key: key, destination: destination,
                                   now: now, on: tx)
        }
    }

    /// The open or join this member already made with the same key (a retry after a lost
    /// answer), or nil; the same key for another group is refused.
    private func earlier(memberId: UUID, key: String, matches: (GroupBuyMemberModel) -> Bool) async throws -> Joined? {
        guard let row = try await GroupBuyMemberModel.query(on: db).filter(\.$memberId == memberId).filter(\.$requestKey == key).first() else {
            return nil
        }
        guard matches(row), let orderId = row.orderId, let order = try await OrderModel.find(orderId, on: db) else { throw Failure.keyReused }
        let payment = try await PaymentModel.query(on: db).filter(\.$checkoutId == order.checkoutId).first()
        return Joined(groupId: row.groupId, order: order, payment: payment, created: false)
    }

    private func destination(_ input: GroupBuyJoinInput, memberId: UUID, activity: GroupBuyActivityModel) async throws -> RewardOrderService.Destination {
        guard input.fulfilment == .delivery else { return .pickup(storeId: activity.storeId) }
        guard let addressId = input.addressId else { throw ValidationFailure(field: "addressId", message: "choose the address to deliver to") }
        guard try await MemberAddressModel.owned(by: memberId, on: db).filter(\.$id == addressId).first() != nil else {
            throw ValidationFailure(field: "addressId", message: "is not one of your addresses")
        }
        return .delivery(addressId: addressId)
    }

    /// The member's row, their count against the limit and their order, in the caller's transaction.
    private func place(activity: GroupBuyActivityModel, groupId: UUID, memberId: UUID, opener: Bool, key: String,
                       destination: RewardOrderService.Destination, now: Date, on tx: any Database) async throws -> Joined {
        let rowId = UUID()
        // Either unique key refuses the row: the member is in this group already, or a
        // concurrent retry with the same key got there first.
        let inserted = try await tx.sql.raw("""
            INSERT INTO group_buy_members (id, group_id, activity_id, member_id, opener, status, joined_at, request_key, list_price_fen)
            VALUES (\(bind: rowId), \(bind: groupId), \(bind: activity.id!), \(bind: memberId), \(bind: opener),
                    \(bind: GroupBuyMemberStatus.pending.rawValue), \(bind: now), \(bind: key),
                    COALESCE((SELECT price_fen FROM skus WHERE id = \(bind: activity.skuId)), \(bind: activity.groupPriceFen)))
            ON CONFLICT DO NOTHING RETURNING id
            """).all()
        guard !inserted.isEmpty else { throw Failure.alreadyMember }
        // One upsert that refuses to pass the limit, so concurrent joins can never exceed it.
        let counted = try await tx.sql.raw("""
            INSERT INTO group_buy_member_counts (id, activity_id, member_id, taken)
            VALUES (\(bind: UUID()), \(bind: activity.id!), \(bind: memberId), 1)
            ON CONFLICT (activity_id, member_id) DO UPDATE SET taken = group_buy_member_counts.taken + 1
            WHERE group_buy_member_counts.taken < \(bind: activity.perMemberLimit) RETURNING taken
            """).all()
        guard !counted.isEmpty else { throw Failure.limitReached(limit: activity.perMemberLimit) }
        let paymentMinutes = try await SettingsService.resolved(on: tx).integer(.groupBuyPaymentMinutes)
        let placed = try await RewardOrderService(app: app, db: tx, now: now).place(RewardOrderService.Request(
            memberId: memberId, skuId: activity.skuId, quantity: 1, unitCashFen: activity.groupPriceFen, destination: destination,
            key: "group:\(rowId.uuidString)", pointsReference: "", paymentMinutes: paymentMinutes, fulfillingStoreId: activity.storeId,
            heldForGroup: true))
        try await tx.sql.raw("UPDATE group_buy_members SET order_id = \(bind: placed.order.id!) WHERE id = \(bind: rowId)").run()
        return Joined(groupId: groupId, order: placed.order, payment: placed.payment)
    }

    // MARK: Order events (called by `OrderEffects` inside the order's transaction)

    /// A group order was paid: its slot counts as paid, once; the payment that completes the
    /// group fills it. A payment for a group that closed meanwhile is refunded with the order.
    func memberPaid(_ order: OrderModel, now: Date) async throws {
        let marked = try await db.sql.raw("""
            UPDATE group_buy_members SET status = \(bind: GroupBuyMemberStatus.paid.rawValue), paid_at = \(bind: now)
            WHERE order_id = \(bind: order.id!) AND status = \(bind: GroupBuyMemberStatus.pending.rawValue) RETURNING group_id
            """).all()
        guard let groupId = try marked.first?.decode(column: "group_id", as: UUID.self) else { return }
        let counted = try await db.sql.raw("""
            UPDATE group_buy_groups SET paid = paid + 1
            WHERE id = \(bind: groupId) AND status = \(bind: GroupBuyGroupStatus.open.rawValue) AND paid < joined RETURNING paid, size
            """).all()
        guard let row = counted.first else {
            try await db.sql.raw("""
                UPDATE group_buy_members SET status = \(bind: GroupBuyMemberStatus.refunded.rawValue) WHERE order_id = \(bind: order.id!)
                """).run()
            try await transition(order, at: now) { try $0.groupFailed(at: now) }
            return
        }
        let paid = try row.decode(column: "paid", as: Int.self)
        let size = try row.decode(column: "size", as: Int.self)
        guard paid >= size else { return }
        let filled = try await db.sql.raw("""
            UPDATE group_buy_groups SET status = \(bind: GroupBuyGroupStatus.filled.rawValue), closed_at = \(bind: now)
            WHERE id = \(bind: groupId) AND status = \(bind: GroupBuyGroupStatus.open.rawValue) RETURNING id
            """).all()
        guard !filled.isEmpty else { return }
        try await releaseFilled(groupId: groupId, now: now)
    }

    /// A group order closed (expired unpaid, or cancelled by HQ while the group was open): its
    /// slot is free again and the member's count goes down. The group's own closing marks its
    /// rows first, so this finds nothing then.
    func orderClosed(_ order: OrderModel, now: Date) async throws {
        let freed = try await db.sql.raw("""
            DELETE FROM group_buy_members WHERE order_id = \(bind: order.id!) AND status = \(bind: GroupBuyMemberStatus.pending.rawValue)
            RETURNING group_id, activity_id, member_id
            """).all()
        let cancelledPaid = try await db.sql.raw("""
            UPDATE group_buy_members SET status = \(bind: GroupBuyMemberStatus.cancelled.rawValue)
            WHERE order_id = \(bind: order.id!) AND status = \(bind: GroupBuyMemberStatus.paid.rawValue)
            RETURNING group_id, activity_id, member_id
            """).all()
        for (row, wasPaid) in freed.map({ ($0, false) }) + cancelledPaid.map({ ($0, true) }) {
            let groupId = try row.decode(column: "group_id", as: UUID.self)
            let paidDrop = wasPaid ? 1 : 0
            try await db.sql.raw("""
                UPDATE group_buy_groups SET joined = joined - 1, paid = paid - \(bind: paidDrop)
                WHERE id = \(bind: groupId) AND status = \(bind: GroupBuyGroupStatus.open.rawValue) AND joined > 0 AND paid >= \(bind: paidDrop)
                """).run()
            try await releaseCount(activityId: try row.decode(column: "activity_id", as: UUID.self), memberId: try row.decode(column: "member_id", as: UUID.self))
        }
    }

    // MARK: Expiry

    /// The expiry job (and the sweep): a group whose time ran out fails — every order cancelled,
    /// stock released, payments refunded — or is filled by the platform when the activity allows.
    /// Runs once however often or concurrently it is called: the orders are locked first (the
    /// order every payment takes: order, then group), then one conditional UPDATE on the status
    /// decides, and only its winner acts.
    func expire(groupId: UUID, now: Date) async throws {
        try await db.writeTransaction { tx in
            guard let group = try await GroupBuyGroupModel.find(groupId, on: tx), group.status == GroupBuyGroupStatus.open.rawValue,
                  now >= group.expiresAt, let activity = try await GroupBuyActivityModel.find(group.activityId, on: tx) else { return }
            let service = GroupBuyService(app: app, db: tx)
            for row in try await Self.liveRows(groupId, on: tx).sorted(by: { ($0.orderId?.uuidString ?? "") < ($1.orderId?.uuidString ?? "") }) {
                if let orderId = row.orderId, let order = try await OrderModel.find(orderId, on: tx) {
                    _ = try await OrderLocks.lockOrders(checkoutId: order.checkoutId, on: tx)
                }
            }
            guard let locked = try await GroupBuyGroupModel.find(groupId, on: tx) else { return }
            let outcome = GroupBuyRules.expiryOutcome(size: locked.size, paid: locked.paid, virtualFill: activity.virtualFill)
            let (status, virtual): (GroupBuyGroupStatus, Int) = switch outcome {
            case .fillVirtually(let missing): (.filled, missing)
            case .fail: (.failed, 0)
            }
            let won = try await tx.sql.raw("""
                UPDATE group_buy_groups SET status = \(bind: status.rawValue), virtual_members = \(bind: virtual), closed_at = \(bind: now)
                WHERE id = \(bind: groupId) AND status = \(bind: GroupBuyGroupStatus.open.rawValue) RETURNING id
                """).all()
            guard !won.isEmpty else { return }
            switch outcome {
            case .fillVirtually:
                try await service.cancelUnpaid(groupId: groupId, now: now)
                try await service.releaseFilled(groupId: groupId, now: now)
            case .fail:
                try await service.refundAll(groupId: groupId, activity: activity, now: now)
            }
        }
    }

    /// The safety net behind the per-group jobs: every open group past its expiry.
    func sweep(now: Date) async throws {
        let due = try await GroupBuyGroupModel.query(on: db).filter(\.$status == GroupBuyGroupStatus.open.rawValue).filter(\.$expiresAt <= now)
            .sort(\.$expiresAt).range(..<100).all()
        for group in due { try await expire(groupId: group.id!, now: now) }
    }

    private static func liveRows(_ groupId: UUID, on db: any Database) async throws -> [GroupBuyMemberModel] {
        try await GroupBuyMemberModel.query(on: db).filter(\.$groupId == groupId)
            .filter(\.$status ~~ [GroupBuyMemberStatus.pending.rawValue, GroupBuyMemberStatus.paid.rawValue]).sort(\.$joinedAt).all()
    }

    /// Every paid order of a filled group goes to its store; each member is told once (the
    /// caller won the group's status change).
    private func releaseFilled(groupId: UUID, now: Date) async throws {
        for row in try await Self.liveRows(groupId, on: db) where row.status == GroupBuyMemberStatus.paid.rawValue {
            guard let orderId = row.orderId, let order = try await OrderModel.find(orderId, on: db),
                  order.status == OrderStatus.awaitingGroup.rawValue else { continue }
            try await transition(order, at: now) { try $0.groupFilled(at: now) }
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: row.memberId, merchantId: order.merchantId, storeId: order.storeId,
                title: "Group buy filled", body: "Your group is complete: order \(order.number) now goes to the store.",
                reference: .init(type: "group_buy_group", id: groupId.uuidString), now: now)
        }
    }

    /// Slots still unpaid when a group closes by virtual fill: their orders are cancelled.
    private func cancelUnpaid(groupId: UUID, now: Date) async throws {
        let rows = try await Self.liveRows(groupId, on: db).filter { $0.status == GroupBuyMemberStatus.pending.rawValue }
        for row in rows {
            row.status = GroupBuyMemberStatus.cancelled.rawValue
            try await row.update(on: db)
            try await releaseCount(activityId: row.activityId, memberId: row.memberId)
            guard let orderId = row.orderId, let order = try await OrderModel.find(orderId, on: db) else { continue }
            try await transition(order, at: now) { try $0.cancel(by: .system, at: now, reason: "the group closed before this order was paid") }
        }
    }

    /// A failed group: every member's order cancelled and what was paid refunded, each member
    /// told once; the group no longer counts against their limit.
    private func refundAll(groupId: UUID, activity: GroupBuyActivityModel, now: Date) async throws {
        for row in try await Self.liveRows(groupId, on: db) {
            let wasPaid = row.status == GroupBuyMemberStatus.paid.rawValue
            row.status = wasPaid ? GroupBuyMemberStatus.refunded.rawValue : GroupBuyMemberStatus.cancelled.rawValue
            try await row.update(on: db)
            try await releaseCount(activityId: row.activityId, memberId: row.memberId)
            guard let orderId = row.orderId, let order = try await OrderModel.find(orderId, on: db),
                  [OrderStatus.pendingPayment.rawValue, OrderStatus.awaitingGroup.rawValue].contains(order.status) else { continue }
            try await transition(order, at: now) { try $0.groupFailed(at: now) }
            try await NotificationOutbox(app: app, db: db).send(
                audience: .member, recipientId: row.memberId, merchantId: order.merchantId, storeId: order.storeId,
                title: "Group buy did not fill",
                body: wasPaid ? "Your group for \(activity.title) did not fill in time; order \(order.number) is cancelled and your payment refunded."
                              : "Your group for \(activity.title) did not fill in time; order \(order.number) is cancelled.",
                reference: .init(type: "group_buy_group", id: groupId.uuidString), now: now)
        }
    }

    /// One order's event through the state machine, saved, its effects carried out.
    private func transition(_ order: OrderModel, at now: Date, _ event: (inout OrderLifecycle) throws -> [OrderEffect]) async throws {
        var lifecycle = try order.lifecycle
        let effects = try event(&lifecycle)
        try order.setLifecycle(lifecycle)
        order.updatedAt = now
        try await order.update(on: db)
        try await OrderEffects(app: app, db: db, now: now).apply(effects, to: order)
    }

    private func releaseCount(activityId: UUID, memberId: UUID) async throws {
        try await db.sql.raw("""
            UPDATE group_buy_member_counts SET taken = taken - 1
            WHERE activity_id = \(bind: activityId) AND member_id = \(bind: memberId) AND taken > 0
            """).run()
    }
}
