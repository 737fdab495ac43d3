import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Turns the member's cart into orders: allocate each merchant's lines to stores (core
/// `AllocationPlanner`), price the resulting orders (core `PricingEngine`), then in one
/// transaction reserve the stock, write the orders and one payment, and schedule expiry.
/// A retry with the same idempotency key returns the first result.
struct CheckoutService {
    let app: Application
    let db: any Database
    /// The moment this checkout happens (the request's clock).
    let now: Date

    static let expiryJob = "orders.expireCheckout"

    struct ExpiryPayload: Codable {
        let checkoutId: UUID
    }

    enum Failure: ProblemConvertible {
        case emptyCart
        case cartAlreadyOrdered
        case cartChanged
        case cartHasProblems([String])
        case cannotAllocate(String)
        case keyReused

        var status: HTTPResponseStatus {
            switch self {
            case .keyReused: .unprocessableEntity
            default: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .emptyCart: "The cart is empty."
            case .cartAlreadyOrdered: "This cart has already been ordered."
            case .cartChanged: "The cart changed while this checkout ran; review it and try again."
            case .cartHasProblems(let lines): "Some items cannot be bought as they are: \(lines.joined(separator: "; ")). Fix the cart and try again."
            case .cannotAllocate(let summary): summary
            case .keyReused: "This Idempotency-Key was already used for a different checkout."
            }
        }
    }

    func place(memberId: UUID, key: String, input: CheckoutInput) async throws -> (CheckoutResult, created: Bool) {
        let digest = SigV4Signer.hex(SHA256.hash(data: try JSONEncoder.api.encode(input)))
        if let earlier = try await CheckoutModel.query(on: db).filter(\.$memberId == memberId).filter(\.$idempotencyKey == key).first() {
            guard earlier.requestDigest == digest else { throw Failure.keyReused }
            return (try JSONDecoder.api.decode(CheckoutResult.self, from: Data(earlier.resultJSON.utf8)), false)
        }
        var errors = FieldErrorCollector()
        let note = errors.collect { try input.note.map { try TextRule.check($0, field: "note", min: 0, max: 200) } } ?? nil
        if let points = input.pointsToUse { errors.range(points, InputLimits.points, "pointsToUse") }
        let couponIds = input.couponIds ?? []
        Self.checkCouponIds(couponIds, into: &errors)
        try errors.throwIfAny()
        let planned = try await plan(memberId: memberId, pointsToUse: input.pointsToUse, coupons: .chosen(couponIds), suggestsBest: false)
        if let refused = planned.priced.coupons.first(where: { if case .notApplicable = $0.status { true } else { false } }) {
            throw CouponService.Failure.couponNotUsable("Coupon \(refused.title) cannot be used: \(refused.message).")
        }
        let (cartId, view, settings, now, plans, groupPlans, priced) = (planned.cartId, planned.view, planned.settings, planned.now, planned.plans, planned.groupPlans, planned.priced)
        let initialProvider = PaymentService.initialProvider(app, settings: settings)

        let dueAt = now.addingTimeInterval(TimeInterval(settings.integer(.unpaidOrderTimeoutMinutes) * 60))
        let checkoutId = UUID()
        let plannedGroups = plans
        let groupOwners = groupPlans.map(\.plan)
        let (gifts, giftNotes, skus) = (planned.gifts, planned.giftNotes, planned.skus)
        let storeNames = Dictionary(plans.flatMap { $0.stores.values.map { ($0.id, $0.name) } }, uniquingKeysWith: { a, _ in a })
        let outcome = try await db.writeTransaction { tx -> (CheckoutResult, Bool)? in
            let claimed = try await tx.sql.raw("""
                INSERT INTO checkouts (id, member_id, idempotency_key, request_digest, payable_fen, result, created_at)
                VALUES (\(bind: checkoutId), \(bind: memberId), \(bind: key), \(bind: digest), \(bind: priced.totals.payable.minorUnits), '{}', \(bind: now))
                ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING id
                """).all()
            guard !claimed.isEmpty else { return nil }
            // The cart first: of two checkouts of one cart with different keys (a double click
            // from a client that makes a key per click) exactly one takes its units.
            var ordered: [UUID: Int] = [:]
            for line in view.groups.flatMap(\.lines) { ordered[line.skuId, default: 0] += line.quantity }
            try await CartService.consume(ordered, cartId: cartId, on: tx)
            let inventory = InventoryService(app: app, db: tx, settings: settings)
            var orders: [OrderModel] = []
            var lines: [OrderLineModel] = []
            var reservations: [(OrderModel, [StockRequest])] = []
            var pointsLines: [OrderPointsService.LineDeduction] = []
            for (position, group) in priced.groups.enumerated() {
                let plan = plannedGroups[groupOwners[position]]
                let order = OrderModel()
                order.id = UUID()
                order.number = Self.orderNumber(now: now, id: order.id!)
                order.checkoutId = checkoutId
                order.memberId = memberId
                order.merchantId = plan.group.merchantId
                order.fulfilment = plan.group.fulfilment.rawValue
                try order.setLifecycle(OrderLifecycle(fulfilment: plan.group.fulfilment == .pickup ? .pickup : .delivery, storeId: group.storeId,
                                                      placedBy: .shopper(memberId), at: now, paymentDueAt: dueAt,
                                                      autoConfirmAfterDays: settings.integer(.autoConfirmDays)))
                order.allocationJSON = try JSONText.encode(plan.decision)
                order.deliveryAddressJSON = try plan.address.map { try JSONText.encode($0.dto) }
                try order.setPricing(group)
                order.paymentDueAt = dueAt
                order.createdAt = now
                order.updatedAt = now
                var requests = group.lines.map { StockRequest(skuId: $0.line.skuId, storeId: group.storeId.rawValue, quantity: $0.line.quantity) }
                for priced in group.lines {
                    let line = OrderLineModel()
                    line.id = UUID()
                    line.orderId = order.id!
                    line.skuId = priced.line.skuId
                    line.productId = priced.line.productId
                    let cartLine = plan.group.lines.first { $0.skuId == priced.line.skuId }
                    line.title = cartLine?.title ?? priced.line.title
                    line.specTitle = cartLine?.specTitle ?? ""
                    line.quantity = priced.line.quantity
                    line.unitPriceFen = priced.line.unitPrice.minorUnits
                    line.discountFen = priced.discount.minorUnits
                    line.payableFen = priced.payable.minorUnits
                    lines.append(line)
                    pointsLines.append(.init(orderId: order.id!, orderLineId: line.id!, deductionFen: CheckoutLoyalty.deduction(of: priced)))
                }
                // Gift lines are free and reserved from the same store like any line.
                for gift in gifts where gift.group == position {
                    lines.append(PromotionCheckout.giftLine(gift, orderId: order.id!, lineId: UUID()))
                    requests = PromotionCheckout.adding(gift, to: requests, storeId: group.storeId.rawValue)
                }
                reservations.append((order, requests))
                orders.append(order)
            }
            // One INSERT for the orders and one for all their lines, whatever the shipment count.
            try await orders.create(on: tx)
            try await OrderLineModel.insertAll(lines, on: tx)
            // Stores in one fixed order, so two checkouts spanning the same stores cannot deadlock
            // on each other's store counters.
            for (order, requests) in reservations.sorted(by: { $0.1[0].storeId.uuidString < $1.1[0].storeId.uuidString }) {
                try await inventory.reserve(requests, context: MovementContext(reason: "order \(order.number)", referenceType: "order",
                                                                               referenceId: order.id!.uuidString, now: now), skus: skus)
            }
            // A member past a promotion's limit (a concurrent checkout used it) fails whole.
            try await PromotionService.recordUses(priced, gifts: gifts, orderIds: orders.map { $0.id! }, memberId: memberId, now: now, on: tx)
            let payment = PaymentModel()
            payment.id = UUID()
            payment.checkoutId = checkoutId
            payment.memberId = memberId
            // The sandbox when it is on; otherwise the first real provider, so that a payment
            // can never be settled through a switched-off test gateway.
            payment.provider = initialProvider
            payment.amountFen = priced.totals.payable.minorUnits
            payment.status = PaymentStatus.pending.rawValue
            payment.refundedFen = 0
            payment.createdAt = now
            try await payment.create(on: tx)
            // Coupons and points last: a concurrent checkout that took them first fails this one, whole.
            try await CouponService(app: app, db: tx).lock(couponIds, memberId: memberId, checkoutId: checkoutId, now: now)
            try await OrderPointsService(app: app, db: tx).spendAtCheckout(priced.points.pointsUsed, memberId: memberId, checkoutId: checkoutId,
                                                                                       lines: pointsLines, now: now)
            try await app.jobs.enqueue(Self.expiryJob, payload: ExpiryPayload(checkoutId: checkoutId), runAt: dueAt,
                                                   uniqueKey: "checkout-expiry:\(checkoutId.uuidString)", on: tx)
            // Built from what was just written: a new order has no shipment or refund to read back.
            let dtos = try OrderDTO.make(orders, lines: Dictionary(grouping: lines, by: \.orderId),
                                         storeNames: storeNames, shipments: [:], refunded: [:], forShopper: false)
            let result = CheckoutResult(checkoutId: checkoutId, orders: dtos, payableFen: payment.amountFen,
                                        payment: payment.info(app), paymentDueAt: dueAt,
                                        explanation: priced.explanation + giftNotes + (note.map { ["Note: \($0)"] } ?? []),
                                        pointsUsed: priced.points.pointsUsed)
            try await CheckoutModel.query(on: tx).set(\.$resultJSON, to: try JSONText.encode(result))
                .filter(\.$id == checkoutId).update()
            return (result, true)
        }
        if let outcome { return (outcome.0, outcome.1) }
        // A concurrent request with the same key committed first: answer with its result.
        guard let earlier = try await CheckoutModel.query(on: db).filter(\.$memberId == memberId).filter(\.$idempotencyKey == key).first() else {
            throw MallError.conflict("This checkout is being placed by another request; retry in a moment.")
        }
        guard earlier.requestDigest == digest else { throw Failure.keyReused }
        return (try JSONDecoder.api.decode(CheckoutResult.self, from: Data(earlier.resultJSON.utf8)), false)
    }

    /// What checkout would do now, without doing it: the orders, their prices and the
    /// explanation. Checkout runs the same plan, so the preview and the order agree.
    func preview(memberId: UUID, pointsToUse: Int64? = nil, couponIds: [UUID]? = nil) async throws -> CheckoutPreview {
        let plan = try await plan(memberId: memberId, pointsToUse: pointsToUse, coupons: couponIds.map { .chosen($0) } ?? .best, suggestsBest: true)
        let orders = plan.priced.groups.enumerated().map { position, group in
            let owner = plan.plans[plan.groupPlans[position].plan]
            return CheckoutPreview.Order(merchantName: owner.group.merchantName, storeName: owner.stores[group.storeId.rawValue]?.name ?? "",
                                         fulfilment: owner.group.fulfilment == .pickup ? .pickup : .delivery, goodsFen: group.totals.subtotal.minorUnits,
                                         discountFen: group.totals.discount.minorUnits, shippingFen: group.totals.shippingFee.minorUnits,
                                         payableFen: group.totals.payable.minorUnits)
        }
        let totals = plan.priced.totals
        return CheckoutPreview(orders: orders, goodsFen: totals.subtotal.minorUnits, discountFen: totals.discount.minorUnits,
                               shippingFen: totals.shippingFee.minorUnits, payableFen: totals.payable.minorUnits,
                               explanation: plan.priced.explanation + plan.giftNotes, levelDiscountFen: totals.levelDiscount.minorUnits,
                               points: plan.loyalty.quote(plan.priced), coupons: plan.coupons)
    }

    /// Which coupons to price with: the ones the shopper chose, or the best combination.
    enum CouponRequest {
        case best
        case chosen([UUID])
    }

    static let maximumCoupons = 20

    static func checkCouponIds(_ ids: [UUID], into errors: inout FieldErrorCollector) {
        errors.require(ids.count <= maximumCoupons, "couponIds", "must hold at most \(maximumCoupons) coupons")
        errors.require(Set(ids).count == ids.count, "couponIds", "must not repeat a coupon")
    }

    private struct Plan {
        let cartId: UUID
        let view: CartView
        let settings: ResolvedSettings
        let now: Date
        let plans: [(group: CartMerchantGroup, decision: AllocationDecision, address: MemberAddressModel?, stores: [UUID: StoreDirectory.Entry])]
        let groupPlans: [(plan: Int, storeId: UUID)]
        let priced: PricedCheckout
        let loyalty: CheckoutLoyalty
        /// The gifts the fulfilling stores have in stock, and a note for each left out.
        let gifts: [PromotionGift]
        let giftNotes: [String]
        let coupons: CheckoutCoupons
        /// The SKU rows pricing read, handed to the reservation so it does not read them again.
        let skus: [UUID: SKUModel]
    }

    /// Reads only: the cart as it stands, each merchant's part allocated to stores and every
    /// resulting order priced together.
    /// `suggestsBest`: the preview shows the best combination beside the chosen one; placing an
    /// order prices only what the shopper chose (the search prices up to hundreds of combinations).
    private func plan(memberId: UUID, pointsToUse: Int64?, coupons couponRequest: CouponRequest, suggestsBest: Bool) async throws -> Plan {
        guard let cart = try await CartModel.query(on: db).filter(\.$memberId == memberId).first() else { throw Failure.emptyCart }
        let view = try await CartService.view(cartId: cart.id, memberId: memberId, app: app, on: db, now: now)
        guard !view.groups.flatMap(\.lines).isEmpty else { throw Failure.emptyCart }
        let problems = view.groups.flatMap(\.lines).filter { !$0.problems.isEmpty }
        guard problems.isEmpty else {
            throw Failure.cartHasProblems(problems.map { line in
                "“\([line.title, line.specTitle].filter { !$0.isEmpty }.joined(separator: " "))”: \(line.problems.map(Self.words).joined(separator: ", "))"
            })
        }

        // The cached copy the cart view priced with; a change of settings clears it on every instance.
        let settings = try await app.settingsCache.resolved(on: db)
        let addresses = try await MemberAddressModel.owned(by: memberId, on: db).all()
        // The member's level (its discount and free-delivery threshold) and points.
        let loyalty = try await CheckoutLoyalty.load(memberId: memberId, pointsToUse: pointsToUse, settings: settings, now: now, on: db)
        let memberLevel = loyalty.member.level
        var plans: [(group: CartMerchantGroup, decision: AllocationDecision, address: MemberAddressModel?, stores: [UUID: StoreDirectory.Entry])] = []
        for group in view.groups {
            let fulfilment: AllocationFulfilment
            var address: MemberAddressModel?
            switch group.fulfilment {
            case .pickup:
                guard let storeId = group.storeId else { throw Failure.cannotAllocate("Choose a pickup store for \(group.merchantName).") }
                fulfilment = .pickup(at: StoreID(storeId), shopperLocation: nil)
            case .delivery:
                address = addresses.first { $0.id == group.addressId }
                guard let address, let lat = address.latitude, let lng = address.longitude else {
                    throw Failure.cannotAllocate("Choose a delivery address with a map location for \(group.merchantName).")
                }
                fulfilment = .delivery(to: GeoPoint(latitude: lat, longitude: lng))
            }
            let (decision, stores) = try await OrderAllocation.plan(
                merchantId: group.merchantId, lines: group.lines.map { AllocationLine(skuId: $0.skuId, quantity: $0.quantity) },
                fulfilment: fulfilment, productIds: Dictionary(uniqueKeysWithValues: group.lines.map { ($0.skuId, $0.productId) }),
                directory: app.storeDirectory, on: db, now: now, settings: settings)
            guard decision.outcome == .allocated else {
                var text = decision.summary
                if !decision.pickupAlternatives.isEmpty {
                    text += " Stores nearby that have everything: " + decision.pickupAlternatives.map { "\($0.name) (\($0.distanceMeters) m)" }.joined(separator: ", ") + "."
                }
                throw Failure.cannotAllocate(text)
            }
            plans.append((group, decision, address, stores))
        }

        // One order per shipment, priced together so checkout-wide promotions see everything.
        // The SKUs with their products joined, in one statement.
        let skuRows = try await SKUModel.query(on: db).join(ProductModel.self, on: \SKUModel.$productId == \ProductModel.$id)
            .filter(\.$id ~~ plans.flatMap { $0.group.lines.map(\.skuId) }).all()
        let skus = Dictionary(uniqueKeysWithValues: skuRows.map { ($0.id!, $0) })
        let products = Dictionary(try skuRows.map { row in
            let product = try row.joined(ProductModel.self)
            return (row.productId, product)
        }, uniquingKeysWith: { first, _ in first })
        var groups: [OrderGroup] = []
        var groupPlans: [(plan: Int, storeId: UUID)] = []
        for (index, plan) in plans.enumerated() {
            for shipment in plan.decision.shipments {
                guard let store = plan.stores[shipment.storeId.rawValue] else { throw Failure.cartChanged }
                let shipmentSKUs = shipment.lines.compactMap { skus[$0.skuId] }
                let prices = try await PriceBook.inputs(for: shipmentSKUs, storeId: store.id, on: db)
                let lines = try shipment.lines.map { line -> CartLine in
                    // A SKU deleted by its merchant while this checkout read the cart has no price.
                    guard let cartLine = plan.group.lines.first(where: { $0.skuId == line.skuId }), let price = prices[line.skuId] else {
                        throw Failure.cartChanged
                    }
                    let quote = PriceResolver.resolve(price, storeId: StoreID(store.id), memberLevel: memberLevel, at: now)
                    return CartLine(skuId: line.skuId, productId: cartLine.productId, merchantId: MerchantID(plan.group.merchantId),
                                    title: [cartLine.title, cartLine.specTitle].filter { !$0.isEmpty }.joined(separator: " "), quantity: line.quantity, quote: quote,
                                    categoryId: products[cartLine.productId]?.categoryId, brandId: products[cartLine.productId]?.brandId)
                }
                let fulfilment: Fulfilment
                if let address = plan.address, let lat = address.latitude, let lng = address.longitude {
                    fulfilment = .delivery(distanceMeters: Int(GeoPoint(latitude: lat, longitude: lng).distanceMeters(to: store.location).rounded()))
                } else {
                    fulfilment = .pickup
                }
                groups.append(OrderGroup(merchantId: MerchantID(plan.group.merchantId), storeId: StoreID(store.id), fulfilment: fulfilment, lines: lines))
                groupPlans.append((index, store.id))
            }
        }
        let merchantIds = Array(Set(plans.map(\.group.merchantId)))
        let merchants = try await MerchantModel.query(on: db).filter(\.$id ~~ merchantIds).all()
        let rules = Dictionary(uniqueKeysWithValues: merchants.map { (MerchantID($0.id!), ShippingRules.rule(for: $0, settings: settings)) })
        let promotions = try await PromotionCheckout.load(memberId: memberId, member: loyalty.member, now: now, on: db)
        var request = PricingRequest(at: now, member: promotions.member, groups: groups, promotions: promotions.promotions, points: loyalty.redemption,
                                     pointsPolicy: loyalty.policy, shippingRules: rules)
        // The member's usable coupons, judged on this checkout's products.
        let held = try await CouponService.usable(memberId: memberId, now: now, on: db)
        let candidates = try held.compactMap { try CouponService.pricingCoupon($0.coupon, $0.template, products: Array(products.values)) }
        let searched = if case .best = couponRequest { true } else { suggestsBest }
        let best = searched ? try CouponSelection.best(for: request, from: candidates).coupons.map(\.id) : []
        let chosen: [UUID]
        switch couponRequest {
        case .best:
            chosen = best
        case .chosen(let ids):
            let known = Set(candidates.map(\.id))
            if let unknown = ids.first(where: { !known.contains($0) }) {
                throw ValidationFailure(field: "couponIds", message: "\(unknown.uuidString) is not a coupon of yours usable now")
            }
            chosen = ids
        }
        request.coupons = chosen.compactMap { id in candidates.first { $0.id == id } }
        let priced = try PricingEngine.price(request)
        let (gifts, giftNotes) = try await PromotionCheckout.stockedGifts(priced, groups: groups, on: db)
        let coupons = CheckoutCoupons(
            usable: held.map { CouponQueries.memberCoupon($0.coupon, $0.template, now: now) }, best: best, chosen: chosen,
            evaluations: priced.coupons.map { evaluation in
                let discount: Int64 = if case .applied(let amount) = evaluation.status { amount.minorUnits } else { 0 }
                return .init(memberCouponId: evaluation.couponId, applied: discount > 0, discountFen: discount, message: evaluation.message)
            })
        return Plan(cartId: cart.id!, view: view, settings: settings, now: now, plans: plans, groupPlans: groupPlans, priced: priced, loyalty: loyalty,
                    gifts: gifts, giftNotes: giftNotes, coupons: coupons, skus: skus)
    }

    /// A cart line problem as a shopper reads it (the cart page has its own catalog text).
    static func words(_ problem: CartLineProblem) -> String {
        switch problem {
        case .offShelf: "no longer on sale"
        case .skuDisabled: "this option is no longer sold"
        case .delistedAtStore: "not sold at the chosen store"
        case .insufficientAtStore: "not enough stock at the chosen store"
        case .outOfStockEverywhere: "out of stock at every store that delivers here"
        case .shortOfStock: "not enough stock within delivery reach"
        case .priceUnavailable: "its price cannot be charged; the shop must correct it"
        }
    }

    /// `M` + local date + eight hex digits of the id: short enough to read out at a counter.
    static func orderNumber(now: Date, id: UUID) -> String {
        return "M" + UTCStamp.string(now, format: "yyMMdd") + String(id.uuidString.replacingOccurrences(of: "-", with: "").prefix(10))
    }
}
