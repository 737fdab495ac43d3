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

    /// The orders' shipments and their tracking events as parts of an order page's detail
    /// statement (slots: `OrderDTO.detailSlots`), read back by `shipmentInfos(from:)`.
    static func addShipmentParts(to parts: inout SQLUnionParts, orderIds: [UUID]) {
        parts.add("s", ["o": "order_id", "id": "id", "t1": "purpose", "t2": "carrier_code", "t3": "tracking_number", "t4": "courier_name",
                        "t5": "courier_phone", "t6": "state", "ts1": "created_at"],
                  from: "shipments WHERE order_id IN (\(binds: orderIds))")
        parts.add("e", ["o": "s.order_id", "id": "e.id", "ref": "e.shipment_id", "t1": "e.description", "t2": "e.location", "t3": "e.state",
                        "t4": "e.source", "ts1": "e.at", "ts2": "e.created_at"],
                  from: "tracking_events e JOIN shipments s ON s.id = e.shipment_id WHERE s.order_id IN (\(binds: orderIds))")
    }

    static func shipmentInfos(from rows: [any SQLRow]) throws -> [UUID: [ShipmentInfo]] {
        var shipments: [ShipmentModel] = []
        var events: [UUID: [TrackingEventModel]] = [:]
        for row in rows {
            switch try row.decode(column: "part", as: String.self) {
            case "s":
                let shipment = ShipmentModel()
                shipment.id = try row.decode(column: "id", as: UUID.self)
                shipment.orderId = try row.decode(column: "o", as: UUID.self)
                shipment.purpose = try row.decode(column: "t1", as: String.self)
                shipment.carrierCode = try row.decode(column: "t2", as: String.self)
                shipment.trackingNumber = try row.decode(column: "t3", as: String?.self)
                shipment.courierName = try row.decode(column: "t4", as: String?.self)
                shipment.courierPhone = try row.decode(column: "t5", as: String?.self)
                shipment.state = try row.decode(column: "t6", as: String?.self)
                shipment.createdAt = try row.decode(column: "ts1", as: Date.self)
                shipments.append(shipment)
            case "e":
                let event = TrackingEventModel()
                event.id = try row.decode(column: "id", as: UUID.self)
                event.shipmentId = try row.decode(column: "ref", as: UUID.self)
                event.description = try row.decode(column: "t1", as: String.self)
                event.location = try row.decode(column: "t2", as: String?.self)
                event.state = try row.decode(column: "t3", as: String?.self)
                event.source = try row.decode(column: "t4", as: String.self)
                event.at = try row.decode(column: "ts1", as: Date.self)
                event.createdAt = try row.decode(column: "ts2", as: Date.self)
                events[event.shipmentId, default: []].append(event)
            default:
                continue
            }
        }
        return Dictionary(grouping: shipments.sorted { $0.createdAt < $1.createdAt }.map { shipment in
            (shipment.orderId, info(shipment, events: (events[shipment.id!] ?? []).sorted { ($0.at, $0.createdAt) < ($1.at, $1.createdAt) }))
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
