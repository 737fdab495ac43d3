import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// The storefront's review pages: "my reviews" (`/account/reviews`: to review, reviewed) and
/// the reviews section of the product page. Both render without JavaScript; writing a review
/// or a follow-up uses `/js/review-form.js` through the API.
struct ReviewPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("account", "reviews", use: myReviews)
    }

    func myReviews(req: Request) async throws -> Response {
        guard case .member(let member) = req.principal else {
            let here = req.url.path + (req.url.query.map { "?" + $0 } ?? "")
            return req.redirect(to: "/login" + StorefrontRoutes.queryString(["next": here]))
        }
        // A mistyped tab or page is the first page of "to review", not an error page.
        let state = req.query[String.self, at: "state"].flatMap(MyReviewsState.init(rawValue:)) ?? .pending
        var ignored = FieldErrorCollector()
        let page = PageRequest(page: req.boundedQuery("page", InputLimits.page, into: &ignored) ?? 1, per: 10)
        let settings = try await SettingsService.resolved(on: req.db)
        let mine = try await ReviewQueries.mine(memberId: member.memberId, state: state, orderId: nil, page: page, settings: settings,
                                                now: req.now, on: req.db)
        let timeZone = settings.timeZone
        func link(_ state: MyReviewsState, page: Int = 1) -> String {
            "/account/reviews" + StorefrontRoutes.queryString(["state": state.rawValue, "page": page > 1 ? String(page) : nil].compactMapValues { $0 })
        }
        let pages = max(1, (mine.items.total + page.per - 1) / page.per)
        let data = MyReviewsData(
            tabs: [
                OrderTab(label: req.message("review_tab_pending"), href: link(.pending), count: mine.pendingCount, current: state == .pending),
                OrderTab(label: req.message("review_tab_done"), href: link(.done), count: mine.doneCount, current: state == .done),
            ],
            pending: state == .pending,
            items: mine.items.items.map { MyReviewRow($0, timeZone: timeZone, req: req) },
            previous: page.page > 1 ? link(state, page: page.page - 1) : nil,
            next: page.page < pages ? link(state, page: page.page + 1) : nil)
        return try await req.renderPage("storefront/my-reviews", title: req.message("review_my_title"), data: data)
    }
}

// MARK: Page models

struct MyReviewsData: Encodable, Sendable {
    let tabs: [OrderTab]
    let pending: Bool
    let items: [MyReviewRow]
    let previous: String?
    let next: String?
}

struct ReviewEntryView: Encodable, Sendable {
    let id: UUID
    let stars: String
    let starsLabel: String
    let text: String
    let photos: [String]
    let at: String
    let status: String
    let statusCode: String
    let note: String
}

struct MyReviewRow: Encodable, Sendable {
    let orderId: UUID
    let orderNumber: String
    let orderHref: String
    let lineId: UUID
    let productHref: String
    let title: String
    let specTitle: String
    let image: String?
    let deadline: String
    let review: ReviewEntryView?
    let followUp: ReviewEntryView?
    let reply: String?
    let canFollowUp: Bool

    init(_ item: MyReviewItem, timeZone: TimeZone, req: Request) {
        orderId = item.orderId
        orderNumber = item.orderNumber
        orderHref = "/orders/\(item.orderId)"
        lineId = item.orderLineId
        productHref = "/product/\(item.productId)"
        title = item.title
        specTitle = item.specTitle
        image = item.image
        if let by = item.reviewBy {
            deadline = req.message("review_by", ["time": WebFormat.dateTime(by, in: timeZone)])
        } else if let by = item.followUpBy {
            deadline = req.message("review_follow_up_by", ["time": WebFormat.dateTime(by, in: timeZone)])
        } else {
            deadline = ""
        }
        func entry(_ review: MyReview) -> ReviewEntryView {
            var note = ""
            if review.status == .rejected, let reason = review.rejectionReason { note = req.message("review_rejected_because", ["reason": reason]) }
            if review.pointsEarned > 0 { note = req.message("review_points_earned", ["n": String(review.pointsEarned)]) }
            return ReviewEntryView(id: review.id, stars: review.rating.map(ReviewStars.text) ?? "", starsLabel: review.rating.map {
                req.message("review_stars_label", ["n": String($0)])
            } ?? "", text: review.text, photos: review.photos, at: WebFormat.dateTime(review.createdAt, in: timeZone),
            status: req.message("review_status_\(review.status.rawValue)"), statusCode: review.status.rawValue, note: note)
        }
        review = item.review.map(entry)
        followUp = item.followUp.map(entry)
        reply = item.reply?.text
        canFollowUp = item.followUpBy != nil
    }
}

/// ★★★★☆ for 4 stars.
enum ReviewStars {
    static func text(_ stars: Int) -> String {
        let filled = max(0, min(5, stars))
        return String(repeating: "★", count: filled) + String(repeating: "☆", count: 5 - filled)
    }
}

/// The product page's reviews: the summary, filter links (with photos, by stars) that keep the
/// rest of the page's query, one page of approved reviews and links to the next.
struct ProductReviewsSection: Encodable, Sendable {
    struct Filter: Encodable, Sendable {
        let label: String
        let href: String
        let current: Bool
    }

    struct StarBar: Encodable, Sendable {
        let stars: Int
        let label: String
        let count: Int
        let percent: Int
    }

    struct Card: Encodable, Sendable {
        let author: String
        let stars: String
        let starsLabel: String
        let at: String
        let specTitle: String
        let text: String
        let photos: [String]
        let followUp: String?
        let followUpPhotos: [String]
        let followUpLabel: String
        let reply: String?
    }

    let count: Int
    let average: String
    let averageStars: String
    let headline: String
    let withPhotos: String
    let bars: [StarBar]
    let filters: [Filter]
    let reviews: [Card]
    let emptyText: String
    let previous: String?
    let next: String?

    static func load(productId: UUID, req: Request) async throws -> ProductReviewsSection {
        // Malformed filters are dropped, as on the listing pages: the page still shows.
        var ignored = FieldErrorCollector()
        var filter = ReviewQueries.ProductFilter()
        filter.withPhotos = req.booleanQuery("withPhotos", into: &ignored) ?? false
        filter.stars = req.boundedQuery("stars", InputLimits.reviewRating, into: &ignored)
        let pageNumber = req.boundedQuery("reviewPage", InputLimits.page, into: &ignored) ?? 1
        let result = try await ReviewQueries.productReviews(productId: productId, filter: filter, page: PageRequest(page: pageNumber, per: 10), on: req.db)
        let summary = result.summary
        let timeZone = try await SettingsService.resolved(on: req.db).timeZone

        // The page's own query (store, chosen SKU) stays; the review filters are replaced.
        let kept = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { !["withPhotos", "stars", "reviewPage"].contains($0.name) }
        func href(withPhotos: Bool = false, stars: Int? = nil, page: Int = 1) -> String {
            var items = kept
            if withPhotos { items.append(URLQueryItem(name: "withPhotos", value: "true")) }
            if let stars { items.append(URLQueryItem(name: "stars", value: String(stars))) }
            if page > 1 { items.append(URLQueryItem(name: "reviewPage", value: String(page))) }
            var components = URLComponents()
            components.queryItems = items.isEmpty ? nil : items
            return "/product/\(productId)" + (components.percentEncodedQuery.map { "?" + $0 } ?? "") + "#reviews"
        }
        var filters = [
            Filter(label: req.message("review_filter_all", ["n": String(summary.reviewCount)]), href: href(),
                   current: !filter.withPhotos && filter.stars == nil),
            Filter(label: req.message("review_filter_photos", ["n": String(summary.withPhotosCount)]), href: href(withPhotos: true),
                   current: filter.withPhotos),
        ]
        for bar in summary.stars {
            filters.append(Filter(label: req.message("review_filter_stars", ["stars": String(bar.stars), "n": String(bar.count)]),
                                  href: href(stars: bar.stars), current: filter.stars == bar.stars && !filter.withPhotos))
        }
        let pages = max(1, (result.reviews.total + 9) / 10)
        return ProductReviewsSection(
            count: summary.reviewCount,
            average: summary.averageRating.map { String(format: "%.1f", $0) } ?? "",
            averageStars: summary.averageRating.map { ReviewStars.text(Int($0.rounded())) } ?? "",
            headline: summary.reviewCount == 0 ? req.message("review_none_yet")
                : req.message("review_summary", ["average": summary.averageRating.map { String(format: "%.1f", $0) } ?? "", "n": String(summary.reviewCount)]),
            withPhotos: req.message("review_with_photos_share", ["percent": String(summary.withPhotosPercent)]),
            bars: summary.stars.map { StarBar(stars: $0.stars, label: req.message("review_stars_label", ["n": String($0.stars)]), count: $0.count, percent: $0.percent) },
            filters: filters,
            reviews: result.reviews.items.map { review in
                Card(author: review.authorName, stars: ReviewStars.text(review.rating),
                     starsLabel: req.message("review_stars_label", ["n": String(review.rating)]),
                     at: WebFormat.dateTime(review.createdAt, in: timeZone), specTitle: review.specTitle, text: review.text, photos: review.photos,
                     followUp: review.followUp?.text, followUpPhotos: review.followUp?.photos ?? [],
                     followUpLabel: review.followUp.map { req.message("review_follow_up_after", ["days": String(max(0, Int($0.createdAt.timeIntervalSince(review.createdAt) / 86_400)))]) } ?? "",
                     reply: review.reply?.text)
            },
            emptyText: req.message(summary.reviewCount == 0 ? "review_none_yet" : "review_none_match"),
            previous: result.reviews.page > 1 ? href(withPhotos: filter.withPhotos, stars: filter.stars, page: result.reviews.page - 1) : nil,
            next: result.reviews.page < pages ? href(withPhotos: filter.withPhotos, stars: filter.stars, page: result.reviews.page + 1) : nil)
    }
}
