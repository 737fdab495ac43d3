import Foundation
import MallCore
import Testing

@Suite("Carriers and Kuaidi100 pushes")
struct Kuaidi100PushTests {
    @Test("a push is parsed oldest first in Beijing time, with the parcel's state on the newest scan")
    func parsesPush() throws {
        let json = """
            {"status":"polling","billstatus":"got","message":"","lastResult":{"message":"ok","state":"5","status":"200","ischeck":"0",
             "com":"zhongtong","nu":"ZT0001","data":[
               {"context":"【上海市】快件已交给派送员，电话 13700001111","time":"2026-11-28 08:00:00","ftime":"2026-11-28 08:00:00","areaName":"上海市"},
               {"context":"【杭州市】已揽收","time":"2026-11-27 15:30:00","ftime":"2026-11-27 15:30:00"},
               {"context":"  ","time":"2026-11-27 15:00:00","ftime":"2026-11-27 15:00:00"}]}}
            """
        let push = try Kuaidi100Push(json: Data(json.utf8))
        #expect(push.carrierCode == "zhongtong")
        #expect(Carrier.find(kuaidi100Code: push.carrierCode)?.code == "zto")
        #expect(push.trackingNumber == "ZT0001")
        #expect(push.state == .outForDelivery)
        #expect(push.events.map(\.description) == ["【杭州市】已揽收", "【上海市】快件已交给派送员，电话 13700001111"], "blank scans are dropped")
        #expect(push.events[0].at == Date(timeIntervalSince1970: 1_795_764_600), "15:30 in Shanghai is 07:30 UTC")
        #expect(push.events.last?.state == .outForDelivery)
        #expect(push.events.last?.location == "上海市")
        #expect(!push.trackingStopped)
    }

    @Test("malformed pushes and unreadable times are refused with a field error")
    func refusesMalformed() {
        #expect(throws: ValidationFailure.self) { try Kuaidi100Push(json: Data("not json".utf8)) }
        let badTime = #"{"lastResult":{"com":"shunfeng","nu":"SF1","data":[{"context":"x","ftime":"yesterday"}]}}"#
        #expect(throws: ValidationFailure.self) { try Kuaidi100Push(json: Data(badTime.utf8)) }
    }

    @Test("Kuaidi100 state codes map to what the shopper is shown; unknown codes count as in transit")
    func stateCodes() {
        let mapped = ["0", "1", "2", "3", "4", "5", "6", "8", "14", "99"].map { TrackingState(kuaidi100State: $0) }
        #expect(mapped == [.inTransit, .collected, .problem, .delivered, .returning, .outForDelivery, .returning, .customs, .refused, .inTransit])
        #expect(Set(Carrier.all.map(\.code)).count == Carrier.all.count)
    }
}
