import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Orders members get for points — points-mall exchanges and lottery prizes: one SKU line at the
/// cash price the caller sets (zero for points only), written like checkout's orders so the
/// store's order desk handles them: allocated by `AllocationPlanner` (pickup at the chosen store,
/// or delivery from a store that reaches the address), stock reserved through the inventory
/// ledger, priced by the pricing engine (free delivery). A points-only order is paid by the
/// points at once; one with cash waits for its payment like any checkout and expires unpaid.
/// Runs inside the caller's write transaction, which also spends the points.
struct RewardOrderService {
    let app: Application
    let db: any Database
    let now: Date

    enum Destination: Sendable, Equatable {
        case pickup(storeId: UUID)
        case delivery(addressId: UUID)
    }

    struct Request: Sendable {
        var memberId: UUID
        var skuId: UUID
        var quantity: Int
        /// Cash per unit; 0 for points only.
        var unitCashFen: Int64
        var destination: Destination
        /// Names the order's checkout row, unique per reward (`redemption:<id>`, `draw:<id>`).
        var key: String
        /// What paid a points-only order, recorded as its payment reference (`POINTS-…`).
        var pointsReference: String
        /// Minutes the member has to pay cash due; nil for the shop's unpaid-order timeout.
        var paymentMinutes: Int? = nil
        /// The only store that may fulfil it (a flash sale's quota lives in one store's stock).
        var fulfillingStoreId: UUID? = nil
        /// A group-buy order: once paid it waits for its group before any store is asked.
        var heldForGroup = false
    }

    struct Placed: Sendable {
        let order: OrderModel
        /// Only when cash is due.
        let payment: PaymentModel?
    }

    enum Failure: ProblemConvertible {
        case skuUnavailable
        /// Off the shelf, or its merchant is suspended: flash sales, group buys and the points
        /// mall are no side door past the shelf.
        case notOnSale
        case cannotAllocate(String)
        case addressNotOnMap

        var status: HTTPResponseStatus {
            switch self {
            case .addressNotOnMap: .unprocessableEntity
            case .skuUnavailable, .notOnSale, .cannotAllocate: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .skuUnavailable: "This product is no longer sold."
            case .notOnSale: "This product is not on sale at the moment."
            case .cannotAllocate(let summary): summary
            case .addressNotOnMap: "Choose a delivery address with a map location."
            }
        }
    }

    func place(_ request: Request) async throws -> Placed {
        guard let sku = try await SKUModel.find(request.skuId, on: db), sku.enabled,
              let product = try await ProductModel.find(sku.productId, on: db) else { throw Failure.skuUnavailable }
        // Checked on the product read every reward order makes anyway, so a flash purchase pays
        // no extra statement for it; the caller's transaction rolls back what it held.
        guard product.onSale else { throw Failure.notOnSale }
        let settings = try await SettingsService.resolved(on: db)
        let fulfilment: AllocationFulfilment
        var address: MemberAddressModel?
        switch request.destination {
        case .pickup(let storeId):
            fulfilment = .pickup(at: StoreID(storeId), shopperLocation: nil)
        case .delivery(let addressId):
            address = try await MemberAddressModel.owned(by: request.memberId, on: db).filter(\.$id == addressId).first()
            guard let address else { throw ValidationFailure(field: "addressId", message: "is not one of your addresses") }
            guard let lat = address.latitude, let lng = address.longitude else { throw Failure.addressNotOnMap }
            fulfilment = .delivery(to: GeoPoint(latitude: lat, longitude: lng))
        }
        var excluding: Set<StoreID> = []
        if let required = request.fulfillingStoreId {
            excluding = Set(try await app.storeDirectory.stores(of: sku.merchantId, on: db).map(\.id).filter { $0 != required }.map(StoreID.init))
        }
        let (decision, stores) = try await OrderAllocation.plan(
            merchantId: sku.merchantId, lines: [AllocationLine(skuId: sku.id!, quantity: request.quantity)], fulfilment: fulfilment,
            excluding: excluding, productIds: [sku.id!: product.id!], directory: app.storeDirectory, on: db, now: now)
        guard decision.outcome == .allocated, decision.shipments.count == 1, let shipment = decision.shipments.first,
              let store = stores[shipment.storeId.rawValue] else {
            throw Failure.cannotAllocate(decision.summary)
        }
        // The planner read stock without locks: hold the store's stock lock (the order every stock
        // write takes) and the level's row, and refuse before writing anything when it is short,
        // so a caller can fall back without a half-written order in its transaction.
        let inventory = try await InventoryService.make(app, on: db)
        try await inventory.lockStores([store.id])
        guard let level = try await inventory.lockedLevel(skuId: sku.id!, storeId: store.id), level.available >= request.quantity else {
            throw Failure.cannotAllocate("\(store.name) no longer has enough of this product in stock.")
        }
        let pricingFulfilment: Fulfilment = if let address, let lat = address.latitude, let lng = address.longitude {
            .delivery(distanceMeters: Int(GeoPoint(latitude: lat, longitude: lng).distanceMeters(to: store.location).rounded()))
        } else {
            .pickup
        }
        let title = [product.title, sku.specTitle].filter { !$0.isEmpty }.joined(separator: " ")
        let line = CartLine(skuId: sku.id!, productId: product.id!, merchantId: MerchantID(sku.merchantId), title: title,
                            quantity: request.quantity, unitPrice: Money(minorUnits: request.unitCashFen))
        // Rewards ship free: the points (and cash) are the whole price.
        let priced = try PricingEngine.price(PricingRequest(
            at: now, groups: [OrderGroup(merchantId: MerchantID(sku.merchantId), storeId: StoreID(store.id), fulfilment: pricingFulfilment, lines: [line])],
            shippingRules: [MerchantID(sku.merchantId): ShippingRule(fee: .free)]))
        guard let group = priced.groups.first, let pricedLine = group.lines.first else { throw Failure.skuUnavailable }
        let payable = priced.totals.payable.minorUnits
        let dueAt = payable > 0 ? now.addingTimeInterval(TimeInterval((request.paymentMinutes ?? settings.integer(.unpaidOrderTimeoutMinutes)) * 60)) : now

        let checkout = CheckoutModel()
        checkout.id = UUID()
        checkout.memberId = request.memberId
        checkout.idempotencyKey = request.key
        checkout.requestDigest = ""
        checkout.payableFen = payable
        checkout.resultJSON = "{}"
        checkout.createdAt = now
        try await checkout.create(on: db)

        let order = OrderModel()
        order.id = UUID()
        order.number = CheckoutService.orderNumber(now: now, id: order.id!)
        order.checkoutId = checkout.id!
        order.memberId = request.memberId
        order.merchantId = sku.merchantId
        order.fulfilment = address == nil ? OrderFulfilmentKind.pickup.rawValue : OrderFulfilmentKind.delivery.rawValue
        var lifecycle = OrderLifecycle(fulfilment: address == nil ? .pickup : .delivery, storeId: StoreID(store.id), placedBy: .shopper(request.memberId),
                                       at: now, paymentDueAt: dueAt, autoConfirmAfterDays: settings.integer(.autoConfirmDays),
                                       heldForGroup: request.heldForGroup)
        try order.setLifecycle(lifecycle)
        order.allocationJSON = try JSONText.encode(decision)
        order.deliveryAddressJSON = try address.map { try JSONText.encode($0.dto) }
        try order.setPricing(group)
        order.paymentDueAt = dueAt
        order.createdAt = now
        order.updatedAt = now
        try await order.create(on: db)

        let orderLine = OrderLineModel()
        orderLine.orderId = order.id!
        orderLine.skuId = sku.id!
        orderLine.productId = product.id!
        orderLine.title = product.title
        orderLine.specTitle = sku.specTitle
        orderLine.quantity = request.quantity
        orderLine.unitPriceFen = pricedLine.line.unitPrice.minorUnits
        orderLine.discountFen = pricedLine.discount.minorUnits
        orderLine.payableFen = pricedLine.payable.minorUnits
        try await orderLine.create(on: db)

        try await inventory.reserve(
            [StockRequest(skuId: sku.id!, storeId: store.id, quantity: request.quantity)],
            context: MovementContext(reason: "order \(order.number)", referenceType: "order", referenceId: order.id!.uuidString, now: now))

        guard payable > 0 else {
            // Paid in points: the order goes straight to the store, like a paid checkout.
            let effects = lifecycle.pay(reference: request.pointsReference, at: now)
            try order.setLifecycle(lifecycle)
            order.paidAt = now
            try await order.update(on: db)
            try await OrderEffects(app: app, db: db, now: now).apply(effects, to: order)
            return Placed(order: order, payment: nil)
        }
        let payment = PaymentModel()
        payment.id = UUID()
        payment.checkoutId = checkout.id!
        payment.memberId = request.memberId
        payment.provider = PaymentService.initialProvider(app, settings: try await SettingsService.resolved(on: db))
        payment.amountFen = payable
        payment.status = "pending"
        payment.refundedFen = 0
        payment.createdAt = now
        try await payment.create(on: db)
        try await app.jobs.enqueue(CheckoutService.expiryJob, payload: CheckoutService.ExpiryPayload(checkoutId: checkout.id!), runAt: dueAt,
                                   uniqueKey: "checkout-expiry:\(checkout.id!.uuidString)", on: db)
        return Placed(order: order, payment: payment)
    }
}
