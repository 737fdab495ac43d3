import Foundation
import MallCore
import Testing

@Suite("Group buying: phases, expiry, slots, fill, virtual fill, validation")
struct GroupBuyRulesTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var end: Date { start.addingTimeInterval(24 * 3_600) }

    @Test("an activity is upcoming, live until its end or an early end, then ended; a group expires after the time limit but never after the activity")
    func phasesAndExpiry() {
        #expect(GroupBuyRules.phase(startsAt: start, endsAt: end, endedAt: nil, now: start.addingTimeInterval(-1)) == .upcoming)
        #expect(GroupBuyRules.phase(startsAt: start, endsAt: end, endedAt: nil, now: start) == .live)
        #expect(GroupBuyRules.phase(startsAt: start, endsAt: end, endedAt: start.addingTimeInterval(60), now: start.addingTimeInterval(60)) == .ended)
        #expect(GroupBuyRules.phase(startsAt: start, endsAt: end, endedAt: nil, now: end) == .ended)
        #expect(GroupBuyRules.expiresAt(openedAt: start, timeLimitMinutes: 60, activityEndsAt: end) == start.addingTimeInterval(3_600))
        #expect(GroupBuyRules.expiresAt(openedAt: end.addingTimeInterval(-600), timeLimitMinutes: 60, activityEndsAt: end) == end)
        #expect(GroupBuyRules.editable(startsAt: start, endedAt: nil, now: start.addingTimeInterval(-1)))
        #expect(!GroupBuyRules.editable(startsAt: start, endedAt: nil, now: start))
    }

    @Test("a group of 3: joins up to the size, fills on the third payment; a released unpaid slot can be taken again; a full or expired group refuses")
    func group() throws {
        var group = GroupBuyGroup(size: 3, expiresAt: start.addingTimeInterval(600))
        #expect(group.joined == 1 && group.slotsLeft == 2)
        try group.join(at: start)
        try group.join(at: start)
        #expect(group.slotsLeft == 0)
        #expect(throws: IllegalTransition.self) { try group.join(at: start) }
        #expect(try !group.memberPaid())
        try group.release()
        try group.join(at: start.addingTimeInterval(1))
        #expect(try !group.memberPaid())
        #expect(try group.memberPaid())
        #expect(group.status == .filled)
        #expect(throws: IllegalTransition.self) { try group.expire(at: start.addingTimeInterval(600), virtualFill: 0) }

        var late = GroupBuyGroup(size: 3, expiresAt: start.addingTimeInterval(600))
        #expect(throws: IllegalTransition.self) { try late.join(at: start.addingTimeInterval(600)) }
        #expect(throws: IllegalTransition.self) { try late.expire(at: start.addingTimeInterval(599), virtualFill: 0) }
        _ = try late.memberPaid()
        #expect(try late.expire(at: start.addingTimeInterval(600), virtualFill: 1) == .fail)
        #expect(late.status == .failed)
    }

    @Test("virtual fill: only with someone paid and at most the setting missing")
    func virtualFill() {
        #expect(GroupBuyRules.expiryOutcome(size: 5, paid: 3, virtualFill: 2) == .fillVirtually(members: 2))
        #expect(GroupBuyRules.expiryOutcome(size: 5, paid: 3, virtualFill: 1) == .fail)
        #expect(GroupBuyRules.expiryOutcome(size: 2, paid: 0, virtualFill: 49) == .fail)
        #expect(GroupBuyRules.expiryOutcome(size: 4, paid: 4, virtualFill: 0) == .fillVirtually(members: 0))
    }

    @Test("validation reports every field at once; the group price must be below the list price")
    func validation() {
        let bad = GroupBuyRules.validate(GroupBuyDraft(title: "", startsAt: start, endsAt: start, groupPriceFen: 0, groupSize: 1, timeLimitMinutes: 1,
                                                       perMemberLimit: 0, virtualFill: 50), listPriceFen: 1_000)
        #expect(Set(bad.errors.map(\.field)) == ["title", "endsAt", "groupPriceFen", "groupSize", "timeLimitMinutes", "perMemberLimit", "virtualFill"])
        let pricey = GroupBuyRules.validate(GroupBuyDraft(title: "两人团", startsAt: start, endsAt: end, groupPriceFen: 1_000, groupSize: 2,
                                                          timeLimitMinutes: 60, perMemberLimit: 1, virtualFill: 2), listPriceFen: 1_000)
        #expect(pricey.errors.map(\.field) == ["groupPriceFen", "virtualFill"])
        let good = GroupBuyRules.validate(GroupBuyDraft(title: "两人团", startsAt: start, endsAt: end, groupPriceFen: 990, groupSize: 2,
                                                        timeLimitMinutes: 60, perMemberLimit: 1, virtualFill: 1), listPriceFen: 1_000)
        #expect(good.errors.isEmpty)
        #expect(GroupBuyRules.fillPercent(opened: 0, filled: 0) == 0 && GroupBuyRules.fillPercent(opened: 3, filled: 2) == 66)
    }

    @Test("property: under any sequence of joins, releases, payments and an expiry, slots never exceed the size, paid never exceeds joined, the group fills exactly when every slot is paid (or virtually within the setting) and a closed group never changes")
    func properties() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let size = Int.random(in: InputLimits.groupBuySize, using: &random)
            let virtual = Int.random(in: 0...(size - 1), using: &random)
            let expiry = start.addingTimeInterval(3_600)
            var group = GroupBuyGroup(size: size, expiresAt: expiry)
            var fills = 0
            for _ in 0..<Int.random(in: 0...120, using: &random) {
                let before = group
                let now = start.addingTimeInterval(TimeInterval(Int.random(in: 0...4_000, using: &random)))
                do {
                    switch Int.random(in: 0..<10, using: &random) {
                    case 0..<4: try group.join(at: now)
                    case 4: try group.release()
                    case 5..<9: if try group.memberPaid() { fills += 1 }
                    default:
                        if case .fillVirtually(let missing) = try group.expire(at: now, virtualFill: virtual) {
                            #expect(missing <= virtual && group.paid > 0 && group.paid + missing == size)
                            fills += 1
                        }
                    }
                } catch {
                    #expect(group == before, "a refused event changes nothing")
                }
                #expect(group.joined <= size && group.paid <= group.joined && group.paid >= 0)
                if before.status != .open { #expect(group == before) }
                if group.status == .filled && group.virtualMembers == 0 { #expect(group.paid == size) }
                if group.status == .failed { #expect(GroupBuyRules.expiryOutcome(size: size, paid: group.paid, virtualFill: virtual) == .fail) }
            }
            #expect(fills <= 1)
        }
    }
}
