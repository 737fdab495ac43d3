import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

extension Application {
    static func attachmentPath(_ productId: UUID) -> String { "/api/v1/admin/products/\(productId)/attachments" }

    func uploadAttachment(_ bytes: [UInt8], product: UUID, token: String?, filename: String, title: String? = nil,
                          posterUrl: String? = nil) async throws -> APIResponse {
        var form = MultipartForm()
        if let title { form.field("title", title) }
        if let posterUrl { form.field("posterUrl", posterUrl) }
        form.file("file", filename: filename, contentType: "application/octet-stream", bytes: bytes)
        return try await upload(form, token: token, path: Self.attachmentPath(product))
    }
}

@Suite("Product videos and documents")
struct ProductAttachmentTests {
    func media(_ name: String) throws -> [UInt8] { Array(try FixtureFiles.data("media/" + name)) }

    @Test("a video with its poster and a PDF manual: shown on the product, served with ranges, removed again")
    func videoAndDocument() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let sku = try await Fixtures.sku(app, code: "V1")
            let poster = try await app.uploadImage(try FixtureFiles.image("baseline-exif-6x4.jpg"), merchant: SelfOperatedMerchant.id.rawValue,
                                                   token: token, filename: "p.jpg").decode(MediaFile.self)
            let mp4 = try media("clip-12.5s.mp4")

            let video = try await app.uploadAttachment(mp4, product: sku.productId, token: token, filename: "clip.mp4", posterUrl: poster.url)
            #expect(video.status == .created)
            let videoDTO = try video.decode(ProductAttachment.self)
            #expect(videoDTO.format == .mp4)
            #expect(videoDTO.durationMilliseconds == 12_500)
            #expect(videoDTO.posterUrl == poster.url)
            #expect(videoDTO.contentType == "video/mp4")
            let pdf = try media("manual.pdf")
            let document = try await app.uploadAttachment(pdf, product: sku.productId, token: token, filename: "m.pdf", title: "User manual")
            #expect(document.status == .created)

            let detail = try await app.send(.GET, "/api/v1/products/\(sku.productId)").decode(ProductDetail.self)
            #expect(detail.videos == [videoDTO])
            #expect(detail.documents.map(\.title) == ["User manual"])
            #expect(detail.documents.first?.format == .pdf)

            try await expectRangesServed(app, path: videoDTO.url, bytes: mp4)
            let served = try await app.send(.GET, try #require(detail.documents.first).url)
            #expect(served.headers.first(name: .contentType) == "application/pdf")
            #expect(Array(served.body.readableBytesView) == pdf)

            // The console's editor lists them for the product whatever its state, videos first.
            let listed = try await app.send(.GET, Application.attachmentPath(sku.productId), token: token).decode([ProductAttachment].self)
            #expect(listed == [videoDTO, try document.decode(ProductAttachment.self)])
            #expect(try await app.send(.GET, Application.attachmentPath(UUID()), token: token).status == .notFound)
            let fruit = try await Fixtures.merchant(app, code: "FRUIT")
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(fruit.merchantID))
            #expect(try await app.send(.GET, Application.attachmentPath(sku.productId), token: fruitAdmin).status == .forbidden)

            let again = try await app.uploadAttachment(mp4, product: sku.productId, token: token, filename: "clip.mp4", posterUrl: poster.url)
            #expect(again.status == .conflict)

            let removed = try await app.send(.DELETE, Application.attachmentPath(sku.productId) + "/\(videoDTO.id)", token: token)
            #expect(removed.status == .noContent)
            #expect(try await app.send(.GET, videoDTO.url).status == .notFound)
            #expect(try await app.fileStorage.get(key: String(videoDTO.url.dropFirst("/files/".count))) == nil)
            let audit = try await AuditLogModel.query(on: app.db).filter(\.$action ~~ "product.attachment").all().map(\.action).sorted()
            #expect(audit == ["product.attachment.add", "product.attachment.add", "product.attachment.remove"])
        }
    }

    @Test("refusals: not a video or PDF, too long for the setting, no poster, someone else's poster, no title, no permission")
    func refusals() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let sku = try await Fixtures.sku(app, code: "V2")
            let poster = try await app.uploadImage(try FixtureFiles.image("baseline-exif-6x4.jpg"), merchant: SelfOperatedMerchant.id.rawValue,
                                                   token: token, filename: "p.jpg").decode(MediaFile.self)
            func fieldError(_ response: APIResponse) -> [String] {
                (response.problem?.errors ?? []).map { "\($0.field): \($0.message)" }
            }
            let gif = try await app.uploadAttachment(Array("GIF89a......".utf8), product: sku.productId, token: token, filename: "a.mp4")
            #expect(gif.status == .unprocessableEntity)
            #expect(fieldError(gif) == ["file: is not an MP4 or WebM video or a PDF document"])

            let long = try await app.uploadAttachment(try media("clip-600s.mp4"), product: sku.productId, token: token, filename: "l.mp4",
                                                      posterUrl: poster.url)
            #expect(fieldError(long) == ["file: is longer than 180 seconds"])

            let noPoster = try await app.uploadAttachment(try media("clip-8s.webm"), product: sku.productId, token: token, filename: "c.webm")
            #expect(fieldError(noPoster) == ["posterUrl: is required for a video: upload an image and give its /files/… path"])
            let badPoster = try await app.uploadAttachment(try media("clip-8s.webm"), product: sku.productId, token: token, filename: "c.webm",
                                                           posterUrl: "/files/img/nope.png")
            #expect(fieldError(badPoster) == ["posterUrl: must be the /files/… path of an image this merchant uploaded"])
            let untitled = try await app.uploadAttachment(try media("manual.pdf"), product: sku.productId, token: token, filename: "m.pdf")
            #expect(fieldError(untitled) == ["title: is required for a document, such as User manual"])

            let (_, clerk) = try await Fixtures.staff(app, "service", role: .customerService, scope: .platform)
            let forbidden = try await app.uploadAttachment(try media("manual.pdf"), product: sku.productId, token: clerk, filename: "m.pdf", title: "x")
            #expect(forbidden.status == .forbidden)
            let missing = try await app.uploadAttachment(try media("manual.pdf"), product: UUID(), token: token, filename: "m.pdf", title: "x")
            #expect(missing.status == .notFound)

            #expect(try await ProductAttachmentModel.query(on: app.db).count() == 0)
            let webm = try await app.uploadAttachment(try media("clip-8s.webm"), product: sku.productId, token: token, filename: "c.webm",
                                                      posterUrl: poster.url)
            #expect(try webm.decode(ProductAttachment.self).durationMilliseconds == 8_000)
        }
    }
}
