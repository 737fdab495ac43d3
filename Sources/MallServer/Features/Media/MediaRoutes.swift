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

    struct ImageUploadForm: Content {
        var file: File
        var merchantId: UUID
    }

    /// 201 with the new file, or 200 with the existing one when the merchant uploaded these exact
    /// bytes before.
    func uploadImage(req: Request) async throws -> Response {
        let staff = try req.requireStaff()
        let form = try decodeForm(req)
        let merchant = MerchantID(form.merchantId)
        try req.authorize(.catalogEdit, on: .merchant(merchant))
        guard form.file.data.readableBytes <= ImageUploadPolicy.maxByteCount else { throw MediaError.fileTooLarge }
        let upload = try await MediaService.uploadImage(Array(form.file.data.readableBytesView), merchant: merchant,
                                                        uploadedBy: staff.staffId, req: req)
        return try Response.json(upload.file.dto, status: upload.isNew ? .created : .ok)
    }

    private func decodeForm(_ req: Request) throws -> ImageUploadForm {
        guard let type = req.headers.contentType, type.type == "multipart", type.subType == "form-data" else {
            throw MediaError.notMultipart
        }
        do {
            return try req.content.decode(ImageUploadForm.self)
        } catch let error as DecodingError {
            let (field, missing) = Self.field(of: error)
            switch field {
            case "file":
                throw ValidationFailure(field: "file", message: missing ? "is required" : "must be a file (a form part with a file name)")
            case "merchantId":
                throw ValidationFailure(field: "merchantId", message: missing ? "is required" : "must be a merchant id")
            default:
                throw MediaError.unreadableForm
            }
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw error
        } catch {
            throw MediaError.unreadableForm
        }
    }

    private static func field(of error: DecodingError) -> (String?, missing: Bool) {
        switch error {
        case .keyNotFound(let key, _): (key.stringValue, true)
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            (context.codingPath.first?.stringValue, false)
        @unknown default: (nil, false)
        }
    }
}

/// Serves uploaded files. A key names its content (`img/<sha256>.<ext>`), so a response never goes
/// stale: browsers and CDNs may keep it for a year without asking again.
struct PublicFileRoutes: RouteCollection {
    static let cacheControl = "public, max-age=31536000, immutable"

    func boot(routes: any RoutesBuilder) throws {
        routes.get("files", "**", use: serve)
    }

    func serve(req: Request) async throws -> Response {
        let key = req.parameters.getCatchall().joined(separator: "/")
        // Only keys a media row names are served: the same storage also holds exports and backups.
        guard (try? FileStorageKey.validate(key)) != nil, let file = try await MediaFileModel.find(key: key, on: req.db) else {
            throw MallError.notFound("No such file.")
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .cacheControl, value: Self.cacheControl)
        headers.replaceOrAdd(name: .eTag, value: "\"\(file.sha256)\"")
        if Self.matches(req.headers[.ifNoneMatch], etag: file.sha256) {
            return Response(status: .notModified, headers: headers)
        }
        guard let data = try await req.fileStorage.get(key: key) else {
            req.logger.error("media file \(key) is in the database but not in file storage")
            throw MallError.notFound("No such file.")
        }
        headers.replaceOrAdd(name: .contentType, value: file.contentType)
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// `If-None-Match` holds `*` or a comma-separated list of tags, weak (`W/"…"`) or strong; the
    /// comparison is weak, as RFC 9110 §13.1.2 prescribes for it.
    static func matches(_ values: [String], etag: String) -> Bool {
        values.flatMap { $0.split(separator: ",") }.contains { raw in
            var tag = raw.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == "\"\(etag)\""
        }
    }
}

enum MediaError: ProblemConvertible {
    case fileTooLarge
    case notMultipart
    case unreadableForm

    var status: HTTPResponseStatus {
        switch self {
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
        }
    }
}
