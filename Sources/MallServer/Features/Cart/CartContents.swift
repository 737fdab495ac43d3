import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// What a cart view prices and checks, in two statements whatever the cart holds: the lines with
/// their SKU, product, merchant and chosen fulfilment; then, for those lines, stock, store
/// delistings, the price book and the member's addresses and level. Stores come from the
/// in-memory `StoreDirectory`. Checkout plans from the same view, so both price a line alike.
struct CartContents: Sendable {
    struct Line: Sendable {
        let skuId: UUID
        let quantity: Int
        let productId: UUID
        let merchantId: UUID
        let specTitle: String
        let skuImage: String?
        let enabled: Bool
        let basePriceFen: Int64
        let title: String
        let images: [String]
        let onSale: Bool
        let categoryId: UUID
        let brandId: UUID?
    }

    struct Merchant: Sendable {
        let name: String
        let code: String
        let mode: FulfilmentMode
        let addressId: UUID?
        let storeId: UUID?
    }

    struct Address: Sendable {
        let id: UUID
        let location: GeoPoint?
        let isDefault: Bool
    }

    /// Everything the lines need beside themselves.
    struct Facts: Sendable {
        var stock: [StockSnapshot.Available] = []
        var delisted: [StockSnapshot.Delisting] = []
        var prices = PriceBook.Rows()
        var addresses: [Address] = []
        var memberLevel: String?
    }

    /// In the order the shopper added them.
    let lines: [Line]
    let merchants: [UUID: Merchant]

    static func lines(cartId: UUID, on db: any Database) async throws -> CartContents {
        let rows = try await db.sql.raw("""
            SELECT l.sku_id, l.quantity, s.product_id, s.merchant_id, s.spec_title, s.image_url, s.enabled, s.price_fen,
                   p.title, p.images, p.on_shelf, p.merchant_suspended_at, p.category_id, p.brand_id,
                   m.name AS merchant_name, m.code AS merchant_code, f.mode, f.address_id, f.store_id
            FROM cart_lines l JOIN skus s ON s.id = l.sku_id JOIN products p ON p.id = s.product_id
            LEFT JOIN merchants m ON m.id = s.merchant_id
            LEFT JOIN cart_fulfilments f ON f.cart_id = l.cart_id AND f.merchant_id = s.merchant_id
            WHERE l.cart_id = \(bind: cartId) ORDER BY l.added_at, l.slot
            """).all()
        var lines: [Line] = []
        var merchants: [UUID: Merchant] = [:]
        for row in rows {
            let merchantId = try row.decode(column: "merchant_id", as: UUID.self)
            let imagesJSON = try row.decode(column: "images", as: String.self)
            lines.append(Line(
                skuId: try row.decode(column: "sku_id", as: UUID.self), quantity: try row.decode(column: "quantity", as: Int.self),
                productId: try row.decode(column: "product_id", as: UUID.self), merchantId: merchantId,
                specTitle: try row.decode(column: "spec_title", as: String.self), skuImage: try row.decode(column: "image_url", as: String?.self),
                enabled: try row.decode(column: "enabled", as: Bool.self), basePriceFen: try row.decode(column: "price_fen", as: Int64.self),
                title: try row.decode(column: "title", as: String.self),
                images: (try? JSONDecoder().decode([String].self, from: Data(imagesJSON.utf8))) ?? [],
                onSale: try row.decode(column: "on_shelf", as: Bool.self) && (try row.decode(column: "merchant_suspended_at", as: Date?.self)) == nil,
                categoryId: try row.decode(column: "category_id", as: UUID.self), brandId: try row.decode(column: "brand_id", as: UUID?.self)))
            if merchants[merchantId] == nil {
                merchants[merchantId] = Merchant(
                    name: try row.decode(column: "merchant_name", as: String?.self) ?? "", code: try row.decode(column: "merchant_code", as: String?.self) ?? "",
                    mode: FulfilmentMode(rawValue: try row.decode(column: "mode", as: String?.self) ?? "") ?? .delivery,
                    addressId: try row.decode(column: "address_id", as: UUID?.self), storeId: try row.decode(column: "store_id", as: UUID?.self))
            }
        }
        return CartContents(lines: lines, merchants: merchants)
    }

    /// One statement of parts (`SQLUnionParts`).
    /// `stores` are where stock counts; `priceStores` the chosen pickup stores whose own prices apply.
    func facts(stores: [UUID], priceStores: [UUID], memberId: UUID?, on db: any Database) async throws -> Facts {
        let skuIds = Array(Set(lines.map(\.skuId)))
        let productIds = Array(Set(lines.map(\.productId)))
        guard !skuIds.isEmpty else { return Facts() }
        var parts = SQLUnionParts(slots: PriceBook.slots + [("x", "DOUBLE PRECISION"), ("y", "DOUBLE PRECISION"), ("flag", "BOOLEAN")])
        parts.add("d", ["a": "product_id", "b": "store_id"], from: "product_store_delistings WHERE product_id IN (\(binds: productIds))")
        PriceBook.addParts(to: &parts, skuIds: skuIds, stores: priceStores)
        if !stores.isEmpty {
            parts.add("s", ["a": "sku_id", "b": "store_id", "n1": "on_hand", "n2": "reserved"],
                      from: "stock_levels WHERE sku_id IN (\(binds: skuIds)) AND store_id IN (\(binds: stores))")
        }
        if let memberId {
            parts.add("a", ["a": "id", "x": "latitude", "y": "longitude", "flag": "is_default"], from: "member_addresses WHERE member_id = \(bind: memberId)")
            parts.add("v", ["t": "level"], from: "members WHERE id = \(bind: memberId)")
        }
        var facts = Facts()
        for row in try await parts.rows(on: db) {
            if try facts.prices.take(row) { continue }
            let a = try row.decode(column: "a", as: UUID?.self)
            switch try row.decode(column: "part", as: String.self) {
            case "s":
                guard let a, let b = try row.decode(column: "b", as: UUID?.self) else { continue }
                let onHand = try row.decode(column: "n1", as: Int.self), reserved = try row.decode(column: "n2", as: Int.self)
                facts.stock.append(StockSnapshot.Available(skuId: a, storeId: b, available: max(0, onHand - reserved)))
            case "d":
                guard let a, let b = try row.decode(column: "b", as: UUID?.self) else { continue }
                facts.delisted.append(StockSnapshot.Delisting(productId: a, storeId: b))
            case "a":
                guard let a else { continue }
                let latitude = try row.decode(column: "x", as: Double?.self), longitude = try row.decode(column: "y", as: Double?.self)
                facts.addresses.append(Address(id: a, location: latitude.flatMap { lat in longitude.map { GeoPoint(latitude: lat, longitude: $0) } },
                                               isDefault: try row.decode(column: "flag", as: Bool.self)))
            case "v":
                facts.memberLevel = try row.decode(column: "t", as: String?.self)
            default:
                continue
            }
        }
        return facts
    }
}
