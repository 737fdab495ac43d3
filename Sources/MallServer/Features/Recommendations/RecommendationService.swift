import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Item-to-item neighbours (买了又买 from paid orders, 看了又看 from a visitor's views of a day),
/// recomputed by a job into `product_similarities`; the product page's rows read them in one
/// statement, and 猜你喜欢 crosses a member's history with them.
struct RecommendationService {
    let app: Application
    let db: any Database

    enum Kind: String, CaseIterable {
        case coPurchase = "co_purchase"
        case coView = "co_view"
    }

    static let recomputeJob = "recommendations.recompute"
    static let options = SimilarityOptions(maxBasket: 30, minSupport: 2, shrink: 3, neighbours: 20)
    /// Orders older than this say little about today's range.
    static let orderWindow: TimeInterval = 365 * 86_400
    /// Views are kept this long, and at most this many per visitor.
    static let viewRetention: TimeInterval = 90 * 86_400
    static let viewsPerVisitor = 200
    /// Co-purchase is the stronger evidence of taste; views count half.
    static let weights: [Kind: Double] = [.coPurchase: 1, .coView: 0.5]
    static let tagRules = TagRules()
    /// 热销 looks at the units of the last days.
    static let hotWindow: TimeInterval = 30 * 86_400

    // MARK: The job

    func recompute(now: Date) async throws -> RecommendationRun {
        await app.browsingRecorder?.flush(app: app)
        let removed = try await ageOutViews(now: now)
        let purchases = ItemSimilarity.neighbours(baskets: try await orderBaskets(since: now.addingTimeInterval(-Self.orderWindow)),
                                                  options: Self.options)
        let views = ItemSimilarity.neighbours(baskets: try await viewBaskets(), options: Self.options)
        try await db.writeTransaction { tx in
            try await tx.sql.raw("DELETE FROM product_similarities").run()
            for (kind, neighbours) in [(Kind.coPurchase, purchases), (.coView, views)] {
                try await Self.insert(neighbours, kind: kind, on: tx)
            }
        }
        let retagged = try await assignTags(now: now)
        return RecommendationRun(coPurchaseRows: purchases.values.reduce(0) { $0 + $1.count },
                                 coViewRows: views.values.reduce(0) { $0 + $1.count }, viewsRemoved: removed, productsRetagged: retagged)
    }

    /// The recomputation run now by HQ, audited.
    func recomputeNow(audit: AuditRecorder) async throws -> RecommendationRun {
        let run = try await recompute(now: audit.now)
        try await db.writeTransaction { tx in
            try await audit.record(on: tx, action: "recommendations.recompute", owner: .platform, targetType: "product_similarities",
                                   targetId: "all", after: run)
        }
        return run
    }

    /// Drops views past retention and each visitor's views beyond the newest `viewsPerVisitor`.
    private func ageOutViews(now: Date) async throws -> Int {
        try await db.writeTransaction { tx in
            let old = try await tx.sql.raw("""
                DELETE FROM browsing_events WHERE viewed_at < \(bind: now.addingTimeInterval(-Self.viewRetention)) RETURNING id
                """).all().count
            let excess = try await tx.sql.raw("""
                DELETE FROM browsing_events WHERE id IN (
                    SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY visitor_key ORDER BY viewed_at DESC, id DESC) AS n
                                    FROM browsing_events) ranked
                    WHERE ranked.n > \(bind: Self.viewsPerVisitor))
                RETURNING id
                """).all().count
            return old + excess
        }
    }

    /// 热销, 新品, 好评, 回头客多 by `TagRules` from each approved product's sales (orders paid and
    /// not cancelled), listing date, ratings and buyers; a product whose tags change gets a new
    /// detail version so cached details show them. Returns how many changed.
    private func assignTags(now: Date) async throws -> Int {
        let since = now.addingTimeInterval(-Self.hotWindow)
        let sales = try await db.sql.raw("""
            SELECT l.product_id, o.member_id, COUNT(DISTINCT o.id) AS orders,
                   CAST(SUM(CASE WHEN o.paid_at >= \(bind: since) THEN l.quantity ELSE 0 END) AS BIGINT) AS recent_units
            FROM orders o JOIN order_lines l ON l.order_id = o.id
            WHERE o.paid_at IS NOT NULL AND o.status <> \(bind: OrderStatus.cancelled.rawValue)
            GROUP BY l.product_id, o.member_id
            """).all()
        var bought: [UUID: (units: Int64, buyers: Int, repeats: Int)] = [:]
        for row in sales {
            let product = try row.decode(column: "product_id", as: UUID.self)
            let orders = try row.decode(column: "orders", as: Int.self)
            var entry = bought[product] ?? (0, 0, 0)
            entry.units += try row.decode(column: "recent_units", as: Int64?.self) ?? 0
            entry.buyers += 1
            entry.repeats += orders >= 2 ? 1 : 0
            bought[product] = entry
        }
        let products = try await db.sql.raw("""
            SELECT id, created_at, review_count, review_star_total, recommended_tags FROM products WHERE status = 'approved'
            """).all()
        var facts: [UUID: TagFacts] = [:]
        var stored: [UUID: String] = [:]
        for row in products {
            let id = try row.decode(column: "id", as: UUID.self)
            let reviews = try row.decode(column: "review_count", as: Int.self)
            let stars = try row.decode(column: "review_star_total", as: Int.self)
            let sold = bought[id] ?? (0, 0, 0)
            facts[id] = TagFacts(recentUnits: sold.units, listedAt: try row.decode(column: "created_at", as: Date?.self) ?? .distantPast,
                                 ratingTenths: reviews > 0 ? stars * 10 / reviews : nil, ratingCount: reviews,
                                 buyers: sold.buyers, repeatBuyers: sold.repeats)
            stored[id] = try row.decode(column: "recommended_tags", as: String?.self) ?? ""
        }
        let changed = Self.tagRules.tags(facts, now: now).map { ($0.key, RecommendedTag.text($0.value)) }
            .filter { stored[$0.0] != $0.1 }.sorted { $0.0 < $1.0 }
        try await db.writeTransaction { tx in
            for (id, text) in changed {
                try await tx.sql.raw("UPDATE products SET recommended_tags = \(bind: text), version = version + 1 WHERE id = \(bind: id)").run()
            }
        }
        return changed.count
    }

    private func orderBaskets(since: Date) async throws -> [[UUID]] {
        let rows = try await db.sql.raw("""
            SELECT l.order_id, l.product_id FROM orders o JOIN order_lines l ON l.order_id = o.id
            WHERE o.paid_at IS NOT NULL AND o.paid_at >= \(bind: since)
            ORDER BY l.order_id
            """).all()
        return try Self.group(rows, by: { try $0.decode(column: "order_id", as: UUID.self) })
    }

    /// One basket per visitor per UTC day: what someone compares in one sitting.
    private func viewBaskets() async throws -> [[UUID]] {
        let rows = try await db.sql.raw("SELECT visitor_key, product_id, viewed_at FROM browsing_events ORDER BY visitor_key, viewed_at").all()
        return try Self.group(rows, by: { row in
            "\(try row.decode(column: "visitor_key", as: String.self))|\(Int(try row.decode(column: "viewed_at", as: Date.self).timeIntervalSince1970 / 86_400))"
        })
    }

    private static func group<Key: Equatable>(_ rows: [any SQLRow], by key: (any SQLRow) throws -> Key) throws -> [[UUID]] {
        var baskets: [[UUID]] = []
        var current: Key?
        for row in rows {
            let rowKey = try key(row)
            if rowKey != current {
                baskets.append([])
                current = rowKey
            }
            baskets[baskets.count - 1].append(try row.decode(column: "product_id", as: UUID.self))
        }
        return baskets
    }

    private static func insert(_ neighbours: [UUID: [SimilarItem<UUID>]], kind: Kind, on db: any Database) async throws {
        let rows = neighbours.sorted { $0.key < $1.key }.flatMap { product, list in
            list.enumerated().map { (product, $0.element, $0.offset + 1) }
        }
        for start in stride(from: 0, to: rows.count, by: 500) {
            var insert = db.sql.insert(into: "product_similarities").columns("id", "product_id", "related_id", "kind", "score", "rank")
            for (product, neighbour, rank) in rows[start..<min(start + 500, rows.count)] {
                insert = insert.values(SQLBind(UUID()), SQLBind(product), SQLBind(neighbour.id), SQLBind(kind.rawValue), SQLBind(neighbour.score),
                                       SQLBind(rank))
            }
            try await insert.run()
        }
    }

    // MARK: Reads

    /// 看了又看 and 买了又买: one read over the similarity index joined to products on sale.
    func forProduct(_ productId: UUID, limit: Int) async throws -> ProductRecommendations {
        let rows = try await db.sql.raw("""
            SELECT s.kind, p.id, p.merchant_id, p.title, p.subtitle, p.images, p.min_price_fen, p.max_price_fen, p.sales_count,
                   p.review_count, p.review_star_total, p.recommended_tags, b.name AS brand
            FROM product_similarities s JOIN products p ON p.id = s.related_id LEFT JOIN brands b ON b.id = p.brand_id
            WHERE s.product_id = \(bind: productId) AND p.on_shelf = \(bind: true) AND p.status = 'approved' AND p.merchant_suspended_at IS NULL
            ORDER BY s.kind, s.rank
            """).all()
        var lists: [Kind: [ProductSummary]] = [:]
        for row in rows {
            guard let kind = Kind(rawValue: try row.decode(column: "kind", as: String.self)), lists[kind, default: []].count < limit else { continue }
            lists[kind, default: []].append(try ProductSearch.summary(row))
        }
        return ProductRecommendations(productId: productId, alsoViewed: lists[.coView] ?? [], alsoBought: lists[.coPurchase] ?? [])
    }

    /// 猜你喜欢: the neighbours of the member's recent views and purchases, without what they
    /// bought, on sale (and in stock at `stores` when given), best sellers filling the rest.
    func forMember(_ memberId: UUID, stores: [UUID]?, limit: Int, now: Date) async throws -> MemberRecommendationList {
        let views = try await db.sql.raw("""
            SELECT product_id, viewed_at FROM browsing_events WHERE member_id = \(bind: memberId) ORDER BY viewed_at DESC LIMIT 50
            """).all()
        let purchases = try await db.sql.raw("""
            SELECT l.product_id, MAX(o.paid_at) AS paid_at FROM orders o JOIN order_lines l ON l.order_id = o.id
            WHERE o.member_id = \(bind: memberId) AND o.paid_at IS NOT NULL
            GROUP BY l.product_id ORDER BY MAX(o.paid_at) DESC LIMIT 50
            """).all()
        var signals = (app.browsingRecorder?.pending(memberId: memberId) ?? []).map {
            InterestSignal.decayed(id: $0.productId, base: 1, ageSeconds: now.timeIntervalSince($0.viewedAt), halfLifeDays: 14)
        }
        for (rows, column, base) in [(views, "viewed_at", 1.0), (purchases, "paid_at", 2.0)] {
            for row in rows {
                let at = try row.decode(column: column, as: Date.self)
                signals.append(.decayed(id: try row.decode(column: "product_id", as: UUID.self), base: base,
                                        ageSeconds: now.timeIntervalSince(at), halfLifeDays: 14))
            }
        }
        let bought = Set(try purchases.map { try $0.decode(column: "product_id", as: UUID.self) })
        let neighbours = try await self.neighbours(of: Array(Set(signals.map(\.id))))
        let ranked = MemberRecommendations.recommend(signals: signals, neighbours: neighbours, exclude: bought, fallback: [], limit: limit * 3)

        var bestSellers = ProductSearch()
        bestSellers.sort = .sales
        bestSellers.inStockAt = stores
        bestSellers.page = PageRequest(page: 1, per: min(InputLimits.perPage.upperBound, limit + bought.count))
        let fallback = try await bestSellers.run(on: db).items
        var candidates = ProductSearch()
        candidates.ids = ranked
        candidates.inStockAt = stores
        candidates.page = PageRequest(page: 1, per: max(1, ranked.count))
        let cards = Dictionary(try await candidates.run(on: db).items.map { ($0.id, $0) } + fallback.map { ($0.id, $0) },
                               uniquingKeysWith: { first, _ in first })
        let picked = MemberRecommendations.recommend(signals: signals, neighbours: neighbours, exclude: bought, fallback: fallback.map(\.id),
                                                     limit: limit, eligible: { cards[$0] != nil })
        let basis: RecommendationBasis = picked.contains(where: Set(ranked).contains) ? .history : .bestSellers
        return MemberRecommendationList(basis: basis, items: picked.compactMap { cards[$0] })
    }

    /// The blended neighbour lists of some products, read in one statement.
    private func neighbours(of products: [UUID]) async throws -> [UUID: [SimilarItem<UUID>]] {
        guard !products.isEmpty else { return [:] }
        let rows = try await db.sql.raw("""
            SELECT product_id, related_id, kind, score FROM product_similarities
            WHERE product_id IN (\(products.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")))
            """).all()
        var byKind: [Kind: [UUID: [SimilarItem<UUID>]]] = [:]
        for row in rows {
            guard let kind = Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            byKind[kind, default: [:]][try row.decode(column: "product_id", as: UUID.self), default: []]
                .append(SimilarItem(id: try row.decode(column: "related_id", as: UUID.self), score: try row.decode(column: "score", as: Double.self)))
        }
        return ItemSimilarity.blend(Kind.allCases.map { (byKind[$0] ?? [:], Self.weights[$0] ?? 0) }, limit: Self.options.neighbours * 2)
    }
}
