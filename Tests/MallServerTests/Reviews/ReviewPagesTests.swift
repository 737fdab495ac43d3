import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

@Suite("Review pages and demo reviews")
struct ReviewPagesTests {
    @Test("the product page shows the summary, filters and approved reviews with photos and replies; my reviews lists what to review and what was reviewed; the console has a reviews section")
    func pages() async throws {
        try await ReviewTests.app { app, _ in
            let world = try await ReviewTests.world(app)
            let (shopper, order) = try await ReviewTests.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13800138000")
            let photo = try await ReviewTests.uploadPhoto(app, ReviewTests.png(3), token: shopper).decode(MediaFile.self)
            let review = try await ReviewTests.review(app, order, token: shopper, rating: 4, text: "牛奶很新鲜 <b>不加粗</b>", photos: [photo.url],
                                                      anonymous: true).decode([MyReview].self)[0]
            let productPath = "/product/\(world.shop.milk.productId)"
            let visitor = TestBrowser(app)
            var page = try await visitor.get(productPath)
            #expect(!page.text.contains("牛奶很新鲜"), "not shown before approval")
            #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/approve", token: world.admin).status == .ok)
            #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reply", token: world.manager,
                                       json: ReviewReplyInput(text: "谢谢您的认可")).status == .ok)

            page = try await visitor.get(productPath)
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"rating-summary\"") && page.text.contains(">4.0<"))
            #expect(page.text.contains("牛奶很新鲜 &lt;b&gt;不加粗&lt;/b&gt;"), "the review is text, not markup")
            #expect(page.text.contains(photo.url) && page.text.contains("谢谢您的认可"))
            #expect(page.text.contains("100% 的评价有图"))
            #expect(page.text.contains("?withPhotos=true#reviews") && page.text.contains("?stars=4#reviews"))
            let none = try await visitor.get(productPath + "?stars=1")
            #expect(none.text.contains(app.messageCatalogs.text("review_none_match", .zhCN)))
            #expect(try await visitor.get(productPath + "?stars=9&withPhotos=maybe").status == .ok, "bad filters are dropped, not an error page")
            let listing = try await visitor.get("/search")
            #expect(listing.text.contains("★ 4.0 (1)"), "the product card carries the rating")

            // The shopper: the reviewed item under "reviewed"; a second delivered order under "to review".
            let member = TestBrowser(app)
            _ = try await member.signInMember(login: "13800138000")
            let done = try await member.get("/account/reviews?state=done")
            #expect(done.status == .ok && done.text.contains("牛奶很新鲜") && done.text.contains("谢谢您的认可"))
            #expect(done.text.contains("data-follow-up=\"\(review.id)\""), "a follow-up can be added")
            #expect(try await member.get("/account/reviews").text.contains(app.messageCatalogs.text("review_nothing_to_review", .zhCN)))
            let (_, second) = try await ReviewTests.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13800138001", signedIn: shopper)
            let pending = try await member.get("/account/reviews?state=pending")
            #expect(pending.text.contains("data-review-line=\"\(second.lines[0].id)\""))
            #expect(pending.text.contains("id=\"review-form-template\""))
            let orderPage = try await member.get("/orders/\(second.id)")
            #expect(orderPage.text.contains("id=\"reviews\"") && orderPage.text.contains("/js/order-reviews.js"))
            let signedOut = try await TestBrowser(app).get("/account/reviews")
            #expect(signedOut.status == .seeOther && signedOut.headers.first(name: .location)?.hasPrefix("/login") == true)

            // The console: moderators and repliers get the section, a clerk does not.
            let boss = TestBrowser(app)
            try await boss.get("/console/login")
            _ = try await boss.submit("/console/login", ["login": "hq", "password": Fixtures.password])
            #expect(try await boss.get("/console").text.contains("href=\"/console/reviews\""))
            #expect(try await boss.get("/console/reviews/\(review.id)").status == .ok)
            _ = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(world.shop.near.storeID))
            let clerk = TestBrowser(app)
            try await clerk.get("/console/login")
            _ = try await clerk.submit("/console/login", ["login": "near.clerk", "password": Fixtures.password])
            #expect(!(try await clerk.get("/console").text.contains("href=\"/console/reviews\"")))
            #expect(try await clerk.get("/console/reviews").status == .forbidden)
        }
    }

    @Test("demo reviews: approved ones on the best sellers (some with photos, some answered, one followed up), a queue to moderate, and items for the demo shopper to review; seeding twice adds nothing")
    func demo() async throws {
        try await withTestApp { app in
            _ = try await DemoSeeder(app: app).run()
            let reviews = try await ProductReviewModel.query(on: app.db).all()
            let approved = reviews.filter { $0.reviewStatus == .approved && $0.reviewKind == .initial }
            #expect(approved.count >= 20)
            #expect(approved.contains { $0.photoCount > 0 } && approved.contains { $0.replyText != nil } && approved.contains(where: \.anonymous))
            #expect(reviews.filter { $0.reviewStatus == .pending }.count == 3)
            #expect(reviews.contains { $0.reviewStatus == .rejected })
            #expect(reviews.contains { $0.reviewKind == .followUp && $0.reviewStatus == .approved })
            for productId in Set(approved.map(\.productId)) {
                var counted = RatingCounts()
                for review in approved where review.productId == productId { counted.add(rating: review.rating ?? 0, hasPhotos: review.photoCount > 0) }
                #expect(try await ReviewQueries.ratingCounts(productId: productId, on: app.db) == counted)
            }
            for review in approved.filter({ $0.photoCount > 0 }) {
                for path in review.photos { #expect(try await app.send(.GET, path).status == .ok, "\(path)") }
            }
            let best = try await app.send(.GET, "/api/v1/products?sort=sales&per=6").decode(ListPage<ProductSummary>.self)
            #expect(best.items.filter { $0.reviewCount > 0 }.count >= 3)

            let shopper = try await app.send(.POST, "/api/v1/auth/login", json: LoginRequest(login: "13800138000", password: DemoSeeder.memberPassword))
                .decode(MemberSession.self).tokens.accessToken
            let mine = try await app.send(.GET, "/api/v1/me/reviews", token: shopper).decode(MyReviews.self)
            #expect(mine.pendingCount == 2 && mine.doneCount == 1)
            try await Fixtures.expectPointsLedgerMatches(app)

            let counts = (try await ProductReviewModel.query(on: app.db).count(), try await OrderModel.query(on: app.db).count(),
                          try await MemberImageModel.query(on: app.db).count())
            _ = try await DemoSeeder(app: app).run()
            #expect((try await ProductReviewModel.query(on: app.db).count(), try await OrderModel.query(on: app.db).count(),
                     try await MemberImageModel.query(on: app.db).count()) == counts)
        }
    }
}
