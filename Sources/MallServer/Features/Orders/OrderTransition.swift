import Fluent
import SQLKit
import Foundation
import MallCore
import Vapor

/// The one way an order changes state after checkout: lock it, let the state machine take the
/// event, save, carry out the effects — all in one transaction, so a payment callback, a job
/// and a clerk acting at the same moment are applied one after the other.
enum OrderTransition {
    /// Returns the updated order, or nil when `applies` says the event no longer concerns it
    /// (a job that fires after the order moved on).
    @discardableResult
    static func run(orderId: UUID, app: Application, db: any Database, now: Date,
                    applies: @escaping @Sendable (OrderModel) throws -> Bool = { _ in true },
                    _ event: @escaping @Sendable (inout OrderLifecycle) throws -> [OrderEffect],
                    andThen record: (@Sendable (OrderModel, OrderStatus, any Database) async throws -> Void)? = nil) async throws -> OrderModel? {
        try await db.writeTransaction { tx in
            guard let order = try await OrderModel.find(orderId, on: tx),
                  let locked = try await OrderLocks.lockOrders(checkoutId: order.checkoutId, on: tx).first(where: { $0.id == orderId }),
                  try applies(locked) else { return nil }
            var lifecycle = try locked.lifecycle
            let before = lifecycle.status
            let effects = try event(&lifecycle)
            try locked.setLifecycle(lifecycle)
            locked.updatedAt = now
            try await locked.update(on: tx)
            try await OrderEffects(app: app, db: tx, now: now).apply(effects, to: locked)
            try await record?(locked, before, tx)
            return locked
        }
    }
}

enum OrderLocks {
    /// A checkout's orders, locked on PostgreSQL so a payment and the expiry job cannot both
    /// act on the same order (SQLite's write transaction already serialises them).
    static func lockOrders(checkoutId: UUID, on db: any Database) async throws -> [OrderModel] {
        if db.isPostgres {
            _ = try await db.sql.raw("SELECT id FROM orders WHERE checkout_id = \(bind: checkoutId) ORDER BY id FOR UPDATE").all()
        }
        return try await OrderModel.query(on: db).filter(\.$checkoutId == checkoutId).sort(\.$number).all()
    }
}
