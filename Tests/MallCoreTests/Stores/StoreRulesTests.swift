import Foundation
import MallCore
import Testing

@Suite("Store rules")
struct StoreRulesTests {
    func minute(_ text: String) throws -> ClockTime { try ClockTime(parsing: text, field: "t") }

    @Test("regular hours are open inside and closed outside, end exclusive")
    func regularHours() throws {
        let hours = try WeeklyHours(parsing: ["mon": ["09:00-21:00"]])
        #expect(!hours.isOpen(on: .monday, at: try minute("08:59")))
        #expect(hours.isOpen(on: .monday, at: try minute("09:00")))
        #expect(hours.isOpen(on: .monday, at: try minute("20:59")))
        #expect(!hours.isOpen(on: .monday, at: try minute("21:00")))
        #expect(!hours.isOpen(on: .tuesday, at: try minute("12:00")), "missing days are closed")
    }

    @Test("overnight hours spill into the next morning, including Sunday into Monday")
    func overnightHours() throws {
        let hours = try WeeklyHours(parsing: ["fri": ["18:00-02:00"], "sun": ["20:00-03:30"]])
        #expect(hours.isOpen(on: .friday, at: try minute("23:30")))
        #expect(hours.isOpen(on: .saturday, at: try minute("01:59")))
        #expect(!hours.isOpen(on: .saturday, at: try minute("02:00")))
        #expect(!hours.isOpen(on: .friday, at: try minute("01:00")), "Thursday had no overnight period")
        #expect(hours.isOpen(on: .monday, at: try minute("03:00")))
    }

    @Test("all day and split shifts")
    func allDayAndSplit() throws {
        let hours = try WeeklyHours(parsing: ["tue": ["00:00-24:00"], "wed": ["09:00-12:00", "14:00-18:00"]])
        #expect(hours.isOpen(on: .tuesday, at: try minute("23:59")))
        #expect(!hours.isOpen(on: .wednesday, at: try minute("13:00")))
        #expect(hours.isOpen(on: .wednesday, at: try minute("14:00")))
    }

    @Test("bad hours are rejected with the field named")
    func badHours() {
        let cases: [[String: [String]]] = [
            ["mon": ["9:00-21:00"]], ["mon": ["09:00-25:00"]], ["mon": ["09:00-09:00"]], ["funday": ["09:00-10:00"]],
            ["mon": ["09:00-12:00", "11:00-13:00"]], ["mon": ["22:00-02:00", "23:00-23:30"]], ["mon": ["0900-2100"]],
        ]
        for hours in cases {
            #expect(throws: ValidationFailure.self, "\(hours)") { try WeeklyHours(parsing: hours) }
        }
        do {
            _ = try WeeklyHours(parsing: ["thu": ["10:00-09:60"]])
        } catch let failure as ValidationFailure {
            #expect(failure.errors.first?.field == "openingHours.thu")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("minutes until a closed store opens")
    func untilOpen() throws {
        let hours = try WeeklyHours(parsing: ["mon": ["09:00-21:00"], "wed": ["10:00-11:00"]])
        #expect(hours.minutesUntilOpen(on: .monday, at: try minute("08:15")) == 45)
        #expect(hours.minutesUntilOpen(on: .monday, at: try minute("10:00")) == 0)
        #expect(hours.minutesUntilOpen(on: .monday, at: try minute("22:00")) == (2 + 24 + 10) * 60, "Monday 22:00 to Wednesday 10:00")
        #expect(WeeklyHours.closed.minutesUntilOpen(on: .monday, at: try minute("10:00")) == nil)
    }

    @Test("opening hours are judged in the shop's time zone")
    func localTime() throws {
        // 2026-11-27T16:30:00Z is Saturday 00:30 in Shanghai but still Friday in UTC.
        let instant = Date(timeIntervalSince1970: 1_795_797_000)
        let (day, time) = LocalTime.weekdayAndMinute(of: instant, in: TimeZone(identifier: "Asia/Shanghai")!)
        #expect(day == .saturday)
        #expect(time.description == "00:30")
        let (utcDay, _) = LocalTime.weekdayAndMinute(of: instant, in: TimeZone(identifier: "UTC")!)
        #expect(utcDay == .friday)
    }

    @Test("store status changes follow the state machine")
    func statusMachine() throws {
        #expect(try StoreStatus.open.changing(to: .closed) == .closed)
        #expect(try StoreStatus.closed.changing(to: .suspended) == .suspended)
        #expect(try StoreStatus.suspended.changing(to: .closed) == .closed)
        #expect(throws: IllegalTransition.self) { try StoreStatus.suspended.changing(to: .open) }
        #expect(throws: IllegalTransition.self) { try StoreStatus.open.changing(to: .open) }
    }

    @Test("merchant status: the self-operated merchant always stays active")
    func merchantMachine() throws {
        #expect(try MerchantStatus.active.changing(to: .suspended, kind: .thirdParty) == .suspended)
        #expect(throws: IllegalTransition.self) { try MerchantStatus.active.changing(to: .suspended, kind: .selfOperated) }
        #expect(throws: IllegalTransition.self) { try MerchantStatus.closed.changing(to: .active, kind: .thirdParty) }
    }

    @Test("distances and bounding boxes agree")
    func geo() throws {
        let jingan = GeoPoint(latitude: 31.2235, longitude: 121.4456)
        let lujiazui = GeoPoint(latitude: 31.2368, longitude: 121.5012)
        let meters = jingan.distanceMeters(to: lujiazui)
        #expect(meters > 5_300 && meters < 5_600, "about 5.4 km across the river, got \(meters)")
        let box = jingan.boundingBox(radiusMeters: 6_000)
        #expect(box.contains(lujiazui))
        #expect(!jingan.boundingBox(radiusMeters: 5_000).contains(lujiazui))
        #expect(throws: ValidationFailure.self) { try GeoPoint(checkingLatitude: 91, longitude: 0) }
        #expect(throws: ValidationFailure.self) { try GeoPoint(checkingLatitude: .nan, longitude: 0) }
    }
}
