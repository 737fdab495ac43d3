import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Carriers, the carrier-push webhook, and staff-entered tracking events.
struct LogisticsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("carriers", use: carriers)
        routes.on(.POST, "logistics", "kuaidi100", "push", body: .collect(maxSize: "256kb"), use: kuaidi100Push)
    }

    func carriers(req: Request) async throws -> [CarrierInfo] {
        Carrier.all.map { CarrierInfo(code: $0.code, name: $0.name, servicePhone: $0.servicePhone, tracksByNumber: $0.code != Carrier.storeCourierCode) }
    }

    /// Kuaidi100's subscription push: a form with `param` (JSON) and `sign`. Answered with the
    /// JSON Kuaidi100 expects; anything but `result: true` makes it push again later.
    func kuaidi100Push(req: Request) async throws -> Response {
        struct Form: Decodable {
            var param: String?
            var sign: String?
        }
        // Kuaidi100 reads `result` as a JSON boolean; anything but true makes it push again.
        struct Answer: Encodable {
            var result: Bool
            var returnCode: String
            var message: String
        }
        func answer(_ ok: Bool, _ message: String, status: HTTPResponseStatus = .ok) throws -> Response {
            try Response.json(Answer(result: ok, returnCode: ok ? "200" : "500", message: message), status: status)
        }
        guard let salt = req.application.config.kuaidi100Salt else {
            throw MallError.notFound("Kuaidi100 tracking pushes are not enabled (set KUAIDI100_SALT).")
        }
        let form = try req.content.decode(Form.self)
        guard let param = form.param, let sign = form.sign,
              SecureToken.constantTimeEquals(LogisticsService.kuaidi100Sign(param: param, salt: salt), sign.uppercased()) else {
            req.logger.warning("kuaidi100 push rejected: bad signature")
            return try answer(false, "bad signature", status: .unauthorized)
        }
        let push = try Kuaidi100Push(json: Data(param.utf8))
        guard let carrier = Carrier.find(kuaidi100Code: push.carrierCode) else {
            // Not a carrier we ship with: acknowledge so it is not pushed again.
            return try answer(true, "ignored: unknown carrier \(push.carrierCode)")
        }
        let now = req.now
        let app = req.application
        try await req.db.writeTransaction { db in
            let shipments = try await ShipmentModel.query(on: db).filter(\.$carrierCode == carrier.code)
                .filter(\.$trackingNumber == push.trackingNumber.uppercased()).all()
            for shipment in shipments {
                try await LogisticsService(app: app).record(push.events, state: push.state, source: LogisticsService.sourceCarrier,
                                                            shipment: shipment, on: db, now: now)
            }
        }
        return try answer(true, "成功")
    }
}

extension LogisticsRoutes {
    /// Staff add a scan or a courier update by hand (store couriers have no carrier feed).
    struct StaffRoutes: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.post("shipments", ":shipmentId", "events", use: addEvent)
        }

        func addEvent(req: Request) async throws -> ShipmentInfo {
            guard let id = req.parameters.get("shipmentId", as: UUID.self), let shipment = try await ShipmentModel.find(id, on: req.db) else {
                throw MallError.notFound("No such shipment.")
            }
            try req.authorize(.orderFulfil, on: shipment.owner)
            let input = try req.content.decode(TrackingEventInput.self)
            var errors = FieldErrorCollector()
            let description = errors.collect { try TextRule.check(input.description, field: "description", min: 2, max: 500) }
            let location = errors.collect { try input.location.map { try TextRule.check($0, field: "location", max: 100) } } ?? nil
            let now = req.now
            if let at = input.at, at > now.addingTimeInterval(300) { errors.add("at", "cannot be in the future") }
            try errors.throwIfAny()
            let event = TrackingEvent(at: input.at ?? now, description: description!, location: location, state: input.state)
            let app = req.application
            try await req.db.writeTransaction { db in
                try await LogisticsService(app: app).record([event], state: input.state, source: LogisticsService.sourceStaff,
                                                            shipment: shipment, on: db, now: now)
                try await req.audit.record(on: db, action: "shipment.event", owner: shipment.owner, targetType: "shipment", targetId: id.uuidString,
                                           after: ["description": description!])
            }
            let events = try await TrackingEventModel.query(on: req.db).filter(\.$shipmentId == id).sort(\.$at).sort(\.$createdAt).all()
            return LogisticsService.info(try await ShipmentModel.find(id, on: req.db)!, events: events)
        }
    }
}
