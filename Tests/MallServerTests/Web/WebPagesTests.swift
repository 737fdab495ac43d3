import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// A browser in miniature: keeps the cookies the server sets and reads the CSRF token from the
/// last page, so tests exercise the same cookie-session path a real browser takes.
final class TestBrowser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var csrf = ""

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String) async throws -> APIResponse {
        var headers = cookieHeaders()
        headers.add(name: .accept, value: "text/html,application/xhtml+xml,*/*;q=0.8")
        let response = try await app.send(.GET, path, headers: headers)
        remember(response)
        if let token = Self.csrfToken(in: response.text) { csrf = token }
        return response
    }

    /// A form post; `_csrf` is added unless `withToken` is false.
    @discardableResult
    func submit(_ path: String, _ fields: [String: String], withToken: Bool = true) async throws -> APIResponse {
        var all = fields
        if withToken { all["_csrf"] = csrf }
        var components = URLComponents()
        components.queryItems = all.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        var headers = cookieHeaders()
        headers.contentType = .urlEncodedForm
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        let response = try await app.send(.POST, path, raw: body, headers: headers)
        remember(response)
        return response
    }

    /// An API call the way the storefront scripts make it: cookie plus `X-CSRF-Token`.
    func api(_ method: HTTPMethod, _ path: String, json: (any Encodable)? = nil, withToken: Bool = true) async throws -> APIResponse {
        var headers = cookieHeaders()
        if withToken { headers.add(name: "X-CSRF-Token", value: csrf) }
        let response = try await app.send(method, "/api/v1" + path, json: json, headers: headers)
        remember(response)
        return response
    }

    private func cookieHeaders() -> HTTPHeaders {
        cookies.isEmpty ? [:] : ["Cookie": cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
    }

    private func remember(_ response: APIResponse) {
        for (name, value) in response.headers.setCookie?.all ?? [:] {
            if let expires = value.expires, expires < Date() { cookies[name] = nil } else { cookies[name] = value.string }
        }
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf-token\" content=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func signInMember(login: String = "13800138000", password: String = Fixtures.password) async throws -> APIResponse {
        try await get("/login")
        return try await submit("/login", ["login": login, "password": password, "next": "/orders"])
    }
}

@Suite("Web pages: storefront and console")
struct WebPagesTests {
    static let viewsFolder = "Resources/Views"

    @Test("both message catalogs have the same keys, and every key a template or page uses exists")
    func catalogsInStep() async throws {
        try await withTestApp { app in
            let zh = app.messageCatalogs.catalog(.zhCN)
            let en = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: URL(fileURLWithPath: "Resources/Locales/en.json")))
            #expect(Set(zh.keys) == Set(en.keys), "only in one catalog: \(Set(zh.keys).symmetricDifference(Set(en.keys)).sorted())")

            var used = Set<String>()
            let templates = FileManager.default.enumerator(atPath: Self.viewsFolder)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".leaf") }
            #expect(templates.count >= 15)
            let pattern = try NSRegularExpression(pattern: #"\bt\.([a-z0-9_]+)"#)
            for template in templates {
                let text = try String(contentsOfFile: "\(Self.viewsFolder)/\(template)", encoding: .utf8)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    used.insert(String(text[Range(match.range(at: 1), in: text)!]))
                }
            }
            for status in OrderStatus.allCases { used.insert("status_\(status.rawValue)") }
            for stage in ShopperOrderStage.allCases { used.insert("orders_stage_\(stage.rawValue)") }
            for status in AfterSalesStatus.allCases { used.insert("aftersales_status_\(status.rawValue)") }
            for reason in AfterSalesReason.allCases { used.insert("reason_\(reason.rawValue)") }
            for state in TrackingState.allCases { used.insert("tracking_\(state.rawValue)") }
            for sort in ProductSearch.Sort.allCases { used.insert("sort_\(sort.rawValue)") }
            for kind in TimelineActor.Kind.allCases { used.insert("actor_\(kind.rawValue)") }
            for mode in OrderFulfilmentKind.allCases { used.insert("fulfilment_\(mode.rawValue)") }
            for badge in PromotionBadge.allCases { used.insert("badge_\(badge.rawValue.lowercased())") }
            for section in ConsoleRoutes.sections { used.insert("console_menu_\(section.key)") }
            #expect(used.subtracting(zh.keys).sorted() == [], "used but missing from the catalogs")
        }
    }

    @Test("a product title with <script> renders as text on list, search and product pages, under a script-src 'self' policy")
    func escaping() async throws {
        try await withTestApp { app in
            let sku = try await Fixtures.sku(app, code: "XSS1", title: "<script>alert(1)</script>坏奶")
            for path in ["/search?q=%E5%9D%8F%E5%A5%B6", "/product/\(sku.productId)", "/"] {
                let page = try await app.send(.GET, path)
                #expect(page.status == .ok, "\(path)")
                #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;坏奶"), "\(path) shows the title as text")
                #expect(!page.text.contains("<script>alert(1)"), "\(path) never emits the raw tag")
                let policy = page.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
                #expect(!page.text.contains(" onclick=") && !page.text.contains(" style="), "no inline handlers or styles for the policy to block")
            }
        }
    }

    @Test("browse pages: category tree on home, search with price filter and sort, product specs with prices, stores with opening state")
    func browsing() async throws {
        try await withTestApp { app in
            let cheap = try await Fixtures.sku(app, code: "C1", priceFen: 500, title: "便宜牛奶")
            _ = try await Fixtures.sku(app, code: "C2", priceFen: 5_000, title: "贵牛奶")
            _ = try await Fixtures.store(app, code: "SH-01")
            let home = try await app.send(.GET, "/")
            #expect(home.text.contains("乳品"), "the category appears on the home page")
            let filtered = try await app.send(.GET, "/search?q=%E7%89%9B%E5%A5%B6&max=10&sort=price_asc")
            #expect(filtered.text.contains("便宜牛奶") && !filtered.text.contains("贵牛奶"), "a 10 yuan ceiling keeps the 5 yuan milk only")
            #expect(filtered.text.contains("共 1 件商品"))
            let product = try await app.send(.GET, "/product/\(cheap.productId)")
            #expect(product.text.contains("¥5.00"))
            #expect(product.text.contains("data-sku=\"\(cheap.id!.uuidString)\""))
            let stores = try await app.send(.GET, "/stores")
            #expect(stores.text.contains("SH-01"))
            #expect(stores.text.contains("营业中") || stores.text.contains("休息中"))
            #expect(try await app.send(.GET, "/product/\(UUID())").status == .notFound)
        }
    }

    @Test("a page that fails shows an error page in the shopper's language with the same status; API paths and non-HTML clients keep problem details")
    func errorPages() async throws {
        try await withTestApp { app in
            _ = try await Fixtures.member(app)
            let html: HTTPHeaders = ["Accept": "text/html,application/xhtml+xml,*/*;q=0.8"]
            let missing = try await app.send(.GET, "/no/such/page", headers: html)
            #expect(missing.status == .notFound)
            #expect(missing.headers.contentType?.subType == "html")
            #expect(missing.text.contains("页面不存在") && missing.text.contains("href=\"/search\""), "says so in Chinese and offers a way on")
            #expect(missing.text.contains("<header class=\"site-header\">"), "inside the site chrome")

            let product = try await app.send(.GET, "/product/\(UUID())", headers: html)
            #expect(product.status == .notFound && product.text.contains("页面不存在"))

            let browser = TestBrowser(app)
            try await browser.signInMember()
            try await browser.get("/")
            #expect(try await browser.submit("/lang", ["lang": "en", "next": "/"]).status == .seeOther)
            var signedIn = html
            signedIn.add(name: "Cookie", value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            let english = try await app.send(.GET, "/nope", headers: signedIn)
            #expect(english.status == .notFound && english.text.contains("Page not found"))
            #expect(english.text.contains("action=\"/logout\""), "the header still shows the signed-in shopper")

            let api = try await app.send(.GET, "/api/v1/nope", headers: html)
            #expect(api.status == .notFound && api.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            let script = try await app.send(.GET, "/nope")
            #expect(script.headers.contentType?.description.hasPrefix("application/problem+json") == true, "clients that do not ask for HTML get problem details")
            let posted = try await app.send(.POST, "/nope", headers: html)
            #expect(posted.status == .notFound && posted.headers.contentType?.description.hasPrefix("application/problem+json") == true)
        }
    }

    @Test("listing pages: a page past the end goes to the last page; a store filter stays through the filters and can be removed; sign-in returns with the whole query")
    func listingDetails() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SH-01")
            let sku = try await Fixtures.sku(app, code: "S1", title: "店内牛奶")
            _ = try await Fixtures.sku(app, code: "S2", title: "别处牛奶")
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            _ = try await app.send(.POST, "/api/v1/admin/inventory/receipts", token: token,
                                   json: StockReceiptInput(storeId: store.id!, lines: [StockLineInput(skuId: sku.id!, quantity: 5)]))

            let far = try await app.send(.GET, "/search?q=%E7%89%9B%E5%A5%B6&page=999")
            #expect(far.status == .seeOther && far.headers.first(name: .location) == "/search?q=%E7%89%9B%E5%A5%B6")

            let atStore = try await app.send(.GET, "/search?storeId=\(store.id!)")
            #expect(atStore.text.contains("Store SH-01 在售商品"), "the heading names the store")
            #expect(atStore.text.contains("店内牛奶") && !atStore.text.contains("别处牛奶"), "only what the store has in stock")
            #expect(atStore.text.contains("name=\"storeId\" value=\"\(store.id!.uuidString)\""), "the filter form keeps the store")
            #expect(atStore.text.contains("href=\"/search\">查看全部门店"), "and offers to drop it")
            #expect(atStore.text.contains("href=\"/product/\(sku.productId)?storeId=\(store.id!.uuidString)\""), "products open with the store's stock")
            let nowhere = try await app.send(.GET, "/stores?city=%E5%8C%97%E4%BA%AC")
            #expect(nowhere.text.contains("北京暂无营业中的门店。"))

            let sorted = try await app.send(.GET, "/search?q=%E7%89%9B%E5%A5%B6&sort=price_asc")
            #expect(sorted.text.contains("/login?next=/search%3Fq%3D%25E7%2589%259B%25E5%25A5%25B6%26sort%3Dprice_asc"))
        }
    }

    @Test("my orders: an unpaid order says by when to pay and links to paying; a cancelled one explains there is no after-sales")
    func unpaidAndCancelledOrders() async throws {
        try await withTestApp { app in
            let shop = try await CheckoutTests.shop(app)
            let token = try await CheckoutTests.shopper(app)
            _ = try await app.send(.POST, "/api/v1/cart/lines", token: token, json: CartLineInput(skuId: shop.milk.id!, quantity: 1))
            let placed = try await CheckoutTests.checkout(app, token: token, key: "web-unpaid-1").decode(CheckoutResult.self)
            let order = placed.orders[0]
            let browser = TestBrowser(app)
            #expect(try await browser.signInMember().status == .seeOther)
            let list = try await browser.get("/orders")
            #expect(list.text.contains("前付款，逾期订单将自动取消"))
            #expect(list.text.contains("<a class=\"btn btn-primary\" href=\"/orders/\(order.id)\">去支付</a>"))

            #expect(try await browser.api(.POST, "/orders/\(order.id)/cancel", json: [String: String]()).status == .ok)
            let cancelled = try await browser.get("/orders/\(order.id)")
            #expect(cancelled.text.contains("已取消的订单无需售后"))
            let cancelledTab = try await browser.get("/orders?stage=cancelled")
            #expect(cancelledTab.text.contains(order.number) && cancelledTab.text.contains("已取消 <span class=\"muted\">1</span>"))
            #expect(!(try await browser.get("/orders?stage=unpaid")).text.contains(order.number))
            let mistyped = try await browser.get("/orders?stage=bogus")
            #expect(mistyped.status == .seeOther && mistyped.headers.first(name: .location) == "/orders")
        }
    }

    @Test("browser sessions record when they were last used, at most one write a day, and the hourly purge drops those unused past the cookie's life")
    func sessionPurge() async throws {
        let clock = ManualClock(testEpoch)
        try await withTestApp(clock: clock) { app in
            func touched() async throws -> [Date] {
                try await app.db.sql.raw("SELECT touched_at FROM _fluent_sessions").all().map { try $0.decode(column: "touched_at", as: Date.self) }
            }
            let regular = TestBrowser(app)
            try await regular.get("/")
            #expect(try await touched() == [testEpoch], "a new session is stamped")

            clock.advance(seconds: 3_600)
            try await regular.get("/stores")
            #expect(try await touched() == [testEpoch], "later the same day: no write")
            clock.advance(seconds: 86_400)
            try await regular.get("/stores")
            let dayLater = testEpoch.addingTimeInterval(90_000)
            #expect(try await touched() == [dayLater], "the next day's first page marks it used again")

            let gone = TestBrowser(app)
            try await gone.get("/")
            #expect(try await touched().count == 2)
            clock.advance(seconds: 7 * 86_400)
            try await regular.get("/")
            clock.advance(seconds: 2 * 86_400)
            try await UnchangedSessionSkippingDriver.purge(on: app.db, now: clock.now())
            let left = try await touched()
            #expect(left.count == 1 && left[0] == dayLater.addingTimeInterval(7 * 86_400), "only the browser that kept coming keeps its session")
        }
    }

    @Test("the language switch is remembered in a cookie and changes the UI text")
    func language() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            #expect(try await browser.get("/").text.contains("<html lang=\"zh-CN\">"))
            let switched = try await browser.submit("/lang", ["lang": "en", "next": "/stores"])
            #expect(switched.status == .seeOther)
            #expect(switched.headers.first(name: .location) == "/stores")
            let english = try await browser.get("/")
            #expect(english.text.contains("<html lang=\"en\">") && english.text.contains("Best sellers"))
            let offsite = try await browser.submit("/lang", ["lang": "zh-CN", "next": "//evil.example/"])
            #expect(offsite.headers.first(name: .location) == "/", "only same-site paths are followed")
        }
    }

    @Test("member cookie sign-in: CSRF on forms and API calls, a fresh session id, sign-out revokes the session")
    func memberCookieSession() async throws {
        try await withTestApp { app in
            _ = try await Fixtures.member(app)
            let sku = try await Fixtures.sku(app, code: "M1")
            let browser = TestBrowser(app)
            try await browser.get("/login")
            let before = browser.cookies
            #expect(try await browser.submit("/login", ["login": "13800138000", "password": Fixtures.password], withToken: false).status == .forbidden)

            let wrong = try await browser.submit("/login", ["login": "13800138000", "password": "nope-nope1"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("账号或密码错误。") && wrong.text.contains("value=\"13800138000\""), "the server's message in the page's language")

            let signedIn = try await browser.submit("/login", ["login": "13800138000", "password": Fixtures.password, "next": "//evil.example"])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers.first(name: .location) == "/orders")
            #expect(browser.cookies["vapor-session"] != before["vapor-session"], "signing in issues a new session id")
            let orders = try await browser.get("/orders")
            #expect(orders.status == .ok && orders.text.contains("用户8000"))

            let me = try await browser.api(.GET, "/me")
            #expect(try me.decode(MemberProfile.self).mobile == "13800138000")
            #expect(try await browser.api(.POST, "/cart/lines", json: CartLineInput(skuId: sku.id!, quantity: 1), withToken: false).status == .forbidden,
                    "a cookie-authenticated API write needs the CSRF token")
            let added = try await browser.api(.POST, "/cart/lines", json: CartLineInput(skuId: sku.id!, quantity: 2))
            #expect(try added.decode(CartView.self).itemCount == 2)

            let out = try await browser.submit("/logout", [:])
            #expect(out.status == .seeOther)
            let sessions = try await AuthSessionModel.query(on: app.db).filter(\.$revokedAt != nil).count()
            #expect(sessions == 1, "the auth session behind the cookie is revoked")
            #expect(try await browser.api(.GET, "/me").status == .unauthorized)
            #expect(try await browser.get("/orders").status == .seeOther, "my orders asks to sign in again")
        }
    }

    @Test("web sign-up follows the API's rules and shows field errors beside the fields")
    func register() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/register")
            let bad = try await browser.submit("/register", ["mobile": "123", "password": "short"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("id=\"reg-mobile-error\"") && bad.text.contains("id=\"reg-password-error\""))
            let good = try await browser.submit("/register", ["mobile": "13700001111", "password": "Passw0rd!", "nickname": "<b>小李</b>"])
            #expect(good.status == .seeOther && good.headers.first(name: .location) == "/account")
            let account = try await browser.get("/account")
            #expect(account.text.contains("&lt;b&gt;小李&lt;/b&gt;"))
        }
    }

    @Test("pickup: once ready, the shopper's order page shows the code and its QR code; the clerk's write-off completes it")
    func pickupCodeOnOrderPage() async throws {
        try await withTestApp { app in
            let (shop, _, order) = try await OrderDeskTests.paidOrder(app, pickupAt: StoreModel())
            let (_, clerk) = try await Fixtures.staff(app, "near.clerk", role: .storeClerk, scope: .store(shop.near.storeID))
            let browser = TestBrowser(app)
            #expect(try await browser.signInMember().status == .seeOther)
            let paid = try await browser.get("/orders/\(order.id)")
            #expect(paid.text.contains(order.number) && !paid.text.contains("id=\"pickup-code\""))
            #expect(try await browser.get("/orders/\(order.id)/pickup-code.svg").status == .notFound)

            for step in ["accept", "pick", "ready"] {
                #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/\(step)", token: clerk).status == .ok)
            }
            let code = try #require(try await browser.api(.GET, "/orders/\(order.id)").decode(Order.self).pickupCode)
            let ready = try await browser.get("/orders/\(order.id)")
            #expect(ready.text.contains("<p class=\"pickup-code\" id=\"pickup-code\">\(code)</p>"))
            let qr = try await browser.get("/orders/\(order.id)/pickup-code.svg")
            #expect(qr.headers.contentType?.subType == "svg+xml" && qr.text.hasPrefix("<svg"))
            #expect(qr.text == (try QRCode.encode("chainmall:pickup:\(order.number):\(code)").svg(moduleSize: 6, quietZone: 4)))

            #expect(try await app.send(.POST, "/api/v1/admin/orders/\(order.id)/pickup", token: clerk, json: PickupInput(code: code)).status == .ok)
            let done = try await browser.get("/orders/\(order.id)")
            #expect(done.text.contains("已自提") && !done.text.contains("id=\"pickup-code\""))

            let stranger = TestBrowser(app)
            _ = try await Fixtures.member(app, mobile: "13900002222")
            _ = try await stranger.signInMember(login: "13900002222")
            #expect(try await stranger.get("/orders/\(order.id)").status == .notFound, "another member cannot open the order")
        }
    }

    @Test("scan to buy: a known barcode opens its product, an unknown one says so")
    func scan() async throws {
        try await withTestApp { app in
            let sku = try await Fixtures.sku(app, code: "B1", barcode: "6901234567892")
            let found = try await app.send(.GET, "/scan?code=6901234567892")
            #expect(found.status == .seeOther && found.headers.first(name: .location) == "/product/\(sku.productId)?sku=\(sku.id!)",
                    "the scanned variant is preselected")
            let missing = try await app.send(.GET, "/scan?code=4006381333931")
            #expect(missing.status == .notFound && missing.text.contains("4006381333931"))
            #expect(missing.text.contains("value=\"4006381333931\""), "the typed code stays in the box")
        }
    }

    @Test("console: sign-in required; the menu and the sections follow the staff member's permissions and scope")
    func consoleMenus() async throws {
        try await withTestApp { app in
            let store = try await Fixtures.store(app, code: "SH-01")
            _ = try await Fixtures.store(app, code: "SH-02")
            _ = try await Fixtures.staff(app, "clerk", role: .storeClerk, scope: .store(store.storeID))
            _ = try await Fixtures.staff(app, "boss", role: .platformAdmin, scope: .platform)
            let anonymous = try await app.send(.GET, "/console/orders")
            #expect(anonymous.status == .seeOther && anonymous.headers.first(name: .location) == "/console/login?next=/console/orders")

            let clerk = TestBrowser(app)
            try await clerk.get("/console/login")
            #expect(try await clerk.submit("/console/login", ["login": "clerk", "password": "wrong-pass1"]).status == .unauthorized)
            #expect(try await clerk.submit("/console/login", ["login": "clerk", "password": Fixtures.password]).headers.first(name: .location) == "/console")
            let shell = try await clerk.get("/console/orders")
            #expect(shell.status == .ok)
            #expect(shell.text.contains("href=\"/console/orders\" data-section=\"orders\" aria-current=\"page\""))
            #expect(!shell.text.contains("href=\"/console/settings\""), "a clerk's menu has no settings")
            #expect(shell.text.contains("\"code\":\"SH-01\"") && !shell.text.contains("SH-02"), "the context lists only the clerk's store")
            let forbidden = try await clerk.get("/console/settings")
            #expect(forbidden.status == .forbidden && forbidden.text.contains("href=\"/console\">返回管理后台"), "an error page that leads back to the console")
            #expect(try await clerk.get("/console/nowhere").status == .notFound)
            #expect(try await clerk.api(.GET, "/admin/settings").status == .forbidden, "the API refuses what the menu hides")

            let boss = TestBrowser(app)
            try await boss.get("/console/login")
            _ = try await boss.submit("/console/login", ["login": "boss", "password": Fixtures.password])
            let all = try await boss.get("/console")
            for section in ConsoleRoutes.sections.map(\.key) where section != "dashboard" {
                #expect(all.text.contains("href=\"/console/\(section)\""), "\(section)")
            }
            #expect(try await boss.api(.GET, "/admin/settings").status == .ok)

            // Members, payments and settings are platform-wide lists: a merchant admin, who holds
            // their permissions only over the merchant, is not offered sections that would refuse.
            _ = try await Fixtures.staff(app, "merchant", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let merchant = TestBrowser(app)
            try await merchant.get("/console/login")
            _ = try await merchant.submit("/console/login", ["login": "merchant", "password": Fixtures.password])
            let menu = try await merchant.get("/console")
            for section in ["orders", "catalog", "inventory", "stores", "staff", "merchants"] {
                #expect(menu.text.contains("href=\"/console/\(section)\""), "\(section)")
            }
            for section in ["members", "payments", "settings", "applications"] {
                #expect(!menu.text.contains("href=\"/console/\(section)\""), "\(section)")
                #expect(try await merchant.get("/console/\(section)").status == .forbidden)
            }
        }
    }

    @Test("home and product pages stay under 100 KB of HTML, CSS and JavaScript; every input has a label")
    func weightAndLabels() async throws {
        try await withTestApp { app in
            var product: SKUModel?
            for index in 0..<30 { product = try await Fixtures.sku(app, code: "W\(index)", title: "称重商品 \(index) 有一个相当长的标题用来测页面大小") }
            _ = try await Fixtures.member(app)
            let browser = TestBrowser(app)
            _ = try await browser.signInMember()
            let linked = try NSRegularExpression(pattern: #"(?:href|src)="(/(?:css|js)/[^"]+)""#)
            for path in ["/", "/product/\(product!.productId)"] {
                let page = try await browser.get(path)
                var bytes = page.body.readableBytes
                var assets = Set<String>()
                for match in linked.matches(in: page.text, range: NSRange(page.text.startIndex..., in: page.text)) {
                    assets.insert(String(page.text[Range(match.range(at: 1), in: page.text)!]))
                }
                #expect(assets.contains("/css/mall.css") && assets.contains("/js/mall.js"))
                for asset in assets {
                    let file = try await app.send(.GET, asset)
                    #expect(file.status == .ok, "\(asset)")
                    bytes += file.body.readableBytes
                }
                #expect(bytes < 100_000, "\(path) weighs \(bytes) bytes with its CSS and scripts")
            }

            let control = try NSRegularExpression(pattern: #"<(input|select|textarea)\b([^>]*)>"#)
            for path in ["/", "/search?q=x", "/product/\(product!.productId)", "/stores", "/account", "/orders", "/login", "/register", "/scan", "/checkout"] {
                let html = try await browser.get(path).text
                for match in control.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                    let attributes = String(html[Range(match.range(at: 2), in: html)!])
                    if attributes.contains("type=\"hidden\"") { continue }
                    let id = attributes.range(of: #"id="([^"]+)""#, options: .regularExpression).map { String(attributes[$0].dropFirst(4).dropLast()) }
                    #expect(id.map { html.range(of: "<label[^>]*\\bfor=\"\($0)\"", options: .regularExpression) != nil } == true,
                            "\(path): a control without a label: \(attributes)")
                }
            }
        }
    }

    @Test("static files: manifest, service worker and CSS are served with their types; a path out of Public/ is refused")
    func staticFiles() async throws {
        try await withTestApp { app in
            let icon = try await app.send(.GET, "/favicon.ico")
            #expect(icon.status == .movedPermanently && icon.headers.first(name: .location) == "/favicon.svg")
            let manifest = try await app.send(.GET, "/manifest.webmanifest")
            #expect(manifest.status == .ok && manifest.headers.first(name: .contentType) == "application/manifest+json")
            #expect(manifest.text.contains("\"start_url\""))
            let worker = try await app.send(.GET, "/sw.js")
            #expect(worker.status == .ok && worker.headers.first(name: .cacheControl) == "no-cache")
            let css = try await app.send(.GET, "/css/mall.css")
            #expect(css.status == .ok && css.headers.contentType?.subType == "css")
            #expect(try await app.send(.GET, "/css/../Package.swift").status != .ok)
        }
    }
}
