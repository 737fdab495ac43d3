import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// What shoppers see of stores: the ones near them, nearest first.
struct PublicStoreRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("stores", "nearby", use: nearby)
    }

    func nearby(req: Request) async throws -> [NearbyStore] {
        var errors = FieldErrorCollector()
        let lat = req.optionalQuery(Double.self, "lat", into: &errors, message: "must be a latitude")
        let lng = req.optionalQuery(Double.self, "lng", into: &errors, message: "must be a longitude")
        let radiusKm = req.optionalQuery(Double.self, "radiusKm", into: &errors, message: "must be a number of kilometres") ?? 5
        let limit = req.boundedQuery("limit", 1...100, into: &errors) ?? 20
        let merchantId = req.optionalQuery(UUID.self, "merchantId", into: &errors, message: "must be a merchant id")
        if lat == nil && req.query[String.self, at: "lat"] == nil { errors.add("lat", "is required") }
        if lng == nil && req.query[String.self, at: "lng"] == nil { errors.add("lng", "is required") }
        if !(radiusKm > 0 && radiusKm <= 50) { errors.add("radiusKm", "must be more than 0 and at most 50") }
        try errors.throwIfAny()
        guard let lat, let lng else { throw ValidationFailure(field: "lat", message: "is required") }
        let origin = try GeoPoint(checkingLatitude: lat, longitude: lng)
        return try await Self.nearby(origin: origin, radiusMeters: radiusKm * 1000, limit: limit, merchantId: merchantId,
                                     app: req.application, on: req.db, now: req.now)
    }

    /// Shopper-facing stores within a radius, nearest first, from the in-memory directory of
    /// open stores: exact distances and opening state computed here.
    static func nearby(origin: GeoPoint, radiusMeters: Double, limit: Int, merchantId: UUID?, app: Application, on db: any Database,
                       now: Date) async throws -> [NearbyStore] {
        let timeZone = try await app.settingsCache.resolved(on: db).timeZone
        let (weekday, minute) = LocalTime.weekdayAndMinute(of: now, in: timeZone)
        let ranked: [(store: StoreDirectory.Entry, distance: Double)] = try await app.storeDirectory.openStores(on: db)
            .filter { merchantId == nil || $0.merchantId == merchantId }
            .map { (store: $0, distance: origin.distanceMeters(to: $0.location)) }
            .filter { $0.distance <= radiusMeters }
            .sorted { a, b in a.distance != b.distance ? a.distance < b.distance : a.store.code < b.store.code }
        return ranked.prefix(limit).map { store, distance in
            NearbyStore(id: store.id, code: store.code, name: store.name, merchantId: store.merchantId, city: store.city,
                        district: store.district, address: store.address, latitude: store.location.latitude, longitude: store.location.longitude,
                        phone: store.phone, distanceMeters: Int(distance.rounded()),
                        openNow: store.weeklyHours.isOpen(on: weekday, at: minute), openingHours: store.openingHours,
                        pickupEnabled: store.pickupEnabled, deliversHere: distance <= store.deliveryRadiusKm * 1000)
        }
    }
}
