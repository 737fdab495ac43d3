import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's flash sales: three sessions of goods stocked at the Jing'an store (SH-JA01), one
/// live from the top of the current hour for two hours whatever the hour the demo starts, and
/// two later ones. Seeding again while any session is still to come or running changes nothing.
struct DemoFlashSales {
    let app: Application

    /// Product, flash price as a share of the regular price (basis points), quota.
    static let goods: [(product: String, shareBasisPoints: Int64, quota: Int)] = [
        ("光明 纯牛奶", 6_000, 30), ("三只松鼠 每日坚果", 5_000, 20), ("元气森林 白桃气泡水", 5_500, 40),
    ]
    /// Hours from the top of the current hour to each session's start, and its length.
    static let sessions: [(title: String, startsInHours: Int, hours: Int)] = [("限时秒杀 · 正在疯抢", 0, 2), ("限时秒杀 · 下一场", 3, 1), ("限时秒杀 · 晚场", 6, 2)]

    func run() async throws {
        let db = app.db
        let now = app.clock.now()
        guard try await FlashSessionModel.query(on: db).filter(\.$endsAt > now).count() == 0,
              let store = try await StoreModel.query(on: db).filter(\.$code == DemoPointsMall.storeCode).first() else { return }
        var items: [FlashItemInput] = []
        for demo in Self.goods {
            guard let sku = try await DemoPointsMall(app: app).stockedSKU(titled: demo.product, at: store) else { continue }
            let price = max(1, sku.priceFen * demo.shareBasisPoints / 10_000)
            items.append(FlashItemInput(skuId: sku.id!, storeId: store.id!, flashPriceFen: price, quota: demo.quota))
        }
        guard !items.isEmpty else { return }
        let hour = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600)
        let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: now)
        for session in Self.sessions {
            let start = hour.addingTimeInterval(TimeInterval(session.startsInHours * 3_600))
            _ = try await FlashSaleService(app: app, db: db).create(FlashSessionInput(
                title: session.title, startsAt: start, endsAt: start.addingTimeInterval(TimeInterval(session.hours * 3_600)), perMemberLimit: 2, items: items),
                reach: .everything, audit: audit)
        }
    }
}
