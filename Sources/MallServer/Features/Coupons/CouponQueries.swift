import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// Reads for the coupon centre, the member's coupons and the console.
enum CouponQueries {
    static func template(_ model: CouponTemplateModel, claimedByMe: Int? = nil, storeNames: [UUID: String] = [:]) throws -> CouponTemplate {
        let scope = try JSONDecoder().decode(CouponService.Scope.self, from: Data(model.scope.utf8))
        let stores = scope.storeIds ?? []
        return CouponTemplate(
            id: model.id!, title: model.title, kind: CouponTemplateKind(rawValue: model.kind) ?? .cash, merchantId: model.merchantId,
            amountOffFen: model.amountOffFen, minimumSpendFen: model.minimumSpendFen, percentOffBasisPoints: model.percentOffBasisPoints,
            capFen: model.capFen, giftSkuId: model.giftSkuId, productIds: scope.productIds, categoryIds: scope.categoryIds, brandIds: scope.brandIds,
            storeIds: stores, storeNames: stores.compactMap { storeNames[$0] }.sorted(),
            memberLevels: try model.memberLevels.map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) },
            newMembersOnly: model.newMembersOnly, stacksWithPromotions: model.stacksWithPromotions, returnOnFullRefund: model.returnOnFullRefund,
            totalQuantity: model.totalQuantity, claimedCount: model.claimedCount, usedCount: model.usedCount, perMemberLimit: model.perMemberLimit,
            validFrom: model.validFrom, validUntil: model.validUntil, validDays: model.validDays, claimStartsAt: model.claimStartsAt,
            claimEndsAt: model.claimEndsAt, endedAt: model.endedAt, claimable: model.claimable, claimedByMe: claimedByMe)
    }

    static func memberCoupon(_ coupon: MemberCouponModel, _ template: CouponTemplateModel, now: Date) -> MemberCoupon {
        // An available coupon past its window reads as expired before the job gets to it.
        var status = MemberCouponState(rawValue: coupon.status) ?? .expired
        if status == .available && coupon.validUntil <= now { status = .expired }
        return MemberCoupon(
            id: coupon.id!, templateId: template.id!, title: template.title, kind: CouponTemplateKind(rawValue: template.kind) ?? .cash,
            merchantId: template.merchantId, amountOffFen: template.amountOffFen, minimumSpendFen: template.minimumSpendFen,
            percentOffBasisPoints: template.percentOffBasisPoints, capFen: template.capFen, status: status, validFrom: coupon.validFrom,
            validUntil: coupon.validUntil, claimedAt: coupon.claimedAt, usedAt: coupon.usedAt, checkoutId: coupon.checkoutId, source: coupon.source)
    }

    /// Templates open for claiming now; with a product, only those covering it.
    static func claimable(memberId: UUID?, productId: UUID?, now: Date, on db: any Database) async throws -> [CouponTemplate] {
        var templates = try await CouponTemplateModel.query(on: db).filter(\.$claimable == true).filter(\.$endedAt == nil)
            .sort(\.$createdAt, .descending).limit(200).all()
        templates = templates.filter { template in
            (template.claimStartsAt.map { $0 <= now } ?? true) && (template.claimEndsAt.map { now < $0 } ?? true)
                && (template.validDays != nil || (template.validUntil.map { now < $0 } ?? false))
        }
        if let productId {
            guard let product = try await ProductModel.find(productId, on: db) else { return [] }
            templates = try templates.filter { template in
                guard template.merchantId == nil || template.merchantId == product.merchantId else { return false }
                let scope = try JSONDecoder().decode(CouponService.Scope.self, from: Data(template.scope.utf8))
                return scope.isEverything || scope.productIds.contains(productId) || scope.categoryIds.contains(product.categoryId)
                    || product.brandId.map(scope.brandIds.contains) == true
            }
        }
        var mine: [UUID: Int] = [:]
        if let memberId {
            for count in try await CouponMemberCountModel.query(on: db).filter(\.$memberId == memberId).filter(\.$templateId ~~ templates.map { $0.id! }).all() {
                mine[count.templateId] = count.claimed
            }
        }
        let names = try await storeNames(of: templates, on: db)
        return try templates.map { try template($0, claimedByMe: memberId == nil ? nil : mine[$0.id!] ?? 0, storeNames: names) }
    }

    /// The names of the stores the templates are limited to, so the shopper reads "only at …".
    static func storeNames(of templates: [CouponTemplateModel], on db: any Database) async throws -> [UUID: String] {
        let ids = try templates.flatMap { try JSONDecoder().decode(CouponService.Scope.self, from: Data($0.scope.utf8)).storeIds ?? [] }
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await StoreModel.query(on: db).filter(\.$id ~~ Set(ids)).all().map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    enum MineFilter: String, CaseIterable {
        case usable, used, expired
    }

    static func mine(memberId: UUID, filter: MineFilter, page: PageRequest, now: Date, on db: any Database) async throws -> ListPage<MemberCoupon> {
        var query = MemberCouponModel.query(on: db).filter(\.$memberId == memberId)
        switch filter {
        case .usable:
            query = query.filter(\.$status ~~ [MemberCouponStatus.available.rawValue, MemberCouponStatus.locked.rawValue]).filter(\.$validUntil > now)
        case .used:
            query = query.filter(\.$status == MemberCouponStatus.used.rawValue)
        case .expired:
            query = query.group(.or) { group in
                group.filter(\.$status == MemberCouponStatus.expired.rawValue)
                group.group(.and) { $0.filter(\.$status == MemberCouponStatus.available.rawValue).filter(\.$validUntil <= now) }
            }
        }
        let total = try await query.count()
        let rows = try await query.sort(\.$validUntil).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        let templates = Dictionary(uniqueKeysWithValues: try await CouponTemplateModel.query(on: db).filter(\.$id ~~ rows.map(\.templateId)).all().map { ($0.id!, $0) })
        return ListPage(items: rows.compactMap { row in templates[row.templateId].map { memberCoupon(row, $0, now: now) } },
                        page: page.page, per: page.per, total: total)
    }

    /// The console's list: every template within the caller's reach, newest first.
    static func all(reach: AccessReach, page: PageRequest, on db: any Database) async throws -> ListPage<CouponTemplate> {
        let query = CouponTemplateModel.query(on: db)
        switch reach {
        case .everything: break
        case .limited(let merchants, _): query.filter(\.$merchantId ~~ merchants.map(\.rawValue))
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page) { try template($0) }
    }

    static func codes(templateId: UUID, on db: any Database) async throws -> [CouponCode] {
        try await CouponCodeModel.query(on: db).filter(\.$templateId == templateId).sort(\.$createdAt).sort(\.$code).limit(100_000).all().map {
            CouponCode(code: $0.code, shared: $0.shared, quota: $0.quota, redeemed: $0.redeemed, batchId: $0.batchId)
        }
    }

    /// The effect of a coupon template that has ended (early, or its fixed validity over): the
    /// paid orders its used coupons took something off, against its seller's paid orders of the
    /// same length of time before its claims opened, with claims and uses.
    static func summary(_ template: CouponTemplateModel, now: Date, on db: any Database) async throws -> MarketingSummary {
        let startsAt = template.claimStartsAt ?? template.validFrom ?? template.createdAt
        guard let endedAt = [template.endedAt, template.validUntil].compactMap({ $0 }).min(), endedAt <= now else {
            throw MallError.conflict("The summary is ready once the coupon has ended.")
        }
        let baselineFrom = startsAt.addingTimeInterval(-max(0, endedAt.timeIntervalSince(startsAt)))
        let used = try await MemberCouponModel.query(on: db).filter(\.$templateId == template.id!).filter(\.$status == MemberCouponStatus.used.rawValue).all()
        let couponIds = Set(used.compactMap(\.id))
        let checkoutIds = Array(Set(used.compactMap(\.checkoutId)))
        let orders = checkoutIds.isEmpty ? [] : try await OrderModel.query(on: db).filter(\.$checkoutId ~~ checkoutIds).filter(\.$paidAt != nil).all()
        // The order's share of each coupon is in its pricing: of a checkout split into orders,
        // only those the coupon took something off count.
        let influenced = try orders.compactMap { order -> (order: OrderModel, discountFen: Int64)? in
            let pricing = try JSONText.decode(PricedGroup.self, from: order.pricingJSON, describing: "order \(order.number)")
            let discount = try Checked.sum(pricing.discounts.map { discount -> Int64 in
                guard case .coupon(let id) = discount.source, couponIds.contains(id) else { return 0 }
                return discount.amount.minorUnits
            }, "coupon discount")
            return discount > 0 ? (order, discount) : nil
        }
        let effect = try await CampaignOrders.summarize(influenced: influenced, merchantId: template.merchantId, storeIds: nil, from: baselineFrom,
                                                        to: startsAt, claims: template.claimedCount, uses: used.count, on: db)
        return MarketingSummary(campaignId: template.id!, startsAt: startsAt, endedAt: endedAt, baselineFrom: baselineFrom, effect: effect)
    }
}
