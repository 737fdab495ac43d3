import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Subscribes a shipment to Kuaidi100's tracking pushes (快递100 订阅接口). Kuaidi100 pushes
/// scans only for parcels subscribed with a callback URL, so without this job the push endpoint
/// would hear nothing. The job is queued with the shipment (`LogisticsService.createShipment`)
/// and retried with backoff while Kuaidi100 is down or answers 500; an answer that says the
/// request itself is wrong ends it and is kept on the shipment for staff.
enum Kuaidi100Subscriber {
    static let job = "logistics.kuaidi100Subscribe"

    struct Payload: Codable {
        let shipmentId: UUID
    }

    /// Why an attempt failed in a way worth retrying; the job queue records it and tries again.
    struct RetryableFailure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ context: JobContext) async throws {
        let payload = try context.decode(Payload.self)
        // Already settled (a job that ran twice after a lost lock): nothing to send.
        guard let shipment = try await ShipmentModel.find(payload.shipmentId, on: context.db),
              shipment.trackingSubscription == TrackingSubscriptionState.pending.rawValue else { return }
        guard let config = context.app.config.kuaidi100Subscription, let salt = context.app.config.kuaidi100Salt else {
            // Switched off since the shipment was made (or on the instance that ran the job): the
            // subscription stays pending, and the shipment says why.
            let note = "not sent: KUAIDI100_KEY is not set where the job ran"
            context.logger.warning("kuaidi100 subscription for shipment \(payload.shipmentId) \(note)")
            try await recordFailure(shipment, note, on: context.db, now: context.now)
            return
        }
        guard let company = Carrier.find(shipment.carrierCode)?.kuaidi100Code, let number = shipment.trackingNumber else {
            try await settle(shipment, .refused, note: "carrier \(shipment.carrierCode) has no Kuaidi100 feed", on: context.db, now: context.now)
            return
        }
        let subscription = Kuaidi100Subscription(company: company, number: number, key: config.key, callbackURL: config.callbackURL,
                                                 salt: salt, phone: try await phone(for: shipment, on: context.db))
        let answer: Kuaidi100SubscriptionAnswer
        do {
            answer = try await send(subscription, to: config.pollURL, client: context.app.client)
        } catch {
            let note = "no usable answer from Kuaidi100: \(error)"
            try await recordFailure(shipment, note, on: context.db, now: context.now)
            throw RetryableFailure(description: note)
        }
        switch answer.outcome {
        case .subscribed:
            try await settle(shipment, .subscribed, note: nil, on: context.db, now: context.now)
        case .refused(let why):
            // Key problems concern every shipment, so they are an error for the operator; bad
            // data concerns this parcel only.
            if ["600", "601"].contains(answer.returnCode) {
                context.logger.error("kuaidi100 refused the subscription key (check KUAIDI100_KEY): \(why)", metadata: ["shipment": .string(payload.shipmentId.uuidString)])
            } else {
                context.logger.warning("kuaidi100 refused the subscription of shipment \(payload.shipmentId): \(why)")
            }
            try await settle(shipment, .refused, note: why, on: context.db, now: context.now)
        case .retry(let why):
            try await recordFailure(shipment, why, on: context.db, now: context.now)
            throw RetryableFailure(description: "kuaidi100 answered \(why)")
        }
    }

    /// Posts `schema=json&param=…` as a form, the only shape the subscription API takes.
    static func send(_ subscription: Kuaidi100Subscription, to url: URL, client: any Client) async throws -> Kuaidi100SubscriptionAnswer {
        struct Form: Content {
            var schema = "json"
            var param: String
        }
        let response = try await client.post(URI(string: url.absoluteString)) { request in
            try request.content.encode(Form(param: try subscription.param()), as: .urlEncodedForm)
            // A hung connection must not hold the job (and its worker) until the lock expires.
            request.timeout = .seconds(20)
        }
        guard response.status == .ok else {
            throw RetryableFailure(description: "HTTP \(response.status.code)")
        }
        return try Kuaidi100SubscriptionAnswer(json: response.body.map { Data(buffer: $0) } ?? Data())
    }

    /// SF Express shows scans only to a subscription that names the recipient's or sender's
    /// phone: the shopper's, from the order's delivery address (the recipient of an order or a
    /// replacement, the sender of a return). Pickup orders have none; then none is sent.
    private static func phone(for shipment: ShipmentModel, on db: any Database) async throws -> String? {
        guard let json = try await OrderModel.find(shipment.orderId, on: db)?.deliveryAddressJSON else { return nil }
        return (try? JSONDecoder.api.decode(Address.self, from: Data(json.utf8)))?.phone
    }

    private static func settle(_ shipment: ShipmentModel, _ state: TrackingSubscriptionState, note: String?, on db: any Database, now: Date) async throws {
        shipment.trackingSubscription = state.rawValue
        shipment.trackingSubscriptionNote = note.map { String($0.prefix(500)) }
        shipment.updatedAt = now
        try await shipment.update(on: db)
    }

    /// Keeps the last failure on a pending subscription, so staff see why tracking has not started.
    private static func recordFailure(_ shipment: ShipmentModel, _ note: String, on db: any Database, now: Date) async throws {
        shipment.trackingSubscriptionNote = String(note.prefix(500))
        shipment.updatedAt = now
        try await shipment.update(on: db)
    }
}
