import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import JWT
import Leaf
import LeafKit
import Vapor

/// Wires the application: database, security, middleware, jobs, routes, commands.
/// Migrations are registered here and run by the caller (`serve` runs them on start).
public func configure(_ app: Application, config: AppConfig, clock: any MallClock = SystemClock()) async throws {
    app.config = config
    app.clock = clock
    _ = MetricsRegistry.shared

    switch config.database {
    case .sqlite(let path):
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
    case .postgres(let url, let searchPath):
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.searchPath = searchPath
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: config.databasePoolSize,
                                    connectionPoolTimeout: .seconds(config.databasePoolTimeoutSeconds), sqlLogLevel: .debug), as: .psql)
    }
    app.databases.middleware.use(StoreDirectoryInvalidator(directory: app.storeDirectory))
    app.databases.middleware.use(ProductSearchGramsMaintainer())
    ProductVersion.maintain(on: app.databases.middleware)
    app.productDetailCache = ProductDetailCache()
    let browsing = BrowsingRecorder()
    app.browsingRecorder = browsing
    app.lifecycle.use(browsing)
    if case .sqlite = config.database {
        // WAL lets readers and the single writer proceed together; it persists in the file.
        try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
        try await SQLiteTuning.apply(to: app)
    }

    ContentConfiguration.global.use(encoder: JSONEncoder.api, for: .json)
    ContentConfiguration.global.use(decoder: APIJSONDecoder(), for: .json)
    // Multipart bodies are read by the one route that takes them (image upload), with our own
    // strict parser; anywhere else they are a 415, never a parse by the framework's decoder.
    ContentConfiguration.global.use(decoder: RefusedContentDecoder(), for: .formData)
    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    await app.jwt.keys.add(hmac: HMACKey(from: config.jwtSecret), digestAlgorithm: .sha256)
    app.loginThrottle = LoginThrottle()
    if let wechat = config.wechatPay { app.paymentGateways.register(WeChatPayGateway(config: wechat)) }
    if let alipay = config.alipay { app.paymentGateways.register(AlipayGateway(config: alipay)) }
    app.sessions.use(.fluent)
    let fluentSessions = app.sessions.driver
    app.sessions.use { _ in UnchangedSessionSkippingDriver(base: fluentSessions) }
    app.sessions.configuration.cookieFactory = { sessionID in
        HTTPCookies.Value(string: sessionID.string, maxAge: 7 * 86_400, path: "/", isSecure: false, isHTTPOnly: true, sameSite: .lax)
    }
    app.routes.defaultMaxBodySize = ByteCount(stringLiteral: config.maxBodySize)
    // How long the listener's close waits for open connections to finish their requests.
    app.http.server.configuration.shutdownTimeout = .seconds(Int64(config.shutdownGraceSeconds))

    // Web pages: Leaf templates and message catalogs from Resources/, static files from Public/.
    let webRoot = WebResources.locateRoot(configured: config.resourcesDirectory)
    app.directory = DirectoryConfiguration(workingDirectory: webRoot)
    app.views.use(.leaf)
    app.leaf.configuration = LeafConfiguration(rootDirectory: webRoot + "/Resources/Views/")
    app.messageCatalogs = try MessageCatalogs.load(from: webRoot + "/Resources/Locales")
    app.serverText = try ServerText.load(from: webRoot + "/Resources/Locales/server")

    // Errors first so that even failures inside other middleware become problem details.
    app.middleware = Middlewares()
    app.middleware.use(InFlightMiddleware(requests: app.inFlightRequests))
    app.middleware.use(RequestIdMiddleware())
    app.middleware.use(ProblemMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(StaticFilesMiddleware(publicDirectory: webRoot + "/Public/"))

    switch config.storage {
    case .local(let directory):
        app.fileStorage = LocalFileStorage(directory: directory, threadPool: app.threadPool)
    case .s3(let location):
        app.fileStorage = S3FileStorage(location: location, client: app.client, logger: app.logger)
    case .fastDFS(let fastDFS):
        app.fileStorage = FastDFSFileStorage(config: fastDFS, database: { [unowned app] in app.db }, logger: app.logger,
                                             now: { [clock = app.clock] in clock.now() })
    }

    app.jobs = JobQueue(app: app)
    if let redis = config.redis {
        // Several instances share these through Redis; each degrades to its own when Redis is down.
        let services = RedisServices(configuration: redis, group: app.eventLoopGroup, logger: app.logger)
        app.redis = services
        app.flashQuotaGate = RedisFlashQuotaGate(client: services.client, logger: app.logger)
        app.cacheInvalidationBus = RedisCacheInvalidationBus(client: services.client, subscriber: services.subscriber, instanceId: UUID(), logger: app.logger)
        app.loginThrottle = RedisLoginThrottle(client: services.client, logger: app.logger)
        subscribeCaches(app)
        services.subscriber.start()
        app.lifecycle.use(services)
    } else {
        app.flashQuotaGate = InProcessFlashQuotaGate()
        app.cacheInvalidationBus = InProcessCacheInvalidationBus()
        subscribeCaches(app)
    }
    registerJobs(app)
    Migrations.register(on: app)
    try routes(app)
    app.asyncCommands.use(SeedCommand(), as: "seed")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(BenchSeedCommand(), as: "bench-seed")
    app.asyncCommands.use(BenchCheckCommand(), as: "bench-check")
    app.asyncCommands.use(ReportsCheckCommand(), as: "reports-check")
}

/// Every per-instance cache learns of writes from the bus, whichever instance made them.
func subscribeCaches(_ app: Application) {
    let principals = PrincipalCache()
    app.principalCache = principals
    app.cacheInvalidationBus.subscribe { principals.apply($0) }
    let settings = SettingsCache()
    app.settingsCache = settings
    app.cacheInvalidationBus.subscribe { settings.apply($0) }
    let promotions = PromotionReachCache()
    app.promotionReachCache = promotions
    app.cacheInvalidationBus.subscribe { promotions.apply($0) }
    let directory = app.storeDirectory
    app.cacheInvalidationBus.subscribe { invalidation in
        if invalidation.topic == StoreDirectory.topic { directory.invalidate() }
    }
}

/// Handlers for built-in job kinds and the recurring schedules that feed them.
func registerJobs(_ app: Application) {
    app.jobs.register("auth.purgeExpiredSessions") { context in
        try await TokenService.purgeExpired(on: context.db, now: context.now)
        try await UnchangedSessionSkippingDriver.purge(on: context.db, now: context.now)
    }
    app.jobs.register(NotificationOutbox.deliverJob) { context in
        try await NotificationOutbox.deliver(context)
    }
    app.jobs.register(CheckoutService.expiryJob) { context in
        try await OrderExpiry.run(context)
    }
    app.jobs.register(SandboxGateway.notifyJob) { context in
        let payload = try context.decode(SandboxGateway.NotifyPayload.self)
        try await SandboxGateway.handle(body: Data(payload.body.utf8), signature: payload.signature, app: context.app, db: context.db, logger: context.logger)
    }
    app.jobs.register(PaymentService.refundJob) { context in
        try await PaymentService.sendRefund(context)
    }
    app.jobs.register(PaymentReconciliation.job) { context in
        try await PaymentReconciliation.run(context)
    }
    app.jobs.register(OrderEffects.acceptanceTimeoutJob) { context in
        try await OrderTimers.acceptanceTimeout(context)
    }
    app.jobs.register(OrderEffects.awaitingDeadlineJob) { context in
        try await OrderTimers.awaitingDeadline(context)
    }
    app.jobs.register(OrderEffects.autoConfirmJob) { context in
        try await OrderTimers.autoConfirm(context)
    }
    app.jobs.register(Kuaidi100Subscriber.job) { context in
        try await Kuaidi100Subscriber.run(context)
    }
    app.jobs.register(PointsExpiryJob.kind) { context in
        try await PointsExpiryJob.run(context)
    }
    app.jobs.register(MemberLevelJobs.evaluateJob) { context in
        try await MemberLevelJobs.evaluate(context)
    }
    app.jobs.register(MemberLevelJobs.birthdayJob) { context in
        try await MemberLevelJobs.birthdayGifts(context)
    }
    app.jobs.register(CouponService.expiryJob) { context in
        try await CouponService.expire(now: context.now, on: context.db)
    }
    app.jobs.register(FlashSaleService.correctGatesJob) { context in
        try await FlashSaleService(app: context.app, db: context.db).correctGates(now: context.now)
    }
    app.jobs.register(GroupBuyService.expiryJob) { context in
        let payload = try context.decode(GroupBuyService.ExpiryPayload.self)
        try await GroupBuyService(app: context.app, db: context.db).expire(groupId: payload.groupId, now: context.now)
    }
    app.jobs.register(GroupBuyService.sweepJob) { context in
        try await GroupBuyService(app: context.app, db: context.db).sweep(now: context.now)
    }
    app.jobs.register(SettlementService.runJob) { context in
        _ = try await SettlementService(app: context.app, db: context.db).run(now: context.now)
    }
    app.jobs.register(SalesLedger.foldJob) { context in
        _ = try await SalesLedger(app: context.app, db: context.db).fold(now: context.now)
    }
    app.jobs.register(SegmentService.computeJob) { context in
        _ = try await SegmentService(app: context.app, db: context.db).recompute(now: context.now)
    }
    app.jobs.register(RecommendationService.recomputeJob) { context in
        _ = try await RecommendationService(app: context.app, db: context.db).recompute(now: context.now)
    }
    app.jobs.register(LowStockAlerts.scanJob) { context in
        try await LowStockAlerts(app: context.app, db: context.db).scan(now: context.now)
    }
    app.jobs.register(BackupService.scheduledJob) { context in
        try await BackupService.runScheduled(app: context.app, now: context.now)
    }
}

/// Called when the server starts serving: schedules recurring work and starts the worker.
public func startBackgroundWork(_ app: Application) async throws {
    try await app.jobs.schedule(name: "purge-expired-sessions", kind: "auth.purgeExpiredSessions", everySeconds: 3600)
    try await app.jobs.schedule(name: "scan-low-stock", kind: LowStockAlerts.scanJob, everySeconds: 600)
    try await app.jobs.schedule(name: "reconcile-payments", kind: PaymentReconciliation.job, everySeconds: 300)
    try await app.jobs.schedule(name: "expire-points", kind: PointsExpiryJob.kind, everySeconds: 3600)
    try await app.jobs.schedule(name: "evaluate-member-levels", kind: MemberLevelJobs.evaluateJob, everySeconds: 86_400)
    try await app.jobs.schedule(name: "birthday-gifts", kind: MemberLevelJobs.birthdayJob, everySeconds: 3600)
    try await app.jobs.schedule(name: "expire-coupons", kind: CouponService.expiryJob, everySeconds: 3600)
    try await app.jobs.schedule(name: "correct-flash-gates", kind: FlashSaleService.correctGatesJob, everySeconds: 60)
    try await app.jobs.schedule(name: "sweep-group-buys", kind: GroupBuyService.sweepJob, everySeconds: 300)
    try await app.jobs.schedule(name: "settle-merchants", kind: SettlementService.runJob, everySeconds: 3600)
    try await app.jobs.schedule(name: "fold-sales", kind: SalesLedger.foldJob, everySeconds: 60)
    try await app.jobs.schedule(name: "compute-segments", kind: SegmentService.computeJob, everySeconds: 86_400)
    try await app.jobs.schedule(name: "recompute-recommendations", kind: RecommendationService.recomputeJob, everySeconds: 3600)
    // Looks often and backs up only when `backup.intervalHours` says one is due (0: never).
    try await app.jobs.schedule(name: "scheduled-backup", kind: BackupService.scheduledJob, everySeconds: BackupService.checkIntervalSeconds)
    if app.config.runsJobWorker {
        app.lifecycle.use(JobWorker())
    }
}
