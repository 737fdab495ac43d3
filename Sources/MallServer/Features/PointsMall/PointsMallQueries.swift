import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Reads of the points mall: item lists for shoppers and staff, one item with the stores that
/// have it, and exchanges.
enum PointsMallQueries {
    /// Items on offer or coming (switched on, not ended), in the order staff set; with the
    /// member's own counts when `memberId` is given. Goods off the shelf or of a suspended
    /// merchant are left out, as everywhere shoppers browse.
    static func catalogue(memberId: UUID?, page: PageRequest, now: Date, on db: any Database) async throws -> ListPage<PointsMallItem> {
        let query = PointsMallItemModel.query(on: db).filter(\.$enabled == true)
            .group(.or) { $0.filter(\.$endsAt == nil).filter(\.$endsAt > now) }
            .filter(.sql(unsafeRaw: """
                (points_mall_items.sku_id IS NULL OR EXISTS (SELECT 1 FROM skus s JOIN products p ON p.id = s.product_id
                 WHERE s.id = points_mall_items.sku_id AND p.on_shelf AND p.merchant_suspended_at IS NULL))
                """))
            .sort(\.$sortOrder).sort(\.$createdAt, .descending).sort(\.$id)
        let result = try await query.page(page) { $0 }
        return ListPage(items: try await items(result.items, memberId: memberId, now: now, on: db), page: result.page, per: result.per, total: result.total)
    }

    /// Every item, for staff: `enabled` filters on or off; newest first unless sorted.
    static func all(page: PageRequest, enabled: Bool?, sort: ListSort?, now: Date, on db: any Database) async throws -> ListPage<PointsMallItem> {
        var query = PointsMallItemModel.query(on: db)
        if let enabled { query = query.filter(\.$enabled == enabled) }
        let result = try await query.sort(sort).sort(\.$sortOrder).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await items(result.items, memberId: nil, now: now, on: db), page: result.page, per: result.per, total: result.total)
    }

    static func items(_ models: [PointsMallItemModel], memberId: UUID?, now: Date, on db: any Database) async throws -> [PointsMallItem] {
        let skuIds = models.compactMap(\.skuId)
        let skus = skuIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ skuIds).all().map { ($0.id!, $0) })
        let productIds = skus.values.map(\.productId)
        let products = productIds.isEmpty ? [:]
            : Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ productIds).all().map { ($0.id!, $0) })
        var mine: [UUID: Int] = [:]
        if let memberId, !models.isEmpty {
            for count in try await PointsMallMemberCountModel.query(on: db).filter(\.$memberId == memberId).filter(\.$itemId ~~ models.compactMap(\.id)).all() {
                mine[count.itemId] = count.redeemed
            }
        }
        return models.map { item in
            let sku = item.skuId.flatMap { skus[$0] }
            let product = sku.flatMap { products[$0.productId] }
            let redeemed = memberId.map { _ in mine[item.id!] ?? 0 }
            return PointsMallItem(
                id: item.id!, kind: item.itemKind, title: item.title, description: item.description,
                imageUrl: item.imageUrl ?? product?.images.first, skuId: item.skuId, productId: product?.id, merchantId: sku?.merchantId,
                skuTitle: product.map { [$0.title, sku?.specTitle ?? ""].filter { !$0.isEmpty }.joined(separator: " ") }, listPriceFen: sku?.priceFen,
                couponTemplateId: item.couponTemplateId, pricePoints: item.pricePoints, cashFen: item.cashFen, stock: item.stockTotal,
                remaining: item.stockRemaining, perMemberLimit: item.perMemberLimit, startsAt: item.startsAt, endsAt: item.endsAt, enabled: item.enabled,
                sortOrder: item.sortOrder, availability: item.availability(at: now), myRedeemed: redeemed,
                myRemaining: redeemed.flatMap { PointsMallRules.remainingLimit(perMember: item.perMemberLimit, redeemed: $0) },
                createdAt: item.createdAt, updatedAt: item.updatedAt)
        }
    }

    /// One item with the open stores of its SKU's merchant and what each has of it (pickup
    /// stores first, most stock first).
    static func detail(itemId: UUID, memberId: UUID?, now: Date, directory: StoreDirectory, on db: any Database) async throws -> PointsMallItemDetail {
        guard let model = try await PointsMallItemModel.find(itemId, on: db) else { throw MallError.notFound("No such points-mall item.") }
        let item = try await items([model], memberId: memberId, now: now, on: db)[0]
        var stores: [PointsMallStoreOption] = []
        if let skuId = model.skuId, let merchantId = item.merchantId, let productId = item.productId {
            let entries = try await directory.stores(of: merchantId, on: db).filter { $0.status == .open }
            let levels = try await StockSnapshot.available(skus: [skuId], stores: entries.map(\.id), on: db)
            let delisted = Set(try await StockSnapshot.delistings(products: [productId], on: db).map(\.storeId))
            stores = entries.filter { !delisted.contains($0.id) }.map { entry in
                PointsMallStoreOption(storeId: entry.id, name: entry.name, address: entry.district + entry.address,
                                      available: levels.first { $0.storeId == entry.id }?.available ?? 0,
                                      pickupEnabled: entry.kind == .store && entry.pickupEnabled)
            }
            .filter { $0.available > 0 }
            .sorted { ($0.pickupEnabled ? 0 : 1, -$0.available, $0.name) < ($1.pickupEnabled ? 0 : 1, -$1.available, $1.name) }
        }
        let balance = if let memberId { try await PointsService(db: db).balance(memberId: memberId) } else { Int64?.none }
        return PointsMallItemDetail(item: item, stores: stores, balance: balance)
    }

    /// Exchanges, newest first: one member's, or (staff) filtered by item and member.
    static func redemptionPage(memberId: UUID?, itemId: UUID?, page: PageRequest, on db: any Database) async throws -> ListPage<PointsMallRedemption> {
        var query = PointsMallRedemptionModel.query(on: db)
        if let memberId { query = query.filter(\.$memberId == memberId) }
        if let itemId { query = query.filter(\.$itemId == itemId) }
        let result = try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await redemptions(result.items, on: db), page: result.page, per: result.per, total: result.total)
    }

    static func redemptions(_ models: [PointsMallRedemptionModel], on db: any Database) async throws -> [PointsMallRedemption] {
        guard !models.isEmpty else { return [] }
        let items = Dictionary(uniqueKeysWithValues: try await PointsMallItemModel.query(on: db).filter(\.$id ~~ Set(models.map(\.itemId))).all().map { ($0.id!, $0) })
        let orderIds = models.compactMap(\.orderId)
        let orders = orderIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await OrderModel.query(on: db).filter(\.$id ~~ orderIds).all().map { ($0.id!, $0) })
        let storeIds = Set(orders.values.map(\.storeId))
        let stores = storeIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ storeIds).all().map { ($0.id!, $0.name) })
        return models.map { model in
            let order = model.orderId.flatMap { orders[$0] }
            return PointsMallRedemption(
                id: model.id!, itemId: model.itemId, itemTitle: items[model.itemId]?.title ?? "", memberId: model.memberId, quantity: model.quantity,
                points: model.points, cashFen: model.cashFen, status: RedemptionStatus(rawValue: model.status) ?? .active, orderId: order?.id,
                orderNumber: order?.number, orderStatus: order.flatMap { OrderStatus(rawValue: $0.status) }, storeName: order.flatMap { stores[$0.storeId] },
                fulfilment: order.flatMap { OrderFulfilmentKind(rawValue: $0.fulfilment) }, createdAt: model.createdAt, returnedAt: model.returnedAt)
        }
    }
}
