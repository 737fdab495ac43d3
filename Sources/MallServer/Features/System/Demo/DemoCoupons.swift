import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The demo's coupons: four platform coupons in the coupon centre (无门槛, 满减, 折扣, 免运费), a
/// code-only coupon with one shared code and a batch of single-use codes, and two coupons in the
/// wallet of the demo member 13800138000. Templates are found by title and grants by template,
/// so running it twice changes nothing.
struct DemoCoupons {
    let app: Application

    static let sharedCode = "CHAINMALL2026"
    static let codeTitle = "兑换码专享 ¥10 券"
    static let memberMobile = "13800138000"

    static let centre: [CouponTemplateInput] = [
        CouponTemplateInput(title: "¥5 无门槛券", kind: .cash, amountOffFen: 500, totalQuantity: 1_000, perMemberLimit: 1, validDays: 30),
        CouponTemplateInput(title: "满99减15", kind: .threshold, amountOffFen: 1_500, minimumSpendFen: 9_900, totalQuantity: 500, perMemberLimit: 2, validDays: 14),
        CouponTemplateInput(title: "9折券 最高减¥20", kind: .percentage, minimumSpendFen: 3_000, percentOffBasisPoints: 1_000, capFen: 2_000,
                            totalQuantity: 300, perMemberLimit: 1, validDays: 7),
        CouponTemplateInput(title: "免运费券", kind: .freeShipping, totalQuantity: 2_000, perMemberLimit: 3, validDays: 30),
    ]

    func run() async throws {
        let db = app.db
        let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: app.clock.now())
        let service = CouponService(app: app, db: db)
        var templates: [String: CouponTemplateModel] = [:]
        var codeOnly = CouponTemplateInput(title: Self.codeTitle, kind: .cash, amountOffFen: 1_000, totalQuantity: 2_000, perMemberLimit: 1, validDays: 30)
        codeOnly.claimable = false
        for input in Self.centre + [codeOnly] {
            if let existing = try await CouponTemplateModel.query(on: db).filter(\.$title == input.title).first() {
                templates[input.title] = existing
            } else {
                templates[input.title] = try await service.create(input, audit: audit)
            }
        }
        if let template = templates[Self.codeTitle], try await CouponCodeModel.query(on: db).filter(\.$templateId == template.id!).count() == 0 {
            _ = try await service.createCodes(templateId: template.id!, CouponCodeBatchInput(code: Self.sharedCode, quota: 1_000), audit: audit)
            _ = try await service.createCodes(templateId: template.id!, CouponCodeBatchInput(count: 20), audit: audit)
        }
        guard let member = try await MemberModel.query(on: db).filter(\.$mobile == Self.memberMobile).first() else { return }
        for title in ["¥5 无门槛券", "免运费券"] {
            guard let template = templates[title],
                  try await MemberCouponModel.query(on: db).filter(\.$memberId == member.id!).filter(\.$templateId == template.id!).count() == 0 else { continue }
            _ = try await db.writeTransaction { tx in
                try await CouponService(app: app, db: tx).grant(templateId: template.id!, memberId: member.id!, source: .issue, checkAudience: false, now: audit.now)
            }
        }
    }
}
