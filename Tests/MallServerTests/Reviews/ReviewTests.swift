import Fluent
import Foundation
import MallAPI
import MallCore
import NIOCore
import Testing
import Vapor
import VaporTesting
@testable import MallServer

@Suite("Product reviews: eligibility, windows, moderation, points, ratings, replies, photos")
struct ReviewTests {
    /// Long-lived sessions and tokens: these tests move the clock by weeks.
    static func app(_ body: @escaping @Sendable (Application, ManualClock) async throws -> Void) async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock, adjust: { $0.accessTokenTTL = 400 * 86_400; $0.refreshTokenTTL = 400 * 86_400 }) { app in
            try await body(app, clock)
        }
    }

    /// A paid delivery order of `quantity` bottles of milk for a new shopper, shipped and
    /// delivered by the NEAR store's manager.
    static func deliveredOrder(_ app: Application, shop: CheckoutTests.Shop, manager: String, mobile: String,
                               signedIn token: String? = nil) async throws -> (String, Order) {
        let shopper: String
        let order: Order
        if let token {
            // Another order for a shopper who has one already.
            shopper = token
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let result = try await CheckoutTests.checkout(app, token: token, key: "review-\(UUID().uuidString)").decode(CheckoutResult.self)
            _ = try await app.send(.POST, "/api/v1/payments/\(result.payment.id)/sandbox/complete", token: token)
            try await app.jobs.runDue()
            order = result.orders[0]
        } else {
            (_, shopper, order) = try await OrderDeskTests.paidOrder(app, quantity: 1, in: shop, mobile: mobile)
        }
        for step in ["accept", "pick"] {
            #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/\(step)", token: manager).status == .ok)
        }
        #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/ship", token: manager,
                                   json: ShipmentInput(carrier: "sf", trackingNumber: "SF\(mobile)")).status == .ok)
        let delivered = try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/delivered", token: manager)
        #expect(delivered.status == .ok, "\(delivered.text)")
        return (shopper, try await app.send(.GET, "/api/v1/orders/\(order.id)", token: shopper).decode(Order.self))
    }

    static func review(_ app: Application, _ order: Order, token: String, rating: Int = 5, text: String = "很新鲜，好喝",
                       photos: [String] = [], anonymous: Bool = false) async throws -> APIResponse {
        try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: token, json: ReviewInput(lines: [
            ReviewLineInput(orderLineId: order.lines[0].id, rating: rating, text: text, photos: photos, anonymous: anonymous),
        ]))
    }

    static func uploadPhoto(_ app: Application, _ bytes: [UInt8], token: String?, filename: String = "photo.png") async throws -> APIResponse {
        var form = MultipartForm()
        form.file("file", filename: filename, contentType: "image/png", bytes: bytes)
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(MultipartForm.boundary)")
        let response = try await app.testing().performTest(request: TestingHTTPRequest(method: .POST, url: URI(path: "/api/v1/me/media/images"),
                                                                                       headers: headers, body: form.finished()))
        return APIResponse(status: response.status, headers: response.headers, body: response.body)
    }

    /// A small PNG of its own: images differ by size (the placeholder palette has ten colours).
    static func png(_ n: Int) -> [UInt8] {
        PlaceholderImage.png(width: 24 + n, height: 24, color: .from(seed: "photo-\(n)"))
    }

    struct World {
        let shop: CheckoutTests.Shop
        let manager: String
        let admin: String
    }

    static func world(_ app: Application) async throws -> World {
        let shop = try await CheckoutTests.shop(app, nearStock: 30)
        let (_, manager) = try await Fixtures.staff(app, "near.manager", role: .storeManager, scope: .store(shop.near.storeID))
        let (_, admin) = try await Fixtures.staff(app, "hq", role: .platformAdmin, scope: .platform)
        return World(shop: shop, manager: manager, admin: admin)
    }

    @Test("a delivered line is reviewed once, only after delivery and within reviews.windowDays; my reviews list what is left")
    func eligibilityAndWindow() async throws {
        try await Self.app { app, clock in
            let world = try await Self.world(app)
            // Paid but not delivered yet: nothing to review.
            let (_, early, waiting) = try await OrderDeskTests.paidOrder(app, quantity: 1, in: world.shop, mobile: "13900000001")
            let notYet = try await Self.review(app, waiting, token: early)
            #expect(notYet.status == .unprocessableEntity)
            #expect(notYet.problem?.errors?.map(\.field) == ["lines[0].orderLineId"])
            #expect(notYet.problem?.errors?.first?.message == "has not been delivered or picked up yet")

            let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000002")
            var mine = try await app.send(.GET, "/api/v1/me/reviews?state=pending", token: shopper).decode(MyReviews.self)
            #expect(mine.pendingCount == 1 && mine.doneCount == 0)
            #expect(mine.items.items.map(\.orderLineId) == [order.lines[0].id])
            #expect(mine.items.items.first?.reviewBy == testEpoch.addingTimeInterval(30 * 86_400), "the default window is 30 days from delivery")

            // Someone else's order is not found; a line of another order is refused by field.
            #expect(try await Self.review(app, order, token: early).status == .notFound)
            let foreign = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: shopper, json: ReviewInput(lines: [
                ReviewLineInput(orderLineId: waiting.lines[0].id, rating: 5, text: "不是这单的"),
            ]))
            #expect(foreign.problem?.errors?.map(\.field) == ["lines[0].orderLineId"])
            let empty = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: shopper, json: ReviewInput(lines: []))
            #expect(empty.problem?.errors?.map(\.field) == ["lines"])

            let written = try await Self.review(app, order, token: shopper, rating: 4)
            #expect(written.status == .created, "\(written.text)")
            let reviews = try written.decode([MyReview].self)
            #expect(reviews.map(\.status) == [.pending] && reviews.map(\.rating) == [4])
            let again = try await Self.review(app, order, token: shopper)
            #expect(again.status == .unprocessableEntity)
            #expect(again.problem?.errors?.first?.message.hasPrefix("has been reviewed already") == true)
            mine = try await app.send(.GET, "/api/v1/me/reviews?state=done", token: shopper).decode(MyReviews.self)
            #expect(mine.pendingCount == 0 && mine.doneCount == 1)
            #expect(mine.items.items.first?.review?.id == reviews.first?.id)
            #expect(mine.items.items.first?.followUpBy != nil, "a follow-up can be added")
            #expect(try await app.send(.GET, "/api/v1/me/reviews?state=later", token: shopper).problem?.errors?.map(\.field) == ["state"])

            // The window closes 30 days after delivery: the last second still counts, the next does not.
            let (late, lateOrder) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000003")
            clock.advance(seconds: 30 * 86_400)
            #expect(try await app.send(.GET, "/api/v1/me/reviews", token: late).decode(MyReviews.self).pendingCount == 1)
            clock.advance(seconds: 1)
            #expect(try await app.send(.GET, "/api/v1/me/reviews", token: late).decode(MyReviews.self).pendingCount == 0)
            let tooLate = try await Self.review(app, lateOrder, token: late)
            #expect(tooLate.problem?.errors?.first?.message == "could be reviewed within 30 days of delivery or pickup; that time has passed")
            #expect(try await ProductReviewModel.query(on: app.db).count() == 1)
        }
    }

    @Test("one follow-up per review, within reviews.followUpDays of it, never on a rejected review")
    func followUps() async throws {
        try await Self.app { app, clock in
            let world = try await Self.world(app)
            let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000011")
            let first = try await Self.review(app, order, token: shopper).decode([MyReview].self)[0]
            clock.advance(seconds: 10 * 86_400)
            let followUp = try await app.send(.POST, "/api/v1/me/reviews/\(first.id)/follow-up", token: shopper,
                                              json: ReviewFollowUpInput(text: "喝了十天，还是很满意"))
            #expect(followUp.status == .created, "\(followUp.text)")
            let written = try followUp.decode(MyReview.self)
            #expect(written.kind == .followUp && written.rating == nil && written.status == .pending)
            let second = try await app.send(.POST, "/api/v1/me/reviews/\(first.id)/follow-up", token: shopper,
                                            json: ReviewFollowUpInput(text: "再追一次"))
            #expect(second.status == .conflict)
            #expect(second.problem?.detail == "This review already has its follow-up.")
            // Following up a follow-up, or someone else's review, is not found.
            #expect(try await app.send(.POST, "/api/v1/me/reviews/\(written.id)/follow-up", token: shopper,
                                       json: ReviewFollowUpInput(text: "追评的追评")).status == .notFound)
            let (other, otherOrder) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000012")
            #expect(try await app.send(.POST, "/api/v1/me/reviews/\(first.id)/follow-up", token: other,
                                       json: ReviewFollowUpInput(text: "不是我的")).status == .notFound)

            // The window is 90 days from the review by default.
            let late = try await Self.review(app, otherOrder, token: other).decode([MyReview].self)[0]
            clock.advance(seconds: 90 * 86_400 + 1)
            let closed = try await app.send(.POST, "/api/v1/me/reviews/\(late.id)/follow-up", token: other, json: ReviewFollowUpInput(text: "太晚了吗"))
            #expect(closed.status == .conflict)
            #expect(closed.problem?.detail == "A follow-up can be added within 90 days of the review; that time has passed.")

            // A rejected review has nothing to follow up on.
            let (third, thirdOrder) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000013")
            let rejected = try await Self.review(app, thirdOrder, token: third).decode([MyReview].self)[0]
            #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(rejected.id)/reject", token: world.admin,
                                       json: ReasonInput(reason: "与商品无关")).status == .ok)
            let refused = try await app.send(.POST, "/api/v1/me/reviews/\(rejected.id)/follow-up", token: third, json: ReviewFollowUpInput(text: "补充一下"))
            #expect(refused.problem?.detail == "A rejected review cannot be followed up.")
        }
    }

    @Test("text rules: 2–500 characters, 1–5 stars, at most 6 photos; sensitive words from the setting are refused on the text field, whatever the case or width")
    func contentRules() async throws {
        try await Self.app { app, _ in
            let world = try await Self.world(app)
            let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000021")
            let bad = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: shopper, json: ReviewInput(lines: [
                ReviewLineInput(orderLineId: order.lines[0].id, rating: 6, text: "好", photos: Array(repeating: "/files/img/x.png", count: 7)),
            ]))
            #expect(bad.status == .unprocessableEntity)
            let fields = Set(bad.problem?.errors?.map(\.field) ?? [])
            #expect(fields.isSuperset(of: ["lines[0].rating", "lines[0].text", "lines[0].photos", "lines[0].photos[0]"]), "\(fields)")

            let settings = try await app.send(.PATCH, "/api/v1/admin/settings", token: world.admin,
                                              json: SettingsUpdate(values: ["reviews.sensitiveWords": .string("微信，VX、代购")]))
            #expect(settings.status == .ok, "\(settings.text)")
            for text in ["加我ＶＸ领红包", "加 vx 领红包", "欢迎加微信聊", "海外代\u{200B}购"] {
                let refused = try await Self.review(app, order, token: shopper, text: text)
                #expect(refused.status == .unprocessableEntity, "\(text)")
                #expect(refused.problem?.errors?.map(\.field) == ["lines[0].text"], "\(text)")
                #expect(refused.problem?.errors?.first?.message.contains("which is not allowed here") == true)
            }
            let chinese = try await app.send(.POST, "/api/v1/orders/\(order.id)/reviews", token: shopper,
                                             json: ReviewInput(lines: [ReviewLineInput(orderLineId: order.lines[0].id, rating: 5, text: "加微信")]),
                                             headers: ["Accept-Language": "zh-CN"])
            #expect(chinese.problem?.errors?.first?.message == "含有不允许使用的词「微信」")
            #expect(try await Self.review(app, order, token: shopper, text: "V 字领口的瓶子挺好看").status == .created, "a lone letter is not the word")
        }
    }

    @Test("moderation: HQ only; approval counts once however many moderators click, earns review points (with the photo bonus) once, tells the member, and is audited")
    func moderationEarnsPointsOnce() async throws {
        try await Self.app { app, _ in
            let world = try await Self.world(app)
            let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000031")
            let photo = try await Self.uploadPhoto(app, Self.png(1), token: shopper).decode(MediaFile.self)
            let review = try await Self.review(app, order, token: shopper, photos: [photo.url]).decode([MyReview].self)[0]

            // A store manager may read and answer, not moderate.
            let refused = try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/approve", token: world.manager)
            #expect(refused.status == .forbidden)
            let queue = try await app.send(.GET, "/api/v1/admin/reviews?status=pending", token: world.admin).decode(ListPage<StaffReview>.self)
            #expect(queue.items.map(\.id) == [review.id])
            #expect(queue.items.first?.photos == [photo.url])

            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for _ in 0..<8 { group.addTask { try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/approve", token: world.admin).status } }
                return try await group.reduce(into: [HTTPResponseStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            let approved = try await app.send(.GET, "/api/v1/admin/reviews/\(review.id)", token: world.admin).decode(StaffReview.self)
            #expect(approved.status == .approved && approved.pointsEarned == 20, "10 for the review, 10 for its photo")
            let again = try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reject", token: world.admin, json: ReasonInput(reason: "改主意了"))
            #expect(again.status == .conflict && again.problem?.detail == "This review has been approved already.")

            let ledger = try await app.send(.GET, "/api/v1/me/points/ledger?kind=review", token: shopper).decode(ListPage<PointsEntry>.self)
            #expect(ledger.items.map(\.points) == [20])
            #expect(ledger.items.first?.referenceId == review.id.uuidString)
            let inbox = try await app.send(.GET, "/api/v1/me/notifications", token: shopper).decode(MemberInbox.self)
            #expect(inbox.notifications.items.contains { $0.referenceType == "review" && $0.title.contains("Review approved") })
            let product = try await app.send(.GET, "/api/v1/products/\(world.shop.milk.productId)").decode(ProductDetail.self)
            #expect(product.ratings.reviewCount == 1, "the product counted it once")

            // Without photos only the review points; a rejection earns nothing and says why.
            let (second, secondOrder) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000032")
            let plain = try await Self.review(app, secondOrder, token: second).decode([MyReview].self)[0]
            #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(plain.id)/approve", token: world.admin).decode(StaffReview.self).pointsEarned == 10)
            let (third, thirdOrder) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000033")
            let spam = try await Self.review(app, thirdOrder, token: third, text: "广告广告广告").decode([MyReview].self)[0]
            let noReason = try await app.send(.POST, "/api/v1/admin/reviews/\(spam.id)/reject", token: world.admin, json: ReasonInput(reason: " "))
            #expect(noReason.problem?.errors?.map(\.field) == ["reason"])
            let rejected = try await app.send(.POST, "/api/v1/admin/reviews/\(spam.id)/reject", token: world.admin, json: ReasonInput(reason: "含有广告内容"))
            #expect(try rejected.decode(StaffReview.self).rejectionReason == "含有广告内容")
            let thirdInbox = try await app.send(.GET, "/api/v1/me/notifications", token: third).decode(MemberInbox.self)
            #expect(thirdInbox.notifications.items.contains { $0.referenceType == "review" && $0.body.contains("含有广告内容") })
            let thirdMine = try await app.send(.GET, "/api/v1/me/reviews?state=done", token: third).decode(MyReviews.self)
            #expect(thirdMine.items.items.first?.review?.status == .rejected && thirdMine.items.items.first?.review?.pointsEarned == 0)
            #expect(try await app.send(.GET, "/api/v1/me/points", token: third).decode(PointsSummary.self).balance == 0)

            let actions = try await AuditLogModel.query(on: app.db).filter(\.$targetType == "review").all().map(\.action).sorted()
            #expect(actions == ["review.approve", "review.approve", "review.reject"])
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("the rating summary is exact after approvals (count per star, mean to one decimal, share with photos); lists carry mean and count; filters and masked names")
    func summaryNumbers() async throws {
        try await Self.app { app, clock in
            let world = try await Self.world(app)
            let productId = world.shop.milk.productId
            // Stars 5, 5, 4, 2, 1 (approved) and a 1 left pending; the 5s and the 2 have photos.
            let plan: [(Int, Bool, Bool)] = [(5, true, true), (5, true, true), (4, false, true), (2, true, true), (1, false, true), (1, false, false)]
            var ids: [UUID] = []
            for (index, (stars, withPhoto, approve)) in plan.enumerated() {
                let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "1390000004\(index)")
                var photos: [String] = []
                if withPhoto { photos = [try await Self.uploadPhoto(app, Self.png(10 + index), token: shopper).decode(MediaFile.self).url] }
                let review = try await Self.review(app, order, token: shopper, rating: stars, text: "第\(index)条评价", photos: photos,
                                                   anonymous: index == 1).decode([MyReview].self)[0]
                ids.append(review.id)
                clock.advance(seconds: 60)
                if approve { #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/approve", token: world.admin).status == .ok) }
            }
            let page = try await app.send(.GET, "/api/v1/products/\(productId)/reviews").decode(ProductReviews.self)
            let summary = page.summary
            #expect(summary.reviewCount == 5)
            #expect(summary.averageRating == 3.4, "(5+5+4+2+1)/5")
            #expect(summary.stars.map(\.stars) == [5, 4, 3, 2, 1])
            #expect(summary.stars.map(\.count) == [2, 1, 0, 1, 1])
            #expect(summary.stars.map(\.percent) == [40, 20, 0, 20, 20])
            #expect(summary.withPhotosCount == 3 && summary.withPhotosPercent == 60)
            #expect(page.reviews.total == 5, "the pending one is not shown")
            #expect(page.reviews.items.map(\.id) == Array(ids.prefix(5).reversed()), "newest first")
            let anonymous = try #require(page.reviews.items.first { $0.id == ids[1] })
            #expect(anonymous.anonymous && anonymous.authorName.contains("*"))
            #expect(!page.reviews.items.first { $0.id == ids[0] }!.authorName.contains("*"))

            let detail = try await app.send(.GET, "/api/v1/products/\(productId)").decode(ProductDetail.self)
            #expect(detail.ratings == summary)
            let list = try await app.send(.GET, "/api/v1/products").decode(ListPage<ProductSummary>.self)
            let card = try #require(list.items.first { $0.id == productId })
            #expect(card.reviewCount == 5 && card.averageRating == 3.4)

            let withPhotos = try await app.send(.GET, "/api/v1/products/\(productId)/reviews?withPhotos=true").decode(ProductReviews.self)
            #expect(Set(withPhotos.reviews.items.map(\.id)) == Set([ids[0], ids[1], ids[3]]))
            let fives = try await app.send(.GET, "/api/v1/products/\(productId)/reviews?stars=5&withPhotos=true&per=1").decode(ProductReviews.self)
            #expect(fives.reviews.total == 2 && fives.reviews.items.count == 1)
            for bad in ["stars=6", "stars=0", "withPhotos=yes", "sort=oldest", "per=500"] {
                #expect(try await app.send(.GET, "/api/v1/products/\(productId)/reviews?\(bad)").status == .unprocessableEntity, "\(bad)")
            }
            #expect(try await app.send(.GET, "/api/v1/products/\(UUID())/reviews").status == .notFound)

            // The counters on the row agree with a count of the approved reviews.
            let approved = try await ProductReviewModel.query(on: app.db).filter(\.$productId == productId)
                .filter(\.$status == ReviewStatus.approved.rawValue).filter(\.$kind == ReviewKind.initial.rawValue).all()
            var counted = RatingCounts()
            for review in approved { counted.add(rating: review.rating ?? 0, hasPhotos: review.photoCount > 0) }
            #expect(try await ReviewQueries.ratingCounts(productId: productId, on: app.db) == counted)
            try await Fixtures.expectPointsLedgerMatches(app)
        }
    }

    @Test("replies: staff with review.reply over the order's store or merchant answer an approved review once; others cannot; the list follows scope")
    func replyScope() async throws {
        try await Self.app { app, _ in
            let world = try await Self.world(app)
            let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000051")
            let review = try await Self.review(app, order, token: shopper).decode([MyReview].self)[0]
            let (_, farManager) = try await Fixtures.staff(app, "far.manager", role: .storeManager, scope: .store(world.shop.far.storeID))
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(world.shop.near.storeID))
            let other = try await Fixtures.merchant(app, code: "OTHER")
            let (_, otherAdmin) = try await Fixtures.staff(app, "other.admin", role: .merchantAdmin, scope: .merchant(MerchantID(other.id!)))
            let (_, selfAdmin) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))

            let early = try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reply", token: world.manager, json: ReviewReplyInput(text: "谢谢"))
            #expect(early.status == .conflict && early.problem?.detail == "Only approved reviews can be answered.")
            #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/approve", token: world.admin).status == .ok)

            for token in [farManager, otherAdmin, clerk] {
                #expect(try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reply", token: token, json: ReviewReplyInput(text: "谢谢")).status == .forbidden)
            }
            #expect(try await app.send(.GET, "/api/v1/admin/reviews/\(review.id)", token: farManager).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/admin/reviews", token: farManager).decode(ListPage<StaffReview>.self).total == 0)
            #expect(try await app.send(.GET, "/api/v1/admin/reviews", token: world.manager).decode(ListPage<StaffReview>.self).total == 1)
            #expect(try await app.send(.GET, "/api/v1/admin/reviews", token: clerk).status == .forbidden, "a clerk holds neither permission")

            let short = try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reply", token: world.manager, json: ReviewReplyInput(text: "谢"))
            #expect(short.problem?.errors?.map(\.field) == ["text"])
            let answered = try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reply", token: world.manager,
                                              json: ReviewReplyInput(text: "感谢支持，欢迎再来！"))
            #expect(answered.status == .ok, "\(answered.text)")
            #expect(try answered.decode(StaffReview.self).reply?.text == "感谢支持，欢迎再来！")
            let twice = try await app.send(.POST, "/api/v1/admin/reviews/\(review.id)/reply", token: selfAdmin, json: ReviewReplyInput(text: "再回一次"))
            #expect(twice.status == .conflict && twice.problem?.detail == "This review has been answered already.")

            let shown = try await app.send(.GET, "/api/v1/products/\(world.shop.milk.productId)/reviews").decode(ProductReviews.self)
            #expect(shown.reviews.items.first?.reply?.text == "感谢支持，欢迎再来！")
            let replied = try await app.send(.GET, "/api/v1/admin/reviews?replied=true", token: world.admin).decode(ListPage<StaffReview>.self)
            #expect(replied.items.map(\.id) == [review.id])
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action == "review.reply").all()
            #expect(audit.count == 1 && audit.first?.storeId == world.shop.near.id)
            #expect(try await app.send(.GET, "/api/v1/admin/reviews?sort=-secret", token: world.admin).problem?.errors?.map(\.field) == ["sort"])
        }
    }

    @Test("review photos: members upload real images (checked like product images, deduplicated, at most 60 a day) and a review may show only their own uploads")
    func photoUploads() async throws {
        try await Self.app { app, clock in
            let world = try await Self.world(app)
            let (shopper, order) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000061")
            let (other, _) = try await Self.deliveredOrder(app, shop: world.shop, manager: world.manager, mobile: "13900000062")

            #expect(try await Self.uploadPhoto(app, Self.png(0), token: nil).status == .unauthorized)
            #expect(try await Self.uploadPhoto(app, Self.png(0), token: world.admin).status == .forbidden, "members only")
            let notImage = try await Self.uploadPhoto(app, Array("not a picture".utf8), token: shopper)
            #expect(notImage.status == .unprocessableEntity && notImage.problem?.errors?.map(\.field) == ["file"])
            let huge = try await Self.uploadPhoto(app, [UInt8](repeating: 0, count: ImageUploadPolicy.maxByteCount + 1), token: shopper)
            #expect(huge.status == .payloadTooLarge)
            let plain = try await app.send(.POST, "/api/v1/me/media/images", token: shopper, json: ReviewFollowUpInput(text: "x"))
            #expect(plain.status == .unsupportedMediaType)

            let first = try await Self.uploadPhoto(app, Self.png(0), token: shopper)
            #expect(first.status == .created, "\(first.text)")
            let file = try first.decode(MediaFile.self)
            #expect(file.url.hasPrefix("/files/img/") && file.format == .png && file.width == 24 && file.height == 24)
            #expect(try await Self.uploadPhoto(app, Self.png(0), token: shopper).status == .ok, "the same bytes again: the same file")
            let served = try await app.send(.GET, file.url)
            #expect(served.status == .ok && served.headers.first(name: .contentType) == "image/png")

            // Another member's upload, or a path that is not an uploaded image, is refused.
            let theirs = try await Self.uploadPhoto(app, Self.png(2), token: other).decode(MediaFile.self)
            let refused = try await Self.review(app, order, token: shopper, photos: [file.url, theirs.url, "https://example.com/x.png"])
            #expect(refused.status == .unprocessableEntity)
            #expect(Set(refused.problem?.errors?.map(\.field) ?? []) == ["lines[0].photos[1]", "lines[0].photos[2]"])

            // 60 new images a day; the 61st waits until a day has passed since the oldest.
            for index in 1..<ImageUploadPolicy.memberUploadsPerDay {
                #expect(try await Self.uploadPhoto(app, Self.png(100 + index), token: shopper).status == .created)
            }
            let limited = try await Self.uploadPhoto(app, Self.png(99), token: shopper)
            #expect(limited.status == .tooManyRequests)
            #expect(try await Self.uploadPhoto(app, Self.png(0), token: shopper).status == .ok, "an earlier upload is still found")
            clock.advance(seconds: 86_400 + 1)
            #expect(try await Self.uploadPhoto(app, Self.png(99), token: shopper).status == .created)

            let written = try await Self.review(app, order, token: shopper, photos: [file.url])
            #expect(written.status == .created, "\(written.text)")
            #expect(try written.decode([MyReview].self).first?.photos == [file.url])
        }
    }
}
