import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit

/// The shopper's product query: keyword, filters, sort, page. Built as one SQL statement with
/// bound values so it runs unchanged on SQLite and PostgreSQL.
struct ProductSearch {
    enum Sort: String, CaseIterable {
        case relevance, priceAsc = "price_asc", priceDesc = "price_desc", newest, sales
    }

    var keyword: String?
    var categoryId: UUID?
    var brandId: UUID?
    /// One merchant's goods (its shop page).
    var merchantId: UUID?
    var tag: String?
    var minPriceFen: Int64?
    var maxPriceFen: Int64?
    /// Only products with stock at one of these stores (and not delisted there).
    var inStockAt: [UUID]?
    /// Only these products (recommendations narrowing their candidates to what is on sale).
    var ids: [UUID]?
    var sort: Sort = .relevance
    var page = PageRequest()
    /// Adds each product's promotion badges and live flash price as of this instant.
    var marketingAt: Date?
    /// Where the cards' promotion reach comes from when set; the promotions table otherwise.
    var promotionCache: PromotionReachCache?

    func run(on db: any Database) async throws -> ListPage<ProductSummary> {
        let sql = db.sql
        var conditions: [SQLQueryString] = ["p.on_shelf = \(bind: true)", "p.status = 'approved'", "p.merchant_suspended_at IS NULL"]
        var score: SQLQueryString?
        // Keyword hits are the driving table when there is an index of them. SQLite, without
        // statistics, otherwise walks every product on the shelf and probes the hits for each
        // (240 ms at 100,000 products); its CROSS JOIN keeps the written order, and PostgreSQL
        // plans it like any join.
        var source: SQLQueryString = "products p"
        if let keyword = keyword?.trimmingWhitespace().lowercased(), !keyword.isEmpty {
            let pattern = "%" + Self.escapeLike(keyword) + "%"
            if SearchGrams.isBigram(keyword) {
                source = "product_search_grams g CROSS JOIN products p"
                conditions += ["p.id = g.product_id", "g.gram = \(bind: keyword)"]
            } else if db.isPostgres {
                conditions.append("p.search_text LIKE \(bind: pattern) ESCAPE '\\'")
            } else {
                source = "product_search s CROSS JOIN products p"
                conditions += ["p.id = s.product_id", "s.body LIKE \(bind: pattern) ESCAPE '\\'"]
            }
            // Title hits rank above subtitle, brand and tag hits; a title that starts with the word ranks highest.
            score = "(CASE WHEN LOWER(p.title) LIKE \(bind: Self.escapeLike(keyword) + "%") ESCAPE '\\' THEN 4 ELSE 0 END"
                + " + CASE WHEN LOWER(p.title) LIKE \(bind: pattern) ESCAPE '\\' THEN 3 ELSE 0 END"
                + " + CASE WHEN LOWER(p.subtitle) LIKE \(bind: pattern) ESCAPE '\\' THEN 1 ELSE 0 END)"
        }
        if let merchantId { conditions.append("p.merchant_id = \(bind: merchantId)") }
        if let categoryId {
            // The category and its descendants as a list of ids, so that a leaf category (the
            // usual page) is one equality the products_category_sales index can walk in order.
            let ids = try await sql.raw("""
                SELECT c.id FROM categories c WHERE c.path LIKE (SELECT r.path FROM categories r WHERE r.id = \(bind: categoryId)) || '%'
                """).all().map { try $0.decode(column: "id", as: UUID.self) }
            guard !ids.isEmpty else { return ListPage(items: [], page: page.page, per: page.per, total: 0) }
            conditions.append(ids.count == 1 ? "p.category_id = \(bind: ids[0])"
                : "p.category_id IN (\(ids.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")))")
        }
        if let brandId { conditions.append("p.brand_id = \(bind: brandId)") }
        if let ids {
            conditions.append(ids.isEmpty ? "0 = 1" : "p.id IN (\(ids.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")))")
        }
        if let tag, !tag.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM product_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.product_id = p.id AND t.name = \(bind: tag))")
        }
        if let minPriceFen { conditions.append("p.max_price_fen >= \(bind: minPriceFen)") }
        if let maxPriceFen { conditions.append("p.min_price_fen <= \(bind: maxPriceFen)") }
        if let stores = inStockAt {
            let ids: SQLQueryString = stores.isEmpty ? "NULL" : stores.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ")
            conditions.append("""
                EXISTS (SELECT 1 FROM skus s JOIN stock_levels l ON l.sku_id = s.id
                        WHERE s.product_id = p.id AND s.enabled = \(bind: true) AND l.store_id IN (\(ids)) AND l.on_hand - l.reserved > 0
                          AND NOT EXISTS (SELECT 1 FROM product_store_delistings d WHERE d.product_id = p.id AND d.store_id = l.store_id))
                """)
        }
        let whereClause = conditions.joined(separator: " AND ")
        let order: SQLQueryString
        switch sort {
        case .relevance where score == nil, .sales: order = "p.sales_count DESC, p.created_at DESC, p.id DESC"
        case .relevance: order = "score DESC, p.sales_count DESC, p.created_at DESC, p.id"
        case .priceAsc: order = "p.min_price_fen ASC, p.id"
        case .priceDesc: order = "p.max_price_fen DESC, p.id"
        case .newest: order = "p.created_at DESC, p.id"
        }
        // The total rides on every row (a window over the matches), saving the page a COUNT
        // statement; only a page past the end, which has no row to carry it, counts apart.
        let rows = try await sql.raw("""
            SELECT p.id, p.merchant_id, p.category_id, p.brand_id, p.title, p.subtitle, p.images, p.min_price_fen, p.max_price_fen, p.sales_count, p.review_count,
                   p.review_star_total, p.recommended_tags, b.name AS brand, \(score ?? "0") AS score, COUNT(*) OVER () AS total_matches
            FROM \(source) LEFT JOIN brands b ON b.id = p.brand_id
            WHERE \(whereClause)
            ORDER BY \(order)
            LIMIT \(bind: page.per) OFFSET \(bind: page.offset)
            """).all()
        let total = if let first = rows.first { try first.decode(column: "total_matches", as: Int.self) } else if page.offset == 0 { 0 } else {
            try await sql.raw("SELECT COUNT(*) AS n FROM \(source) WHERE \(whereClause)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        var items = try rows.map(Self.summary)
        if let marketingAt {
            let facts = try Dictionary(rows.map { row in
                (try row.decode(column: "id", as: UUID.self),
                 ProductMarketing.Facts(merchantId: try row.decode(column: "merchant_id", as: UUID.self),
                                        categoryId: try row.decode(column: "category_id", as: UUID?.self), brandId: try row.decode(column: "brand_id", as: UUID?.self)))
            }, uniquingKeysWith: { first, _ in first })
            try await ProductMarketing.annotate(&items, facts: facts, now: marketingAt, cache: promotionCache, on: db)
        }
        return ListPage(items: items, page: page.page, per: page.per, total: total)
    }

    /// A product card from a row holding the products columns this search selects plus `brand`.
    static func summary(_ row: any SQLRow) throws -> ProductSummary {
        let images = (try? JSONDecoder().decode([String].self, from: Data(try row.decode(column: "images", as: String.self).utf8))) ?? []
        // Kept on the row by review approvals (ReviewService), so the list counts nothing.
        let reviews = try row.decode(column: "review_count", as: Int.self)
        var summary = ProductSummary(id: try row.decode(column: "id", as: UUID.self), merchantId: try row.decode(column: "merchant_id", as: UUID.self),
                              title: try row.decode(column: "title", as: String.self), subtitle: try row.decode(column: "subtitle", as: String.self),
                              image: images.first, brand: try row.decode(column: "brand", as: String?.self),
                              minPriceFen: try row.decode(column: "min_price_fen", as: Int64.self),
                              maxPriceFen: try row.decode(column: "max_price_fen", as: Int64.self),
                              salesCount: try row.decode(column: "sales_count", as: Int.self),
                              reviewCount: reviews,
                              averageRating: RatingCounts.average(starTotal: try row.decode(column: "review_star_total", as: Int.self), count: reviews))
        summary.recommendedTags = RecommendedTag.list(try row.decode(column: "recommended_tags", as: String?.self) ?? "")
        return summary
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
