import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's group buy: a three-person group of nuts from the Jing'an store (SH-JA01), running
/// for a week from the top of the current hour, with one group that 李女士 opened and paid, so
/// a visitor signed in as another member can join it at once. Seeding again while an activity
/// is still running changes nothing.
struct DemoGroupBuys {
    let app: Application

    static let product = "三只松鼠 每日坚果"
    static let openerMobile = "13912345678"

    func run() async throws {
        let db = app.db
        let now = app.clock.now()
        guard try await GroupBuyActivityModel.query(on: db).filter(\.$endsAt > now).count() == 0,
              let store = try await StoreModel.query(on: db).filter(\.$code == DemoPointsMall.storeCode).first(),
              let sku = try await DemoPointsMall(app: app).stockedSKU(titled: Self.product, at: store),
              let opener = try await MemberModel.query(on: db).filter(\.$mobile == Self.openerMobile).first() else { return }
        let hour = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600)
        let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: now)
        let service = GroupBuyService(app: app, db: db)
        let activity = try await service.create(GroupBuyActivityInput(
            title: "三人拼团 · 每日坚果", skuId: sku.id!, storeId: store.id!, groupPriceFen: max(1, sku.priceFen * 7 / 10), groupSize: 3,
            timeLimitMinutes: 1_440, perMemberLimit: 2, virtualFill: 0, startsAt: hour, endsAt: hour.addingTimeInterval(7 * 86_400)),
            reach: .everything, audit: audit)
        let opened = try await service.open(activityId: activity.id!, memberId: opener.id!, key: "demo-group-\(activity.id!.uuidString)",
                                            input: GroupBuyJoinInput(), now: now)
        if let payment = opened.payment {
            try await PaymentService(app: app).recordPaid(payment: payment, transactionId: "DEMO-GROUP-\(opened.groupId.uuidString.prefix(8))", at: now)
        }
    }
}
