import Vapor

/// The whole HTTP surface in one place. Every `/api/v1` route reads a bearer token when one is
/// sent. Staff routes live under `/api/v1/admin`, which admits signed-in staff only (but for the
/// sign-in itself), and member routes behind a member gate, so an anonymous caller is turned away
/// before any handler runs; handlers then check permission and scope via
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
    // The member's level page (/member/level), embeddable in the member centre.
    try browser.register(collection: MemberLevelPage())
    // Storefront: "my reviews" (to review, reviewed).
    try browser.register(collection: ReviewPagesRoutes())
    // Storefront: the points mall and the lottery wheel.
    try browser.register(collection: PointsMallPagesRoutes())
    // Coupon centre and the member's coupons (filled from the API by /js/coupons.js).
    try browser.register(collection: CouponPagesRoutes())
    // Storefront: today's flash sales with countdowns and the buy buttons.
    try browser.register(collection: FlashSalePagesRoutes())
    // Storefront: a group buy with its open groups, and one group to share and join.
    try browser.register(collection: GroupBuyPagesRoutes())
    // Storefront: the merchant application form (商家入驻) and the applicant's follow-up page.
    try browser.register(collection: MerchantApplicationPagesRoutes())
    // Storefront: a merchant's shop page (its goods, stores and the follow button).
    try browser.register(collection: MerchantShopPagesRoutes())
    // Staff console pages (sign-in and the shell its scripts fill from the admin API).
    try browser.register(collection: ConsoleRoutes())

    let api = sessions.grouped(CSRFMiddleware(cookielessRequestsPass: true)).grouped("api", "v1").grouped(BearerAuthMiddleware())

    // Shoppers: sign-up, sign-in, tokens (shared with staff).
    try api.register(collection: MemberAuthRoutes())
    // Shoppers: stores near a point; catalogue browse, search, product detail, barcode lookup.
    try api.register(collection: PublicStoreRoutes())
    try api.register(collection: PublicCatalogRoutes())
    // Anyone: 看了又看 / 买了又买 under a product (one read of the similarity table).
    try api.register(collection: RecommendationRoutes())
    // Shoppers: the member levels with their conditions and rights.
    try api.register(collection: MemberLevelRoutes.Public())
    // Shoppers: a product's approved reviews and rating summary.
    try api.register(collection: PublicReviewRoutes())
    // Shoppers: the points mall's items and the lotteries (a member also sees their own counts).
    try api.register(collection: PointsMallRoutes())
    // Shoppers: the running promotions, optionally those covering one product.
    try api.register(collection: PromotionRoutes())
    // Shoppers: the coupon centre (claimable coupons, optionally those covering one product).
    try api.register(collection: CouponRoutes())
    // Shoppers: today's flash-sale sessions with their countdowns and sold shares.
    try api.register(collection: FlashSaleRoutes())
    // Shoppers: running group buys, one activity with its open groups, one group with its members.
    try api.register(collection: GroupBuyRoutes())
    // Shoppers: the cart (members, or guests by X-Cart-Token).
    try api.register(collection: CartRoutes())
    // Payments: the providers on offer and the gateways' callbacks for anyone; a payment itself
    // only for its member.
    try api.register(collection: PaymentRoutes())
    // Carriers and the carrier tracking push.
    try api.register(collection: LogisticsRoutes())
    // Anyone: apply to sell on the mall (招商入驻), then follow, amend and add papers with the follow-up token.
    try api.register(collection: MerchantApplicationRoutes())
    // Anyone: a merchant's shop (logo, description, rating, its stores, followers).
    try api.register(collection: MerchantShopRoutes())

    // Signed-in members only: own account, checkout, orders, after-sales requests.
    let member = api.grouped(RequirePrincipalMiddleware.member)
    try member.register(collection: MemberAccountRoutes())
    try member.register(collection: MemberPointsRoutes())
    try member.register(collection: MemberLevelRoutes())
    try member.register(collection: PointsMallMemberRoutes())
    // Members: claim a coupon, redeem a code, my coupons (usable / used / expired).
    try member.register(collection: CouponMemberRoutes())
    // Members: the flash sale's quick purchase (quota gate first, then one transaction).
    try member.register(collection: FlashSaleMemberRoutes())
    // Members: open a group or join one (the slot, the limit and the order in one transaction).
    try member.register(collection: GroupBuyMemberRoutes())
    try member.register(collection: OrderRoutes())
    try member.register(collection: AfterSalesRoutes())
    // Members: reviews of delivered lines, follow-ups, "my reviews", and review photo uploads.
    try member.register(collection: MemberReviewRoutes())
    try member.register(collection: MemberMediaRoutes())
    // Members: follow and unfollow shops, my followed shops.
    try member.register(collection: MerchantShopRoutes.Following())
    // Members: 猜你喜欢 from their views and orders.
    try member.register(collection: RecommendationRoutes.Member())

    // Staff console API: staff sign in, and everything else needs a signed-in staff member.
    try api.grouped("admin").register(collection: StaffAuthRoutes.SignIn())
    let admin = api.grouped("admin").grouped(RequirePrincipalMiddleware.staff)
    try admin.register(collection: StaffAuthRoutes())
    try admin.register(collection: StaffRoutes())
    try admin.register(collection: MemberAdminRoutes())
    try admin.register(collection: MemberPointsAdminRoutes())
    // Staff: member level definitions and a member's level with its history.
    try admin.register(collection: MemberLevelAdminRoutes())
    // Staff: points-mall items and lotteries (marketing.manage), exchanges and replayable draws.
    try admin.register(collection: PointsMallAdminRoutes())
    // Staff: promotions (marketing.manage; merchants their own): create, edit before start, end, copy, live stats.
    try admin.register(collection: PromotionAdminRoutes())
    // Staff: coupon templates, issuing to members, code batches with CSV export (marketing.manage).
    try admin.register(collection: CouponAdminRoutes())
    // Staff: flash-sale sessions (marketing.manage, merchants their own goods) and the live panel.
    try admin.register(collection: FlashSaleAdminRoutes())
    // Staff: group-buy activities (marketing.manage, merchants their own goods) and live numbers.
    try admin.register(collection: GroupBuyAdminRoutes())
    try admin.register(collection: RoleRoutes())
    try admin.register(collection: MerchantRoutes())
    // Staff: the merchant applications queue (merchant.manage on the platform): review, changes, approve, reject.
    try admin.register(collection: MerchantApplicationAdminRoutes())
    try admin.register(collection: ShippingRuleRoutes())
    try admin.register(collection: StoreRoutes())
    try admin.register(collection: SystemRoutes())
    // Staff: database backups for HQ (make, list, download; restoring stays a command).
    try admin.register(collection: BackupRoutes())
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
    try admin.register(collection: ProductAttachmentRoutes())
    // Staff: review moderation (HQ) and replies (merchants and stores, in scope).
    try admin.register(collection: ReviewAdminRoutes())
    // Staff: merchants' fee rules, settlement statements (merchants their own; confirm, CSV/XLSX),
    // balances, settlement runs and payouts (settlement.manage).
    try admin.register(collection: SettlementAdminRoutes())
    try admin.register(collection: ReportRoutes())
    try admin.register(collection: SegmentRoutes())
    // Staff: HQ recomputes the recommendation neighbours now (marketing.manage).
    try admin.register(collection: RecommendationRoutes.Admin())
    // Staff: 搭配购 bundles (marketing.manage; merchants their own), audited.
    try admin.register(collection: BundleAdminRoutes())
}
