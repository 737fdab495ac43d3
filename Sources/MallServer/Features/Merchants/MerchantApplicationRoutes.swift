import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Applying to sell on the mall, without an account. Everything after the first request needs
/// the follow-up token from its answer, sent as `X-Application-Token`.
struct MerchantApplicationRoutes: RouteCollection {
    static let tokenHeader = "X-Application-Token"
    /// An application with ten stores is a few kilobytes; anything much larger is not one.
    static let maxBody: ByteCount = "32kb"

    func boot(routes: any RoutesBuilder) throws {
        let applications = routes.grouped("merchant-applications")
        applications.on(.POST, body: .collect(maxSize: Self.maxBody), use: submit)
        applications.get(":applicationId", use: show)
        applications.on(.PUT, ":applicationId", body: .collect(maxSize: Self.maxBody), use: amend)
        applications.grouped(MediaRoutes.ImageSizeLimitMiddleware())
            .on(.PUT, ":applicationId", "documents", ":kind",
                body: .collect(maxSize: ByteCount(value: ImageUploadPolicy.maxByteCount + MediaRoutes.formOverhead)), use: attach)
        applications.get(":applicationId", "documents", ":kind", use: document)
    }

    func submit(req: Request) async throws -> Response {
        let input = try req.content.decode(MerchantApplicationInput.self)
        let (application, token) = try await MerchantApplicationService(app: req.application, db: req.db).submit(input)
        let receipt = MerchantApplicationReceipt(application: application.dto(documents: [], revealAccount: false), followUpToken: token)
        return try Response.json(receipt, status: .created)
    }

    func show(req: Request) async throws -> MerchantApplication {
        let application = try await followed(req)
        return try await view(application, req)
    }

    func amend(req: Request) async throws -> MerchantApplication {
        let application = try await followed(req)
        let input = try req.content.decode(MerchantApplicationInput.self)
        try await MerchantApplicationService(app: req.application, db: req.db).amend(application, with: input)
        return try await view(application, req)
    }

    /// `multipart/form-data` with one `file` part: a JPEG, PNG or WebP scan.
    func attach(req: Request) async throws -> MerchantApplication {
        let application = try await followed(req)
        let kind = try Self.kind(req)
        let form = try MediaRoutes.readForm(req)
        var errors = FieldErrorCollector()
        let file = MediaRoutes.filePart(form, into: &errors)
        try errors.throwIfAny()
        guard let file else { throw MediaError.unreadableForm }
        guard file.body.count <= ImageUploadPolicy.maxByteCount else { throw MediaError.fileTooLarge }
        _ = try await MerchantApplicationService(app: req.application, db: req.db)
            .attach(file.body, kind: kind, to: application, storage: req.application.fileStorage)
        return try await view(application, req)
    }

    func document(req: Request) async throws -> Response {
        let application = try await followed(req)
        return try await Self.documentResponse(application.requireID(), kind: try Self.kind(req), req)
    }

    private func followed(_ req: Request) async throws -> MerchantApplicationModel {
        let id = try req.pathId("applicationId", notFound: MerchantApplicationService.Failure.notFound.detail ?? "")
        return try await MerchantApplicationService(app: req.application, db: req.db)
            .find(id, token: req.headers.first(name: Self.tokenHeader))
    }

    private func view(_ application: MerchantApplicationModel, _ req: Request) async throws -> MerchantApplication {
        application.dto(documents: try await MerchantApplicationDocumentModel.all(of: application.requireID(), on: req.db), revealAccount: false)
    }

    static func kind(_ req: Request) throws -> ApplicationDocumentKind {
        guard let kind = req.parameters.get("kind").flatMap(ApplicationDocumentKind.init(rawValue:)) else {
            throw ValidationFailure(field: "kind", message: "must be one of \(ApplicationDocumentKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// A scan for the applicant or a reviewer: never cached by shared caches, never run as a page.
    static func documentResponse(_ applicationId: UUID, kind: ApplicationDocumentKind, _ req: Request) async throws -> Response {
        let file = try await MerchantApplicationService(app: req.application, db: req.db).document(kind, of: applicationId)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: file.contentType)
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: PublicFileRoutes.contentSecurityPolicy)
        return Response(status: .ok, headers: headers, body: .init(data: file.data))
    }
}

/// The platform's review queue (`merchant.manage` on the platform).
struct MerchantApplicationAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let applications = routes.grouped("merchant-applications")
        applications.get(use: list)
        applications.get(":applicationId", use: show)
        applications.get(":applicationId", "documents", ":kind", use: document)
        applications.post(":applicationId", "review", use: take)
        applications.post(":applicationId", "request-changes", use: requestChanges)
        applications.post(":applicationId", "reject", use: reject)
        applications.post(":applicationId", "approve", use: approve)
    }

    func list(req: Request) async throws -> ListPage<MerchantApplication> {
        try req.authorize(.merchantManage, on: .platform)
        let page = try PageRequest(from: req)
        var status: MerchantApplicationStatus?
        if let raw = req.query[String.self, at: "status"] {
            guard let parsed = MerchantApplicationStatus(rawValue: raw) else {
                throw ValidationFailure(field: "status", message: "must be one of \(MerchantApplicationStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        return try await MerchantApplicationService(app: req.application, db: req.db).list(status: status, page: page)
    }

    func show(req: Request) async throws -> MerchantApplication {
        try req.authorize(.merchantManage, on: .platform)
        let application = try await MerchantApplicationService(app: req.application, db: req.db).review(try Self.id(req))
        return try await Self.view(application, req)
    }

    func document(req: Request) async throws -> Response {
        try req.authorize(.merchantManage, on: .platform)
        let application = try await MerchantApplicationService(app: req.application, db: req.db).review(try Self.id(req))
        return try await MerchantApplicationRoutes.documentResponse(application.requireID(), kind: try MerchantApplicationRoutes.kind(req), req)
    }

    func take(req: Request) async throws -> MerchantApplication {
        try await decide(req) { try $0.takeForReview() }
    }

    func requestChanges(req: Request) async throws -> MerchantApplication {
        let reason = try req.content.decode(ReasonInput.self).reason
        return try await decide(req) { try $0.requestChanges(reason: reason) }
    }

    func reject(req: Request) async throws -> MerchantApplication {
        let reason = try req.content.decode(ReasonInput.self).reason
        return try await decide(req) { try $0.reject(reason: reason) }
    }

    func approve(req: Request) async throws -> MerchantApplicationApproved {
        let staff = try req.authorize(.merchantManage, on: .platform)
        let input = try req.content.decode(MerchantApplicationApproval.self)
        let approved = try await MerchantApplicationService(app: req.application, db: req.db)
            .approve(try Self.id(req), input, reviewer: staff.staffId, audit: req.audit)
        return MerchantApplicationApproved(application: try await Self.view(approved.application, req), merchant: approved.merchant.dto,
                                           adminUsername: approved.admin.username,
                                           initialPassword: approved.initialPassword, stores: approved.stores.map(\.dto))
    }

    private func decide(_ req: Request, step: @escaping @Sendable (inout MerchantApplicationLifecycle) throws -> Void) async throws -> MerchantApplication {
        let staff = try req.authorize(.merchantManage, on: .platform)
        let application = try await MerchantApplicationService(app: req.application, db: req.db)
            .decide(try Self.id(req), reviewer: staff.staffId, audit: req.audit, step: step)
        return try await Self.view(application, req)
    }

    static func id(_ req: Request) throws -> UUID {
        try req.pathId("applicationId", notFound: "No such application.")
    }

    static func view(_ application: MerchantApplicationModel, _ req: Request) async throws -> MerchantApplication {
        application.dto(documents: try await MerchantApplicationDocumentModel.all(of: application.requireID(), on: req.db), revealAccount: true)
    }
}

extension MerchantApplication: Content {}
extension MerchantApplicationApproved: Content {}
