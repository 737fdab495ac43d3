import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Sign-in, sign-up, language, the account and "my orders" pages of the storefront.
struct ShopperPagesRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: loginForm)
        routes.post("login", use: login)
        routes.get("register", use: registerForm)
        routes.post("register", use: register)
        routes.post("logout", use: logout)
        routes.post("lang", use: switchLanguage)
        routes.get("account", use: account)
        routes.get("member", use: memberCentre)
        routes.get("inbox", use: inbox)
        routes.get("orders", use: orders)
        routes.get("orders", ":orderId", use: order)
        routes.get("orders", ":orderId", "pickup-code.svg", use: pickupQR)
    }

    // MARK: Sign-in and sign-up

    struct SignInForm: Content {
        var login: String?
        var password: String?
        var next: String?
        var cartToken: String?
    }

    func loginForm(req: Request) async throws -> Response {
        let next = req.safeReturnPath(req.query[String.self, at: "next"], fallback: "/orders")
        return try await req.renderPage("storefront/login", title: req.message("login_title"),
                                        data: SignInData(login: "", next: next, error: nil, fieldErrors: [:]))
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let next = req.safeReturnPath(form.next, fallback: "/orders")
        do {
            let member = try await MemberAuthRoutes.verifiedMember(req, login: form.login ?? "", password: form.password ?? "",
                                                                   guestCartToken: form.cartToken)
            try await WebSessionAuthMiddleware.signIn(req, kind: .member, subjectId: member.id!)
            return req.redirect(to: next)
        } catch let error as ProblemConvertible {
            let data = SignInData(login: form.login ?? "", next: next, error: req.serverText(error.detail ?? error.title), fieldErrors: [:])
            return try await req.renderPage("storefront/login", title: req.message("login_title"), data: data, status: error.status)
        } catch let failure as ValidationFailure {
            let data = SignInData(login: form.login ?? "", next: next, error: req.message("form_fix_fields"), fieldErrors: failure.byField.mapValues(req.serverText))
            return try await req.renderPage("storefront/login", title: req.message("login_title"), data: data, status: .unprocessableEntity)
        }
    }

    struct RegisterForm: Content {
        var mobile: String?
        var email: String?
        var nickname: String?
        var password: String?
        var cartToken: String?
    }

    func registerForm(req: Request) async throws -> Response {
        try await req.renderPage("storefront/register", title: req.message("register_title"),
                                 data: RegisterData(mobile: "", email: "", nickname: "", error: nil, fieldErrors: [:]))
    }

    /// Registers through the same rules as the API (`POST /api/v1/auth/register`), then signs
    /// the browser in.
    func register(req: Request) async throws -> Response {
        let form = try req.content.decode(RegisterForm.self)
        func blankToNil(_ text: String?) -> String? { text.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 } }
        let input = MemberRegistration(mobile: blankToNil(form.mobile), email: blankToNil(form.email), password: form.password ?? "",
                                       nickname: blankToNil(form.nickname))
        do {
            let member = try await MemberAuthRoutes.createMember(req, input: input)
            try await WebSessionAuthMiddleware.signIn(req, kind: .member, subjectId: member.id!)
            if let token = form.cartToken, !token.isEmpty {
                try await CartService.merge(guestToken: token, into: member.id!, now: req.now, on: req.db)
            }
            return req.redirect(to: "/account")
        } catch let failure as ValidationFailure {
            let data = RegisterData(mobile: form.mobile ?? "", email: form.email ?? "", nickname: form.nickname ?? "",
                                    error: req.message("form_fix_fields"), fieldErrors: failure.byField.mapValues(req.serverText))
            return try await req.renderPage("storefront/register", title: req.message("register_title"), data: data, status: .unprocessableEntity)
        } catch let error as ProblemConvertible {
            let data = RegisterData(mobile: form.mobile ?? "", email: form.email ?? "", nickname: form.nickname ?? "",
                                    error: req.serverText(error.detail ?? error.title), fieldErrors: [:])
            return try await req.renderPage("storefront/register", title: req.message("register_title"), data: data, status: error.status)
        }
    }

    /// Ends the auth session (so a copied cookie is worthless too) and forgets the browser session.
    func logout(req: Request) async throws -> Response {
        let sessionId: UUID? = switch req.principal {
        case .member(let member): member.sessionId
        case .staff(let staff): staff.sessionId
        case nil: nil
        }
        if let sessionId {
            try await TokenService(app: req.application, db: req.db).revoke(sessionId: sessionId, reason: "logout")
        }
        req.session.destroy()
        let back = (try? req.content.get(String.self, at: "next")).map { req.safeReturnPath($0) } ?? "/"
        return req.redirect(to: back)
    }

    /// Remembers the shopper's language for a year and returns to the page they were on.
    func switchLanguage(req: Request) async throws -> Response {
        let raw = (try? req.content.get(String.self, at: "lang")) ?? ""
        let language = WebLanguage(rawValue: raw) ?? .zhCN
        let response = req.redirect(to: req.safeReturnPath(try? req.content.get(String.self, at: "next")))
        response.cookies[WebLanguage.cookieName] = HTTPCookies.Value(string: language.rawValue, maxAge: 365 * 86_400, path: "/",
                                                                      isSecure: false, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    // MARK: Account and orders

    private func signedInMember(_ req: Request) -> MemberPrincipal? {
        if case .member(let member) = req.principal { return member }
        return nil
    }

    private func signInRedirect(_ req: Request) -> Response {
        let here = req.url.path + (req.url.query.map { "?" + $0 } ?? "")
        return req.redirect(to: "/login" + StorefrontRoutes.queryString(["next": here]))
    }

    func account(req: Request) async throws -> Response {
        guard let principal = signedInMember(req), let member = try await MemberModel.find(principal.memberId, on: req.db) else {
            return signInRedirect(req)
        }
        // The level's name as members know it (the code when no level defines it).
        let levelName = try await MembershipService.rights(memberId: principal.memberId, on: req.db).level?.name
        let data = AccountData(nickname: member.nickname, mobile: member.mobile ?? "", email: member.email ?? "", level: levelName ?? member.level ?? "")
        return try await req.renderPage("storefront/account", title: req.message("account_title"), data: data)
    }

    /// The member centre: level, points with the sign-in calendar and history, and the way to
    /// everything a member has (orders, reviews, points mall, lottery, inbox, account).
    func memberCentre(req: Request) async throws -> Response {
        guard let principal = signedInMember(req), let member = try await MemberModel.find(principal.memberId, on: req.db) else {
            return signInRedirect(req)
        }
        let settings = try await SettingsService.resolved(on: req.db)
        let summary = try await PointsQueries.summary(memberId: principal.memberId, settings: settings, now: req.now, on: req.db)
        let signIn = summary.signIn
        // Days of the cycle done so far: up to today when signed in, up to yesterday otherwise.
        let done = signIn.signedInToday ? signIn.dayOfCycle : signIn.dayOfCycle - 1
        let days = (1...max(1, signIn.cycleDays)).map { day in
            SignInDay(number: day, points: SignInReward.points(streak: day, daily: signIn.dailyPoints, bonus: signIn.bonusPoints, cycleDays: signIn.cycleDays),
                      done: day <= done, today: day == signIn.dayOfCycle, bonus: day == signIn.cycleDays && signIn.bonusPoints > 0)
        }
        let expiring = summary.expiring.map {
            ExpiringLine(points: String($0.points), date: LocalTime.calendarDate(of: $0.expiresAt.addingTimeInterval(-1), in: settings.timeZone).description)
        }
        let levelName = try await MembershipService.rights(memberId: principal.memberId, on: req.db).level?.name
        let data = MemberCentreData(nickname: member.nickname, level: levelName ?? member.level ?? "", balance: String(summary.balance),
                                    earnedTotal: String(summary.earnedTotal), worth: Self.worth(points: summary.balance, pointsPerYuan: summary.pointsPerYuan), pointsPerYuan: summary.pointsPerYuan,
                                    expiring: expiring, signedInToday: signIn.signedInToday, streak: signIn.streak, todayPoints: signIn.todayPoints,
                                    days: days, unread: try await MemberInboxService.unreadCount(memberId: principal.memberId, on: req.db))
        return try await req.renderPage("storefront/member", title: req.message("member_title"), data: data)
    }

    /// What points pay at checkout, in yuan (checked: a balance past any real one shows as "—").
    static func worth(points: Int64, pointsPerYuan: Int) -> String {
        let (fen, overflow) = points.multipliedReportingOverflow(by: 100)
        return overflow ? "—" : WebFormat.yuan(fen / Int64(max(1, pointsPerYuan)))
    }

    func inbox(req: Request) async throws -> Response {
        guard signedInMember(req) != nil else { return signInRedirect(req) }
        return try await req.renderPage("storefront/inbox", title: req.message("inbox_title"), data: NoPageData())
    }

    func orders(req: Request) async throws -> Response {
        guard signedInMember(req) != nil else { return signInRedirect(req) }
        // Tabs are the shopper's stages; a mistyped tab link is the whole list, not an error page.
        let rawStage = req.query[String.self, at: "stage"]
        if let rawStage, ShopperOrderStage(rawValue: rawStage) == nil { return req.redirect(to: "/orders") }
        if req.query[String.self, at: "status"] != nil { return req.redirect(to: "/orders") }
        let mine = try await OrderRoutes().list(req: req)
        let timeZone = try await SettingsService.resolved(on: req.db).timeZone
        func count(_ stage: ShopperOrderStage?) -> Int {
            (stage?.statuses.map(\.rawValue) ?? Array(mine.countsByStatus.keys)).reduce(0) { $0 + (mine.countsByStatus[$1] ?? 0) }
        }
        let tabs = ([nil] + ShopperOrderStage.allCases.map(Optional.some)).map { stage in
            OrderTab(label: stage.map { req.message("orders_stage_\($0.rawValue)") } ?? req.message("orders_all"),
                     href: stage.map { "/orders?stage=\($0.rawValue)" } ?? "/orders",
                     count: count(stage), current: stage?.rawValue == rawStage)
        }
        let pages = max(1, (mine.orders.total + mine.orders.per - 1) / mine.orders.per)
        func link(_ page: Int) -> String {
            "/orders" + StorefrontRoutes.queryString(["stage": rawStage, "page": page > 1 ? String(page) : nil].compactMapValues { $0 })
        }
        let data = OrdersData(tabs: tabs, orders: mine.orders.items.map { OrderCard($0, timeZone: timeZone, req: req) },
                              previous: mine.orders.page > 1 ? link(mine.orders.page - 1) : nil,
                              next: mine.orders.page < pages ? link(mine.orders.page + 1) : nil)
        return try await req.renderPage("storefront/orders", title: req.message("orders_title"), data: data)
    }

    func order(req: Request) async throws -> Response {
        guard signedInMember(req) != nil else { return signInRedirect(req) }
        let order = try await OrderRoutes().show(req: req)
        let settings = try await SettingsService.resolved(on: req.db)
        let payment = try await PaymentModel.query(on: req.db).filter(\.$checkoutId == order.checkoutId).first()
        let cases = try await AfterSalesCaseModel.query(on: req.db).filter(\.$orderId == order.id).sort(\.$createdAt, .descending).all()
        let windowDays = settings.integer(.afterSalesWindowDays)
        let afterSalesOpen = [.delivered, .pickedUp, .completed].contains(order.status)
        // `show` has checked the order is the member's own.
        var refunds: [UUID: [AfterSalesRefundExplanation.Line]] = [:]
        if !cases.isEmpty, let model = try await OrderModel.find(order.id, on: req.db) {
            refunds = try await AfterSalesRefundExplanation.forOrder(model, on: req.db)
        }
        let data = OrderPageData(
            order: OrderCard(order, timeZone: settings.timeZone, req: req),
            lines: order.lines.map { line in
                OrderLineRow(id: line.id, title: line.title, specTitle: req.serverText(line.specTitle), quantity: line.quantity,
                             unitPrice: WebFormat.yuan(line.unitPriceFen), payable: WebFormat.yuan(line.payableFen))
            },
            goods: WebFormat.yuan(order.goodsFen), discount: order.discountFen > 0 ? WebFormat.yuan(order.discountFen) : nil,
            shipping: WebFormat.yuan(order.shippingFen), payable: WebFormat.yuan(order.payableFen),
            refunded: order.refundedFen > 0 ? WebFormat.yuan(order.refundedFen) : nil,
            allocation: req.serverText(order.allocationSummary),
            timeline: order.timeline.reversed().enumerated().map { index, entry in
                // An entry that did not change the status (a reallocation, a payment note) shows
                // only what happened; the first entry names the status the order starts in.
                let changed = entry.from != entry.to || index == order.timeline.count - 1
                return TimelineRow(at: WebFormat.dateTime(entry.at, in: settings.timeZone), status: changed ? req.message("status_\(entry.to.rawValue)") : "",
                                   actor: req.message("actor_\(entry.actor)"), note: entry.note.map(req.serverText) ?? "")
            },
            shipments: order.shipments.map { shipment in
                ShipmentCard(carrier: shipment.carrierName, trackingNumber: shipment.trackingNumber ?? "",
                             events: shipment.events.reversed().map { event in
                                 TimelineRow(at: WebFormat.dateTime(event.at, in: settings.timeZone), status: event.state.map { req.message("tracking_\($0.rawValue)") } ?? "",
                                             actor: event.location ?? "", note: event.description)
                             })
            },
            pickupCode: order.pickupCode, pickupQR: order.pickupCode.map { _ in "/orders/\(order.id)/pickup-code.svg" },
            paymentId: order.status == .pendingPayment ? payment?.id : nil,
            canCancel: [.pendingPayment, .paid, .awaitingReallocation].contains(order.status),
            canConfirm: [.delivered, .pickedUp].contains(order.status),
            afterSalesOpen: afterSalesOpen,
            afterSalesNote: req.message([.cancelled, .expired].contains(order.status) ? "aftersales_closed" : "aftersales_not_yet"),
            afterSalesWindow: req.message("aftersales_window", ["days": String(windowDays)]),
            afterSalesReasons: AfterSalesReason.allCases.map { SelectOption(value: $0.rawValue, label: req.message("reason_\($0.rawValue)"), selected: false) },
            afterSalesCases: cases.map { model in
                AfterSalesRow(number: model.number, kind: req.message("aftersales_kind_\(model.kind)"), status: req.message("aftersales_status_\(model.status)"),
                              at: WebFormat.dateTime(model.createdAt, in: settings.timeZone),
                              refund: model.requestedRefundFen > 0 ? WebFormat.yuan(model.requestedRefundFen) : nil,
                              refundLines: (refunds[model.id!] ?? []).map { Self.refundSentence($0, req: req) })
            })
        return try await req.renderPage("storefront/order", title: req.message("order_title", ["number": order.number]), data: data)
    }

    /// "Tea × 1: price ¥59.90 promotions -¥5.99 coupons -¥2.50 = refund ¥51.41", leaving out
    /// discounts the line did not have.
    static func refundSentence(_ line: AfterSalesRefundExplanation.Line, req: Request) -> String {
        let parts = [("promotion", line.breakdown.promotionDiscount), ("coupon", line.breakdown.couponDiscount),
                     ("level", line.breakdown.levelDiscount), ("points", line.breakdown.pointsDeduction)]
            .filter { $0.1.minorUnits > 0 }
            .map { req.message("aftersales_refund_\($0.0)", ["amount": WebFormat.yuan($0.1.minorUnits)]) }
        let goods = req.message("aftersales_refund_goods", ["title": line.title, "quantity": String(line.quantity),
                                                            "amount": WebFormat.yuan(line.breakdown.goods.minorUnits)])
        let total = req.message("aftersales_refund_total", ["amount": WebFormat.yuan(line.breakdown.refund.minorUnits)])
        return ([goods] + parts).joined(separator: " ") + " = " + total
    }

    /// The pickup code as a QR code the store's scanner reads (`chainmall:pickup:<number>:<code>`).
    func pickupQR(req: Request) async throws -> Response {
        guard signedInMember(req) != nil else { throw MallError.unauthorized("Sign in to see your pickup code.") }
        let order = try await OrderRoutes().show(req: req)
        guard let code = order.pickupCode else { throw MallError.notFound("This order has no pickup code to show now.") }
        let svg = try QRCode.encode("chainmall:pickup:\(order.number):\(code)").svg(moduleSize: 6, quietZone: 4)
        let response = Response(status: .ok, body: .init(string: svg))
        response.headers.contentType = HTTPMediaType(type: "image", subType: "svg+xml")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }
}

extension ValidationFailure {
    /// The first message per field, for forms that show errors beside their inputs.
    var byField: [String: String] {
        var result: [String: String] = [:]
        for error in errors where result[error.field] == nil { result[error.field] = error.message }
        return result
    }
}

// MARK: Page models

struct SignInData: Encodable, Sendable {
    let login: String
    let next: String
    let error: String?
    let fieldErrors: [String: String]
}

struct RegisterData: Encodable, Sendable {
    let mobile: String
    let email: String
    let nickname: String
    let error: String?
    let fieldErrors: [String: String]
}

struct SignInDay: Encodable, Sendable {
    let number: Int
    let points: Int
    let done: Bool
    let today: Bool
    let bonus: Bool
}

struct ExpiringLine: Encodable, Sendable {
    let points: String
    /// The last day the points can be used.
    let date: String
}

struct MemberCentreData: Encodable, Sendable {
    let nickname: String
    let level: String
    let balance: String
    let earnedTotal: String
    /// What the balance pays at checkout.
    let worth: String
    let pointsPerYuan: Int
    let expiring: [ExpiringLine]
    let signedInToday: Bool
    let streak: Int
    let todayPoints: Int
    let days: [SignInDay]
    let unread: Int
    /// The member centre shows the level card and the progress; the level page shows all.
    let levelCompact = true
}

struct AccountData: Encodable, Sendable {
    let nickname: String
    let mobile: String
    let email: String
    let level: String
}

struct OrderTab: Encodable, Sendable {
    let label: String
    let href: String
    let count: Int
    let current: Bool
}

struct OrderCard: Encodable, Sendable {
    let id: UUID
    let number: String
    let href: String
    let status: String
    let statusCode: String
    let fulfilment: String
    let storeName: String
    let payable: String
    let createdAt: String
    let itemSummary: String
    let pendingPayment: Bool
    /// "Pay by 14:30": an unpaid order is cancelled when its payment window closes.
    let payBy: String?

    init(_ order: Order, timeZone: TimeZone, req: Request) {
        id = order.id
        number = order.number
        href = "/orders/\(order.id)"
        status = req.message("status_\(order.status.rawValue)")
        statusCode = order.status.rawValue
        fulfilment = req.message("fulfilment_\(order.fulfilment.rawValue)")
        storeName = order.storeName
        payable = WebFormat.yuan(order.payableFen)
        createdAt = WebFormat.dateTime(order.createdAt, in: timeZone)
        let units = order.lines.reduce(0) { $0 + $1.quantity }
        itemSummary = (order.lines.first?.title ?? "") + (order.lines.count > 1 ? req.message("orders_and_more", ["n": String(units)]) : " ×\(units)")
        pendingPayment = order.status == .pendingPayment
        payBy = pendingPayment ? req.message("orders_pay_by", ["time": WebFormat.dateTime(order.paymentDueAt, in: timeZone)]) : nil
    }
}

struct OrdersData: Encodable, Sendable {
    let tabs: [OrderTab]
    let orders: [OrderCard]
    let previous: String?
    let next: String?
}

struct OrderLineRow: Encodable, Sendable {
    let id: UUID
    let title: String
    let specTitle: String
    let quantity: Int
    let unitPrice: String
    let payable: String
}

struct TimelineRow: Encodable, Sendable {
    let at: String
    let status: String
    let actor: String
    let note: String
}

struct ShipmentCard: Encodable, Sendable {
    let carrier: String
    let trackingNumber: String
    let events: [TimelineRow]
}

struct AfterSalesRow: Encodable, Sendable {
    let number: String
    let kind: String
    let status: String
    let at: String
    /// What the case gives back, and how each returned line's share was worked out.
    let refund: String?
    let refundLines: [String]
}

struct OrderPageData: Encodable, Sendable {
    let order: OrderCard
    let lines: [OrderLineRow]
    let goods: String
    let discount: String?
    let shipping: String
    let payable: String
    let refunded: String?
    let allocation: String
    let timeline: [TimelineRow]
    let shipments: [ShipmentCard]
    let pickupCode: String?
    let pickupQR: String?
    let paymentId: UUID?
    let canCancel: Bool
    let canConfirm: Bool
    let afterSalesOpen: Bool
    /// Why there is no request form: not handed over yet, or cancelled.
    let afterSalesNote: String
    let afterSalesWindow: String
    let afterSalesReasons: [SelectOption]
    let afterSalesCases: [AfterSalesRow]
}
