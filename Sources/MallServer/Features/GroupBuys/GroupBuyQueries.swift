import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Reads of group buying: activities and their open groups for shoppers, activities for staff,
/// one group with its members, the console's live numbers.
enum GroupBuyQueries {
    /// Activities running now, ending soonest first; those whose goods are not on sale (off the
    /// shelf, or their merchant suspended) are left out.
    static func running(now: Date, on db: any Database) async throws -> [GroupBuyActivity] {
        let models = try await GroupBuyActivityModel.query(on: db).filter(\.$startsAt <= now).filter(\.$endsAt > now).filter(\.$endedAt == nil)
            .sort(\.$endsAt).sort(\.$id).all()
        return try await activities(models, withGroups: false, onSaleOnly: true, now: now, on: db)
    }

    /// Groups still waiting for members, per activity (activities without any are absent).
    static func openGroupCounts(activityIds: [UUID], now: Date, on db: any Database) async throws -> [UUID: Int] {
        guard !activityIds.isEmpty else { return [:] }
        let open = try await GroupBuyGroupModel.query(on: db).filter(\.$activityId ~~ activityIds)
            .filter(\.$status == GroupBuyGroupStatus.open.rawValue).filter(\.$expiresAt > now).all()
        return Dictionary(grouping: open, by: \.activityId).mapValues(\.count)
    }

    /// The running activity offering a SKU, if any (the product page's group-price block).
    static func running(skuIds: [UUID], now: Date, on db: any Database) async throws -> GroupBuyActivity? {
        guard !skuIds.isEmpty else { return nil }
        guard let model = try await GroupBuyActivityModel.query(on: db).filter(\.$skuId ~~ skuIds).filter(\.$startsAt <= now).filter(\.$endsAt > now)
            .filter(\.$endedAt == nil).sort(\.$groupPriceFen).first() else { return nil }
        return try await activities([model], withGroups: false, onSaleOnly: true, now: now, on: db).first
    }

    /// Activities for staff within their reach, newest start first.
    static func all(reach: AccessReach, page: PageRequest, now: Date, on db: any Database) async throws -> ListPage<GroupBuyActivity> {
        var query = GroupBuyActivityModel.query(on: db)
        if case .limited(let merchants, _) = reach { query = query.filter(\.$merchantId ~~ merchants.map(\.rawValue)) }
        let result = try await query.sort(\.$startsAt, .descending).sort(\.$id).page(page) { $0 }
        return ListPage(items: try await activities(result.items, withGroups: false, now: now, on: db), page: result.page, per: result.per,
                        total: result.total)
    }

    /// `onSaleOnly` is the shoppers' list; staff and a shared group's page see every activity.
    static func activities(_ models: [GroupBuyActivityModel], withGroups: Bool, onSaleOnly: Bool = false, now: Date,
                           on db: any Database) async throws -> [GroupBuyActivity] {
        guard !models.isEmpty else { return [] }
        let skus = Dictionary(uniqueKeysWithValues: try await SKUModel.query(on: db).filter(\.$id ~~ models.map(\.skuId)).all().map { ($0.id!, $0) })
        let products = Dictionary(uniqueKeysWithValues: try await ProductModel.query(on: db).filter(\.$id ~~ skus.values.map(\.productId)).all()
            .map { ($0.id!, $0) })
        let stores = Dictionary(uniqueKeysWithValues: try await StoreModel.query(on: db).filter(\.$id ~~ models.map(\.storeId)).all().map { ($0.id!, $0) })
        let groupsByActivity = withGroups ? try await openGroups(activityIds: models.compactMap(\.id), now: now, on: db) : [:]
        var result: [GroupBuyActivity] = []
        for activity in models {
            let sku = skus[activity.skuId]
            let product = sku.flatMap { products[$0.productId] }
            if onSaleOnly, product?.onSale != true { continue }
            let openGroups = withGroups ? groupsByActivity[activity.id!] ?? [] : nil
            result.append(GroupBuyActivity(
                id: activity.id!, merchantId: activity.merchantId, title: activity.title, skuId: activity.skuId, productId: sku?.productId ?? activity.skuId,
                productTitle: [product?.title ?? "", sku?.specTitle ?? ""].filter { !$0.isEmpty }.joined(separator: " "), imageUrl: product?.images.first,
                storeId: activity.storeId, storeName: stores[activity.storeId]?.name ?? "", listPriceFen: sku?.priceFen ?? activity.groupPriceFen,
                groupPriceFen: activity.groupPriceFen, groupSize: activity.groupSize, timeLimitMinutes: activity.timeLimitMinutes,
                perMemberLimit: activity.perMemberLimit, virtualFill: activity.virtualFill, startsAt: activity.startsAt, endsAt: activity.endsAt,
                endedAt: activity.endedAt, phase: activity.phase(at: now), onSale: product?.onSale == true, openGroups: openGroups))
        }
        return result
    }

    /// The 20 groups of each activity closest to expiry that still wait for members, in four
    /// statements however many activities are shown.
    private static func openGroups(activityIds: [UUID], now: Date, on db: any Database) async throws -> [UUID: [GroupBuyGroupView]] {
        guard !activityIds.isEmpty else { return [:] }
        let ids = try await db.sql.raw("""
            SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY activity_id ORDER BY expires_at, id) AS position FROM group_buy_groups
                WHERE activity_id IN (\(binds: activityIds)) AND status = \(bind: GroupBuyGroupStatus.open.rawValue) AND expires_at > \(bind: now)
            ) ranked WHERE position <= 20
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [:] }
        let groups = try await GroupBuyGroupModel.query(on: db).filter(\.$id ~~ ids).sort(\.$expiresAt).sort(\.$id).all()
        return Dictionary(grouping: try await views(groups, now: now, on: db), by: \.activityId)
    }

    static func group(_ id: UUID, now: Date, on db: any Database) async throws -> GroupBuyGroupView {
        guard let group = try await GroupBuyGroupModel.find(id, on: db) else { throw MallError.notFound("No such group.") }
        return try await views([group], now: now, on: db)[0]
    }

    /// Groups with their members (slots held or paid, opener first), masked for everyone to see.
    static func views(_ groups: [GroupBuyGroupModel], now: Date, on db: any Database) async throws -> [GroupBuyGroupView] {
        guard !groups.isEmpty else { return [] }
        let shown = [GroupBuyMemberStatus.pending, .paid, .refunded].map(\.rawValue)
        let rows = try await GroupBuyMemberModel.query(on: db).filter(\.$groupId ~~ groups.compactMap(\.id)).filter(\.$status ~~ shown)
            .sort(\.$joinedAt).all()
        let people = Dictionary(uniqueKeysWithValues: try await MemberModel.query(on: db).filter(\.$id ~~ rows.map(\.memberId)).all().map { ($0.id!, $0) })
        let byGroup = Dictionary(grouping: rows, by: \.groupId)
        return groups.map { group in
            var members = (byGroup[group.id!] ?? []).sorted { $0.opener && !$1.opener }.map { row in
                let nickname = people[row.memberId]?.nickname ?? ""
                return GroupBuyMember(name: ReviewRules.maskedName(nickname), initial: nickname.trimmingWhitespace().first.map { String($0) } ?? "?",
                                      avatarUrl: people[row.memberId]?.avatarURL, opener: row.opener,
                                      paid: row.status != GroupBuyMemberStatus.pending.rawValue, virtual: false)
            }
            // Virtual members have no name: pages show them with their own word.
            members += Array(repeating: GroupBuyMember(name: "", initial: "", avatarUrl: nil, opener: false, paid: true, virtual: true),
                             count: group.virtualMembers)
            let open = group.status == GroupBuyGroupStatus.open.rawValue
            return GroupBuyGroupView(
                id: group.id!, activityId: group.activityId, status: GroupBuyGroupStatus(rawValue: group.status) ?? .open, size: group.size,
                joined: group.joined, paid: group.paid, slotsLeft: open ? max(0, group.size - group.joined) : 0, openedAt: group.openedAt,
                expiresAt: group.expiresAt, secondsLeft: open ? max(0, Int(group.expiresAt.timeIntervalSince(now).rounded(.up))) : 0,
                members: members, sharePath: "/group-buys/groups/\(group.id!.uuidString)")
        }
    }

    /// Live numbers for the console: groups by state, participants, paid orders, and what the
    /// filled groups brought in and gave away.
    static func live(_ activity: GroupBuyActivityModel, now: Date, on db: any Database) async throws -> GroupBuyLive {
        let view = try await activities([activity], withGroups: false, now: now, on: db)[0]
        let groups = try await GroupBuyGroupModel.query(on: db).filter(\.$activityId == activity.id!).all()
        let rows = try await GroupBuyMemberModel.query(on: db).filter(\.$activityId == activity.id!).all()
        let filledIds = Set(groups.filter { $0.status == GroupBuyGroupStatus.filled.rawValue }.compactMap(\.id))
        let paidInFilled = rows.filter { filledIds.contains($0.groupId) && $0.status == GroupBuyMemberStatus.paid.rawValue }
        let orderIds = paidInFilled.compactMap(\.orderId)
        let orders = orderIds.isEmpty ? [] : try await OrderModel.query(on: db).filter(\.$id ~~ orderIds).all()
        let revenue = try orders.reduce(Int64(0)) { try Checked.add($0, $1.payableFen, "revenue") }
        let discount = try Checked.sum(try paidInFilled.map {
            try CampaignEffect.priceCutFen(regularFen: $0.listPriceFen, campaignPriceFen: activity.groupPriceFen, units: 1)
        }, "group-buy discount")
        let count = { (status: GroupBuyGroupStatus) in groups.filter { $0.status == status.rawValue }.count }
        let live = [GroupBuyMemberStatus.pending, .paid].map(\.rawValue)
        return GroupBuyLive(
            activity: view, groupsOpened: groups.count, groupsOpen: count(.open), groupsFilled: count(.filled), groupsFailed: count(.failed),
            participants: Set(rows.filter { live.contains($0.status) }.map(\.memberId)).count,
            paidOrders: rows.filter { $0.status == GroupBuyMemberStatus.paid.rawValue }.count, revenueFen: revenue, discountFen: discount,
            conversionPercent: GroupBuyRules.fillPercent(opened: groups.count, filled: count(.filled)))
    }

    /// The effect of an ended activity: the paid orders of the groups that filled, each with what
    /// the group price saved against the regular price the member joined under, against the
    /// store's paid orders of the same length of time before it. Failed groups' orders were
    /// refunded in full, so they are left out rather than counted as orders worth nothing.
    static func summary(_ activity: GroupBuyActivityModel, now: Date, on db: any Database) async throws -> MarketingSummary {
        guard activity.phase(at: now) == .ended else {
            throw MallError.conflict("The summary is ready once the group buy has ended; its live numbers are under live.")
        }
        let endedAt = activity.closesAt
        let baselineFrom = activity.startsAt.addingTimeInterval(-endedAt.timeIntervalSince(activity.startsAt))
        let filled = try await GroupBuyGroupModel.query(on: db).filter(\.$activityId == activity.id!)
            .filter(\.$status == GroupBuyGroupStatus.filled.rawValue).all().compactMap(\.id)
        let rows = filled.isEmpty ? [] : try await GroupBuyMemberModel.query(on: db).filter(\.$groupId ~~ filled)
            .filter(\.$status == GroupBuyMemberStatus.paid.rawValue).all()
        let discounts = try rows.compactMap { row -> (orderId: UUID, discountFen: Int64)? in
            guard let orderId = row.orderId else { return nil }
            return (orderId, try CampaignEffect.priceCutFen(regularFen: row.listPriceFen, campaignPriceFen: activity.groupPriceFen, units: 1))
        }
        let effect = try await CampaignOrders.summarize(influenced: try await CampaignOrders.paid(discounts, on: db), merchantId: activity.merchantId,
                                                        storeIds: [activity.storeId], from: baselineFrom, to: activity.startsAt, on: db)
        return MarketingSummary(campaignId: activity.id!, startsAt: activity.startsAt, endedAt: endedAt, baselineFrom: baselineFrom, effect: effect)
    }
}
