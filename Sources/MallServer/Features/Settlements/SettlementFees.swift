import Fluent
import Foundation
import MallCore
import SQLKit
import Vapor

/// Freezes what a paid order owes the platform: each line's commission rate (the fee rule in
/// force when it was paid), the platform-funded part of its discount, and its share of the
/// payment provider's fee. A rule written later never changes a paid order.
struct SettlementFees {
    let db: any Database

    /// The provider's fee rate from settings.
    static func channelRate(provider: String, settings: ResolvedSettings) -> Int {
        switch provider {
        case WeChatPayGateway.provider: settings.integer(.channelFeeWeChatBasisPoints)
        case AlipayGateway.provider: settings.integer(.channelFeeAlipayBasisPoints)
        default: settings.integer(.channelFeeSandboxBasisPoints)
        }
    }

    static func bearer(_ settings: ResolvedSettings) -> ChannelFeeBearer {
        settings.boolean(.settlementMerchantBearsChannelFee) ? .merchant : .platform
    }

    /// A payment was made (inside its transaction): its channel fee, split over its orders, and
    /// every order's fees. Runs once per payment; a second call changes nothing.
    func paymentPaid(_ payment: PaymentModel, provider: String, orders: [OrderModel], at now: Date) async throws {
        let settings = try await SettingsService.resolved(on: db)
        let rate = Self.channelRate(provider: provider, settings: settings)
        let bearer = Self.bearer(settings)
        let fee = SettlementMaths.channelFee(paymentFen: payment.amountFen, basisPoints: rate)
        try await db.sql.raw("""
            INSERT INTO payment_channel_fees (id, payment_id, provider, rate_bp, fee_fen, bearer, created_at)
            VALUES (\(bind: UUID()), \(bind: payment.id!), \(bind: provider), \(bind: rate), \(bind: fee), \(bind: bearer.rawValue), \(bind: now))
            ON CONFLICT (payment_id) DO NOTHING
            """).run()
        let sorted = orders.sorted { $0.id!.uuidString < $1.id!.uuidString }
        let shares = FenMath.split(fee, over: sorted.map(\.payableFen))
        for (order, share) in zip(sorted, shares) {
            try await freeze(order, channelFeeFen: share, bearer: bearer, at: order.paidAt ?? now)
        }
    }

    /// Freezes an order paid before fees were recorded (or whose payment left none), at the time
    /// it was paid, with the payment's recorded fee if there is one.
    func freezeIfMissing(_ order: OrderModel, now: Date) async throws {
        guard try await OrderFeesModel.query(on: db).filter(\.$orderId == order.id!).first() == nil else { return }
        let settings = try await SettingsService.resolved(on: db)
        guard let payment = try await PaymentModel.query(on: db).filter(\.$checkoutId == order.checkoutId).first() else {
            try await freeze(order, channelFeeFen: 0, bearer: Self.bearer(settings), at: order.paidAt ?? now)
            return
        }
        let orders = try await OrderModel.query(on: db).filter(\.$checkoutId == order.checkoutId).all()
        try await paymentPaid(payment, provider: payment.provider, orders: orders, at: payment.paidAt ?? order.paidAt ?? now)
    }

    private func freeze(_ order: OrderModel, channelFeeFen: Int64, bearer: ChannelFeeBearer, at paidAt: Date) async throws {
        guard let merchant = try await MerchantModel.find(order.merchantId, on: db) else { return }
        let lines = try await OrderLineModel.query(on: db).filter(\.$orderId == order.id!).sort(\.$id).all()
        let rules = try await FeeRuleModel.query(on: db).filter(\.$merchantId == order.merchantId).all().map(\.rule)
        let paths = try await categoryPaths(products: lines.map(\.productId))
        let allocations = try await discountAllocations(order)
        let owners = try await discountOwners(allocations.values.flatMap { $0 }.map(\.source))
        let selfOperated = merchant.kind == .selfOperated
        let terms = lines.map { line in
            FeeSchedule.terms(merchant: merchant.merchantID, categoryPath: paths[line.productId] ?? [], at: paidAt, rules: rules,
                              fallbackRateBasisPoints: merchant.commissionRateBasisPoints, selfOperated: selfOperated)
        }
        let shares = SettlementMaths.channelShares(orderChannelFeeFen: channelFeeFen, linePaidFen: lines.map(\.payableFen), shippingFen: order.shippingFen)
        let claimed = try await db.sql.raw("""
            INSERT INTO order_fees (id, order_id, merchant_id, fixed_fee_fen, channel_fee_fen, shipping_channel_fee_fen, bearer, frozen_at)
            VALUES (\(bind: UUID()), \(bind: order.id!), \(bind: order.merchantId), \(bind: FeeSchedule.orderFixedFee(terms)), \(bind: channelFeeFen),
                    \(bind: shares.shipping), \(bind: bearer.rawValue), \(bind: paidAt))
            ON CONFLICT (order_id) DO NOTHING RETURNING id
            """).all()
        guard !claimed.isEmpty else { return }
        for (index, line) in lines.enumerated() {
            let fees = OrderLineFeesModel()
            fees.orderLineId = line.id!
            fees.orderId = order.id!
            fees.commissionRateBasisPoints = terms[index].rateBasisPoints
            fees.platformDiscountFen = DiscountFunding.platformFunded(allocations[line.skuId] ?? [], merchant: merchant.merchantID, owners: owners)
            fees.channelFeeFen = shares.lines[index]
            try await fees.create(on: db)
        }
    }

    /// Each SKU's discount shares as the pricing engine gave them (stored with the order).
    private func discountAllocations(_ order: OrderModel) async throws -> [UUID: [LineAllocation]] {
        // Orders placed outside the pricing engine (reward orders) store no priced group.
        guard let group = try? JSONText.decode(PricedGroup.self, from: order.pricingJSON, describing: "order \(order.number)") else { return [:] }
        return Dictionary(group.lines.map { ($0.line.skuId, $0.allocations) }, uniquingKeysWith: +)
    }

    /// Who owns each promotion and coupon (a merchant, or nobody: the platform).
    private func discountOwners(_ sources: [DiscountSource]) async throws -> [DiscountSource: MerchantID] {
        var owners: [DiscountSource: MerchantID] = [:]
        for source in Set(sources) {
            let row: SQLRow?
            switch source {
            case .promotion(let id):
                row = try await db.sql.raw("SELECT merchant_id FROM promotions WHERE id = \(bind: id)").first()
            case .coupon(let id):
                row = try await db.sql.raw("""
                    SELECT t.merchant_id FROM member_coupons c JOIN coupon_templates t ON t.id = c.template_id WHERE c.id = \(bind: id)
                    """).first()
            case .memberLevel, .points:
                row = nil
            }
            if let row, let merchant = try row.decode(column: "merchant_id", as: UUID?.self) {
                owners[source] = MerchantID(merchant)
            }
        }
        return owners
    }

    /// Each product's category followed by its parents.
    private func categoryPaths(products: [UUID]) async throws -> [UUID: [UUID]] {
        guard !products.isEmpty else { return [:] }
        let categoryOf = Dictionary(try await ProductModel.query(on: db).filter(\.$id ~~ Set(products)).all().map { ($0.id!, $0.categoryId) },
                                    uniquingKeysWith: { first, _ in first })
        let categories = Dictionary(try await CategoryModel.query(on: db).all().map { ($0.id!, $0.parentId) }, uniquingKeysWith: { first, _ in first })
        return categoryOf.mapValues { leaf in
            var path = [leaf]
            while let parent = categories[path[path.count - 1]] ?? nil, !path.contains(parent), path.count < 10 { path.append(parent) }
            return path
        }
    }
}
