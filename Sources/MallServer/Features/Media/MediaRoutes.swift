import Fluent
import Foundation
import MallAPI
import MallCore
import Vapor

/// Staff upload product images for a merchant.
struct MediaRoutes: RouteCollection {
    /// Room for the multipart boundaries, part headers and the merchantId field around the file.
    static let formOverhead = 64 * 1024

    func boot(routes: any RoutesBuilder) throws {
        let media = routes.grouped("media")
        // The app-wide body limit (MAX_BODY_SIZE, 1 MB by default) is for JSON; images get their own.
        media.grouped(ImageSizeLimitMiddleware())
            .on(.POST, "images", body: .collect(maxSize: ByteCount(value: ImageUploadPolicy.maxByteCount + Self.formOverhead)),
                use: uploadImage)
    }

    /// Vapor refuses an over-long body while collecting it, before the handler runs; this gives
    /// that 413 the same explanation as a file found too large inside the form.
    struct ImageSizeLimitMiddleware: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            do {
                return try await next.respond(to: request)
            } catch let abort as any AbortError where abort.status == .payloadTooLarge {
                throw MediaError.fileTooLarge
            }
        }
    }

    struct ImageUploadForm {
        var file: [UInt8]
        var merchantId: UUID
    }

    /// 201 with the new file, or 200 with the existing one when the merchant uploaded these exact
    /// bytes before.
    func uploadImage(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let form = try Self.decodeForm(req)
        let merchant = MerchantID(form.merchantId)
        try req.authorize(.catalogEdit, on: .merchant(merchant))
        guard form.file.count <= ImageUploadPolicy.maxByteCount else { throw MediaError.fileTooLarge }
        let upload = try await MediaService.uploadImage(form.file, merchant: merchant, uploadedBy: staff.staffId, req: req)
        return try Response.json(upload.file.dto, status: upload.isNew ? .created : .ok)
    }

    /// Read with our own strict `MultipartFormData`, not the framework's form decoder (which the
    /// whole app refuses; see `configure`): that one trapped on a byte above 0x7F in a part's
    /// header name and on an empty boundary.
    static func decodeForm(_ req: Request) throws -> ImageUploadForm {
        let form = try readForm(req)
        var errors = FieldErrorCollector()
        let file = filePart(form, into: &errors)
        let merchantText = form.part(named: "merchantId").map { String(decoding: $0.body, as: UTF8.self).trimmingWhitespace() }
        let merchantId = merchantText.flatMap(UUID.init(uuidString:))
        if merchantText == nil { errors.add("merchantId", "is required") } else if merchantId == nil { errors.add("merchantId", "must be a merchant id") }
        try errors.throwIfAny()
        guard let file, let merchantId else { throw MediaError.unreadableForm }
        return ImageUploadForm(file: file.body, merchantId: merchantId)
    }

    /// The request's multipart/form-data body, parsed.
    static func readForm(_ req: Request) throws -> MultipartFormData {
        guard let type = req.headers.first(name: .contentType), type.lowercased().hasPrefix("multipart/form-data") else {
            throw MediaError.notMultipart
        }
        do {
            let boundary = try MultipartFormData.boundary(contentType: type)
            return try MultipartFormData(parsing: req.body.data.map { Array($0.readableBytesView) } ?? [], boundary: boundary)
        } catch let failure as MultipartFormData.Failure {
            req.logger.info("unreadable upload form: \(failure)")
            throw MediaError.unreadableForm
        }
    }

    /// The `file` part, which must be a file (a part with a file name).
    static func filePart(_ form: MultipartFormData, into errors: inout FieldErrorCollector) -> MultipartFormData.Part? {
        let file = form.part(named: "file")
        if file == nil { errors.add("file", "is required") } else if file?.filename == nil {
            errors.add("file", "must be a file (a form part with a file name)")
        }
        return file?.filename == nil ? nil : file
    }
}

/// Members upload review photos (`POST /me/media/images`, behind the member gate).
struct MemberMediaRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped("me", "media").grouped(MediaRoutes.ImageSizeLimitMiddleware())
            .on(.POST, "images", body: .collect(maxSize: ByteCount(value: ImageUploadPolicy.maxByteCount + MediaRoutes.formOverhead)),
                use: upload)
    }

    /// 201 with the new image, or 200 with the member's earlier upload of the same bytes.
    func upload(req: Request) async throws -> Response {
        let member = try req.requireMember()
        let form = try MediaRoutes.readForm(req)
        var errors = FieldErrorCollector()
        let file = MediaRoutes.filePart(form, into: &errors)
        try errors.throwIfAny()
        guard let file else { throw MediaError.unreadableForm }
        guard file.body.count <= ImageUploadPolicy.maxByteCount else { throw MediaError.fileTooLarge }
        let upload = try await MemberImageService.upload(file.body, memberId: member.memberId, now: req.now, storage: req.fileStorage, on: req.db)
        return try Response.json(upload.image.dto, status: upload.isNew ? .created : .ok)
    }
}

/// Serves uploaded files. A key names its content (`img/<sha256>.<ext>`), so a response never goes
/// stale: browsers and CDNs may keep it for a year without asking again.
struct PublicFileRoutes: RouteCollection {
    static let cacheControl = "public, max-age=31536000, immutable"
    /// A file is never a page. Opened on its own, an SVG is a document that could run script or
    /// fetch; the server draws its SVGs without either, and this policy makes sure of it.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("files", "**", use: serve)
    }

    /// Honours a single `Range` (RFC 9110 §14) on every storage backend, reading only the bytes
    /// asked for, so a phone can seek in a video without fetching all of it.
    func serve(req: Request) async throws -> Response {
        let key = req.parameters.getCatchall().joined(separator: "/")
        // Only keys a media row names are served: the same storage also holds exports and backups.
        guard (try? FileStorageKey.validate(key)) != nil, let file = try await Self.described(key: key, on: req.db) else {
            throw MallError.notFound("No such file.")
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .cacheControl, value: Self.cacheControl)
        let tag = EntityTag(file.sha256)
        headers.replaceOrAdd(name: .eTag, value: tag.headerValue)
        headers.replaceOrAdd(name: .acceptRanges, value: "bytes")
        if tag.isMatched(byIfNoneMatch: req.headers[.ifNoneMatch]) {
            return Response(status: .notModified, headers: headers)
        }
        // A range is honoured only while it still names these bytes (RFC 9110 §13.1.5).
        let ifRange = req.headers.first(name: .ifRange)
        let rangeHeader = ifRange == nil || ifRange == "\"\(file.sha256)\"" ? req.headers.first(name: .range) : nil
        let data: Data?
        var status = HTTPResponseStatus.ok
        switch ByteRangeRequest.parse(rangeHeader, length: file.byteCount) {
        case .whole:
            data = try await req.fileStorage.get(key: key)
        case .partial(let range):
            data = try await req.fileStorage.get(key: key, offset: range.lowerBound, length: range.count)
            status = .partialContent
            headers.replaceOrAdd(name: .contentRange, value: "bytes \(range.lowerBound)-\(range.upperBound)/\(file.byteCount)")
        case .unsatisfiable:
            throw MediaError.rangeNotSatisfiable(length: file.byteCount)
        }
        guard let data else {
            req.logger.error("media file \(key) is in the database but not in file storage")
            throw MallError.notFound("No such file.")
        }
        headers.replaceOrAdd(name: .contentType, value: file.contentType)
        headers.replaceOrAdd(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        return Response(status: status, headers: headers, body: .init(data: data))
    }

    /// The row that names `key`: a staff upload (product images, videos, documents) or a
    /// member's (review photos).
    static func described(key: String, on db: any Database) async throws -> (sha256: String, contentType: String, byteCount: Int)? {
        if let file = try await MediaFileModel.find(key: key, on: db) { return (file.sha256, file.contentType, file.byteCount) }
        if let image = try await MemberImageModel.find(key: key, on: db) { return (image.sha256, image.contentType, image.byteCount) }
        if let attachment = try await ProductAttachmentModel.find(key: key, on: db) {
            return (attachment.sha256, attachment.contentType, attachment.byteCount)
        }
        return nil
    }
}

enum MediaError: ProblemConvertible {
    case fileTooLarge
    case notMultipart
    case unreadableForm
    case rangeNotSatisfiable(length: Int)
    case attachmentTooLarge

    var status: HTTPResponseStatus {
        switch self {
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .attachmentTooLarge: .payloadTooLarge
        case .fileTooLarge: .payloadTooLarge
        case .notMultipart: .unsupportedMediaType
        case .unreadableForm: .badRequest
        }
    }

    var title: String { status.reasonPhrase }

    var detail: String? {
        switch self {
        case .fileTooLarge: "Images may be at most 5 MB."
        case .notMultipart: "Send the image as multipart/form-data with a file part and a merchantId part."
        case .unreadableForm: "The multipart/form-data body could not be read."
        case .rangeNotSatisfiable: "The requested range lies outside the file."
        case .attachmentTooLarge: "Videos may be at most 200 MB and documents 20 MB; the video limit in force may be lower."
        }
    }

    var headers: HTTPHeaders {
        switch self {
        case .rangeNotSatisfiable(let length): ["Content-Range": "bytes */\(length)", "Accept-Ranges": "bytes"]
        case .fileTooLarge, .notMultipart, .unreadableForm, .attachmentTooLarge: [:]
        }
    }
}
