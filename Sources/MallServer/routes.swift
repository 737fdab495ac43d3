import Vapor

/// The whole HTTP surface in one place. Every `/api/v1` route reads a bearer token when one is
/// sent; staff routes live under `/api/v1/admin` and check permission and scope per handler via
/// `Request.authorize(_:on:)`.
func routes(_ app: Application) throws {
    // Operations: health, readiness, metrics, API document.
    try app.register(collection: OperationsRoutes())

    // Uploaded files by content-addressed key (`/files/img/<sha256>.png`), cacheable for ever.
    try app.register(collection: PublicFileRoutes())

    // Browsers ask for /favicon.ico whatever the page links; the icon is an SVG.
    app.get("favicon.ico") { req in req.redirect(to: "/favicon.svg", redirectType: .permanent) }

    // The SANDBOX payment gateway's hosted pay page (test gateway only: no money moves).
    try app.register(collection: SandboxPayPage())

    // Browsers sign in with a cookie session (CSRF-checked); API clients with bearer tokens.
    let sessions = app.grouped(app.sessions.middleware).grouped(WebSessionAuthMiddleware())
    let browser = sessions.grouped(CSRFMiddleware()).grouped(ErrorPageMiddleware())

    // Storefront pages: browse, product, stores, cart, checkout, account, my orders.
    try browser.register(collection: StorefrontRoutes())
    try browser.register(collection: ShopperPagesRoutes())
    // Staff console pages (sign-in and the shell its scripts fill from the admin API).
    try browser.register(collection: ConsoleRoutes())

    let api = sessions.grouped(CSRFMiddleware(cookielessRequestsPass: true)).grouped("api", "v1").grouped(BearerAuthMiddleware())

    // Shoppers: sign-up, sign-in, tokens (shared with staff), own account.
    try api.register(collection: MemberAuthRoutes())
    try api.register(collection: MemberAccountRoutes())
    // Shoppers: stores near a point; catalogue browse, search, product detail, barcode lookup.
    try api.register(collection: PublicStoreRoutes())
    try api.register(collection: PublicCatalogRoutes())
    // Shoppers: the cart (members, or guests by X-Cart-Token).
    try api.register(collection: CartRoutes())
    // Shoppers: checkout, orders; payments and the gateways' callbacks.
    try api.register(collection: OrderRoutes())
    try api.register(collection: PaymentRoutes())
    // Shoppers: after-sales requests; carriers and the carrier tracking push.
    try api.register(collection: AfterSalesRoutes())
    try api.register(collection: LogisticsRoutes())

    // Staff console API.
    let admin = api.grouped("admin")
    try admin.register(collection: StaffAuthRoutes())
    try admin.register(collection: StaffRoutes())
    try admin.register(collection: MemberAdminRoutes())
    try admin.register(collection: RoleRoutes())
    try admin.register(collection: MerchantRoutes())
    try admin.register(collection: ShippingRuleRoutes())
    try admin.register(collection: StoreRoutes())
    try admin.register(collection: SystemRoutes())
    // Staff: catalogue structure, products and their review, prices.
    try admin.register(collection: TaxonomyRoutes())
    try admin.register(collection: ProductRoutes())
    try admin.register(collection: PriceRoutes())
    try admin.register(collection: CatalogCSVRoutes())
    // Staff: per-store stock, count sheets, transfers, POS/ERP sync.
    try admin.register(collection: InventoryRoutes())
    try admin.register(collection: StocktakeRoutes())
    try admin.register(collection: TransferRoutes())
    try admin.register(collection: StockSyncRoutes())
    // Staff: the store order desk and HQ's order view.
    try admin.register(collection: OrderDeskRoutes())
    try admin.register(collection: LogisticsRoutes.StaffRoutes())
    // Staff: refunds (HQ finance), retrying the ones a provider refused.
    try admin.register(collection: RefundRoutes())
    // Staff: after-sales decisions, returns, replacements, statistics.
    try admin.register(collection: AfterSalesDeskRoutes())
    // Staff: in-app inbox (low-stock alerts and other notifications).
    try admin.register(collection: NotificationRoutes())
    // Media: product image upload (multipart), checked by ImageProbe, deduplicated per merchant.
    try admin.register(collection: MediaRoutes())
}
