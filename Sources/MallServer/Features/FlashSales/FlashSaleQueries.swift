import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Reads of flash sales: the day's sessions for shoppers, sessions for staff, the live panel.
enum FlashSaleQueries {
    /// Sessions that overlap the shop's calendar day of `now` (ended ones included, so the day's
    /// schedule reads whole), earliest first. `priorityMinutes` is the signed-in member's head start.
    /// Goods not on sale (off the shelf, or their merchant suspended) are left out, and so is a
    /// session with nothing left to offer.
    static func today(priorityMinutes: Int?, now: Date, on db: any Database) async throws -> [FlashSession] {
        let settings = try await SettingsService.resolved(on: db)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = settings.timeZone
        let midnight = calendar.startOfDay(for: now)
        let tomorrow = midnight.addingTimeInterval(86_400)
        let models = try await FlashSessionModel.query(on: db).filter(\.$startsAt < tomorrow).filter(\.$endsAt > midnight)
            .sort(\.$startsAt).sort(\.$id).all()
        return try await sessions(models, priorityMinutes: priorityMinutes, onSaleOnly: true, now: now, on: db).filter { !$0.items.isEmpty }
    }

    /// Sessions for staff within their reach, newest start first.
    static func all(reach: AccessReach, page: PageRequest, now: Date, on db: any Database) async throws -> ListPage<FlashSession> {
        var query = FlashSessionModel.query(on: db)
        if case .limited(let merchants, _) = reach { query = query.filter(\.$merchantId ~~ merchants.map(\.rawValue)) }
        let result = try await query.sort(\.$startsAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await sessions(result.items, priorityMinutes: nil, now: now, on: db), page: result.page, per: result.per,
                        total: result.total)
    }

    /// `onSaleOnly` is the shoppers' view; staff see every item of their sessions.
    static func sessions(_ models: [FlashSessionModel], priorityMinutes: Int?, onSaleOnly: Bool = false, now: Date,
                         on db: any Database) async throws -> [FlashSession] {
        guard !models.isEmpty else { return [] }
        let items = try await FlashItemModel.query(on: db).filter(\.$sessionId ~~ models.compactMap(\.id)).sort(\.$position).all()
        let skus = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ items.map(\.skuId)).all().map { ($0.id!, $0) })
        let products = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ skus.values.map(\.productId)).all()
            .map { ($0.id!, $0) })
        let stores = Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ items.map(\.storeId)).all().map { ($0.id!, $0) })
        let bySession = Dictionary(grouping: items, by: \.sessionId)
        return models.map { session in
            let offered = (bySession[session.id!] ?? []).filter { item in
                !onSaleOnly || (skus[item.skuId].flatMap { products[$0.productId] }?.onSale ?? false)
            }.map { item in
                let sku = skus[item.skuId]
                let product = sku.flatMap { products[$0.productId] }
                return FlashItem(
                    id: item.id!, skuId: item.skuId, productId: sku?.productId ?? item.skuId,
                    title: [product?.title ?? "", sku?.specTitle ?? ""].filter { !$0.isEmpty }.joined(separator: " "), imageUrl: product?.images.first,
                    storeId: item.storeId, storeName: stores[item.storeId]?.name ?? "", listPriceFen: sku?.priceFen ?? item.flashPriceFen,
                    flashPriceFen: item.flashPriceFen, quota: item.quota, sold: item.sold, soldPercent: FlashSaleRules.soldPercent(quota: item.quota, sold: item.sold))
            }
            let phase = session.phase(at: now)
            let opensForMe = priorityMinutes.flatMap { minutes -> Date? in
                guard minutes > 0, phase == .upcoming else { return nil }
                return FlashSaleRules.opensAt(startsAt: session.startsAt, priorityMinutes: minutes)
            }
            return FlashSession(
                id: session.id!, merchantId: session.merchantId, title: session.title, startsAt: session.startsAt, endsAt: session.endsAt,
                endedAt: session.endedAt, perMemberLimit: session.perMemberLimit, phase: phase,
                countdownTo: FlashSaleRules.countdownTarget(startsAt: session.startsAt, endsAt: session.endsAt, endedAt: session.endedAt, now: now),
                opensForMeAt: opensForMe, items: offered)
        }
    }

    /// Live numbers for the console: per SKU the units held, the orders, the paid ones and their
    /// revenue (paid orders' payable), with what the gate still admits and its refusals.
    static func live(_ session: FlashSessionModel, gate: any FlashQuotaGate, now: Date, on db: any Database) async throws -> FlashSessionLive {
        let view = try await sessions([session], priorityMinutes: nil, now: now, on: db)[0]
        let purchases = try await FlashPurchaseModel.query(on: db).filter(\.$sessionId == session.id!).all()
        let orderIds = purchases.compactMap(\.orderId)
        let orders = orderIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await OrderModel.query(on: db).filter(\.$id ~~ orderIds).all().map { ($0.id!, $0) })
        var items: [FlashSessionLive.Item] = []
        for item in view.items {
            let mine = purchases.filter { $0.itemId == item.id }
            let paid = mine.compactMap { $0.orderId.flatMap { orders[$0] } }.filter { $0.paidAt != nil }
            items.append(FlashSessionLive.Item(
                skuId: item.skuId, title: item.title, quota: item.quota, sold: item.sold, quotaLeft: max(0, item.quota - item.sold),
                gateLeft: await gate.remaining(FlashGateKey(sessionId: session.id!, skuId: item.skuId)), orders: mine.count, paidOrders: paid.count,
                paidRevenueFen: try paid.reduce(Int64(0)) { try Checked.add($0, $1.payableFen, "revenue") }))
        }
        return FlashSessionLive(session: view, items: items, refusals: await gate.refusals(sessionId: session.id!))
    }

    /// The effect of an ended session: the paid orders of its purchases that kept their units,
    /// each with what the flash price saved against the regular price it was bought under,
    /// against the same stores' paid orders of the same length of time before it.
    static func summary(_ session: FlashSessionModel, now: Date, on db: any Database) async throws -> MarketingSummary {
        guard session.phase(at: now) == .ended else {
            throw MallError.conflict("The summary is ready once the flash sale has ended; its live numbers are under live.")
        }
        let endedAt = min(session.endedAt ?? session.endsAt, session.endsAt)
        let baselineFrom = session.startsAt.addingTimeInterval(-endedAt.timeIntervalSince(session.startsAt))
        let purchases = try await FlashPurchaseModel.query(on: db).filter(\.$sessionId == session.id!)
            .filter(\.$status == FlashPurchaseStatus.active.rawValue).all()
        let discounts = try purchases.compactMap { purchase -> (orderId: UUID, discountFen: Int64)? in
            guard let orderId = purchase.orderId else { return nil }
            return (orderId, try CampaignEffect.priceCutFen(regularFen: purchase.listPriceFen, campaignPriceFen: purchase.unitPriceFen, units: purchase.quantity))
        }
        let stores = Array(Set(try await FlashItemModel.query(on: db).filter(\.$sessionId == session.id!).all().map(\.storeId)))
        let effect = try await CampaignOrders.summarize(influenced: try await CampaignOrders.paid(discounts, on: db), merchantId: session.merchantId,
                                                        storeIds: stores, from: baselineFrom, to: session.startsAt, on: db)
        return MarketingSummary(campaignId: session.id!, startsAt: session.startsAt, endedAt: endedAt, baselineFrom: baselineFrom, effect: effect)
    }

    static func purchase(_ model: FlashPurchaseModel, on db: any Database) async throws -> FlashPurchase {
        let order = if let orderId = model.orderId { try await OrderModel.find(orderId, on: db) } else { OrderModel?.none }
        let item = try await FlashItemModel.find(model.itemId, on: db)
        return FlashPurchase(id: model.id!, sessionId: model.sessionId, skuId: item?.skuId ?? model.itemId, quantity: model.quantity,
                             unitPriceFen: model.unitPriceFen, status: model.status, orderId: model.orderId, orderNumber: order?.number,
                             createdAt: model.createdAt)
    }
}
