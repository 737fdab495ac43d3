import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

enum CartService {
    /// Who a cart belongs to, read from the request's principal by the routes.
    enum Owner: Sendable {
        case member(UUID)
        /// A guest, with the token their client holds (nil or empty before the first write).
        case guest(token: String?)
        case staff

        init(_ principal: Principal?, headers: HTTPHeaders) {
            switch principal {
            case .staff: self = .staff
            case .member(let member): self = .member(member.memberId)
            case nil: self = .guest(token: headers.first(name: CartRoutes.tokenHeader).flatMap { $0.isEmpty ? nil : $0 })
            }
        }

        func requireShopper() throws {
            if case .staff = self { throw MallError.forbidden("Carts belong to shoppers; staff accounts cannot use them.") }
        }
    }

    /// The cart behind the request, created on first write. Returns the guest token to hand
    /// back to a guest (nil for members).
    static func find(_ req: Request, create: Bool) async throws -> (CartModel?, String?) {
        let owner = Owner(req.principal, headers: req.headers)
        try owner.requireShopper()
        if case .guest(let token?) = owner,
           let cart = try await CartModel.query(on: req.db).filter(\.$guestTokenHash == SecureToken.digest(token)).first() {
            return (cart, token)
        }
        if case .member(let memberId) = owner, let cart = try await CartModel.query(on: req.db).filter(\.$memberId == memberId).first() {
            return (cart, nil)
        }
        guard create else { return (nil, nil) }
        return try await Self.create(for: owner, now: req.now, on: req.db)
    }

    /// A new cart for a shopper who has none.
    private static func create(for owner: Owner, now: Date, on db: any Database) async throws -> (CartModel, String?) {
        let cart = CartModel()
        cart.createdAt = now
        cart.updatedAt = now
        switch owner {
        case .staff:
            throw MallError.forbidden("Carts belong to shoppers; staff accounts cannot use them.")
        case .member(let memberId):
            cart.memberId = memberId
            do { try await cart.create(on: db) } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
                // Two first writes raced; the other created the cart.
                guard let other = try await CartModel.query(on: db).filter(\.$memberId == memberId).first() else { throw error }
                return (other, nil)
            }
            return (cart, nil)
        case .guest:
            let token = SecureToken.generate()
            cart.guestTokenHash = SecureToken.digest(token)
            try await cart.create(on: db)
            return (cart, token)
        }
    }

    /// Adds units of a SKU to the owner's cart: one read of the SKU's facts with the owner's
    /// cart, then one conditional upsert that enforces the limits in the database — the line
    /// limit by a free slot under a unique index (of adds racing for the last slot one wins, the
    /// others retry and find the cart full), the per-line cap in the update. Returns the cart
    /// and the guest token to hand back.
    static func add(skuId: UUID, quantity: Int, owner: Owner, now: Date, on db: any Database) async throws -> (cartId: UUID, memberId: UUID?, token: String?) {
        let cartJoin: SQLQueryString = switch owner {
        case .member(let memberId): "LEFT JOIN carts c ON c.member_id = \(bind: memberId)"
        case .guest(let token?): "LEFT JOIN carts c ON c.guest_token_hash = \(bind: SecureToken.digest(token))"
        case .guest(nil), .staff: "LEFT JOIN carts c ON 1 = 0"
        }
        guard let facts = try await db.sql.raw("""
            SELECT s.enabled, p.on_shelf, p.merchant_suspended_at, p.id AS product_id, c.id AS cart_id
            FROM skus s LEFT JOIN products p ON p.id = s.product_id \(cartJoin) WHERE s.id = \(bind: skuId)
            """).first() else { throw ValidationFailure(field: "skuId", message: "is not a SKU") }
        let onSale = try facts.decode(column: "product_id", as: UUID?.self) != nil && (try facts.decode(column: "on_shelf", as: Bool?.self) ?? false)
            && (try facts.decode(column: "merchant_suspended_at", as: Date?.self)) == nil
        guard try facts.decode(column: "enabled", as: Bool.self), onSale else { throw MallError.conflict("This item is not on sale.") }
        try owner.requireShopper()
        var cartId = try facts.decode(column: "cart_id", as: UUID?.self)
        var token: String?
        if case .guest(let held) = owner { token = held }
        if cartId == nil {
            let (cart, created) = try await create(for: owner, now: now, on: db)
            cartId = cart.id
            token = created ?? token
        }
        guard let cartId else { throw MallError.notFound("No cart.") }
        let memberId: UUID? = if case .member(let id) = owner { id } else { nil }
        // Only adds racing for the same free slot on PostgreSQL retry; each round fills a slot or finds the cart full.
        for attempt in 1...CartRoutes.maxLines {
            do {
                let added = try await db.sql.raw("""
                    WITH RECURSIVE slots(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM slots WHERE n < \(bind: CartRoutes.maxLines))
                    INSERT INTO cart_lines (id, cart_id, sku_id, quantity, added_at, slot)
                    SELECT \(bind: UUID()), \(bind: cartId), \(bind: skuId), \(bind: quantity), \(bind: now),
                           COALESCE((SELECT MIN(n) FROM slots WHERE n NOT IN (SELECT slot FROM cart_lines WHERE cart_id = \(bind: cartId))), 0)
                    WHERE EXISTS (SELECT 1 FROM cart_lines WHERE cart_id = \(bind: cartId) AND sku_id = \(bind: skuId))
                       OR (SELECT COUNT(*) FROM cart_lines WHERE cart_id = \(bind: cartId)) < \(bind: CartRoutes.maxLines)
                    ON CONFLICT (cart_id, sku_id) DO UPDATE SET quantity = CASE
                        WHEN cart_lines.quantity + excluded.quantity > \(bind: CartRoutes.maxQuantity) THEN \(bind: CartRoutes.maxQuantity)
                        ELSE cart_lines.quantity + excluded.quantity END
                    RETURNING quantity
                    """).first()
                guard added != nil else { throw MallError.conflict("A cart holds at most \(CartRoutes.maxLines) different items.") }
                return (cartId, memberId, token)
            } catch where (error as? any DatabaseError)?.isConstraintFailure == true && attempt < CartRoutes.maxLines {
                continue
            }
        }
        throw MallError.conflict("A cart holds at most \(CartRoutes.maxLines) different items.")
    }

    static func touch(_ cart: CartModel, now: Date, on db: any Database) async throws {
        cart.updatedAt = now
        try await cart.update(on: db)
    }

    /// Moves a guest cart's lines into the member's cart (quantities add up) and deletes it.
    static func merge(guestToken: String, into memberId: UUID, now: Date, on db: any Database) async throws {
        try await db.writeTransaction { db in
            guard let guest = try await CartModel.query(on: db).filter(\.$guestTokenHash == SecureToken.digest(guestToken)).first() else { return }
            guard let target = try await CartModel.query(on: db).filter(\.$memberId == memberId).first() else {
                // The guest cart simply becomes the member's.
                guest.memberId = memberId
                guest.guestTokenHash = nil
                guest.updatedAt = now
                try await guest.update(on: db)
                return
            }
            // Serialises with adds to the same cart, so the line limit holds under concurrency.
            try await db.lockRow("carts", id: target.id!)
            let existing = try await CartLineModel.query(on: db).filter(\.$cartId == target.id!).all()
            // Guest lines beyond the cart's line limit are dropped, oldest guest lines kept first.
            var freeSlots = Array(Set(1...CartRoutes.maxLines).subtracting(existing.map(\.slot))).sorted()
            for line in try await CartLineModel.query(on: db).filter(\.$cartId == guest.id!).sort(\.$addedAt).all() {
                if let same = existing.first(where: { $0.skuId == line.skuId }) {
                    same.quantity = min(CartRoutes.maxQuantity, same.quantity + line.quantity)
                    try await same.update(on: db)
                } else if !freeSlots.isEmpty {
                    let copy = CartLineModel()
                    copy.cartId = target.id!
                    copy.skuId = line.skuId
                    copy.quantity = line.quantity
                    copy.addedAt = line.addedAt
                    copy.slot = freeSlots.removeFirst()
                    try await copy.create(on: db)
                }
            }
            try await guest.delete(on: db)
            try await touch(target, now: now, on: db)
        }
    }

    /// Takes ordered units out of a cart inside checkout's transaction, each only if the line
    /// still holds them: a conditional UPDATE, so of two concurrent checkouts of the same cart the
    /// second finds the units gone (PostgreSQL re-checks the row after the first commits) and
    /// rolls back. Units added while checkout ran stay in the cart. Lines go in a fixed order so
    /// two checkouts cannot lock them in opposite orders.
    static func consume(_ ordered: [UUID: Int], cartId: UUID, on db: any Database) async throws {
        for (skuId, quantity) in ordered.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            let taken = try await db.sql.raw("""
                UPDATE cart_lines SET quantity = quantity - \(bind: quantity)
                WHERE cart_id = \(bind: cartId) AND sku_id = \(bind: skuId) AND quantity >= \(bind: quantity) RETURNING quantity
                """).all()
            guard taken.isEmpty else { continue }
            let left = try await CartLineModel.query(on: db).filter(\.$cartId == cartId).filter(\.$quantity > 0).count()
            throw left == 0 ? CheckoutService.Failure.cartAlreadyOrdered : CheckoutService.Failure.cartChanged
        }
        try await CartLineModel.query(on: db).filter(\.$cartId == cartId).filter(\.$quantity <= 0).delete()
    }

    /// Prices and checks every line where it would be fulfilled: two statements (`CartContents`)
    /// on a warm instance, whatever the cart holds, as stores, settings and running promotions
    /// come from the instance's caches.
    static func view(cartId: UUID?, memberId: UUID?, app: Application, on db: any Database, now: Date) async throws -> CartView {
        let empty = CartView(guestToken: nil, groups: [], itemCount: 0, subtotalFen: 0, hasProblems: false)
        guard let cartId else { return empty }
        let contents = try await CartContents.lines(cartId: cartId, on: db)
        guard !contents.lines.isEmpty else { return empty }
        let merchantIds = contents.merchants.keys.sorted { (contents.merchants[$0]?.code ?? "") < (contents.merchants[$1]?.code ?? "") }
        var openStores: [UUID: [StoreDirectory.Entry]] = [:]
        for merchantId in merchantIds {
            let stores = try await app.storeDirectory.stores(of: merchantId, on: db).filter { $0.status == .open }
            // A pickup counts only its chosen store; a delivery any store that may reach the address.
            if let merchant = contents.merchants[merchantId], merchant.mode == .pickup {
                openStores[merchantId] = stores.filter { $0.id == merchant.storeId }
            } else {
                openStores[merchantId] = stores
            }
        }
        let pickupStores = merchantIds.compactMap { id in contents.merchants[id]?.mode == .pickup ? openStores[id]?.first?.id : nil }
        let facts = try await contents.facts(stores: openStores.values.flatMap { $0.map(\.id) }, priceStores: pickupStores, memberId: memberId, on: db)
        let memberLevel = facts.memberLevel

        var groups: [CartMerchantGroup] = []
        // What the running promotions see: each group's purchasable lines, in view order.
        var pricing: [(group: Int, order: OrderGroup)] = []
        for merchantId in merchantIds {
            guard let merchant = contents.merchants[merchantId] else { continue }
            let mode = merchant.mode
            let stores = openStores[merchantId] ?? []
            var eligible: [StoreDirectory.Entry]
            var pickupStore: StoreDirectory.Entry?
            var addressId: UUID?
            switch mode {
            case .pickup:
                pickupStore = stores.first
                eligible = stores
            case .delivery:
                let address = facts.addresses.first { $0.id == merchant.addressId } ?? facts.addresses.first { $0.isDefault }
                addressId = address?.id
                if let point = address?.location {
                    eligible = stores.filter { $0.kind == .warehouse || point.distanceMeters(to: $0.location) <= $0.deliveryRadiusKm * 1000 }
                } else {
                    eligible = stores
                }
            }
            let eligibleIds = Set(eligible.map(\.id))
            var views: [CartLineView] = []
            var pricedLines: [CartLine] = []
            for line in contents.lines where line.merchantId == merchantId {
                let delistedStores = Set(facts.delisted.filter { $0.productId == line.productId }.map(\.storeId))
                let available = facts.stock.filter { $0.skuId == line.skuId && eligibleIds.contains($0.storeId) && !delistedStores.contains($0.storeId) }
                    .reduce(0) { $0 + $1.available }
                var problems: [CartLineProblem] = []
                if !line.onSale { problems.append(.offShelf) }
                if !line.enabled { problems.append(.skuDisabled) }
                if let pickupStore, delistedStores.contains(pickupStore.id) { problems.append(.delistedAtStore) }
                if available == 0 {
                    problems.append(mode == .pickup ? .insufficientAtStore : .outOfStockEverywhere)
                } else if available < line.quantity {
                    // Delivery may split across every store that reaches the address, so only
                    // their sum falling short makes the line unbuyable.
                    problems.append(mode == .pickup ? .insufficientAtStore : .shortOfStock)
                }
                let priceInputs = facts.prices.input(sku: line.skuId, basePriceFen: line.basePriceFen, storeId: pickupStore?.id)
                let quote = PriceResolver.resolve(priceInputs, storeId: pickupStore.map { StoreID($0.id) }, memberLevel: memberLevel, at: now)
                // Checked: a price stored before prices were capped must not trap the cart page
                // (and with it the server) of everyone who has the item in their cart.
                let lineTotal = try? Checked.lineTotal(unitPrice: quote.price.minorUnits, quantity: line.quantity)
                if lineTotal.map({ !(0...PricingEngine.maximumAmount).contains($0) }) ?? true { problems.append(.priceUnavailable) }
                views.append(CartLineView(skuId: line.skuId, productId: line.productId, title: line.title, specTitle: line.specTitle,
                                          image: line.skuImage ?? line.images.first, quantity: line.quantity, unitPriceFen: quote.price.minorUnits,
                                          lineTotalFen: problems.contains(.priceUnavailable) ? 0 : lineTotal ?? 0, available: available, problems: problems,
                                          priceExplanation: quote.steps))
                if problems.isEmpty {
                    pricedLines.append(CartLine(skuId: line.skuId, productId: line.productId, merchantId: MerchantID(merchantId),
                                                title: [line.title, line.specTitle].filter { !$0.isEmpty }.joined(separator: " "), quantity: line.quantity,
                                                quote: quote, categoryId: line.categoryId, brandId: line.brandId))
                }
            }
            if !pricedLines.isEmpty {
                // A delivery's stores are chosen at checkout, so store-scoped promotions count
                // only for a chosen pickup store: the cart never promises what checkout may not give.
                pricing.append((groups.count, OrderGroup(merchantId: MerchantID(merchantId), storeId: StoreID(pickupStore?.id ?? Self.unknownStore),
                                                         fulfilment: .pickup, lines: pricedLines)))
            }
            groups.append(CartMerchantGroup(merchantId: merchantId, merchantName: merchant.name, fulfilment: mode,
                                            addressId: addressId, storeId: pickupStore?.id, storeName: pickupStore?.name, lines: views,
                                            subtotalFen: try Checked.sum(views.filter(\.problems.isEmpty).map(\.lineTotalFen), "cart subtotal")))
        }
        var promotions: [CartPromotion] = []
        if !pricing.isEmpty, try await Self.promotionsRun(app: app, at: now, on: db),
           let priced = try await PromotionCheckout.priceCart(pricing.map(\.order), memberId: memberId, level: memberLevel, now: now, on: db) {
            promotions = priced.promotions.map(Self.cartPromotion)
            for (pricedGroup, target) in zip(priced.groups, pricing.map(\.group)) {
                Self.attach(pricedGroup, progress: priced.promotions, to: &groups[target])
            }
        }
        let all = groups.flatMap(\.lines)
        return CartView(guestToken: nil, groups: groups, itemCount: try Checked.sum(all.map(\.quantity), "cart item count"),
                        subtotalFen: try Checked.sum(groups.map(\.subtotalFen), "cart subtotal"), hasProblems: all.contains { !$0.problems.isEmpty },
                        discountFen: try Checked.sum(groups.map(\.discountFen), "cart discount"), promotions: promotions)
    }

    /// Whether any promotion runs at all, from the instance's promotion cache (invalidated on
    /// every promotion write through the cache bus): most of the time none does, and the cart
    /// then reads nothing about promotions.
    private static func promotionsRun(app: Application, at now: Date, on db: any Database) async throws -> Bool {
        guard let cache = app.promotionReachCache else { return true }
        return try await !cache.reaches(at: now, on: db).isEmpty
    }

    /// No store has this id: stands for "not chosen yet" where the engine needs a store.
    static let unknownStore = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    static func cartPromotion(_ progress: PromotionProgress) -> CartPromotion {
        CartPromotion(promotionId: progress.promotionId, name: progress.name, discountFen: progress.discount.minorUnits, explanation: progress.description,
                      hint: progress.hint?.text, missingFen: progress.hint?.missingAmount?.minorUnits, missingQuantity: progress.hint?.missingQuantity)
    }

    /// Puts a priced group's line shares on its purchasable lines (same order) and lists the
    /// promotions with a share in it.
    static func attach(_ priced: PricedGroup, progress: [PromotionProgress], to group: inout CartMerchantGroup) {
        let purchasable = group.lines.indices.filter { group.lines[$0].problems.isEmpty }
        for (index, line) in zip(purchasable, priced.lines) {
            let discounts = line.allocations.compactMap { allocation -> CartLineDiscount? in
                guard case .promotion(let id) = allocation.source else { return nil }
                return CartLineDiscount(promotionId: id, name: progress.first { $0.promotionId == id }?.name ?? "", amountFen: allocation.amount.minorUnits)
            }
            let old = group.lines[index]
            group.lines[index] = CartLineView(skuId: old.skuId, productId: old.productId, title: old.title, specTitle: old.specTitle, image: old.image,
                                              quantity: old.quantity, unitPriceFen: old.unitPriceFen, lineTotalFen: old.lineTotalFen,
                                              available: old.available, problems: old.problems, priceExplanation: old.priceExplanation,
                                              discounts: discounts)
        }
        group.promotions = priced.discounts.compactMap { discount in
            guard case .promotion(let id) = discount.source, let whole = progress.first(where: { $0.promotionId == id }) else { return nil }
            var share = cartPromotion(whole)
            share.discountFen = discount.amount.minorUnits
            return share
        }
        group.discountFen = group.lines.reduce(0) { $0 + $1.discountFen }
        group.payableFen = group.subtotalFen - group.discountFen
    }
}
