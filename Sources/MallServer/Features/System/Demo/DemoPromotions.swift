import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's promotions, running from the day before the seed for a year whatever day it runs:
/// a tiered 满减 over everything, 10% off dairy, a gift of nuts from ¥99 and 第二件半价 on
/// peach sparkling water. Found by name, so running it twice changes nothing.
struct DemoPromotions {
    let app: Application

    static let tieredName = "满100减10 满200减30"
    static let dairyName = "乳品 9 折"
    static let giftName = "满99送每日坚果"
    static let secondHalfName = "元气森林第二件半价"

    func run() async throws {
        let db = app.db
        let now = app.clock.now()
        let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: now)
        let service = PromotionService(db: db, bus: app.cacheInvalidationBus)
        func create(_ name: String, _ rule: PromotionRuleInput, scope: PromotionScopeInput? = nil, limit: Int? = nil) async throws {
            guard try await PromotionModel.query(on: db).filter(\.$name == name).first() == nil else { return }
            _ = try await service.create(PromotionInput(name: name, rule: rule, scope: scope, startsAt: now.addingTimeInterval(-86_400),
                                                        endsAt: now.addingTimeInterval(365 * 86_400), perMemberLimit: limit), audit: audit)
        }
        try await create(Self.tieredName, PromotionRuleInput(kind: .fullReduction, tiers: [
            PromotionTierInput(thresholdFen: 10_000, reductionFen: 1_000), PromotionTierInput(thresholdFen: 20_000, reductionFen: 3_000),
        ]))
        if let dairy = try await CategoryModel.query(on: db).filter(\.$name == "乳品").first() {
            try await create(Self.dairyName, PromotionRuleInput(kind: .percentOff, basisPoints: 1_000), scope: PromotionScopeInput(categoryIds: [dairy.id!]))
        }
        if let nuts = try await product(titled: "三只松鼠 每日坚果"), let sku = try await SKUModel.query(on: db).filter(\.$productId == nuts.id!).sort(\.$code).first() {
            try await create(Self.giftName, PromotionRuleInput(kind: .gift, thresholdFen: 9_900, giftSkuId: sku.id!), limit: 3)
        }
        if let water = try await product(titled: "元气森林 白桃气泡水") {
            try await create(Self.secondHalfName, PromotionRuleInput(kind: .nthItemOff, basisPoints: 5_000, n: 2), scope: PromotionScopeInput(productIds: [water.id!]))
        }
    }

    private func product(titled: String) async throws -> ProductModel? {
        let words = titled.split(separator: " ").map(String.init)
        return try await ProductModel.query(on: app.db).filter(\.$title ~~ words[0]).all().first { product in words.allSatisfy { product.title.contains($0) } }
    }
}
