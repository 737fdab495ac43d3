import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's group buy: a three-person group of nuts from the Jing'an store (SH-JA01), running
/// for a week from the top of the current hour, with one group that 李女士 opened and paid, so
/// a visitor signed in as another member can join it at once. Seeding again while that group is
/// open changes nothing; once it has closed (a group has a day to fill), the next seeding opens
/// a fresh one, so a demo started on any day of the week has a group to join.
struct DemoGroupBuys {
    let app: Application

    static let product = "三只松鼠 每日坚果"
    static let openerMobile = "13912345678"

    func run() async throws {
        let db = app.db
        let now = app.clock.now()
        guard let store = try await StoreModel.query(on: db).filter(\.$code == DemoPointsMall.storeCode).first(),
              let sku = try await DemoPointsMall(app: app).stockedSKU(titled: Self.product, at: store),
              let opener = try await MemberModel.query(on: db).filter(\.$mobile == Self.openerMobile).first() else { return }
        let service = GroupBuyService(app: app, db: db)
        let activity: GroupBuyActivityModel
        if let running = try await GroupBuyActivityModel.query(on: db).filter(\.$endsAt > now).sort(\.$startsAt).first() {
            // Staff ended it early or it has not started: theirs to decide, not the seeder's.
            guard running.phase(at: now) == .live else { return }
            activity = running
        } else {
            let hour = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600)
            let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: now)
            activity = try await service.create(GroupBuyActivityInput(
                title: "三人拼团 · 每日坚果", skuId: sku.id!, storeId: store.id!, groupPriceFen: max(1, sku.priceFen * 7 / 10), groupSize: 3,
                timeLimitMinutes: 1_440, perMemberLimit: 2, virtualFill: 0, startsAt: hour, endsAt: hour.addingTimeInterval(7 * 86_400)),
                reach: .everything, audit: audit)
        }
        let open = try await GroupBuyGroupModel.query(on: db).filter(\.$activityId == activity.id!)
            .filter(\.$status == GroupBuyGroupStatus.open.rawValue).filter(\.$expiresAt > now).count()
        guard open == 0 else { return }
        let day = Int(now.timeIntervalSince1970 / 86_400)
        let opened = try await service.open(activityId: activity.id!, memberId: opener.id!, key: "demo-group-\(activity.id!.uuidString.prefix(8))-\(day)",
                                            input: GroupBuyJoinInput(), now: now)
        guard opened.created, let payment = opened.payment else { return }
        try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "DEMO-GROUP-\(opened.groupId.uuidString.prefix(8))", at: now)
    }
}
