import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Product reviews on the best sellers: a few reviewer members with collected pickup orders,
/// reviews written, approved (earning points, counted in the products' ratings), some with
/// generated photos, a couple of store replies and follow-ups, one rejected, a few waiting in the
/// moderation queue — and for the demo member 13800138000 one reviewed order and one order with
/// items still to review. Everything goes through `ReviewService`, as a real review would.
/// Running it twice changes nothing (the first demo order's number marks it done).
struct DemoReviews {
    let app: Application

    static let firstOrderNumber = "DR00000001"

    struct Reviewer {
        let login: String
        let nickname: String
    }

    static let reviewers: [Reviewer] = [
        Reviewer(login: "15888000001", nickname: "张小凡"), Reviewer(login: "15888000002", nickname: "李思思"),
        Reviewer(login: "15888000003", nickname: "王大锤"), Reviewer(login: "15888000004", nickname: "赵晓晨"),
        Reviewer(login: "15888000005", nickname: "孙悦"), Reviewer(login: "15888000006", nickname: "周周"),
        Reviewer(login: "15888000007", nickname: "吴先生"), Reviewer(login: "15888000008", nickname: "郑可可"),
    ]

    /// Stars and words; the reviewer at the same position writes it about every product they bought.
    static let texts: [(Int, String)] = [
        (5, "包装很严实，日期也很新鲜，门店自提很方便，下次还会再买。"),
        (5, "味道不错，家里老人小孩都爱吃，性价比挺高的。"),
        (4, "整体满意，就是取货时排队稍微久了一点。"),
        (5, "已经第三次回购了，品质一直很稳定，店员也很热情。"),
        (3, "还可以吧，和超市里卖的差不多，价格略贵一点。"),
        (4, "分量足，口感好，活动价入手很划算。"),
        (2, "这次有一盒外包装压坏了，里面的东西倒是没问题，希望改进包装。"),
        (5, "朋友推荐来买的，果然没让人失望，已经推荐给同事了。"),
    ]

    func run() async throws {
        let db = app.db
        if try await OrderModel.query(on: db).filter(\.$number == Self.firstOrderNumber).first() != nil { return }
        guard let jingan = try await StoreModel.query(on: db).filter(\.$code == "SH-JA01").first(),
              let admin = try await StaffModel.find(username: "admin", on: db) else { return }
        let manager = try await StaffModel.find(username: "ja.manager", on: db)
        // The self-operated best sellers that store SH-JA01 sells.
        let popular = try await ProductModel.query(on: db).filter(\.$merchantId == SelfOperatedMerchant.id.rawValue).filter(\.$onShelf == true)
            .sort(\.$salesCount, .descending).sort(\.$id).limit(6).all()
        guard popular.count >= 3 else { return }
        let now = app.clock.now()
        // Each product's best-stocked option at the store; what the demo orders take is booked
        // through the stock ledger like any order (reserved, then committed when collected),
        // topped up first where the shelf is too thin.
        var skus: [UUID: SKUModel] = [:]
        var restock: [StockRequest] = []
        for product in popular {
            let options = try await SKUModel.query(on: db).filter(\.$productId == product.id!).filter(\.$enabled == true).sort(\.$specKey).all()
            let levels = try await StockSnapshot.available(skus: options.compactMap(\.id), stores: [jingan.id!], on: db)
            let available = Dictionary(levels.map { ($0.skuId, $0.available) }, uniquingKeysWith: max)
            guard let best = options.max(by: { (available[$0.id!] ?? 0) < (available[$1.id!] ?? 0) }) else { continue }
            skus[product.id!] = best
            let needed = Self.reviewers.count + 4
            if (available[best.id!] ?? 0) < needed {
                restock.append(StockRequest(skuId: best.id!, storeId: jingan.id!, quantity: needed - (available[best.id!] ?? 0)))
            }
        }
        if !restock.isEmpty {
            let requests = restock
            try await db.writeTransaction { tx in
                try await InventoryService.make(app, on: tx).move(.receipt, requests, context: MovementContext(
                    reason: "补货 restock", referenceType: "receipt", referenceId: "DEMO-REVIEW-ORDERS", now: now))
            }
        }

        let settings = try await SettingsService.resolved(on: db)
        let service = ReviewService(app: app, db: db)
        let audit = AuditRecorder(actorStaffId: admin.id, actorName: admin.username, requestId: "demo-seed", now: now)
        var orderSerial = 0
        var photoSerial = 0

        func order(for memberId: UUID, products: [ProductModel], handedOverDaysAgo: Double) async throws -> (OrderModel, [OrderLineModel]) {
            orderSerial += 1
            let handedOver = now.addingTimeInterval(-handedOverDaysAgo * 86_400)
            return try await Self.collectedOrder(number: String(format: "DR%08d", orderSerial), memberId: memberId, store: jingan,
                                                 items: products.compactMap { product in skus[product.id!].map { (product, $0) } },
                                                 pickedUpAt: handedOver, bookedAt: now, app: app)
        }
        // What the reviewers photographed: each product drawn as its packshot (the seed its
        // catalogue picture used, so the snapshot shows the same pack).
        var subjects: [UUID: ProductIllustration.Subject] = [:]
        for product in popular {
            let category = try await CategoryModel.find(product.categoryId, on: db)?.name ?? ""
            var brand: String?
            if let brandId = product.brandId { brand = try await BrandModel.find(brandId, on: db)?.name }
            let name = brand.map { product.title.hasPrefix($0 + " ") ? String(product.title.dropFirst($0.count + 1)) : product.title } ?? product.title
            subjects[product.id!] = ProductIllustration.Subject(category: category, name: name, brand: brand, spec: nil, seed: brand ?? category)
        }
        func photos(_ count: Int, of productId: UUID, memberId: UUID, at: Date) async throws -> [String] {
            var urls: [String] = []
            for _ in 0..<count {
                photoSerial += 1
                guard let subject = subjects[productId] else { continue }
                let caption = Self.captions[photoSerial % Self.captions.count]
                let bytes = Array(ReviewPhotoIllustration.svg(for: subject, caption: caption, seed: "review-photo-\(photoSerial)").utf8)
                urls.append(try await Self.storeDrawnPhoto(bytes, memberId: memberId, at: at, app: app, on: db))
            }
            return urls
        }

        // Reviewers: each bought some of the best sellers 8–27 days ago and reviewed them a day later.
        var members: [UUID] = []
        for reviewer in Self.reviewers {
            members.append(try await Self.member(reviewer, app: app))
        }
        var pendingLeft = 3
        for (index, memberId) in members.enumerated() {
            let bought = popular.enumerated().filter { ($0.offset + index) % 3 != 2 }.map(\.element)
            let handedOverDaysAgo = Double(27 - index * 2)
            let (placed, lines) = try await order(for: memberId, products: bought, handedOverDaysAgo: handedOverDaysAgo)
            let reviewedAt = now.addingTimeInterval(-(handedOverDaysAgo - 1) * 86_400)
            for (position, line) in lines.enumerated() {
                let (stars, text) = Self.texts[(index + position) % Self.texts.count]
                let withPhotos = (index + position) % 3 == 0 ? 1 + (index + position) % 3 : 0
                let input = ReviewLineInput(orderLineId: line.id!, rating: stars, text: text,
                                            photos: try await photos(withPhotos, of: line.productId, memberId: memberId, at: reviewedAt), anonymous: (index + position) % 4 == 1)
                guard let review = try await service.submit(memberId: memberId, orderId: placed.id!, input: ReviewInput(lines: [input]),
                                                            settings: settings, now: reviewedAt).first else { continue }
                // The last reviewers' newest reviews wait in the moderation queue.
                if index >= members.count - 2, position == 0, pendingLeft > 0 {
                    pendingLeft -= 1
                    continue
                }
                if index == 2, position == 1 {
                    _ = try await service.reject(reviewId: review.id!, reason: "评价内容与商品无关，请重新描述使用体验", staffId: admin.id!,
                                                 audit: audit, now: reviewedAt.addingTimeInterval(3_600))
                    continue
                }
                _ = try await service.approve(reviewId: review.id!, staffId: admin.id!, settings: settings, audit: audit,
                                              now: reviewedAt.addingTimeInterval(3_600))
                if let manager, (index + position) % 4 == 0 {
                    _ = try await service.reply(reviewId: review.id!, text: "感谢您的支持！我们会继续把好品质关，欢迎再次光临静安寺店。", staffId: manager.id!,
                                                audit: AuditRecorder(actorStaffId: manager.id, actorName: manager.username, requestId: "demo-seed", now: now),
                                                now: reviewedAt.addingTimeInterval(7_200))
                }
                if index < 3, position == 0 {
                    let followUp = try await service.followUp(
                        memberId: memberId, reviewId: review.id!,
                        input: ReviewFollowUpInput(text: "用了一周再来追评：品质稳定，值得回购。", photos: try await photos(1, of: line.productId, memberId: memberId, at: reviewedAt)),
                        settings: settings, now: reviewedAt.addingTimeInterval(5 * 86_400))
                    _ = try await service.approve(reviewId: followUp.id!, staffId: admin.id!, settings: settings, audit: audit,
                                                  now: reviewedAt.addingTimeInterval(5 * 86_400 + 3_600))
                }
            }
        }
        // One more waiting in the queue: a second reviewer's extra order.
        if let extra = popular.last {
            let (placed, lines) = try await order(for: members[0], products: [extra], handedOverDaysAgo: 3)
            if let line = lines.first {
                _ = try await service.submit(memberId: members[0], orderId: placed.id!, input: ReviewInput(lines: [
                    ReviewLineInput(orderLineId: line.id!, rating: 4, text: "第二次买了，这次的批次口感更好，点赞。",
                                    photos: try await photos(2, of: line.productId, memberId: members[0], at: now.addingTimeInterval(-86_400))),
                ]), settings: settings, now: now.addingTimeInterval(-86_400))
            }
        }

        // The demo shopper 13800138000: one order reviewed (approved, answered), one still to review.
        guard let shopper = try await MemberModel.find(login: try MemberLogin(parsing: "13800138000"), on: db) else { return }
        let (earlier, earlierLines) = try await order(for: shopper.id!, products: [popular[0]], handedOverDaysAgo: 12)
        if let line = earlierLines.first {
            let reviewedAt = now.addingTimeInterval(-11 * 86_400)
            if let review = try await service.submit(memberId: shopper.id!, orderId: earlier.id!, input: ReviewInput(lines: [
                ReviewLineInput(orderLineId: line.id!, rating: 5, text: "自提很快，东西新鲜，包装也很用心，五星好评！",
                                photos: try await photos(2, of: line.productId, memberId: shopper.id!, at: reviewedAt)),
            ]), settings: settings, now: reviewedAt).first {
                _ = try await service.approve(reviewId: review.id!, staffId: admin.id!, settings: settings, audit: audit, now: reviewedAt.addingTimeInterval(3_600))
                if let manager {
                    _ = try await service.reply(reviewId: review.id!, text: "谢谢小王的好评，期待您下次光临！", staffId: manager.id!,
                                                audit: AuditRecorder(actorStaffId: manager.id, actorName: manager.username, requestId: "demo-seed", now: now),
                                                now: reviewedAt.addingTimeInterval(7_200))
                }
            }
        }
        _ = try await order(for: shopper.id!, products: Array(popular.dropFirst().prefix(2)), handedOverDaysAgo: 2)
    }

    /// A reviewer account (password `Shop@2026`, like the other demo members).
    /// Hand-written under the snapshots.
    static let captions = ["到货啦！", "开箱～", "真不错", "第三次回购", "周末囤货", "好评👍", "给家里买的", "颜值在线"]

    /// A drawn snapshot stored as the member's own image, the way `MemberImageService.upload`
    /// stores a photo, except that the server wrote these bytes (members cannot upload SVG).
    /// Keyed by content: seeding again finds it.
    static func storeDrawnPhoto(_ bytes: [UInt8], memberId: UUID, at: Date, app: Application, on db: any Database) async throws -> String {
        let digest = SigV4Signer.hex(SHA256.hash(data: bytes))
        if let existing = try await MemberImageModel.find(member: memberId, sha256: digest, on: db) { return existing.url }
        let info = ImageInfo(format: .svg, width: ReviewPhotoIllustration.side, height: ReviewPhotoIllustration.side, byteCount: bytes.count)
        let image = MemberImageModel(memberId: memberId, sha256: digest, image: info, createdAt: at)
        try await app.fileStorage.put(key: image.key, data: Data(bytes), contentType: info.format.mimeType)
        try await image.create(on: db)
        return image.url
    }

    static func member(_ reviewer: Reviewer, app: Application) async throws -> UUID {
        let login = try MemberLogin(parsing: reviewer.login)
        if let existing = try await MemberModel.find(login: login, on: app.db) { return existing.id! }
        let hash = try await app.password.async.hash(DemoSeeder.memberPassword)
        let member = MemberModel(mobile: reviewer.login, email: nil, passwordHash: hash, nickname: reviewer.nickname)
        try await member.create(on: app.db)
        return member.id!
    }

    /// A paid pickup order at `store`, collected at `pickedUpAt` and confirmed an hour later, as
    /// the order desk would have left it; its units are reserved and committed in the stock
    /// ledger at `bookedAt` (when the demo is loaded), so stock still adds up.
    static func collectedOrder(number: String, memberId: UUID, store: StoreModel, items: [(ProductModel, SKUModel)], pickedUpAt: Date,
                               bookedAt: Date, app: Application) async throws -> (OrderModel, [OrderLineModel]) {
        let db = app.db
        let placedAt = pickedUpAt.addingTimeInterval(-4 * 3_600)
        var lifecycle = OrderLifecycle(fulfilment: .pickup, storeId: store.storeID, placedBy: .shopper(memberId), at: placedAt,
                                       paymentDueAt: placedAt.addingTimeInterval(1_800))
        _ = lifecycle.pay(reference: number, at: placedAt.addingTimeInterval(60))
        _ = try lifecycle.accept(by: .storeStaff(memberId), at: placedAt.addingTimeInterval(600))
        _ = try lifecycle.startPicking(by: .storeStaff(memberId), at: placedAt.addingTimeInterval(900))
        _ = try lifecycle.markReadyForPickup(code: "246810", by: .storeStaff(memberId), at: placedAt.addingTimeInterval(1_800))
        _ = try lifecycle.pickUp(enteredCode: "246810", by: .storeStaff(memberId), at: pickedUpAt)
        _ = try lifecycle.confirmReceipt(by: .shopper(memberId), at: pickedUpAt.addingTimeInterval(3_600))
        let goods = items.reduce(Int64(0)) { $0 + $1.1.priceFen }
        let decision = AllocationPlanner.plan(request: AllocationRequest(
            lines: items.map { AllocationLine(skuId: $0.1.id!, quantity: 1) }, fulfilment: .pickup(at: store.storeID, shopperLocation: nil),
            candidates: [StoreCandidate(id: store.storeID, name: store.name, kind: store.kind, status: .open, location: store.location,
                                        deliveryRadiusKm: store.deliveryRadiusKm, hours: store.weeklyHours, pickupEnabled: true, ordersToday: 0,
                                        dailyCapacity: 1_000_000, available: Dictionary(uniqueKeysWithValues: items.map { ($0.1.id!, 1) }))],
            weekday: .monday, minute: try ClockTime(parsing: "12:00", field: "now"), openingWindowMinutes: 0, excluding: []))
        let collected = lifecycle
        return try await db.writeTransaction { tx in
            let checkout = CheckoutModel()
            checkout.id = UUID()
            checkout.memberId = memberId
            checkout.idempotencyKey = "demo-\(number)"
            checkout.requestDigest = "demo"
            checkout.payableFen = goods
            checkout.resultJSON = "{}"
            checkout.createdAt = placedAt
            try await checkout.create(on: tx)
            let order = OrderModel()
            order.id = UUID()
            order.number = number
            order.checkoutId = checkout.id!
            order.memberId = memberId
            order.merchantId = store.merchantId
            order.fulfilment = OrderFulfilmentKind.pickup.rawValue
            try order.setLifecycle(collected)
            order.allocationJSON = try JSONText.encode(decision)
            order.goodsFen = goods
            order.discountFen = 0
            order.shippingFen = 0
            order.payableFen = goods
            order.pricingJSON = "{}"
            order.paymentDueAt = placedAt.addingTimeInterval(1_800)
            order.paidAt = placedAt.addingTimeInterval(60)
            order.createdAt = placedAt
            order.updatedAt = pickedUpAt.addingTimeInterval(3_600)
            try await order.create(on: tx)
            var lines: [OrderLineModel] = []
            for (product, sku) in items {
                let line = OrderLineModel()
                line.id = UUID()
                line.orderId = order.id!
                line.skuId = sku.id!
                line.productId = product.id!
                line.title = product.title
                line.specTitle = sku.specTitle
                line.quantity = 1
                line.unitPriceFen = sku.priceFen
                line.discountFen = 0
                line.payableFen = sku.priceFen
                try await line.create(on: tx)
                lines.append(line)
            }
            let payment = PaymentModel()
            payment.checkoutId = checkout.id!
            payment.memberId = memberId
            payment.provider = SandboxGateway.provider
            payment.amountFen = goods
            payment.status = "paid"
            payment.providerTransactionId = number
            payment.refundedFen = 0
            payment.createdAt = placedAt
            payment.paidAt = placedAt.addingTimeInterval(60)
            try await payment.create(on: tx)
            let inventory = try await InventoryService.make(app, on: tx)
            let requests = lines.map { StockRequest(skuId: $0.skuId, storeId: store.id!, quantity: $0.quantity) }
            let context = MovementContext(reason: "order \(number)", referenceType: "order", referenceId: order.id!.uuidString, now: bookedAt)
            try await inventory.reserve(requests, context: context)
            try await inventory.commit(requests, context: context)
            return (order, lines)
        }
    }
}
