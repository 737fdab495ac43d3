import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's points mall and lottery: a few SKU items stocked at the Jing'an store (SH-JA01),
/// one with cash on top, a wheel with points, a product and "thanks for playing", and points
/// for every demo member to spend (through `PointsService`, once per member). Items and the
/// lottery are found by name, so running it twice changes nothing.
struct DemoPointsMall {
    let app: Application

    static let memberPoints: Int64 = 3_000
    static let storeCode = "SH-JA01"
    static let lotteryName = "每日幸运大转盘"

    struct DemoItem {
        let title: String
        let product: String
        let description: String
        let pricePoints: Int64
        let cashFen: Int64
        let stock: Int
        let limit: Int?
    }

    static let items: [DemoItem] = [
        DemoItem(title: "光明纯牛奶 积分兑", product: "光明 纯牛奶", description: "早餐好搭档，到静安寺店自提或送货上门。", pricePoints: 300, cashFen: 0, stock: 50, limit: 2),
        DemoItem(title: "三只松鼠每日坚果", product: "三只松鼠 每日坚果", description: "积分换零食，每人限兑 1 份。", pricePoints: 1_200, cashFen: 0, stock: 20, limit: 1),
        DemoItem(title: "元气森林气泡水 积分+现金", product: "元气森林 白桃气泡水", description: "500 积分 + ¥1.90 换一瓶。", pricePoints: 500, cashFen: 190, stock: 30, limit: 3),
        DemoItem(title: "海天金标生抽", product: "海天 金标生抽", description: "厨房必备。", pricePoints: 800, cashFen: 0, stock: 15, limit: nil),
    ]

    func run() async throws {
        let db = app.db
        guard let store = try await StoreModel.query(on: db).filter(\.$code == Self.storeCode).first() else { return }
        let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: app.clock.now())
        let mall = PointsMallService(app: app, db: db)
        for demo in Self.items where try await PointsMallItemModel.query(on: db).filter(\.$title == demo.title).first() == nil {
            guard let sku = try await stockedSKU(titled: demo.product, at: store) else { continue }
            _ = try await mall.create(PointsMallItemInput(title: demo.title, description: demo.description, skuId: sku.id!, pricePoints: demo.pricePoints,
                                                          cashFen: demo.cashFen, stock: demo.stock, perMemberLimit: demo.limit, sortOrder: 10 * (Self.items.firstIndex { $0.title == demo.title } ?? 0)),
                                      audit: audit)
        }
        if try await LotteryModel.query(on: db).filter(\.$name == Self.lotteryName).first() == nil,
           let milk = try await stockedSKU(titled: "光明 纯牛奶", at: store) {
            _ = try await LotteryService(app: app, db: db).create(LotteryInput(
                name: Self.lotteryName, description: "每次 20 积分，每天 3 次：积分、牛奶等你来拿。", costPoints: 20, dailyLimit: 3, prizes: [
                    LotteryPrizeInput(name: "100 积分", kind: .points, points: 100, weight: 15, stock: 500),
                    LotteryPrizeInput(name: "光明牛奶", kind: .sku, skuId: milk.id!, storeId: store.id!, weight: 5, stock: 10),
                    LotteryPrizeInput(name: "10 积分", kind: .points, points: 10, weight: 40),
                    LotteryPrizeInput(name: "谢谢参与", kind: .nothing, weight: 40),
                ]), audit: audit)
        }
        let settings = try await SettingsService.resolved(on: db)
        for member in try await MemberModel.query(on: db).all() {
            try await db.writeTransaction { tx in
                try await PointsService(db: tx).earn(Self.memberPoints, memberId: member.id!, kind: .adminGrant, context: PointsService.Context(
                    reference: ("demo", "points-mall"), note: "演示积分：去积分商城兑换或抽奖 Demo points for the points mall and lottery",
                    idempotencyKey: "demo:points-mall:\(member.id!.uuidString)", now: app.clock.now()), settings: settings)
            }
        }
    }

    /// The first SKU of a product whose title contains all of `titled`'s words, with at least
    /// 20 units available at the store.
    func stockedSKU(titled: String, at store: StoreModel) async throws -> SKUModel? {
        let words = titled.split(separator: " ").map(String.init)
        let levels = try await StockLevelModel.query(on: app.db).filter(\.$storeId == store.id!).all().filter { $0.onHand - $0.reserved >= 20 }
        guard !levels.isEmpty else { return nil }
        let skus = try await SKUModel.query(on: app.db).filter(\.$id ~~ levels.map(\.skuId)).filter(\.$enabled == true).sort(\.$code).all()
        let products = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: app.db).filter(\.$id ~~ Set(skus.map(\.productId))).all().map { ($0.id!, $0) })
        return skus.first { sku in
            guard let product = products[sku.productId], product.onShelf else { return false }
            return words.allSatisfy { product.title.contains($0) }
        }
    }
}
