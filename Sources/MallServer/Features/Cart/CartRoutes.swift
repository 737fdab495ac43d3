import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The shopper's cart: a member's cart, or a guest cart held by a random token (header
/// `X-Cart-Token`) that is merged into the member's cart at sign-in.
struct CartRoutes: RouteCollection {
    static let tokenHeader = "X-Cart-Token"
    static let maxQuantity = 999
    static let maxLines = 100

    func boot(routes: any RoutesBuilder) throws {
        let cart = routes.grouped("cart")
        cart.get(use: show)
        cart.post("lines", use: addLine)
        cart.put("lines", ":skuId", use: setQuantity)
        cart.delete("lines", ":skuId", use: removeLine)
        cart.put("fulfilments", ":merchantId", use: setFulfilment)
        cart.post("merge", use: merge)
    }

    func show(req: Request) async throws -> Response {
        let (cart, token) = try await CartService.find(req, create: false)
        return try await respond(req, cart: cart, token: token)
    }

    func addLine(req: Request) async throws -> Response {
        let input = try req.content.decode(CartLineInput.self)
        try Self.checkQuantity(input.quantity)
        let added = try await CartService.add(skuId: input.skuId, quantity: input.quantity, owner: CartService.Owner(req.principal, headers: req.headers),
                                              now: req.now, on: req.db)
        return try await respond(req, cartId: added.cartId, memberId: added.memberId, token: added.token)
    }

    func setQuantity(req: Request) async throws -> Response {
        let input = try req.content.decode(CartQuantityInput.self)
        try Self.checkQuantity(input.quantity)
        let (cart, token) = try await CartService.find(req, create: false)
        guard let cart, let skuId = req.parameters.get("skuId", as: UUID.self),
              let line = try await CartLineModel.query(on: req.db).filter(\.$cartId == cart.id!).filter(\.$skuId == skuId).first()
        else { throw MallError.notFound("This item is not in the cart.") }
        line.quantity = input.quantity
        try await line.update(on: req.db)
        return try await respond(req, cart: cart, token: token)
    }

    func removeLine(req: Request) async throws -> Response {
        let (cart, token) = try await CartService.find(req, create: false)
        guard let cart, let skuId = req.parameters.get("skuId", as: UUID.self) else { throw MallError.notFound("This item is not in the cart.") }
        try await CartLineModel.query(on: req.db).filter(\.$cartId == cart.id!).filter(\.$skuId == skuId).delete()
        return try await respond(req, cart: cart, token: token)
    }

    /// Delivery needs one of the member's addresses; pickup a store of that merchant that offers it.
    func setFulfilment(req: Request) async throws -> Response {
        let input = try req.content.decode(FulfilmentInput.self)
        guard let merchantId = req.parameters.get("merchantId", as: UUID.self), try await MerchantModel.find(merchantId, on: req.db) != nil else {
            throw MallError.notFound("No such merchant.")
        }
        let (cart, token) = try await CartService.find(req, create: true)
        switch input.mode {
        case .delivery:
            if let addressId = input.addressId {
                guard case .member(let member) = req.principal,
                      try await MemberAddressModel.owned(by: member.memberId, on: req.db).filter(\.$id == addressId).first() != nil else {
                    throw ValidationFailure(field: "addressId", message: "is not one of your addresses")
                }
            }
        case .pickup:
            guard let storeId = input.storeId, let store = try await StoreModel.find(storeId, on: req.db), store.merchantId == merchantId,
                  store.kind == .store, store.status == .open, store.pickupEnabled else {
                throw ValidationFailure(field: "storeId", message: "must be an open store of this merchant that offers self-pickup")
            }
        }
        try await req.db.writeTransaction { db in
            let row = try await CartFulfilmentModel.query(on: db).filter(\.$cartId == cart!.id!).filter(\.$merchantId == merchantId).first()
                ?? CartFulfilmentModel()
            row.cartId = cart!.id!
            row.merchantId = merchantId
            row.mode = input.mode.rawValue
            row.addressId = input.mode == .delivery ? input.addressId : nil
            row.storeId = input.mode == .pickup ? input.storeId : nil
            try await row.save(on: db)
        }
        return try await respond(req, cart: cart, token: token)
    }

    func merge(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let input = try req.content.decode(CartMergeInput.self)
        try await CartService.merge(guestToken: input.guestToken, into: member.memberId, now: req.now, on: req.db)
        let (cart, _) = try await CartService.find(req, create: false)
        return try await respond(req, cart: cart, token: nil)
    }

    static func checkQuantity(_ quantity: Int) throws {
        guard (1...maxQuantity).contains(quantity) else {
            throw ValidationFailure(field: "quantity", message: "must be between 1 and \(maxQuantity)")
        }
    }

    private static func translated(_ promotion: CartPromotion, _ req: Request) -> CartPromotion {
        var promotion = promotion
        promotion.explanation = req.serverText(promotion.explanation)
        promotion.hint = promotion.hint.map(req.serverText)
        return promotion
    }

    private func respond(_ req: Request, cart: CartModel?, token: String?) async throws -> Response {
        try await respond(req, cartId: cart?.id, memberId: cart?.memberId, token: token)
    }

    private func respond(_ req: Request, cartId: UUID?, memberId: UUID?, token: String?) async throws -> Response {
        var view = try await CartService.view(cartId: cartId, memberId: memberId, app: req.application, on: req.db, now: req.now)
        view.guestToken = token
        view.promotions = view.promotions.map { Self.translated($0, req) }
        for index in view.groups.indices { view.groups[index].promotions = view.groups[index].promotions.map { Self.translated($0, req) } }
        let response = try Response.json(view)
        if let token { response.headers.replaceOrAdd(name: Self.tokenHeader, value: token) }
        return response
    }
}
