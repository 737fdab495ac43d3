import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

enum CartService {
    /// The cart behind the request, created on first write. Returns the guest token to hand
    /// back to a guest (nil for members).
    static func find(_ req: Request, create: Bool) async throws -> (CartModel?, String?) {
        switch req.principal {
        case .staff:
            throw MallError.forbidden("Carts belong to shoppers; staff accounts cannot use them.")
        case .member(let member):
            if let cart = try await CartModel.query(on: req.db).filter(\.$memberId == member.memberId).first() { return (cart, nil) }
            guard create else { return (nil, nil) }
            let cart = CartModel()
            cart.memberId = member.memberId
            cart.createdAt = req.now
            cart.updatedAt = req.now
            do { try await cart.create(on: req.db) } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
                // Two first writes raced; the other created the cart.
                return (try await CartModel.query(on: req.db).filter(\.$memberId == member.memberId).first(), nil)
            }
            return (cart, nil)
        case nil:
            if let token = req.headers.first(name: CartRoutes.tokenHeader), !token.isEmpty,
               let cart = try await CartModel.query(on: req.db).filter(\.$guestTokenHash == SecureToken.digest(token)).first() {
                return (cart, token)
            }
            guard create else { return (nil, nil) }
            let token = SecureToken.generate()
            let cart = CartModel()
            cart.guestTokenHash = SecureToken.digest(token)
            cart.createdAt = req.now
            cart.updatedAt = req.now
            try await cart.create(on: req.db)
            return (cart, token)
        }
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
            var lineCount = existing.count
            for line in try await CartLineModel.query(on: db).filter(\.$cartId == guest.id!).sort(\.$addedAt).all() {
                if let same = existing.first(where: { $0.skuId == line.skuId }) {
                    same.quantity = min(CartRoutes.maxQuantity, same.quantity + line.quantity)
                    try await same.update(on: db)
                } else if lineCount < CartRoutes.maxLines {
                    lineCount += 1
                    let copy = CartLineModel()
                    copy.cartId = target.id!
                    copy.skuId = line.skuId
                    copy.quantity = line.quantity
                    copy.addedAt = line.addedAt
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

    /// Prices and checks every line where it would be fulfilled.
    static func view(_ cart: CartModel?, app: Application, on db: any Database, now: Date) async throws -> CartView {
        guard let cart else { return CartView(guestToken: nil, groups: [], itemCount: 0, subtotalFen: 0, hasProblems: false) }
        let lines = try await CartLineModel.query(on: db).filter(\.$cartId == cart.id!).sort(\.$addedAt).all()
        let skus = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ lines.map(\.skuId)).all().map { ($0.id!, $0) })
        let products = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ Set(skus.values.map(\.productId))).all().map { ($0.id!, $0) })
        let merchantIds = Array(Set(skus.values.map(\.merchantId)))
        let merchants = Dictionary(uniqueKeysWithValues: try await MerchantModel.query(on: db).filter(\.$id ~~ merchantIds).all().map { ($0.id!, $0) })
        let fulfilments = Dictionary(try await CartFulfilmentModel.query(on: db).filter(\.$cartId == cart.id!).all().map { ($0.merchantId, $0) },
                                     uniquingKeysWith: { a, _ in a })
        var memberAddresses: [MemberAddressModel] = []
        var memberLevel: String?
        if let memberId = cart.memberId {
            memberAddresses = try await MemberAddressModel.owned(by: memberId, on: db).all()
            memberLevel = try await MemberModel.find(memberId, on: db)?.level
        }

        var groups: [CartMerchantGroup] = []
        // What the running promotions see: each group's purchasable lines, in view order.
        var pricing: [(group: Int, order: OrderGroup)] = []
        for merchantId in merchantIds.sorted(by: { (merchants[$0]?.code ?? "") < (merchants[$1]?.code ?? "") }) {
            let fulfilment = fulfilments[merchantId]
            let mode = FulfilmentMode(rawValue: fulfilment?.mode ?? "") ?? .delivery
            let stores = try await app.storeDirectory.stores(of: merchantId, on: db).filter { $0.status == .open }
            var eligible: [StoreDirectory.Entry]
            var pickupStore: StoreDirectory.Entry?
            var addressId: UUID?
            switch mode {
            case .pickup:
                pickupStore = stores.first { $0.id == fulfilment?.storeId }
                eligible = pickupStore.map { [$0] } ?? []
            case .delivery:
                let address = memberAddresses.first { $0.id == fulfilment?.addressId } ?? memberAddresses.first { $0.isDefault }
                addressId = address?.id
                if let lat = address?.latitude, let lng = address?.longitude {
                    let point = GeoPoint(latitude: lat, longitude: lng)
                    eligible = stores.filter { $0.kind == .warehouse || point.distanceMeters(to: $0.location) <= $0.deliveryRadiusKm * 1000 }
                } else {
                    eligible = stores
                }
            }
            let merchantLines = lines.filter { skus[$0.skuId]?.merchantId == merchantId }
            let merchantSKUs = merchantLines.compactMap { skus[$0.skuId] }
            let levels = try await StockSnapshot.available(skus: merchantSKUs.compactMap(\.id), stores: eligible.map(\.id), on: db)
            let delisted = try await StockSnapshot.delistings(products: merchantSKUs.map(\.productId), on: db)
            let prices = try await PriceBook.inputs(for: merchantSKUs, storeId: pickupStore?.id, on: db)
            var views: [CartLineView] = []
            var pricedLines: [CartLine] = []
            for line in merchantLines {
                guard let sku = skus[line.skuId], let product = products[sku.productId] else { continue }
                let delistedStores = Set(delisted.filter { $0.productId == product.id }.map(\.storeId))
                let available = levels.filter { $0.skuId == sku.id && !delistedStores.contains($0.storeId) }
                    .reduce(0) { $0 + $1.available }
                var problems: [CartLineProblem] = []
                if !product.onSale { problems.append(.offShelf) }
                if !sku.enabled { problems.append(.skuDisabled) }
                if let pickupStore, delistedStores.contains(pickupStore.id) { problems.append(.delistedAtStore) }
                if available == 0 {
                    problems.append(mode == .pickup ? .insufficientAtStore : .outOfStockEverywhere)
                } else if available < line.quantity {
                    // Delivery may split across every store that reaches the address, so only
                    // their sum falling short makes the line unbuyable.
                    problems.append(mode == .pickup ? .insufficientAtStore : .shortOfStock)
                }
                guard let priceInputs = prices[sku.id!] else { continue }
                let quote = PriceResolver.resolve(priceInputs, storeId: pickupStore.map { StoreID($0.id) }, memberLevel: memberLevel, at: now)
                // Checked: a price stored before prices were capped must not trap the cart page
                // (and with it the server) of everyone who has the item in their cart.
                let lineTotal = try? Checked.lineTotal(unitPrice: quote.price.minorUnits, quantity: line.quantity)
                if lineTotal.map({ !(0...PricingEngine.maximumAmount).contains($0) }) ?? true { problems.append(.priceUnavailable) }
                views.append(CartLineView(skuId: sku.id!, productId: product.id!, title: product.title, specTitle: sku.specTitle,
                                          image: sku.imageURL ?? product.images.first, quantity: line.quantity, unitPriceFen: quote.price.minorUnits,
                                          lineTotalFen: problems.contains(.priceUnavailable) ? 0 : lineTotal ?? 0, available: available, problems: problems,
                                          priceExplanation: quote.steps))
                if problems.isEmpty {
                    pricedLines.append(CartLine(skuId: sku.id!, productId: product.id!, merchantId: MerchantID(merchantId),
                                                title: [product.title, sku.specTitle].filter { !$0.isEmpty }.joined(separator: " "), quantity: line.quantity,
                                                quote: quote, categoryId: product.categoryId, brandId: product.brandId))
                }
            }
            if !pricedLines.isEmpty {
                // A delivery's stores are chosen at checkout, so store-scoped promotions count
                // only for a chosen pickup store: the cart never promises what checkout may not give.
                pricing.append((groups.count, OrderGroup(merchantId: MerchantID(merchantId), storeId: StoreID(pickupStore?.id ?? Self.unknownStore),
                                                         fulfilment: .pickup, lines: pricedLines)))
            }
            groups.append(CartMerchantGroup(merchantId: merchantId, merchantName: merchants[merchantId]?.name ?? "", fulfilment: mode,
                                            addressId: addressId, storeId: pickupStore?.id, storeName: pickupStore?.name, lines: views,
                                            subtotalFen: try Checked.sum(views.filter(\.problems.isEmpty).map(\.lineTotalFen), "cart subtotal")))
        }
        var promotions: [CartPromotion] = []
        if let priced = try await PromotionCheckout.priceCart(pricing.map(\.order), memberId: cart.memberId, level: memberLevel, now: now, on: db) {
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
