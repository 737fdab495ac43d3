import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Staff attach videos and documents to products (`/admin/products/{id}/attachments`).
struct ProductAttachmentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let attachments = routes.grouped("products", ":productId", "attachments")
        // Collected up to the ceiling the video-size setting may reach; the setting in force is
        // checked once the form is read.
        let ceiling = AttachmentUploadPolicy.videoMegabytesCeiling * 1024 * 1024 + MediaRoutes.formOverhead
        attachments.grouped(AttachmentSizeLimitMiddleware())
            .on(.POST, body: .collect(maxSize: ByteCount(value: ceiling)), use: upload)
        attachments.get(use: list)
        attachments.delete(":attachmentId", use: remove)
    }

    /// The product's videos then its documents, each in upload order, for the console's editor
    /// (drafts included, which the storefront's product detail does not show).
    func list(req: Request) async throws -> [ProductAttachment] {
        guard let productId = req.parameters.get("productId", as: UUID.self) else { throw MallError.notFound("No such product.") }
        // Who may open the product may see its attachments: store staff see their merchant's goods.
        try await ProductRoutes.authorizeView(req, merchantId: try await ProductAttachmentService.owner(productId: productId, on: req.db).rawValue)
        let (videos, documents) = try await ProductAttachmentService.list(productId: productId, on: req.db)
        return videos + documents
    }

    struct AttachmentSizeLimitMiddleware: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            do {
                return try await next.respond(to: request)
            } catch let abort as any AbortError where abort.status == .payloadTooLarge {
                throw MediaError.attachmentTooLarge
            }
        }
    }

    /// 201 with the attachment. Form parts: `file` (MP4, WebM or PDF), `title` (required for a
    /// document), `posterUrl` (required for a video: an uploaded image's `/files/…` path).
    func upload(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        guard let productId = req.parameters.get("productId", as: UUID.self) else { throw MallError.notFound("No such product.") }
        let form = try MediaRoutes.readForm(req)
        var errors = FieldErrorCollector()
        let file = MediaRoutes.filePart(form, into: &errors)
        let title = form.part(named: "title").map { String(decoding: $0.body, as: UTF8.self) }
        let poster = form.part(named: "posterUrl").map { String(decoding: $0.body, as: UTF8.self).trimmingWhitespace() }
        if let title, title.count > 4 * AttachmentUploadPolicy.maxTitleLength { errors.add("title", "is far too long") }
        if let poster, poster.utf8.count > 600 { errors.add("posterUrl", "is far too long") }
        try errors.throwIfAny()
        guard let file else { throw MediaError.unreadableForm }
        try req.authorize(.catalogEdit, on: .merchant(try await ProductAttachmentService.owner(productId: productId, on: req.db)))
        let settings = try await SettingsService.resolved(on: req.db)
        let limits = ProductAttachmentService.Limits(maxVideoMegabytes: settings.integer(.mediaVideoMaxMegabytes),
                                                     maxVideoSeconds: settings.integer(.mediaVideoMaxSeconds))
        let attachment = try await ProductAttachmentService.upload(file.body, productId: productId, title: title, posterURL: poster, limits: limits,
                                                                   uploadedBy: staff.staffId, audit: req.audit, storage: req.fileStorage, on: req.db)
        return try Response.json(attachment.dto, status: .created)
    }

    func remove(req: Request) async throws -> HTTPStatus {
        _ = try req.requireStaff()
        guard let productId = req.parameters.get("productId", as: UUID.self),
              let attachmentId = req.parameters.get("attachmentId", as: UUID.self) else {
            throw MallError.notFound("No such video or document on this product.")
        }
        try req.authorize(.catalogEdit, on: .merchant(try await ProductAttachmentService.owner(productId: productId, on: req.db)))
        try await ProductAttachmentService.remove(attachmentId: attachmentId, productId: productId, audit: req.audit, storage: req.fileStorage, on: req.db)
        return .noContent
    }
}
