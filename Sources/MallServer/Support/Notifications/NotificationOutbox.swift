import Fluent
import Foundation
import SQLKit
import Vapor

/// Messages to people, written in the same transaction as the event that caused them. The
/// default channel is the in-app inbox, where the committed row is the delivery; SMS, email and
/// WeChat go out afterwards by a job (logged until a provider is configured). A job per inbox
/// message only flipped its status and was a sixth of the database work of a paid order.
struct NotificationOutbox {
    let app: Application
    let db: any Database

    static let deliverJob = "notifications.deliver"
    static let inApp = "in_app"

    enum Audience: String, Codable, Sendable {
        /// The managers of one store (the console shows it to staff scoped to that store).
        case storeManagers = "store_managers"
        /// Headquarters: platform staff and the merchant's admins.
        case headquarters
        case staff
        case member
    }

    struct Reference {
        let type: String
        let id: String
    }

    struct DeliveryPayload: Codable {
        let notificationId: UUID
    }

    func send(audience: Audience, recipientId: UUID? = nil, merchantId: UUID?, storeId: UUID?, title: String, body: String,
              reference: Reference?, channel: String = Self.inApp, now: Date) async throws {
        let notification = NotificationModel()
        notification.id = UUID()
        notification.channel = channel
        notification.audience = audience.rawValue
        notification.recipientId = recipientId
        notification.merchantId = merchantId
        notification.storeId = storeId
        notification.title = title
        notification.body = body
        notification.referenceType = reference?.type
        notification.referenceId = reference?.id
        notification.createdAt = now
        let inApp = channel == Self.inApp
        notification.status = inApp ? "delivered" : "pending"
        notification.deliveredAt = inApp ? now : nil
        try await notification.create(on: db)
        if !inApp {
            try await app.jobs.enqueue(Self.deliverJob, payload: DeliveryPayload(notificationId: notification.id!),
                                       uniqueKey: "notify:\(notification.id!.uuidString)", on: db)
        }
    }

    /// The same in-app message to several audiences in one INSERT: the inbox row is the
    /// delivery, so there is nothing to schedule.
    func sendInApp(to audiences: [Audience], merchantId: UUID?, storeId: UUID?, title: String, body: String, reference: Reference?, now: Date) async throws {
        guard !audiences.isEmpty else { return }
        var insert = db.sql.insert(into: NotificationModel.schema).columns(
            "id", "channel", "audience", "merchant_id", "store_id", "title", "body", "reference_type", "reference_id", "status", "created_at", "delivered_at")
        for audience in audiences {
            insert = insert.values(SQLBind(UUID()), SQLBind(Self.inApp), SQLBind(audience.rawValue), SQLBind(merchantId), SQLBind(storeId), SQLBind(title),
                                   SQLBind(body), SQLBind(reference?.type), SQLBind(reference?.id), SQLBind("delivered"), SQLBind(now), SQLBind(now))
        }
        try await insert.run()
    }

    /// Delivers one notification; idempotent because only a pending one is touched.
    static func deliver(_ context: JobContext) async throws {
        let payload = try context.decode(DeliveryPayload.self)
        guard let notification = try await NotificationModel.find(payload.notificationId, on: context.db),
              notification.status == "pending" else { return }
        if notification.channel != Self.inApp {
            context.logger.info("notification via \(notification.channel) (no provider configured, logged only): \(notification.title)")
        }
        notification.status = "delivered"
        notification.deliveredAt = context.now
        try await notification.update(on: context.db)
    }
}
