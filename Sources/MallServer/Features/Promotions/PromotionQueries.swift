import Fluent
import Foundation
import MallAPI
import MallCore

enum PromotionQueries {
    /// Running promotions; with a product, only those whose scope can cover it (store and
    /// member restrictions are left to checkout, which knows both).
    static func runningView(covering product: ProductModel?, now: Date, on db: any Database) async throws -> [PromotionDTO] {
        try await PromotionService.running(at: now, on: db).map { try PromotionService.dto($0, now: now) }.filter { promotion in
            guard let product else { return true }
            return covers(promotion, product)
        }
    }

    static func covers(_ promotion: PromotionDTO, _ product: ProductModel) -> Bool {
        let scope = promotion.scope
        return (promotion.merchantId.map { $0 == product.merchantId } ?? true)
            && (scope.productIds.map { $0.contains(product.id!) } ?? true)
            && (scope.categoryIds.map { $0.contains(product.categoryId) } ?? true)
            && (scope.brandIds.map { ids in product.brandId.map(ids.contains) ?? false } ?? true)
    }

    /// One page of the promotions the caller reaches, newest first.
    static func page(reach: AccessReach, status: PromotionPhase?, page: PageRequest, now: Date, on db: any Database) async throws -> ListPage<PromotionDTO> {
        let query = PromotionModel.query(on: db)
        if case .limited(let merchants, _) = reach {
            query.filter(\.$merchantId ~~ merchants.map(\.rawValue))
        }
        switch status {
        case nil: break
        case .scheduled?: query.filter(\.$startsAt > now).filter(\.$endedAt == nil)
        case .running?: query.filter(\.$startsAt <= now).filter(\.$endsAt > now).filter(\.$endedAt == nil)
        case .ended?: query.group(.or) { $0.filter(\.$endsAt <= now).filter(\.$endedAt <= now) }
        }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page) { try PromotionService.dto($0, now: now) }
    }
}
