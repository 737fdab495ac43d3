import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// The demo's browsing history, so 看了又看 and 猜你喜欢 show something on first start: sixty
/// guests who each compare a few products of one category in a sitting (and glance at the next
/// category's), and the gold demo member's views of two products a few minutes ago. The neighbours and tags are
/// computed at once; and two bundles (搭配购) of the self-operated merchant's best sellers at 10%
/// off. Guests are recognised by their keys and bundles are made only when there are none, so
/// running it twice adds nothing.
struct DemoRecommendations {
    let app: Application

    static let guests = 60
    static let memberMobile = "13800138000"

    func run() async throws {
        let db = app.db
        let now = app.clock.now()
        let seeded = try await db.sql.raw("SELECT COUNT(*) AS n FROM browsing_events WHERE visitor_key LIKE 'v:demo-%'").first()?
            .decode(column: "n", as: Int.self) ?? 0
        if seeded == 0 {
            let rows = try await db.sql.raw("""
                SELECT id, category_id FROM products WHERE on_shelf = \(bind: true) AND status = 'approved' ORDER BY category_id, title
                """).all()
            var byCategory: [[UUID]] = []
            var lastCategory: UUID?
            for row in rows {
                let category = try row.decode(column: "category_id", as: UUID.self)
                if category != lastCategory { byCategory.append([]) }
                lastCategory = category
                byCategory[byCategory.count - 1].append(try row.decode(column: "id", as: UUID.self))
            }
            let shelves = byCategory.filter { $0.count >= 2 }
            guard !shelves.isEmpty else { return }
            var views: [BrowsingRecorder.View] = []
            for guest in 0..<Self.guests {
                let shelf = shelves[guest % shelves.count]
                let next = shelves[(guest + 1) % shelves.count]
                let at = now.addingTimeInterval(-Double(guest % 20) * 86_400 - 3_600)
                // Overlapping runs of the shelf, so neighbouring products share many sittings.
                var picked = (0..<min(4, shelf.count)).map { shelf[(guest / shelves.count + $0) % shelf.count] }
                picked.append(next[guest % next.count])
                for (step, product) in picked.enumerated() {
                    views.append(.init(visitorKey: "v:demo-\(guest)", memberId: nil, productId: product, viewedAt: at.addingTimeInterval(Double(step) * 60)))
                }
            }
            if let member = try await MemberModel.find(login: try MemberLogin(parsing: Self.memberMobile), on: db), let shelf = shelves.first {
                for (step, product) in shelf.prefix(2).enumerated() {
                    views.append(.init(visitorKey: BrowsingRecorder.visitorKey(memberId: member.id, cartToken: nil, visitorCookie: nil) ?? "",
                                       memberId: member.id, productId: product, viewedAt: now.addingTimeInterval(-Double(step + 1) * 600)))
                }
            }
            try await BrowsingRecorder.insert(views, on: db)
        }
        _ = try await RecommendationService(app: app, db: db).recompute(now: now)
        if try await BundleModel.query(on: db).count() == 0 { try await bundles(now: now) }
    }

    private func bundles(now: Date) async throws {
        let merchant = SelfOperatedMerchant.id.rawValue
        let rows = try await app.db.sql.raw("""
            SELECT id, min_price_fen FROM products WHERE merchant_id = \(bind: merchant) AND on_shelf = \(bind: true) AND status = 'approved'
            ORDER BY sales_count DESC, title LIMIT 5
            """).all()
        let products = try rows.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "min_price_fen", as: Int64.self)) }
        let audit = AuditRecorder(actorStaffId: nil, actorName: "demo", requestId: "demo-seed", now: now)
        for (name, slice) in [("人气搭配", 0..<2), ("囤货三件套", 2..<5)] where products.count >= slice.upperBound {
            let chosen = products[slice]
            let regular = chosen.reduce(Int64(0)) { $0 + $1.1 }
            _ = try await BundleService(db: app.db).create(
                BundleInput(merchantId: merchant, name: name, priceFen: regular * 9 / 10, productIds: chosen.map(\.0)), audit: audit)
        }
    }
}
