import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Promotions: staff create, edit (only while scheduled), end early and copy them, each change
/// audited; checkout asks for the ones a member may use now and records each use, the per-member
/// limit held by a conditional upsert in checkout's transaction.
struct PromotionService {
    let db: any Database
    /// Told after each write commits, so the product cards' promotion badges follow at once.
    let bus: any CacheInvalidationBus

    enum Failure: ProblemConvertible {
        case notScheduled
        case alreadyEnded
        case notEnded
        case limitReached(String)

        var status: HTTPResponseStatus { .conflict }
        var title: String { status.reasonPhrase }
        var detail: String? {
            switch self {
            case .notScheduled: "Only a promotion that has not started can be edited; end it early or copy it instead."
            case .alreadyEnded: "This promotion has already ended."
            case .notEnded: "The summary is ready once the promotion has ended; its live numbers are under stats."
            case .limitReached(let name): "You have already used the promotion \(name) as many times as it allows."
            }
        }
    }

    static let notFound = "No such promotion."
    static let nameLength = 1...60
    static let perMemberLimit = 1...1_000
    static let priority = -1_000...1_000
    static let scopeEntries = 0...500
    /// The longest a promotion may run: a year.
    static let longestWindow: TimeInterval = 366 * 86_400

    // MARK: Staff

    /// The owner an input belongs to: its merchant, or the platform.
    static func owner(of merchantId: UUID?) -> ResourceOwner {
        merchantId.map { .merchant(MerchantID($0)) } ?? .platform
    }

    func create(_ input: PromotionInput, audit: AuditRecorder) async throws -> PromotionModel {
        try await validate(input, now: audit.now)
        let created = try await db.writeTransaction { tx in
            let promotion = PromotionModel()
            promotion.id = UUID()
            promotion.createdAt = audit.now
            try Self.apply(input, to: promotion, now: audit.now)
            try await promotion.create(on: tx)
            try await audit.record(on: tx, action: "promotion.create", owner: Self.owner(of: promotion.merchantId), targetType: "promotion",
                                   targetId: promotion.id!.uuidString, after: Self.dto(promotion, now: audit.now))
            return promotion
        }
        await promotionsChanged()
        return created
    }

    private func promotionsChanged() async {
        await bus.publish(CacheInvalidation(topic: PromotionReachCache.topic, ids: []))
    }

    /// Replaces a promotion that has not started; the merchant cannot change (a new promotion is
    /// another owner's).
    func update(_ promotion: PromotionModel, _ input: PromotionInput, audit: AuditRecorder) async throws -> PromotionModel {
        guard Self.phase(promotion, now: audit.now) == .scheduled else { throw Failure.notScheduled }
        guard input.merchantId == promotion.merchantId else { throw ValidationFailure(field: "merchantId", message: "cannot change") }
        try await validate(input, now: audit.now)
        let updated = try await db.writeTransaction { tx in
            guard let current = try await PromotionModel.find(promotion.id, on: tx) else { throw MallError.notFound(Self.notFound) }
            guard Self.phase(current, now: audit.now) == .scheduled else { throw Failure.notScheduled }
            let before = try Self.dto(current, now: audit.now)
            try Self.apply(input, to: current, now: audit.now)
            try await current.save(on: tx)
            try await audit.record(on: tx, action: "promotion.update", owner: Self.owner(of: current.merchantId), targetType: "promotion",
                                   targetId: current.id!.uuidString, before: before, after: Self.dto(current, now: audit.now))
            return current
        }
        await promotionsChanged()
        return updated
    }

    /// Ends a scheduled or running promotion now; orders already placed keep their discounts.
    func end(_ promotion: PromotionModel, audit: AuditRecorder) async throws -> PromotionModel {
        guard Self.phase(promotion, now: audit.now) != .ended else { throw Failure.alreadyEnded }
        let ended = try await db.writeTransaction { tx in
            guard let current = try await PromotionModel.find(promotion.id, on: tx) else { throw MallError.notFound(Self.notFound) }
            guard Self.phase(current, now: audit.now) != .ended else { throw Failure.alreadyEnded }
            let before = try Self.dto(current, now: audit.now)
            current.endedAt = audit.now
            current.updatedAt = audit.now
            try await current.save(on: tx)
            try await audit.record(on: tx, action: "promotion.end", owner: Self.owner(of: current.merchantId), targetType: "promotion",
                                   targetId: current.id!.uuidString, before: before, after: Self.dto(current, now: audit.now))
            return current
        }
        await promotionsChanged()
        return ended
    }

    /// A scheduled copy with the same rule and scope, starting a day from now for as long as the
    /// original ran, for staff to adjust before it starts.
    func copy(_ promotion: PromotionModel, audit: AuditRecorder) async throws -> PromotionModel {
        var input = try Self.input(of: promotion)
        let length = min(promotion.endsAt.timeIntervalSince(promotion.startsAt), Self.longestWindow)
        input.startsAt = audit.now.addingTimeInterval(86_400)
        input.endsAt = input.startsAt.addingTimeInterval(length)
        return try await create(input, audit: audit)
    }

    private func validate(_ input: PromotionInput, now: Date) async throws {
        var errors = FieldErrorCollector()
        _ = errors.collect { try TextRule.check(input.name, field: "name", min: Self.nameLength.lowerBound, max: Self.nameLength.upperBound) }
        if input.endsAt <= input.startsAt { errors.add("endsAt", "must be after startsAt") }
        if input.endsAt.timeIntervalSince(input.startsAt) > Self.longestWindow { errors.add("endsAt", "must be at most 366 days after startsAt") }
        if input.endsAt <= now { errors.add("endsAt", "must be in the future") }
        if let limit = input.perMemberLimit { errors.range(limit, Self.perMemberLimit, "perMemberLimit") }
        if let priority = input.priority { errors.range(priority, Self.priority, "priority") }
        if let group = input.exclusiveGroup { _ = errors.collect { try TextRule.check(group, field: "exclusiveGroup", min: 1, max: 40) } }
        let scope = input.scope ?? PromotionScopeInput()
        for (field, list) in [("productIds", scope.productIds), ("categoryIds", scope.categoryIds), ("brandIds", scope.brandIds), ("storeIds", scope.storeIds)] {
            if let list { errors.range(list.count, Self.scopeEntries, "scope.\(field)", unit: "entries") }
        }
        if let levels = scope.memberLevels { errors.range(levels.count, Self.scopeEntries, "scope.memberLevels", unit: "entries") }

        if let merchantId = input.merchantId {
            if try await MerchantModel.find(merchantId, on: db) == nil { errors.add("merchantId", "is not a merchant") }
            if let products = scope.productIds, !products.isEmpty,
               try await ProductModel.query(on: db).filter(\.$id ~~ products).filter(\.$merchantId == merchantId).count() != Set(products).count {
                errors.add("scope.productIds", "must be products of the merchant")
            }
            if let stores = scope.storeIds, !stores.isEmpty,
               try await StoreModel.query(on: db).filter(\.$id ~~ stores).filter(\.$merchantId == merchantId).count() != Set(stores).count {
                errors.add("scope.storeIds", "must be stores of the merchant")
            }
        }
        let gift = try await Self.giftSKU(input.rule, on: db)
        if input.rule.kind == .gift {
            if let sku = gift {
                if let merchantId = input.merchantId, sku.merchantId != merchantId { errors.add("rule.giftSkuId", "must be a SKU of the merchant") }
            } else {
                errors.add("rule.giftSkuId", "must be a SKU on sale")
            }
        }
        if let kind = Self.kind(input.rule, gift: gift.map { ($0.productId, $0.title) }, errors: &errors) {
            PromotionRuleLimits.check(kind, path: "rule", currency: .cny, into: &errors)
            PromotionRuleLimits.checkAuthoring(kind, path: "rule", into: &errors)
        }
        try errors.throwIfAny()
    }

    private static func giftSKU(_ rule: PromotionRuleInput, on db: any Database) async throws -> (productId: UUID, merchantId: UUID, title: String)? {
        guard rule.kind == .gift, let skuId = rule.giftSkuId, let sku = try await SKUModel.find(skuId, on: db), sku.enabled,
              let product = try await ProductModel.find(sku.productId, on: db) else { return nil }
        return (product.id!, sku.merchantId, [product.title, sku.specTitle].filter { !$0.isEmpty }.joined(separator: " "))
    }

    private static func apply(_ input: PromotionInput, to promotion: PromotionModel, now: Date) throws {
        promotion.merchantId = input.merchantId
        promotion.name = input.name.trimmingCharacters(in: .whitespacesAndNewlines)
        promotion.kind = input.rule.kind.rawValue
        promotion.rule = try JSONText.encode(input.rule)
        promotion.scope = try JSONText.encode(input.scope ?? PromotionScopeInput())
        promotion.startsAt = input.startsAt
        promotion.endsAt = input.endsAt
        promotion.perMemberLimit = input.perMemberLimit
        promotion.exclusiveGroup = input.exclusiveGroup
        promotion.priority = input.priority ?? 0
        promotion.updatedAt = now
    }

    /// The core rule of an input, or field errors for what its kind needs and lacks.
    static func kind(_ rule: PromotionRuleInput, gift: (productId: UUID, title: String)?, errors: inout FieldErrorCollector) -> PromotionKind? {
        func need<T>(_ value: T?, _ field: String) -> T? {
            if value == nil { errors.add("rule.\(field)", "is required for \(rule.kind.rawValue)") }
            return value
        }
        func money(_ fen: Int64) -> Money { Money(minorUnits: fen) }
        switch rule.kind {
        case .fullReduction:
            guard let tiers = need(rule.tiers, "tiers") else { return nil }
            return .fullReduction(tiers: tiers.map { FullReductionTier(threshold: money($0.thresholdFen), reduction: money($0.reductionFen)) })
        case .everyReduction:
            guard let step = need(rule.stepFen, "stepFen"), let reduction = need(rule.reductionFen, "reductionFen") else { return nil }
            return .everyReduction(step: money(step), reduction: money(reduction), cap: rule.capFen.map(money))
        case .percentOff:
            guard let basisPoints = need(rule.basisPoints, "basisPoints") else { return nil }
            return rule.thresholdFen.map { .thresholdPercentOff(threshold: money($0), basisPoints: basisPoints) } ?? .percentOff(basisPoints: basisPoints)
        case .nthItemOff:
            guard let n = need(rule.n, "n"), let basisPoints = need(rule.basisPoints, "basisPoints") else { return nil }
            return .nthItemOff(n: n, basisPoints: basisPoints)
        case .bundlePrice:
            guard let count = need(rule.count, "count"), let price = need(rule.priceFen, "priceFen") else { return nil }
            return .bundlePrice(count: count, price: money(price))
        case .gift:
            guard let skuId = need(rule.giftSkuId, "giftSkuId") else { return nil }
            return .gift(PromotionGiftRule(minimumSpend: money(rule.thresholdFen ?? 0), minimumQuantity: rule.minimumQuantity ?? 1, skuId: skuId,
                                           productId: gift?.productId ?? skuId, title: gift?.title ?? "", quantity: rule.giftQuantity ?? 1))
        case .specialPrice:
            guard let prices = need(rule.specialPrices, "specialPrices") else { return nil }
            return .specialPrice(prices.map { SpecialPrice(skuId: $0.skuId, price: money($0.priceFen)) })
        }
    }

    // MARK: Reading

    static func phase(_ promotion: PromotionModel, now: Date) -> PromotionPhase {
        PromotionSchedule.phase(startsAt: promotion.startsAt, endsAt: promotion.endsAt, endedAt: promotion.endedAt, at: now)
    }

    static func input(of promotion: PromotionModel) throws -> PromotionInput {
        let row = "promotion \(promotion.id?.uuidString ?? "")"
        return PromotionInput(
            name: promotion.name, merchantId: promotion.merchantId,
            rule: try JSONText.decode(PromotionRuleInput.self, from: promotion.rule, describing: row),
            scope: try JSONText.decode(PromotionScopeInput.self, from: promotion.scope, describing: row),
            startsAt: promotion.startsAt, endsAt: promotion.endsAt, perMemberLimit: promotion.perMemberLimit,
            exclusiveGroup: promotion.exclusiveGroup, priority: promotion.priority)
    }

    static func dto(_ promotion: PromotionModel, now: Date) throws -> PromotionDTO {
        let input = try input(of: promotion)
        let status: PromotionStatusName = switch phase(promotion, now: now) {
        case .scheduled: .scheduled
        case .running: .running
        case .ended: .ended
        }
        return PromotionDTO(id: promotion.id!, name: promotion.name, merchantId: promotion.merchantId, status: status, rule: input.rule,
                            scope: input.scope ?? PromotionScopeInput(), startsAt: promotion.startsAt, endsAt: promotion.endsAt,
                            endedAt: promotion.endedAt, perMemberLimit: promotion.perMemberLimit, exclusiveGroup: promotion.exclusiveGroup,
                            priority: promotion.priority)
    }

    /// Promotions whose window contains `now` and that were not ended early.
    static func running(at now: Date, on db: any Database) async throws -> [PromotionModel] {
        try await notEnded(PromotionModel.query(on: db).filter(\.$startsAt <= now), at: now).all()
    }

    /// Running and scheduled promotions, for `PromotionReachCache` to pick the running ones from.
    static func notEnded(at now: Date, on db: any Database) async throws -> [PromotionModel] {
        try await notEnded(PromotionModel.query(on: db), at: now).all()
    }

    private static func notEnded(_ query: QueryBuilder<PromotionModel>, at now: Date) -> QueryBuilder<PromotionModel> {
        query.filter(\.$endsAt > now)
            .group(.or) { $0.filter(\.$endedAt == nil).filter(\.$endedAt > now) }
            .sort(\.$priority, .descending).sort(\.$id)
    }

    /// The core promotions of `models` with their scope and gift SKU resolved.
    static func core(_ models: [PromotionModel], on db: any Database) async throws -> [Promotion] {
        let inputs = try models.map(input(of:))
        let giftIds = inputs.compactMap { $0.rule.kind == .gift ? $0.rule.giftSkuId : nil }
        var gifts: [UUID: (UUID, String)] = [:]
        if !giftIds.isEmpty {
            let skus = try await SKUModel.query(on: db).filter(\.$id ~~ giftIds).all()
            let products = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ skus.map(\.productId)).all().map { ($0.id!, $0) })
            for sku in skus {
                gifts[sku.id!] = (sku.productId, [products[sku.productId]?.title ?? "", sku.specTitle].filter { !$0.isEmpty }.joined(separator: " "))
            }
        }
        return zip(models, inputs).compactMap { model, input in
            var errors = FieldErrorCollector()
            // A gift SKU deleted since the promotion was saved leaves it out rather than failing checkout.
            let gift = input.rule.giftSkuId.flatMap { gifts[$0] }
            if input.rule.kind == .gift, gift == nil { return nil }
            guard let kind = Self.kind(input.rule, gift: gift, errors: &errors) else { return nil }
            let scope = input.scope ?? PromotionScopeInput()
            return Promotion(
                id: model.id!, name: model.name, merchantId: model.merchantId.map(MerchantID.init),
                products: scope.productIds.map { .products(Set($0)) } ?? .allProducts,
                memberLevels: scope.memberLevels.map(Set.init), kind: kind,
                categories: scope.categoryIds.map(Set.init), brands: scope.brandIds.map(Set.init),
                stores: scope.storeIds.map { Set($0.map(StoreID.init)) }, newMembersOnly: scope.newMembersOnly ?? false,
                exclusiveGroup: model.exclusiveGroup, priority: model.priority)
        }
    }

    /// The running promotions `memberId` may still use, in the engine's order.
    static func usable(memberId: UUID?, at now: Date, on db: any Database) async throws -> [Promotion] {
        let models = try await running(at: now, on: db)
        guard !models.isEmpty else { return [] }
        var used: [UUID: Int] = [:]
        if let memberId {
            for row in try await PromotionMemberUseModel.query(on: db).filter(\.$memberId == memberId).filter(\.$promotionId ~~ models.map { $0.id! }).all() {
                used[row.promotionId] = row.uses
            }
        }
        let promotions = try await core(models, on: db)
        let byId = Dictionary(uniqueKeysWithValues: models.map { ($0.id!, $0) })
        return PromotionSchedule.usable(promotions.compactMap { promotion in
            byId[promotion.id].map { (promotion, $0.startsAt, $0.endsAt, $0.endedAt, $0.perMemberLimit, used[promotion.id] ?? 0) }
        }, at: now)
    }

    /// Whether the member has never paid for an order, for new-member promotions.
    static func isNewMember(_ memberId: UUID, on db: any Database) async throws -> Bool {
        try await OrderModel.query(on: db).filter(\.$memberId == memberId).filter(\.$paidAt != nil).count() == 0
    }

    // MARK: Checkout

    /// Counts one use of every promotion that gave the checkout something, inside checkout's
    /// transaction: a conditional upsert, so of concurrent checkouts only as many as the limit
    /// allows get through and the others fail whole. Records each order's share for the stats.
    /// `gifts` are the gifts the stores had; a gift left out is no use of its promotion.
    static func recordUses(_ priced: PricedCheckout, gifts: [PromotionGift], orderIds: [UUID], memberId: UUID, now: Date, on tx: any Database) async throws {
        var given: [UUID: [Int: Int64]] = [:]
        for (position, group) in priced.groups.enumerated() {
            for discount in group.discounts {
                guard case .promotion(let id) = discount.source else { continue }
                given[id, default: [:]][position, default: 0] += discount.amount.minorUnits
            }
        }
        for gift in gifts where priced.groups.indices.contains(gift.group) { given[gift.promotionId, default: [:]][gift.group, default: 0] += 0 }
        guard !given.isEmpty else { return }
        let limits = try await PromotionModel.query(on: tx).filter(\.$id ~~ Array(given.keys)).all()
        for promotion in limits.sorted(by: { $0.id!.uuidString < $1.id!.uuidString }) {
            let id = promotion.id!
            try await tx.sql.raw("""
                INSERT INTO promotion_member_uses (id, promotion_id, member_id, uses) VALUES (\(bind: UUID()), \(bind: id), \(bind: memberId), 0)
                ON CONFLICT (promotion_id, member_id) DO NOTHING
                """).run()
            let limit = promotion.perMemberLimit ?? Int.max
            let counted = try await tx.sql.raw("""
                UPDATE promotion_member_uses SET uses = uses + 1
                WHERE promotion_id = \(bind: id) AND member_id = \(bind: memberId) AND uses < \(bind: limit) RETURNING uses
                """).all()
            guard !counted.isEmpty else { throw Failure.limitReached(promotion.name) }
            for (position, amount) in (given[id] ?? [:]).sorted(by: { $0.key < $1.key }) where orderIds.indices.contains(position) {
                let row = PromotionOrderModel()
                row.id = UUID()
                row.promotionId = id
                row.orderId = orderIds[position]
                row.memberId = memberId
                row.discountFen = amount
                row.createdAt = now
                try await row.create(on: tx)
            }
        }
    }

    /// An order cancelled or expired unpaid no longer counts for its promotions; the member's
    /// use comes back once no order of the same checkout holds the promotion. Runs in the
    /// closing transaction, and deleting with RETURNING makes a second call a no-op.
    static func orderClosed(_ order: OrderModel, on db: any Database) async throws {
        let removed = try await db.sql.raw("DELETE FROM promotion_orders WHERE order_id = \(bind: order.id!) RETURNING promotion_id, member_id").all()
        guard !removed.isEmpty else { return }
        let siblings = try await OrderModel.query(on: db).filter(\.$checkoutId == order.checkoutId).all().compactMap(\.id)
        for row in removed {
            let promotionId = try row.decode(column: "promotion_id", as: UUID.self)
            let memberId = try row.decode(column: "member_id", as: UUID.self)
            let holding = try await PromotionOrderModel.query(on: db).filter(\.$promotionId == promotionId).filter(\.$orderId ~~ siblings).count()
            guard holding == 0 else { continue }
            try await db.sql.raw("""
                UPDATE promotion_member_uses SET uses = uses - 1
                WHERE promotion_id = \(bind: promotionId) AND member_id = \(bind: memberId) AND uses > 0
                """).run()
        }
    }

    // MARK: Stats

    /// Orders, paid orders and revenue, discount given and distinct members so far.
    static func stats(_ promotion: PromotionModel, on db: any Database) async throws -> PromotionStats {
        let rows = try await PromotionOrderModel.query(on: db).filter(\.$promotionId == promotion.id!).all()
        let orders = rows.isEmpty ? [] : try await OrderModel.query(on: db).filter(\.$id ~~ rows.map(\.orderId)).filter(\.$paidAt != nil).all()
        return PromotionStats(
            promotionId: promotion.id!, orders: rows.count, paidOrders: orders.count,
            paidRevenueFen: orders.reduce(0) { $0 + $1.payableFen }, discountFen: rows.reduce(0) { $0 + $1.discountFen },
            participants: Set(rows.map(\.memberId)).count)
    }

    /// The effect of an ended promotion: its paid orders net of refunds that went through, against
    /// its seller's paid orders of the same length of time before it.
    static func summary(_ promotion: PromotionModel, now: Date, on db: any Database) async throws -> MarketingSummary {
        guard phase(promotion, now: now) == .ended else { throw Failure.notEnded }
        let endedAt = min(promotion.endedAt ?? promotion.endsAt, promotion.endsAt)
        let baselineFrom = promotion.startsAt.addingTimeInterval(-endedAt.timeIntervalSince(promotion.startsAt))
        let rows = try await PromotionOrderModel.query(on: db).filter(\.$promotionId == promotion.id!).all()
        let influenced = try await CampaignOrders.paid(rows.map { ($0.orderId, $0.discountFen) }, on: db)
        let effect = try await CampaignOrders.summarize(influenced: influenced, merchantId: promotion.merchantId,
                                                        storeIds: try input(of: promotion).scope?.storeIds, from: baselineFrom, to: promotion.startsAt, on: db)
        return MarketingSummary(campaignId: promotion.id!, startsAt: promotion.startsAt, endedAt: endedAt, baselineFrom: baselineFrom, effect: effect)
    }
}
