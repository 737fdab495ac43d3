import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// A merchant's public shop: its face (logo, description), its rating from its goods' reviews,
/// its open stores, and members following it. Only active merchants have a shop to show.
struct MerchantShopService {
    let db: any Database

    func shop(_ merchantId: UUID, member: UUID?) async throws -> MerchantShop {
        guard let merchant = try await MerchantModel.find(merchantId, on: db), merchant.status == .active else {
            throw MallError.notFound("No such shop.")
        }
        // The same goods the storefront lists: approved, on the shelf, merchant trading. PostgreSQL
        // sums BIGINT columns to NUMERIC; the casts keep both databases answering integers.
        let totals = try await db.sql.raw("""
            SELECT COUNT(*) AS products, CAST(COALESCE(SUM(review_count), 0) AS BIGINT) AS reviews,
                   CAST(COALESCE(SUM(review_star_total), 0) AS BIGINT) AS stars
            FROM products WHERE merchant_id = \(bind: merchantId) AND on_shelf = \(bind: true) AND status = 'approved'
              AND merchant_suspended_at IS NULL
            """).first()
        let products = try totals?.decode(column: "products", as: Int.self) ?? 0
        let reviews = try totals?.decode(column: "reviews", as: Int.self) ?? 0
        let stars = try totals?.decode(column: "stars", as: Int.self) ?? 0
        let stores = try await StoreModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$status == .open)
            .filter(\.$kind == .store).sort(\.$code).all()
        let followers = try await MerchantFollowModel.query(on: db).filter(\.$merchantId == merchantId).count()
        var followed: Bool?
        if let member {
            followed = try await MerchantFollowModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$memberId == member).count() > 0
        }
        return MerchantShop(
            id: merchantId, name: merchant.name, logoUrl: merchant.logoURL, description: merchant.shopDescription,
            rating: reviews > 0 ? (Double(stars) / Double(reviews) * 10).rounded() / 10 : nil, reviewCount: reviews,
            productCount: products, followerCount: followers, followedByMe: followed,
            stores: stores.map { ShopStore(id: $0.id!, name: $0.name, address: "\($0.province)\($0.city)\($0.district)\($0.address)",
                                           latitude: $0.latitude, longitude: $0.longitude, phone: $0.phone) })
    }

    /// Following twice is following once; the unique index settles two taps at once.
    func follow(_ merchantId: UUID, member: UUID, now: Date) async throws {
        guard let merchant = try await MerchantModel.find(merchantId, on: db), merchant.status == .active else {
            throw MallError.notFound("No such shop.")
        }
        guard try await MerchantFollowModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$memberId == member).count() == 0 else { return }
        do {
            try await MerchantFollowModel(merchantId: merchantId, memberId: member, createdAt: now).create(on: db)
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            return
        }
    }

    func unfollow(_ merchantId: UUID, member: UUID) async throws {
        try await MerchantFollowModel.query(on: db).filter(\.$merchantId == merchantId).filter(\.$memberId == member).delete()
    }

    /// The member's followed shops, most recently followed first.
    func followed(by member: UUID) async throws -> [MerchantShop] {
        let follows = try await MerchantFollowModel.query(on: db).filter(\.$memberId == member).sort(\.$createdAt, .descending).all()
        var shops: [MerchantShop] = []
        for follow in follows {
            if let shop = try? await shop(follow.merchantId, member: member) { shops.append(shop) }
        }
        return shops
    }

    /// The merchant's own words and logo; the logo must be an image the merchant uploaded.
    func setFace(_ merchantId: UUID, _ input: MerchantShopInput, audit: AuditRecorder) async throws -> MerchantModel {
        var errors = FieldErrorCollector()
        let description = input.description.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }.flatMap { raw in
            errors.collect { try TextRule.check(raw, field: "description", max: 1_000) }
        }
        var chosenLogo: String?
        if let raw = input.logoUrl?.trimmingWhitespace(), !raw.isEmpty {
            let key = raw.hasPrefix("/files/") ? String(raw.dropFirst("/files/".count)) : ""
            var uploaded = false
            if raw.count <= 600, !key.isEmpty {
                uploaded = try await MediaFileModel.query(on: db).filter(\.$key == key).filter(\.$merchantId == merchantId).count() > 0
            }
            if uploaded { chosenLogo = raw } else { errors.add("logoUrl", "must be an image this merchant uploaded (/files/img/…)") }
        }
        try errors.throwIfAny()
        let logo = chosenLogo
        return try await db.writeTransaction { tx in
            guard let merchant = try await MerchantModel.find(merchantId, on: tx) else { throw MallError.notFound("No such merchant.") }
            let before = MerchantShopInput(description: merchant.shopDescription, logoUrl: merchant.logoURL)
            merchant.shopDescription = description
            merchant.logoURL = logo
            try await merchant.update(on: tx)
            try await audit.record(on: tx, action: "merchant.shop", owner: .merchant(merchant.merchantID), targetType: "merchant",
                                   targetId: merchantId.uuidString, before: before, after: MerchantShopInput(description: description, logoUrl: logo))
            return merchant
        }
    }
}
