import Foundation
import MallCore
import Testing

@Suite("District centres")
struct DistrictCentresTests {
    @Test("a district is found with or without its 市/区/新区 suffix, and lies in its own city")
    func suffixesAndCity() throws {
        let jingan = try #require(DistrictCentres.centre(city: "上海市", district: "静安区"))
        #expect(DistrictCentres.centre(city: "上海", district: "静安") == jingan)
        #expect(DistrictCentres.centre(city: " 上海市 ", district: "浦东新区") == DistrictCentres.centre(city: "上海", district: "浦东"))
        let people = GeoPoint(latitude: 31.2304, longitude: 121.4737)
        #expect(jingan.distanceMeters(to: people) < 5_000, "静安 is next to People's Square")
        let wulin = try #require(DistrictCentres.centre(city: "杭州市", district: "拱墅区"))
        #expect(wulin.distanceMeters(to: people) > 150_000, "Hangzhou is some 160 km from Shanghai")
    }

    @Test("a district of another city, or an unknown city, has no centre")
    func unknown() {
        #expect(DistrictCentres.centre(city: "杭州市", district: "静安区") == nil)
        #expect(DistrictCentres.centre(city: "北京市", district: "朝阳区") == nil)
        #expect(DistrictCentres.centre(city: "上海市", district: "区") == nil)
    }
}
