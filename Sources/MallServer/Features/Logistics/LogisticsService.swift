import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// A shipment's carrier and reference, checked.
struct CheckedShipment: Sendable {
    var carrier: Carrier
    var trackingNumber: String?
    var courierName: String?
    var courierPhone: String?

    /// What the order's state machine records: the carrier's name and the tracking number, or
    /// the courier's name for the store's own delivery.
    var tracking: (carrier: String, number: String) {
        (carrier.name, trackingNumber ?? "\(courierName ?? "") \(courierPhone ?? "")")
    }

    /// A carrier code from `Carrier.all` with a tracking number, or the store's courier with a
    /// name and a mobile number. Every problem is reported at once.
    init(carrier code: String, trackingNumber: String?, courierName: String?, courierPhone: String?, allowCourier: Bool = true) throws {
        var errors = FieldErrorCollector()
        let carrier = Carrier.find(code.trimmingWhitespace())
        if carrier == nil || (!allowCourier && carrier?.code == Carrier.storeCourierCode) {
            errors.add("carrier", "must be one of \(Carrier.all.filter { allowCourier || $0.code != Carrier.storeCourierCode }.map(\.code).joined(separator: ", "))")
        }
        if carrier?.code == Carrier.storeCourierCode {
            let name = errors.collect { try TextRule.check(courierName ?? "", field: "courierName", min: 1, max: 30) }
            let phone = errors.collect { try MobileNumber(parsing: courierPhone ?? "", field: "courierPhone") }
            self.courierName = name
            self.courierPhone = phone?.digits
            self.trackingNumber = nil
        } else {
            let number = (trackingNumber ?? "").trimmingWhitespace().uppercased()
            if !(4...40).contains(number.count) || !number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                errors.add("trackingNumber", "must be 4–40 letters, digits or '-'")
            }
            self.trackingNumber = number
            self.courierName = nil
            self.courierPhone = nil
        }
        try errors.throwIfAny()
        self.carrier = carrier!
    }
}

/// Shipments and their tracking: created when goods leave, fed by carrier pushes (Kuaidi100)
/// or by staff, read back as a timeline on orders.
struct LogisticsService {
    let app: Application

    static let sourceCarrier = "carrier"
    static let sourceStaff = "staff"

    /// Opens a shipment inside the caller's transaction. A parcel Kuaidi100 can follow is
    /// subscribed to its pushes by a job queued in the same transaction, so a shipment is never
    /// stored without its subscription being asked for, nor a subscription sent for a shipment
    /// that was rolled back.
    @discardableResult
    func createShipment(_ checked: CheckedShipment, purpose: ShipmentModel.Purpose, orderId: UUID, afterSalesId: UUID? = nil,
                        merchantId: UUID, storeId: UUID, on db: any Database, now: Date) async throws -> ShipmentModel {
        let shipment = ShipmentModel()
        shipment.id = UUID()
        shipment.orderId = orderId
        shipment.afterSalesId = afterSalesId
        shipment.purpose = purpose.rawValue
        shipment.merchantId = merchantId
        shipment.storeId = storeId
        shipment.carrierCode = checked.carrier.code
        shipment.trackingNumber = checked.trackingNumber
        shipment.courierName = checked.courierName
        shipment.courierPhone = checked.courierPhone
        shipment.createdAt = now
        shipment.updatedAt = now
        let subscribes = app.config.kuaidi100Subscription != nil && checked.carrier.kuaidi100Code != nil && checked.trackingNumber != nil
        if subscribes { shipment.trackingSubscription = TrackingSubscriptionState.pending.rawValue }
        try await shipment.create(on: db)
        if subscribes {
            try await app.jobs.enqueue(Kuaidi100Subscriber.job, payload: Kuaidi100Subscriber.Payload(shipmentId: shipment.id!),
                                       uniqueKey: "kuaidi100-subscribe:\(shipment.id!.uuidString)", on: db)
        }
        return shipment
    }

    /// Stores new events (ones already stored are skipped) and moves the shipment's state; a
    /// delivered order shipment marks its order delivered. Returns how many events were new.
    @discardableResult
    func record(_ events: [TrackingEvent], state: TrackingState?, source: String, shipment: ShipmentModel, on db: any Database, now: Date) async throws -> Int {
        var added = 0
        for event in events {
            let inserted = try await db.sql.raw("""
                INSERT INTO tracking_events (id, shipment_id, at, description, location, state, source, created_at)
                VALUES (\(bind: UUID()), \(bind: shipment.id!), \(bind: event.at), \(bind: event.description), \(bind: event.location),
                        \(bind: event.state?.rawValue), \(bind: source), \(bind: now))
                ON CONFLICT (shipment_id, at, description) DO NOTHING RETURNING id
                """).all()
            added += inserted.count
        }
        if let state, shipment.state != state.rawValue {
            shipment.state = state.rawValue
            shipment.updatedAt = now
            try await shipment.update(on: db)
        }
        if state == .delivered, shipment.purpose == ShipmentModel.Purpose.order.rawValue {
            // The carrier's word is enough; the shopper confirms receipt or the timer does.
            try await OrderTransition.run(orderId: shipment.orderId, app: app, db: db, now: now,
                                          applies: { try $0.lifecycle.status == .shipped }) { lifecycle in
                try lifecycle.markDelivered(by: .system, at: now)
            }
        }
        return added
    }

    /// Kuaidi100's push signature: upper-case hex MD5 of the `param` text followed by the salt
    /// given when subscribing (快递100 订阅推送: sign = MD5(param + salt)).
    static func kuaidi100Sign(param: String, salt: String) -> String {
        Insecure.MD5.hash(data: Data((param + salt).utf8)).map { String(format: "%02X", $0) }.joined()
    }

    static func shipmentInfos(orderIds: [UUID], on db: any Database) async throws -> [UUID: [ShipmentInfo]] {
        guard !orderIds.isEmpty else { return [:] }
        let shipments = try await ShipmentModel.query(on: db).filter(\.$orderId ~~ orderIds).sort(\.$createdAt).all()
        guard !shipments.isEmpty else { return [:] }
        let events = Dictionary(grouping: try await TrackingEventModel.query(on: db).filter(\.$shipmentId ~~ shipments.map { $0.id! })
            .sort(\.$at).sort(\.$createdAt).all(), by: \.shipmentId)
        return Dictionary(grouping: shipments.map { shipment in
            (shipment.orderId, info(shipment, events: events[shipment.id!] ?? []))
        }, by: \.0).mapValues { $0.map(\.1) }
    }

    static func info(_ shipment: ShipmentModel, events: [TrackingEventModel]) -> ShipmentInfo {
        ShipmentInfo(id: shipment.id!, purpose: shipment.purpose, carrierCode: shipment.carrierCode,
                     carrierName: Carrier.find(shipment.carrierCode)?.name ?? shipment.carrierCode, trackingNumber: shipment.trackingNumber,
                     courierName: shipment.courierName, courierPhone: shipment.courierPhone, state: shipment.state.flatMap(TrackingState.init(rawValue:)),
                     events: events.map {
                         TrackingEventInfo(at: $0.at, description: $0.description, location: $0.location,
                                           state: $0.state.flatMap(TrackingState.init(rawValue:)), source: $0.source)
                     },
                     createdAt: shipment.createdAt)
    }
}
