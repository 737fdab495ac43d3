import Foundation
import MallAPI
import MallCore
import Vapor

/// The storefront's shop page (`/merchants/{id}`): logo, description, rating, followers with the
/// follow button (`/js/merchant-shop.js`), its goods a page at a time, and its stores with a map link.
struct MerchantShopPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("merchants", ":merchantId", use: page)
        routes.get("member", "shops", use: followed)
    }

    struct FollowedShop: Encodable, Sendable {
        let href: String
        let name: String
        let logoUrl: String?
        let summary: String
    }

    struct FollowedData: Encodable, Sendable {
        let shops: [FollowedShop]
    }

    /// The member centre's "my followed shops".
    func followed(req: Request) async throws -> Response {
        guard let member = req.signedInMemberId else {
            return req.redirect(to: "/login" + StorefrontRoutes.queryString(["next": req.url.path]))
        }
        let shops = try await MerchantShopService(db: req.db).followed(by: member).map { shop in
            FollowedShop(href: "/merchants/\(shop.id)", name: shop.name, logoUrl: shop.logoUrl,
                         summary: req.message("shop_counts", ["products": String(shop.productCount), "reviews": String(shop.reviewCount)]))
        }
        return try await req.renderPage("storefront/my-shops", title: req.message("shop_mine"), data: FollowedData(shops: shops))
    }

    struct StoreLine: Encodable, Sendable {
        let name: String
        let address: String
        let phone: String
        let mapHref: String
    }

    struct PageData: Encodable, Sendable {
        let id: UUID
        let name: String
        let logoUrl: String?
        let description: String?
        let rating: String?
        let counts: String
        let followers: String
        let followed: Bool
        let signedIn: Bool
        let loginHref: String
        let products: [ProductCard]
        let stores: [StoreLine]
        let page: Int
        let pages: Int
        let previous: String?
        let next: String?
    }

    func page(req: Request) async throws -> Response {
        let id = try req.pathId("merchantId", notFound: "No such shop.")
        let member: UUID? = if case .member(let principal) = req.principal { principal.memberId } else { nil }
        let shop = try await MerchantShopService(db: req.db).shop(id, member: member)
        var search = ProductSearch()
        search.merchantId = id
        search.sort = .sales
        search.page = PageRequest(page: max(1, min(500, req.query[Int.self, at: "page"] ?? 1)), per: 24)
        search.marketingAt = req.now
        let result = try await search.run(on: req.db)
        let pages = max(1, (result.total + result.per - 1) / result.per)
        let path = "/merchants/\(id)"
        func link(_ page: Int) -> String { page > 1 ? path + "?page=\(page)" : path }
        let data = PageData(
            id: id, name: shop.name, logoUrl: shop.logoUrl, description: shop.description,
            rating: shop.rating.map { String(format: "%.1f", $0) },
            counts: req.message("shop_counts", ["products": String(shop.productCount), "reviews": String(shop.reviewCount)]),
            followers: req.message("shop_followers", ["n": String(shop.followerCount)]), followed: shop.followedByMe ?? false,
            signedIn: member != nil, loginHref: "/login" + StorefrontRoutes.queryString(["next": path]),
            products: result.items.map { ProductCard($0, req) },
            stores: shop.stores.map { store in
                StoreLine(name: store.name, address: store.address, phone: store.phone,
                          mapHref: "https://uri.amap.com/marker?position=\(store.longitude),\(store.latitude)&name="
                            + (store.name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""))
            },
            page: result.page, pages: pages, previous: result.page > 1 ? link(result.page - 1) : nil,
            next: result.page < pages ? link(result.page + 1) : nil)
        return try await req.renderPage("storefront/merchant-shop", title: shop.name, data: data)
    }
}
