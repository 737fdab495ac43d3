import Foundation

/// The centre of each district of the cities the mall serves, for addresses saved without
/// coordinates (a shopper who types an address instead of sharing a location). A district
/// centre is a few kilometres from the door at most, close enough to choose the nearest store;
/// the address book's "use my location" gives the exact point.
public enum DistrictCentres {
    public static func centre(city: String, district: String) -> GeoPoint? {
        guard let districts = table[normalised(city)] else { return nil }
        return districts[normalised(district)]
    }

    /// "上海市" and "上海", "静安区" and "静安" name the same place.
    static func normalised(_ name: String) -> String {
        var text = name.trimmingCharacters(in: .whitespacesAndNewlines)
        for suffix in ["新区", "区", "市", "县"] where text.count > suffix.count + 1 && text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            break
        }
        return text
    }

    private static let table: [String: [String: GeoPoint]] = [
        "上海": [
            "黄浦": GeoPoint(latitude: 31.2317, longitude: 121.4846), "徐汇": GeoPoint(latitude: 31.1884, longitude: 121.4365),
            "长宁": GeoPoint(latitude: 31.2204, longitude: 121.4243), "静安": GeoPoint(latitude: 31.2486, longitude: 121.4559),
            "普陀": GeoPoint(latitude: 31.2496, longitude: 121.3972), "虹口": GeoPoint(latitude: 31.2646, longitude: 121.5052),
            "杨浦": GeoPoint(latitude: 31.2596, longitude: 121.5260), "闵行": GeoPoint(latitude: 31.1129, longitude: 121.3817),
            "宝山": GeoPoint(latitude: 31.4054, longitude: 121.4893), "嘉定": GeoPoint(latitude: 31.3747, longitude: 121.2655),
            "浦东": GeoPoint(latitude: 31.2215, longitude: 121.5447), "金山": GeoPoint(latitude: 30.7418, longitude: 121.3420),
            "松江": GeoPoint(latitude: 31.0322, longitude: 121.2277), "青浦": GeoPoint(latitude: 31.1510, longitude: 121.1240),
            "奉贤": GeoPoint(latitude: 30.9179, longitude: 121.4742), "崇明": GeoPoint(latitude: 31.6230, longitude: 121.3975),
        ],
        "杭州": [
            "上城": GeoPoint(latitude: 30.2425, longitude: 120.1690), "拱墅": GeoPoint(latitude: 30.3191, longitude: 120.1417),
            "西湖": GeoPoint(latitude: 30.2594, longitude: 120.1300), "滨江": GeoPoint(latitude: 30.2083, longitude: 120.2119),
            "萧山": GeoPoint(latitude: 30.1851, longitude: 120.2645), "余杭": GeoPoint(latitude: 30.4190, longitude: 120.3001),
            "临平": GeoPoint(latitude: 30.4210, longitude: 120.2995), "钱塘": GeoPoint(latitude: 30.3230, longitude: 120.4930),
            "富阳": GeoPoint(latitude: 30.0490, longitude: 119.9600), "临安": GeoPoint(latitude: 30.2337, longitude: 119.7247),
            "桐庐": GeoPoint(latitude: 29.7930, longitude: 119.6916), "淳安": GeoPoint(latitude: 29.6090, longitude: 119.0420),
            "建德": GeoPoint(latitude: 29.4744, longitude: 119.2815),
        ],
    ]
}
