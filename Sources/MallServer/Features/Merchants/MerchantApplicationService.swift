import Crypto
import Fluent
import Foundation
import MallAPI
import MallCore
import SQLKit
import Vapor

/// Merchant onboarding (招商入驻). Anyone may apply without an account; the answer carries a
/// follow-up token, of which only a digest is stored, and every later read or change of the
/// application (and of its scanned papers) needs it, so an application id alone reveals nothing.
/// Platform reviewers move it through `MerchantApplicationLifecycle`; approval creates the
/// merchant, its admin account and its stores in one audited transaction.
struct MerchantApplicationService {
    let app: Application
    let db: any Database

    static let auditTarget = "merchant_application"
    /// Open applications one contact phone may have at once: enough for a group of companies,
    /// too few to flood the review queue.
    static let openPerPhone = 3
    static let maxStores = 10

    enum Failure: ProblemConvertible, Equatable {
        case notFound
        case duplicateCreditCode
        case tooManyOpen
        case notEditable(MerchantApplicationStatus)
        case documentsMissing([ApplicationDocumentKind])

        var status: HTTPResponseStatus {
            switch self {
            case .notFound: .notFound
            case .tooManyOpen: .tooManyRequests
            case .duplicateCreditCode, .notEditable, .documentsMissing: .conflict
            }
        }

        var title: String { status.reasonPhrase }

        var detail: String? {
            switch self {
            case .notFound: "No such application, or the follow-up token does not match it."
            case .duplicateCreditCode: "An application for this credit code is already open or approved."
            case .tooManyOpen: "This contact phone already has \(MerchantApplicationService.openPerPhone) open applications."
            case .notEditable(let status): "An application that is \(status.rawValue) cannot be changed by the applicant."
            case .documentsMissing(let kinds): "Documents still missing: \(kinds.map(\.rawValue).joined(separator: ", "))."
            }
        }
    }

    // MARK: Applicant

    /// A new application and its follow-up token (shown once).
    func submit(_ input: MerchantApplicationInput) async throws -> (MerchantApplicationModel, token: String) {
        let application = MerchantApplicationModel()
        try await apply(input, to: application)
        let token = SecureToken.generate()
        application.tokenHash = SecureToken.digest(token)
        application.lifecycle = MerchantApplicationLifecycle()
        try await db.writeTransaction { tx in
            try await checkNotDuplicate(application, on: tx)
            let open = try await MerchantApplicationModel.query(on: tx).filter(\.$contactPhone == application.contactPhone)
                .filter(\.$status ~~ MerchantApplicationStatus.allCases.filter { !$0.isFinal }).count()
            if open >= Self.openPerPhone { throw Failure.tooManyOpen }
            try await application.create(on: tx)
        }
        return (application, token)
    }

    /// The application when `token` is its follow-up token; otherwise not found, whether the id
    /// exists or not.
    func find(_ id: UUID, token: String?) async throws -> MerchantApplicationModel {
        guard let token, token.utf8.count <= 128, let application = try await MerchantApplicationModel.find(id, on: db),
              SecureToken.constantTimeEquals(application.tokenHash, SecureToken.digest(token)) else {
            throw Failure.notFound
        }
        return application
    }

    /// The applicant rewrites the application: freely before review starts, and once after each
    /// request for changes (which sends it back to the queue).
    func amend(_ application: MerchantApplicationModel, with input: MerchantApplicationInput) async throws {
        switch application.status {
        case .submitted:
            break
        case .needsChanges:
            var lifecycle = application.lifecycle
            try lifecycle.amend()
            application.lifecycle = lifecycle
        case .underReview, .resubmitted, .approved, .rejected:
            throw Failure.notEditable(application.status)
        }
        try await apply(input, to: application)
        try await db.writeTransaction { tx in
            try await checkNotDuplicate(application, on: tx)
            try await application.update(on: tx)
        }
    }

    /// Stores a scanned paper, replacing an earlier one of the same kind. Papers may change while
    /// the applicant may change the application.
    func attach(_ bytes: [UInt8], kind: ApplicationDocumentKind, to application: MerchantApplicationModel,
                storage: any FileStorage) async throws -> MerchantApplicationDocumentModel {
        guard application.status == .submitted || application.status == .needsChanges else {
            throw Failure.notEditable(application.status)
        }
        let info = try ImageProbe.inspect(bytes)
        try ImageUploadPolicy.check(info)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let applicationId = try application.requireID()
        // Under its own prefix, never the content-addressed `img/…` of public media: the same
        // bytes uploaded as a product image must not make a licence public, nor the reverse.
        let key = "applications/\(applicationId.uuidString.lowercased())/\(kind.rawValue)-\(digest).\(info.format.fileExtension)"
        try await app.fileStorage.put(key: key, data: Data(bytes), contentType: info.format.mimeType)
        return try await db.writeTransaction { tx in
            let document = try await MerchantApplicationDocumentModel.query(on: tx).filter(\.$applicationId == applicationId)
                .filter(\.$kind == kind).first() ?? MerchantApplicationDocumentModel()
            document.applicationId = applicationId
            document.kind = kind
            document.fileKey = key
            document.sha256 = digest
            document.contentType = info.format.mimeType
            document.byteCount = bytes.count
            try await document.save(on: tx)
            return document
        }
    }

    func document(_ kind: ApplicationDocumentKind, of applicationId: UUID) async throws -> (data: Data, contentType: String) {
        guard let document = try await MerchantApplicationDocumentModel.query(on: db).filter(\.$applicationId == applicationId)
            .filter(\.$kind == kind).first(), let data = try await app.fileStorage.get(key: document.fileKey) else {
            throw MallError.notFound("No such document.")
        }
        return (data, document.contentType)
    }

    // MARK: Reviewers

    func list(status: MerchantApplicationStatus?, page: PageRequest) async throws -> ListPage<MerchantApplication> {
        var query = MerchantApplicationModel.query(on: db).sort(\.$createdAt).sort(\.$id)
        if let status { query = query.filter(\.$status == status) }
        let total = try await query.copy().count()
        let rows = try await query.range(page.offset..<(page.offset + page.per)).all()
        let documents = try await MerchantApplicationDocumentModel.query(on: db).filter(\.$applicationId ~~ rows.compactMap(\.id)).all()
        let items = rows.map { row in row.dto(documents: documents.filter { $0.applicationId == row.id }, revealAccount: true) }
        return ListPage(items: items, page: page.page, per: page.per, total: total)
    }

    func review(_ id: UUID) async throws -> MerchantApplicationModel {
        guard let application = try await MerchantApplicationModel.find(id, on: db) else { throw Failure.notFound }
        return application
    }

    /// Take for review, ask for changes or reject: one step of the machine, audited.
    func decide(_ id: UUID, reviewer: UUID, audit: AuditRecorder,
                step: @escaping @Sendable (inout MerchantApplicationLifecycle) throws -> Void) async throws -> MerchantApplicationModel {
        try await db.writeTransaction { tx in
            guard let application = try await MerchantApplicationModel.find(id, on: tx) else { throw Failure.notFound }
            let before = application.lifecycle
            var lifecycle = before
            try step(&lifecycle)
            application.lifecycle = lifecycle
            application.reviewerStaffId = reviewer
            if lifecycle.status.isFinal { application.decidedAt = audit.now }
            try await transition(application, from: before.status, on: tx)
            try await audit.record(on: tx, action: "merchant_application.\(lifecycle.status.rawValue)", owner: .platform,
                                   targetType: Self.auditTarget, targetId: id.uuidString, before: before, after: lifecycle)
            return application
        }
    }

    struct Approved {
        let application: MerchantApplicationModel
        let merchant: MerchantModel
        let admin: StaffModel
        let initialPassword: String
        let stores: [StoreModel]
    }

    /// Approval: the merchant (third party, active), its admin (merchant admin role, a generated
    /// password to change at the first sign-in) and its intended stores, all or nothing.
    func approve(_ id: UUID, _ input: MerchantApplicationApproval, reviewer: UUID, audit: AuditRecorder) async throws -> Approved {
        var errors = FieldErrorCollector()
        let code = errors.collect { try StoreRules.checkCode(input.merchantCode, field: "merchantCode") }
        if let code, code.count > 16 { errors.add("merchantCode", "must be at most 16 characters (its stores add -01, -02, …)") }
        let username = errors.collect { try StaffRoutes.checkUsername(input.adminUsername ?? "\(code ?? "").admin", field: "adminUsername") }
        let commission = input.commissionRateBasisPoints ?? 500
        errors.collect { try MerchantRules.checkCommission(commission) }
        try errors.throwIfAny()
        guard let code, let username else { throw MallError.badRequest("Unreadable approval.") }
        var random = SystemRandomNumberGenerator()
        let password = InitialPassword.generate(using: &random)
        let hash = try await app.password.async.hash(password)
        let approved = try await db.writeTransaction { tx in
            guard let application = try await MerchantApplicationModel.find(id, on: tx) else { throw Failure.notFound }
            let before = application.lifecycle
            var lifecycle = before
            try lifecycle.approve()
            let documents = try await MerchantApplicationDocumentModel.all(of: id, on: tx)
            let missing = ApplicationDocumentKind.missing(from: Set(documents.map(\.kind)))
            guard missing.isEmpty else { throw Failure.documentsMissing(missing) }
            if try await MerchantModel.find(code: code, on: tx) != nil {
                throw ValidationFailure(field: "merchantCode", message: "is already used by another merchant")
            }
            if try await StaffModel.find(username: username, on: tx) != nil {
                throw ValidationFailure(field: "adminUsername", message: "is already taken")
            }
            let merchant = MerchantModel(code: code, name: application.companyName, kind: .thirdParty, status: .active,
                                         contactName: application.contactName, contactPhone: application.contactPhone,
                                         contactEmail: application.contactEmail, commissionRateBasisPoints: commission)
            merchant.creditCode = application.creditCode
            try await merchant.create(on: tx)
            let admin = StaffModel(username: username, passwordHash: hash, displayName: application.contactName, mobile: nil)
            admin.mustChangePassword = true
            try await admin.create(on: tx)
            guard let role = try await RoleModel.find(code: BuiltinRole.merchantAdmin.rawValue, on: tx) else {
                throw MallError.unavailable("The merchant admin role is missing; run the migrations.")
            }
            try await StaffRoleGrantModel(staffId: admin.requireID(), roleId: role.requireID(), scope: .merchant(merchant.merchantID),
                                          storeMerchant: nil).create(on: tx)
            var stores: [StoreModel] = []
            for (index, intended) in application.stores.enumerated() {
                let store = StoreModel(intended, code: String(format: "%@-%02d", code, index + 1), merchantId: try merchant.requireID())
                // Checked here rather than up front: another merchant may have taken the code a
                // moment ago, and then everything written so far must go too.
                if try await StoreModel.query(on: tx).filter(\.$code == store.code).first() != nil {
                    throw ValidationFailure(field: "merchantCode", message: "gives store code \(store.code), which another store already has")
                }
                try await store.create(on: tx)
                stores.append(store)
            }
            application.lifecycle = lifecycle
            application.reviewerStaffId = reviewer
            application.merchantId = merchant.id
            application.decidedAt = audit.now
            try await transition(application, from: before.status, on: tx)
            try await audit.record(on: tx, action: "merchant_application.approved", owner: .merchant(merchant.merchantID),
                                   targetType: Self.auditTarget, targetId: id.uuidString, before: before,
                                   after: ApprovalAudit(merchantId: merchant.id, merchantCode: code, adminUsername: username,
                                                        storeCodes: stores.map(\.code)))
            return Approved(application: application, merchant: merchant, admin: admin, initialPassword: password, stores: stores)
        }
        // Other instances learn of the new stores now rather than when their directory ages out.
        await app.cacheInvalidationBus.publish(CacheInvalidation(topic: StoreDirectory.topic, ids: approved.stores.compactMap(\.id)))
        return approved
    }

    private struct ApprovalAudit: Encodable {
        let merchantId: UUID?
        let merchantCode: String
        let adminUsername: String
        let storeCodes: [String]
    }

    // MARK: Shared

    /// Writes a status change only if nobody moved the application since it was read: two
    /// reviewers pressing Approve at once create one merchant, not two.
    private func transition(_ application: MerchantApplicationModel, from status: MerchantApplicationStatus, on tx: any Database) async throws {
        let moved = try await tx.sql.raw("""
            UPDATE merchant_applications SET status = \(bind: application.status.rawValue), reason = \(bind: application.reason),
                reviewer_staff_id = \(bind: application.reviewerStaffId), merchant_id = \(bind: application.merchantId),
                decided_at = \(bind: application.decidedAt), updated_at = \(bind: app.clock.now())
            WHERE id = \(bind: try application.requireID()) AND status = \(bind: status.rawValue) RETURNING id
            """).all()
        guard !moved.isEmpty else {
            throw IllegalTransition(from: status.rawValue, to: application.status.rawValue, reason: "another reviewer changed it first")
        }
    }

    private func checkNotDuplicate(_ application: MerchantApplicationModel, on tx: any Database) async throws {
        var query = MerchantApplicationModel.query(on: tx).filter(\.$creditCode == application.creditCode)
            .filter(\.$status != .rejected)
        if let id = application.id { query = query.filter(\.$id != id) }
        if try await query.count() > 0 { throw Failure.duplicateCreditCode }
    }

    /// Checks every field and copies it onto the row; all problems are reported together.
    private func apply(_ input: MerchantApplicationInput, to application: MerchantApplicationModel) async throws {
        var errors = FieldErrorCollector()
        let company = errors.collect { try TextRule.check(input.companyName, field: "companyName", min: 2, max: 60) }
        let creditCode = errors.collect { try SocialCreditCode(parsing: input.creditCode).value }
        let legal = errors.collect { try TextRule.check(input.legalRepresentative, field: "legalRepresentative", min: 2, max: 30) }
        let contact = errors.collect { try TextRule.check(input.contactName, field: "contactName", max: 30) }
        let phone = errors.collect { try StoreRules.checkPhone(input.contactPhone, field: "contactPhone") }
        let email = input.contactEmail.flatMap { $0.isEmpty ? nil : $0 }.flatMap { raw in
            errors.collect { try EmailAddress(parsing: raw, field: "contactEmail").value }
        }
        let brand = input.brandName.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }.flatMap { raw in
            errors.collect { try TextRule.check(raw, field: "brandName", max: 60) }
        }
        let description = input.description.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }.flatMap { raw in
            errors.collect { try TextRule.check(raw, field: "description", max: 1_000) }
        }
        let account = BankAccount.validated(accountName: input.bankAccount.accountName, bankName: input.bankAccount.bankName,
                                            branchName: input.bankAccount.branchName, accountNumber: input.bankAccount.accountNumber,
                                            into: &errors)
        var stores: [ApplicationStoreInput] = []
        if input.stores.isEmpty || input.stores.count > Self.maxStores {
            errors.add("stores", "must list 1–\(Self.maxStores) stores")
        } else {
            for (index, store) in input.stores.enumerated() {
                let field = "stores[\(index)]"
                let name = errors.collect { try TextRule.check(store.name, field: field + ".name", max: 60) }
                let province = errors.collect { try TextRule.check(store.province, field: field + ".province", max: 30) }
                let city = errors.collect { try TextRule.check(store.city, field: field + ".city", max: 30) }
                let district = errors.collect { try TextRule.check(store.district, field: field + ".district", max: 30) }
                let address = errors.collect { try TextRule.check(store.address, field: field + ".address", min: 2, max: 120) }
                let point = errors.collect { try GeoPoint(checkingLatitude: store.latitude, longitude: store.longitude, field: field) }
                let storePhone = errors.collect { try StoreRules.checkPhone(store.phone, field: field + ".phone") }
                if let name, let province, let city, let district, let address, let point, let storePhone {
                    stores.append(ApplicationStoreInput(name: name, province: province, city: city, district: district, address: address,
                                                        latitude: point.latitude, longitude: point.longitude, phone: storePhone))
                }
            }
        }
        if try await CategoryModel.find(input.categoryId, on: db) == nil {
            errors.add("categoryId", "is not a category")
        }
        try errors.throwIfAny()
        guard let company, let creditCode, let legal, let contact, let phone, let account else {
            throw MallError.badRequest("Unreadable application.")
        }
        application.companyName = company
        application.creditCode = creditCode
        application.legalRepresentative = legal
        application.contactName = contact
        application.contactPhone = phone
        application.contactEmail = email
        application.categoryId = input.categoryId
        application.brandName = brand
        application.shopDescription = description
        application.bankAccountName = account.accountName
        application.bankName = account.bankName
        application.bankBranch = account.branchName
        application.bankAccountNumber = account.accountNumber
        application.storesJSON = try JSONText.encode(stores)
    }
}

extension MerchantApplicationModel {
    var stores: [ApplicationStoreInput] {
        (try? JSONDecoder().decode([ApplicationStoreInput].self, from: Data(storesJSON.utf8))) ?? []
    }

    /// `revealAccount`: reviewers see the whole account number, the applicant its last digits.
    func dto(documents: [MerchantApplicationDocumentModel], revealAccount: Bool) -> MerchantApplication {
        var account = bankAccount
        if !revealAccount { account.accountNumber = account.maskedNumber }
        return MerchantApplication(
            id: id!, status: status, reason: reason, companyName: companyName, creditCode: creditCode,
            legalRepresentative: legalRepresentative, contactName: contactName, contactPhone: contactPhone, contactEmail: contactEmail,
            categoryId: categoryId, brandName: brandName, description: shopDescription, bankAccount: account, stores: stores,
            documents: documents.map { ApplicationDocument(kind: $0.kind, contentType: $0.contentType, byteCount: $0.byteCount,
                                                           uploadedAt: $0.createdAt ?? Date(timeIntervalSince1970: 0)) },
            missingDocuments: ApplicationDocumentKind.missing(from: Set(documents.map(\.kind))), merchantId: merchantId,
            createdAt: createdAt ?? Date(timeIntervalSince1970: 0), updatedAt: updatedAt ?? Date(timeIntervalSince1970: 0),
            decidedAt: decidedAt)
    }
}

extension StoreModel {
    /// A store as an approved application intended it, with the hours and service area every
    /// new store starts with; its manager adjusts them later.
    convenience init(_ intended: ApplicationStoreInput, code: String, merchantId: UUID) {
        self.init()
        self.merchantId = merchantId
        self.code = code
        name = intended.name
        kind = .store
        status = .open
        province = intended.province
        city = intended.city
        district = intended.district
        address = intended.address
        latitude = intended.latitude
        longitude = intended.longitude
        phone = intended.phone
        setOpeningHours((try? WeeklyHours(parsing: Dictionary(uniqueKeysWithValues: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map { ($0, ["09:00-21:00"]) }))) ?? .closed)
        deliveryRadiusKm = 3
        pickupEnabled = true
        dailyOrderCapacity = 200
    }
}
