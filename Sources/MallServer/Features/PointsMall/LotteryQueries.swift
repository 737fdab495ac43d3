import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Reads of lotteries: wheels with their prizes, a member's view of one, and draws.
enum LotteryQueries {
    /// Lotteries shoppers can see: switched on and not ended, in the order staff set.
    static func open(now: Date, on db: any Database) async throws -> [Lottery] {
        let models = try await LotteryModel.query(on: db).filter(\.$enabled == true)
            .group(.or) { $0.filter(\.$endsAt == nil).filter(\.$endsAt > now) }
            .sort(\.$sortOrder).sort(\.$createdAt, .descending).all()
        return try await lotteries(models, now: now, on: db)
    }

    static func all(page: PageRequest, now: Date, on db: any Database) async throws -> ListPage<Lottery> {
        let result = try await LotteryModel.query(on: db).sort(\.$sortOrder).sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await lotteries(result.items, now: now, on: db), page: result.page, per: result.per, total: result.total)
    }

    static func lotteries(_ models: [LotteryModel], now: Date, on db: any Database) async throws -> [Lottery] {
        guard !models.isEmpty else { return [] }
        let prizes = Dictionary(grouping: try await LotteryPrizeModel.query(on: db).filter(\.$lotteryId ~~ models.compactMap(\.id))
            .filter(\.$retired == false).sort(\.$position).all(), by: \.lotteryId)
        let all = prizes.values.flatMap { $0 }
        let skuIds = all.compactMap(\.skuId)
        let skus = skuIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ skuIds).all().map { ($0.id!, $0) })
        let productIds = skus.values.map(\.productId)
        let products = productIds.isEmpty ? [:]
            : Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ productIds).all().map { ($0.id!, $0.title) })
        let storeIds = all.compactMap(\.storeId)
        let stores = storeIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ storeIds).all().map { ($0.id!, $0.name) })
        return models.map { model in
            let wheel = prizes[model.id!] ?? []
            let chances = LotteryWheel.chanceBasisPoints(weights: wheel.map(\.weight))
            return Lottery(
                id: model.id!, name: model.name, description: model.description, costPoints: model.costPoints, dailyLimit: model.dailyLimit,
                startsAt: model.startsAt, endsAt: model.endsAt, enabled: model.enabled, sortOrder: model.sortOrder, availability: model.availability(at: now),
                tableVersion: model.tableVersion,
                prizes: wheel.enumerated().map { index, prize in
                    let sku = prize.skuId.flatMap { skus[$0] }
                    return LotteryPrize(
                        id: prize.id!, position: prize.position, name: prize.name, kind: prize.prizeKind, points: prize.points, skuId: prize.skuId,
                        skuTitle: sku.map { [products[$0.productId] ?? "", $0.specTitle].filter { !$0.isEmpty }.joined(separator: " ") },
                        storeId: prize.storeId, storeName: prize.storeId.flatMap { stores[$0] }, weight: prize.weight, chanceBasisPoints: chances[index],
                        stock: prize.stockTotal, remaining: prize.stockRemaining)
                },
                createdAt: model.createdAt, updatedAt: model.updatedAt)
        }
    }

    /// A lottery as a member (or a guest, with nil counts) sees it.
    static func view(lotteryId: UUID, memberId: UUID?, now: Date, on db: any Database) async throws -> LotteryView {
        guard let model = try await LotteryModel.find(lotteryId, on: db), model.enabled else { throw MallError.notFound("No such lottery.") }
        let lottery = try await lotteries([model], now: now, on: db)[0]
        let settings = try await SettingsService.resolved(on: db)
        let today = LocalTime.calendarDate(of: now, in: settings.timeZone).description
        guard let memberId else {
            return LotteryView(lottery: lottery, balance: nil, today: today, drawsToday: nil, remainingToday: nil, myDrawsToday: [])
        }
        let count = try await LotteryService.drawsOn(day: today, lotteryId: lotteryId, memberId: memberId, on: db)
        let mine = try await LotteryDrawModel.query(on: db).filter(\.$lotteryId == lotteryId).filter(\.$memberId == memberId)
            .filter(\.$day == today).sort(\.$createdAt, .descending).sort(\.$id).all()
        return LotteryView(lottery: lottery, balance: try await PointsService(db: db).balance(memberId: memberId), today: today, drawsToday: count,
                           remainingToday: max(0, model.dailyLimit - count), myDrawsToday: try await draws(mine, on: db))
    }

    /// Draws, newest first: one member's (any lottery), or one lottery's (staff), optionally one member's there.
    static func drawPage(lotteryId: UUID?, memberId: UUID?, page: PageRequest, on db: any Database) async throws -> ListPage<LotteryDraw> {
        var query = LotteryDrawModel.query(on: db)
        if let lotteryId { query = query.filter(\.$lotteryId == lotteryId) }
        if let memberId { query = query.filter(\.$memberId == memberId) }
        let result = try await query.sort(\.$createdAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await draws(result.items, on: db), page: result.page, per: result.per, total: result.total)
    }

    static func draws(_ models: [LotteryDrawModel], on db: any Database) async throws -> [LotteryDraw] {
        guard !models.isEmpty else { return [] }
        let names = Dictionary(uniqueKeysWithValues: try await LotteryModel.query(on: db).filter(\.$id ~~ Set(models.map(\.lotteryId))).all().map { ($0.id!, $0.name) })
        let orderIds = models.compactMap(\.orderId)
        let numbers = orderIds.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await OrderModel.query(on: db).filter(\.$id ~~ orderIds).all().map { ($0.id!, $0.number) })
        return models.map { model in
            LotteryDraw(
                id: model.id!, lotteryId: model.lotteryId, lotteryName: names[model.lotteryId] ?? "", memberId: model.memberId, day: model.day,
                tableVersion: model.tableVersion, random: model.random, drawnSlot: model.drawnSlot, drawnPrizeId: model.drawnPrizeId,
                landingSlot: model.landingSlot, prizeKind: LotteryPrizeKind(rawValue: model.prizeKind) ?? .nothing, prizeName: model.prizeName,
                points: model.points, orderId: model.orderId, orderNumber: model.orderId.flatMap { numbers[$0] },
                fallback: model.fallback.flatMap(LotteryFallback.init(rawValue:)), costPoints: model.costPoints, createdAt: model.createdAt)
        }
    }
}
