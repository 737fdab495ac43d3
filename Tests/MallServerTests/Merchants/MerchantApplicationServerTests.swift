import Fluent
import Foundation
import MallAPI
import MallCore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
@testable import MallServer

@Suite("Merchant applications: apply, follow with the token, review, approve atomically, first-sign-in password")
struct MerchantApplicationServerTests {
    static func input(_ categoryId: UUID, creditCode: String = "91350100M000100Y43", phone: String = "13912345678",
                      stores: Int = 2) -> MerchantApplicationInput {
        MerchantApplicationInput(
            companyName: "杭州鲜果贸易有限公司", creditCode: creditCode, legalRepresentative: "陈立", contactName: "陈经理",
            contactPhone: phone, contactEmail: "chen@fresh.example", categoryId: categoryId, brandName: "果园里",
            description: "产地直采水果", bankAccount: BankAccount(accountName: "杭州鲜果贸易有限公司", bankName: "招商银行",
                                                          branchName: "杭州分行", accountNumber: "5719 0812 3456 789"),
            stores: (1...max(stores, 1)).prefix(stores).map { n in
                ApplicationStoreInput(name: "果园里 \(n) 号店", province: "浙江省", city: "杭州市", district: "西湖区",
                                      address: "文三路\(n)号", latitude: 30.2741, longitude: 120.1551, phone: "0571-8888000\(n)")
            })
    }

    static func submit(_ app: Application, _ input: MerchantApplicationInput) async throws -> MerchantApplicationReceipt {
        let response = try await app.send(.POST, "/api/v1/merchant-applications", json: input)
        #expect(response.status == .created, "\(response.text)")
        return try response.decode(MerchantApplicationReceipt.self)
    }

    static func headers(_ token: String) -> HTTPHeaders { [MerchantApplicationRoutes.tokenHeader: token] }

    static func attach(_ app: Application, _ receipt: MerchantApplicationReceipt, _ kind: ApplicationDocumentKind,
                       bytes: [UInt8]? = nil) async throws -> APIResponse {
        var form = MultipartForm()
        form.file("file", filename: "scan.png", contentType: "image/png", bytes: try bytes ?? FixtureFiles.image("rgb-5x3.png"))
        var headers = headers(receipt.followUpToken)
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(MultipartForm.boundary)")
        let response = try await app.testing().performTest(request: TestingHTTPRequest(
            method: .PUT, url: URI(path: "/api/v1/merchant-applications/\(receipt.application.id)/documents/\(kind.rawValue)"),
            headers: headers, body: form.finished()))
        return APIResponse(status: response.status, headers: response.headers, body: response.body)
    }

    /// A submitted application with its three required papers, taken for review by `admin`.
    static func underReview(_ app: Application, admin: String, stores: Int = 2) async throws -> MerchantApplicationReceipt {
        let category = try await Fixtures.category(app, name: "水果")
        let receipt = try await submit(app, input(category.id!, stores: stores))
        for kind in ApplicationDocumentKind.required {
            let attached = try await attach(app, receipt, kind)
            #expect(attached.status == .ok, "\(attached.text)")
        }
        let taken = try await app.send(.POST, "/api/v1/admin/merchant-applications/\(receipt.application.id)/review", token: admin)
        #expect(try taken.decode(MerchantApplication.self).status == .underReview)
        return receipt
    }

    static func rowCounts(_ app: Application) async throws -> [Int] {
        [try await MerchantModel.query(on: app.db).count(), try await StaffModel.query(on: app.db).count(),
         try await StaffRoleGrantModel.query(on: app.db).count(), try await StoreModel.query(on: app.db).count()]
    }

    @Test("apply without an account: 201 with a token; the application reads back only with it, the account number masked")
    func applyAndFollow() async throws {
        try await withTestApp { app in
            let category = try await Fixtures.category(app, name: "水果")
            let receipt = try await Self.submit(app, Self.input(category.id!))
            #expect(receipt.application.status == .submitted)
            #expect(receipt.application.creditCode == "91350100M000100Y43")
            #expect(receipt.application.bankAccount.accountNumber == "***********6789")
            #expect(receipt.application.missingDocuments == [.businessLicence, .idCardFront, .idCardBack])
            #expect(receipt.followUpToken.count >= 40)

            let path = "/api/v1/merchant-applications/\(receipt.application.id)"
            let mine = try await app.send(.GET, path, headers: Self.headers(receipt.followUpToken))
            #expect(try mine.decode(MerchantApplication.self).companyName == "杭州鲜果贸易有限公司")
            // A stranger with the id but not the token, or with no token, learns nothing, not even that it exists.
            for headers in [Self.headers("x" + receipt.followUpToken.dropFirst()), HTTPHeaders()] {
                let stranger = try await app.send(.GET, path, headers: headers)
                #expect(stranger.status == .notFound)
                #expect(stranger.problem?.detail == "No such application, or the follow-up token does not match it.")
            }
            let unknown = try await app.send(.GET, "/api/v1/merchant-applications/\(UUID())", headers: Self.headers(receipt.followUpToken))
            #expect(unknown.status == .notFound)
            #expect(try await MerchantApplicationModel.query(on: app.db).first()?.tokenHash != receipt.followUpToken)
        }
    }

    @Test("every bad field is named at once, and a refused application leaves no row")
    func validation() async throws {
        try await withTestApp { app in
            var input = Self.input(UUID(), creditCode: "91350100M000100Y44", stores: 0)
            input.companyName = "X"
            input.bankAccount.accountNumber = "12"
            input.contactEmail = "not-an-email"
            let response = try await app.send(.POST, "/api/v1/merchant-applications", json: input)
            #expect(response.status == .unprocessableEntity || response.status == .badRequest)
            let fields = Set(response.problem?.errors?.map(\.field) ?? [])
            #expect(fields == ["companyName", "creditCode", "bankAccount.accountNumber", "contactEmail", "stores", "categoryId"])
            #expect(try await MerchantApplicationModel.query(on: app.db).count() == 0)

            // Over a running server, where bodies are collected as in production: 32 KB at most.
            let tester = try app.testing(method: .running(hostname: "127.0.0.1", port: try await freeLocalPort()))
            var headers = HTTPHeaders()
            headers.contentType = .json
            let huge = try await tester.performTest(request: TestingHTTPRequest(
                method: .POST, url: URI(path: "/api/v1/merchant-applications"), headers: headers,
                body: ByteBuffer(string: "{\"companyName\":\"\(String(repeating: "x", count: 40_000))\"}")))
            #expect(huge.status == .payloadTooLarge)
        }
    }

    @Test("one open application per credit code, at most three per contact phone")
    func limits() async throws {
        try await withTestApp { app in
            let category = try await Fixtures.category(app, name: "水果")
            _ = try await Self.submit(app, Self.input(category.id!))
            let again = try await app.send(.POST, "/api/v1/merchant-applications", json: Self.input(category.id!))
            #expect(again.status == .conflict)
            #expect(again.problem?.detail == "An application for this credit code is already open or approved.")
            for code in ["91110000802100433B", "9144030071526726XG"] {
                _ = try await Self.submit(app, Self.input(category.id!, creditCode: code))
            }
            let fourth = try await app.send(.POST, "/api/v1/merchant-applications", json: Self.input(category.id!, creditCode: "91310000MA1FL1234Q"))
            #expect(fourth.status == .tooManyRequests)
            #expect(try await MerchantApplicationModel.query(on: app.db).count() == 3)
        }
    }

    @Test("papers: images only, readable by the applicant and reviewers, never under /files")
    func documents() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let category = try await Fixtures.category(app, name: "水果")
            let receipt = try await Self.submit(app, Self.input(category.id!))
            let notImage = try await Self.attach(app, receipt, .businessLicence, bytes: Array("hello".utf8))
            #expect(notImage.status == .unprocessableEntity || notImage.status == .unsupportedMediaType, "\(notImage.text)")
            let png = try FixtureFiles.image("rgb-5x3.png")
            let attached = try await Self.attach(app, receipt, .businessLicence)
            #expect(try attached.decode(MerchantApplication.self).missingDocuments == [.idCardFront, .idCardBack])

            let path = "/api/v1/merchant-applications/\(receipt.application.id)/documents/business_licence"
            let mine = try await app.send(.GET, path, headers: Self.headers(receipt.followUpToken))
            #expect(Array(mine.body.readableBytesView) == png)
            #expect(mine.headers.first(name: .cacheControl) == "private, no-store")
            #expect(try await app.send(.GET, path).status == .notFound)
            let reviewer = try await app.send(.GET, "/api/v1/admin/merchant-applications/\(receipt.application.id)/documents/business_licence", token: admin)
            #expect(Array(reviewer.body.readableBytesView) == png)
            let key = try #require(try await MerchantApplicationDocumentModel.query(on: app.db).first()).fileKey
            #expect(try await app.send(.GET, "/files/" + key).status == .notFound)
        }
    }

    @Test("changes asked for: the applicant reads the reason, amends, and the application returns to the queue")
    func changesAndAmend() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let receipt = try await Self.underReview(app, admin: admin)
            let base = "/api/v1/admin/merchant-applications/\(receipt.application.id)"
            let mine = "/api/v1/merchant-applications/\(receipt.application.id)"
            var amended = Self.input(receipt.application.categoryId)
            amended.companyName = "杭州鲜果贸易股份有限公司"
            let early = try await app.send(.PUT, mine, json: amended, headers: Self.headers(receipt.followUpToken))
            #expect(early.status == .conflict)
            #expect(early.problem?.detail == "An application that is under_review cannot be changed by the applicant.")

            let noReason = try await app.send(.POST, base + "/request-changes", token: admin, json: ReasonInput(reason: " "))
            #expect(noReason.problem?.errors?.first?.field == "reason")
            let sent = try await app.send(.POST, base + "/request-changes", token: admin, json: ReasonInput(reason: "请上传清晰的营业执照"))
            #expect(try sent.decode(MerchantApplication.self).status == .needsChanges)
            let seen = try await app.send(.GET, mine, headers: Self.headers(receipt.followUpToken)).decode(MerchantApplication.self)
            #expect(seen.status == .needsChanges && seen.reason == "请上传清晰的营业执照")

            let done = try await app.send(.PUT, mine, json: amended, headers: Self.headers(receipt.followUpToken))
            let after = try done.decode(MerchantApplication.self)
            #expect(after.status == .resubmitted && after.companyName == "杭州鲜果贸易股份有限公司")
            let queue = try await app.send(.GET, "/api/v1/admin/merchant-applications?status=resubmitted", token: admin)
                .decode(ListPage<MerchantApplication>.self)
            #expect(queue.items.map(\.id) == [receipt.application.id] && queue.total == 1)
            #expect(queue.items[0].bankAccount.accountNumber == "571908123456789")
            let entries = try await AuditLogModel.query(on: app.db).filter(\.$targetType == MerchantApplicationService.auditTarget).all()
            #expect(entries.map(\.action).sorted() == ["merchant_application.needs_changes", "merchant_application.under_review"])
        }
    }

    @Test("approval creates the merchant, its admin (first password to change) and its stores, audited; the admin must change the password first")
    func approve() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let receipt = try await Self.underReview(app, admin: admin)
            let published = NIOLockedValueBox<[CacheInvalidation]>([])
            app.cacheInvalidationBus.subscribe { invalidation in published.withLockedValue { $0.append(invalidation) } }
            let response = try await app.send(.POST, "/api/v1/admin/merchant-applications/\(receipt.application.id)/approve", token: admin,
                                              json: MerchantApplicationApproval(merchantCode: "fresh"))
            let approved = try response.decode(MerchantApplicationApproved.self)
            // Other instances' store directories hear of the new stores at once.
            #expect(published.withLockedValue { $0 }.filter { $0.topic == StoreDirectory.topic }.map { Set($0.ids) } == [Set(approved.stores.map(\.id))])
            #expect(approved.application.status == .approved && approved.application.merchantId == approved.merchant.id)
            #expect(approved.merchant.code == "FRESH" && approved.merchant.kind == .thirdParty && approved.merchant.status == .active)
            #expect(approved.merchant.creditCode == "91350100M000100Y43" && approved.merchant.commissionRateBasisPoints == 500)
            #expect(approved.stores.map(\.code) == ["FRESH-01", "FRESH-02"])
            #expect(approved.stores.allSatisfy { $0.merchantId == approved.merchant.id && $0.status == .open })
            #expect(approved.adminUsername == "fresh.admin")
            try PasswordPolicy.check(approved.initialPassword)
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action == "merchant_application.approved").all()
            #expect(audit.count == 1 && audit.first?.merchantId == approved.merchant.id)

            // First sign-in: a session that may do nothing but change the password.
            let login = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "fresh.admin", password: approved.initialPassword))
            let session = try login.decode(StaffSession.self)
            #expect(session.mustChangePassword && session.permissions.isEmpty)
            #expect(session.staff.grants.map(\.roleCode) == [BuiltinRole.merchantAdmin.rawValue])
            let token = session.tokens.accessToken
            #expect(try await app.send(.GET, "/api/v1/admin/stores", token: token).status == .forbidden)
            let me = try await app.send(.GET, "/api/v1/admin/auth/me", token: token).decode(StaffIdentity.self)
            #expect(me.mustChangePassword)

            let wrong = try await app.send(.POST, "/api/v1/admin/auth/password", token: token,
                                           json: PasswordChange(currentPassword: "nope1234", newPassword: "Fresh2026go"))
            #expect(wrong.problem?.errors?.map(\.field) == ["currentPassword"])
            let same = try await app.send(.POST, "/api/v1/admin/auth/password", token: token,
                                          json: PasswordChange(currentPassword: approved.initialPassword, newPassword: approved.initialPassword))
            #expect(same.problem?.errors?.map(\.field) == ["newPassword"])
            let changed = try await app.send(.POST, "/api/v1/admin/auth/password", token: token,
                                             json: PasswordChange(currentPassword: approved.initialPassword, newPassword: "Fresh2026go"))
            #expect(changed.status == .noContent, "\(changed.text)")
            let unlocked = try await app.send(.GET, "/api/v1/admin/auth/me", token: token).decode(StaffIdentity.self)
            #expect(!unlocked.mustChangePassword && unlocked.permissions.contains(.catalogEdit))
            let stores = try await app.send(.GET, "/api/v1/admin/stores", token: token).decode(ListPage<Store>.self)
            #expect(Set(stores.items.map(\.code)) == ["FRESH-01", "FRESH-02"])
            let old = try await app.send(.POST, "/api/v1/admin/auth/login", json: LoginRequest(login: "fresh.admin", password: approved.initialPassword))
            #expect(old.status == .unauthorized)

            let twice = try await app.send(.POST, "/api/v1/admin/merchant-applications/\(receipt.application.id)/approve", token: admin,
                                           json: MerchantApplicationApproval(merchantCode: "FRESH2"))
            #expect(twice.status == .conflict)
        }
    }

    @Test("a failure midway through approval (the second store's code is taken) leaves no merchant, staff, grant or store")
    func approvalIsAtomic() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let receipt = try await Self.underReview(app, admin: admin)
            _ = try await Fixtures.store(app, code: "FRESH-02")
            let before = try await Self.rowCounts(app)
            let response = try await app.send(.POST, "/api/v1/admin/merchant-applications/\(receipt.application.id)/approve", token: admin,
                                              json: MerchantApplicationApproval(merchantCode: "FRESH"))
            #expect(response.problem?.errors?.first?.message == "gives store code FRESH-02, which another store already has")
            #expect(try await Self.rowCounts(app) == before)
            #expect(try await MerchantApplicationModel.find(receipt.application.id, on: app.db)?.status == .underReview)
            #expect(try await AuditLogModel.query(on: app.db).filter(\.$action == "merchant_application.approved").count() == 0)
        }
    }

    @Test("approval needs the licence and both ID sides; reviewers act only from the platform")
    func approvalNeedsPapersAndPlatform() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let category = try await Fixtures.category(app, name: "水果")
            let receipt = try await Self.submit(app, Self.input(category.id!))
            let base = "/api/v1/admin/merchant-applications/\(receipt.application.id)"
            _ = try await app.send(.POST, base + "/review", token: admin)
            let early = try await app.send(.POST, base + "/approve", token: admin, json: MerchantApplicationApproval(merchantCode: "FRESH"))
            #expect(early.status == .conflict)
            #expect(early.problem?.detail == "Documents still missing: business_licence, id_card_front, id_card_back.")

            let merchant = try await Fixtures.merchant(app, code: "OTHER")
            let (_, merchantAdmin) = try await Fixtures.staff(app, "other.admin", role: .merchantAdmin, scope: .merchant(merchant.merchantID))
            for path in ["", "/approve", "/reject"] {
                let method: HTTPMethod = path.isEmpty ? .GET : .POST
                let refused = try await app.send(method, base + path, token: merchantAdmin, json: ReasonInput(reason: "我来批"))
                #expect(refused.status == .forbidden, "\(path)")
            }
            #expect(try await app.send(.GET, "/api/v1/admin/merchant-applications", token: merchantAdmin).status == .forbidden)
            let rejected = try await app.send(.POST, base + "/reject", token: admin, json: ReasonInput(reason: "经营类目不符"))
            #expect(try rejected.decode(MerchantApplication.self).status == .rejected)
            // A rejected code may apply again.
            _ = try await Self.submit(app, Self.input(category.id!))
        }
    }

    @Test("two reviewers approving at once create one merchant")
    func concurrentApprovals() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let receipt = try await Self.underReview(app, admin: admin, stores: 1)
            let path = "/api/v1/admin/merchant-applications/\(receipt.application.id)/approve"
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for n in 0..<4 {
                    group.addTask { try await app.send(.POST, path, token: admin, json: MerchantApplicationApproval(merchantCode: "FRESH\(n)")).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 3)
            #expect(try await MerchantModel.query(on: app.db).filter(\.$kind == .thirdParty).count() == 1)
            #expect(try await StoreModel.query(on: app.db).filter(\.$code ~~ (0..<4).map { "FRESH\($0)-01" }).count() == 1)
        }
    }

    @Test("the console shows a new merchant admin only the password form until the first password is changed")
    func consoleForcesPasswordChange() async throws {
        try await withTestApp { app in
            let admin = try await PointsTests.admin(app)
            let receipt = try await Self.underReview(app, admin: admin, stores: 1)
            let approved = try await app.send(.POST, "/api/v1/admin/merchant-applications/\(receipt.application.id)/approve", token: admin,
                                              json: MerchantApplicationApproval(merchantCode: "FRESH")).decode(MerchantApplicationApproved.self)
            let browser = TestBrowser(app)
            try await browser.get("/console/login")
            let signedIn = try await browser.submit("/console/login", ["login": "fresh.admin", "password": approved.initialPassword])
            #expect(signedIn.headers.first(name: .location) == "/console")
            let shell = try await browser.get("/console/orders")
            #expect(shell.status == .ok)
            #expect(shell.text.contains("\"section\":\"password\""), "the password form instead of the orders")
            #expect(!shell.text.contains("href=\"/console/orders\""), "and no menu")
            #expect(shell.text.contains("\"grants\":[]") && shell.text.contains("\"stores\":[]"),
                    "the page's script is granted nothing, like the API, so it asks the API for nothing it would refuse")
            let changed = try await browser.api(.POST, "/admin/auth/password",
                                                json: PasswordChange(currentPassword: approved.initialPassword, newPassword: "Fresh2026go"))
            #expect(changed.status == .noContent, "\(changed.text)")
            let after = try await browser.get("/console/orders")
            #expect(after.text.contains("\"section\":\"orders\"") && after.text.contains("href=\"/console/merchants\""))
        }
    }
}
