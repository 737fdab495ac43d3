import Foundation

/// A WGS-84 point. Distances use the haversine formula on a spherical Earth, which is within
/// 0.5% of the ellipsoid over city distances — far below what delivery radii care about.
public struct GeoPoint: Hashable, Codable, Sendable {
    public var latitude: Double
    public var longitude: Double

    public static let earthRadiusMeters = 6_371_008.8

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public init(checkingLatitude latitude: Double, longitude: Double, field: String = "") throws {
        var errors = FieldErrorCollector()
        let prefix = field.isEmpty ? "" : field + "."
        errors.require(latitude.isFinite && (-90...90).contains(latitude), prefix + "latitude", "must be between -90 and 90")
        errors.require(longitude.isFinite && (-180...180).contains(longitude), prefix + "longitude", "must be between -180 and 180")
        try errors.throwIfAny()
        self.init(latitude: latitude, longitude: longitude)
    }

    public func distanceMeters(to other: GeoPoint) -> Double {
        let lat1 = latitude * .pi / 180, lat2 = other.latitude * .pi / 180
        let dLat = lat2 - lat1
        let dLon = (other.longitude - longitude) * .pi / 180
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(lat1) * cos(lat2) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * GeoPoint.earthRadiusMeters * asin(min(1, sqrt(h)))
    }

    /// A latitude/longitude box that contains every point within `meters`, so a database can
    /// narrow candidates with plain range comparisons before exact distances are computed.
    public func boundingBox(radiusMeters meters: Double) -> GeoBox {
        let latDelta = meters / GeoPoint.earthRadiusMeters * 180 / .pi
        let minLat = max(-90, latitude - latDelta)
        let maxLat = min(90, latitude + latDelta)
        // Near the poles a circle covers every longitude; the box then spans the full range.
        let cosLat = cos(max(abs(minLat), abs(maxLat)) * .pi / 180)
        if cosLat < 1e-6 || maxLat >= 90 || minLat <= -90 {
            return GeoBox(minLatitude: minLat, maxLatitude: maxLat, minLongitude: -180, maxLongitude: 180)
        }
        let lonDelta = min(180, latDelta / cosLat)
        return GeoBox(
            minLatitude: minLat, maxLatitude: maxLat,
            minLongitude: max(-180, longitude - lonDelta), maxLongitude: min(180, longitude + lonDelta)
        )
    }
}

public struct GeoBox: Hashable, Sendable {
    public var minLatitude: Double
    public var maxLatitude: Double
    public var minLongitude: Double
    public var maxLongitude: Double

    public func contains(_ point: GeoPoint) -> Bool {
        (minLatitude...maxLatitude).contains(point.latitude) && (minLongitude...maxLongitude).contains(point.longitude)
    }
}
