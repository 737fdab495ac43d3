import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The order desk's writes: a store's steps on an order and HQ's reallocation, each one
/// transaction holding the order's lock, the state machine's transition, its effects (stock,
/// refunds, jobs, notices) and the audit row. Handlers check the permission and decode; this
/// takes plain values.
struct OrderDeskService {
    let app: Application
    let db: any Database
    let audit: AuditRecorder
    let now: Date

    /// One step by staff of `atStore`, the store the caller's permission was checked against:
    /// if HQ moved the order since, that store no longer acts on it (409).
    func step(orderId: UUID, atStore: UUID, action: String, actor: TimelineActor,
              _ transition: @escaping @Sendable (inout OrderLifecycle, TimelineActor, Date) throws -> [OrderEffect],
              andThen extra: (@Sendable (OrderModel, any Database, Date) async throws -> Void)? = nil) async throws -> OrderModel {
        let now = self.now
        let audit = self.audit
        let done = try await OrderTransition.run(orderId: orderId, app: app, db: db, now: now, applies: { $0.storeId == atStore }, { lifecycle in
            try transition(&lifecycle, actor, now)
        }, andThen: { locked, before, db in
            try await extra?(locked, db, now)
            try await audit.record(on: db, action: action, owner: locked.owner, targetType: "order", targetId: locked.id!.uuidString,
                                   before: ["status": before.rawValue], after: ["status": locked.status])
        })
        guard let done else { throw MallError.conflict("This order has moved to another store; reload the order list.") }
        return done
    }

    /// Moves an order to `storeId`, or, without one, to the planner's next best store for an
    /// order waiting for HQ. Platform staff act as HQ; a merchant's own staff under their name.
    func reallocate(orderId: UUID, checkoutId: UUID, to storeId: UUID?, by staff: StaffPrincipal) async throws -> OrderModel {
        let (app, now, audit) = (self.app, self.now, self.audit)
        let moved = try await db.writeTransaction { db -> OrderModel? in
            guard let locked = try await OrderLocks.lockOrders(checkoutId: checkoutId, on: db).first(where: { $0.id == orderId }) else { return nil }
            let effects = OrderEffects(app: app, db: db, now: now)
            let current = try locked.lifecycle
            guard let storeId else {
                guard current.status == .awaitingReallocation else {
                    throw MallError.conflict("Name the store to move a \(current.status.rawValue) order to.")
                }
                try await effects.reallocate(locked, excluding: Set(current.rejectedStoreIds))
                guard try locked.lifecycle.status != .awaitingReallocation else {
                    throw MallError.conflict("No other store can take this order now; name a store.")
                }
                try await audit.record(on: db, action: "order.reallocate", owner: locked.owner, targetType: "order", targetId: locked.id!.uuidString)
                return locked
            }
            guard let store = try await StoreModel.find(storeId, on: db), store.merchantId == locked.merchantId else {
                throw ValidationFailure(field: "storeId", message: "is not a store of this order's merchant")
            }
            guard store.status == .open, current.fulfilment == .delivery || (store.kind == .store && store.pickupEnabled) else {
                throw ValidationFailure(field: "storeId", message: "must be an open store that can fulfil this order (pickup orders need a store with self-pickup)")
            }
            let target = StoreID(storeId)
            let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == orderId).all()
            let inventory = try await InventoryService.make(app, on: db)
            // Both stores' stock locks in a fixed order: moving A→B while another request moves
            // B→A (or checks out at both) would otherwise deadlock on PostgreSQL.
            try await inventory.lockStores([current.storeId.rawValue, target.rawValue])
            var lifecycle = current
            let actor: TimelineActor = staff.policy.allows(.orderFulfil, on: .platform) ? .hq(staff.staffId) : .merchantStaff(staff.staffId)
            let result = try lifecycle.reallocate(to: target, by: actor, at: now, note: "moved by \(staff.username)")
            // Hold the stock at the new store first, then let the old store's go.
            try await inventory.reserve(
                lines.map { StockRequest(skuId: $0.skuId, storeId: target.rawValue, quantity: $0.quantity) },
                context: MovementContext(reason: "order \(locked.number)", referenceType: "order", referenceId: orderId.uuidString, now: now))
            try locked.setLifecycle(lifecycle)
            locked.updatedAt = now
            try await locked.update(on: db)
            try await effects.apply(result, to: locked)
            try await audit.record(on: db, action: "order.reallocate", owner: locked.owner, targetType: "order", targetId: orderId.uuidString,
                                   before: ["storeId": current.storeId.rawValue.uuidString], after: ["storeId": target.rawValue.uuidString])
            return locked
        }
        guard let moved else { throw MallError.notFound("No such order.") }
        return moved
    }
}
