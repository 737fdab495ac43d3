import Fluent
import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
import VaporTesting
@testable import MallServer

// Serialized: every case starts an app, and on PostgreSQL each holds connections of its own.
@Suite("Product image upload", .serialized)
struct MediaUploadTests {
    static let selfMerchant = SelfOperatedMerchant.id.rawValue

    @Test("PNG, JPEG and WebP uploads are identified by their bytes, sized, stored and served", arguments: [
        ("rgb-5x3.png", ImageFormat.png, 5, 3), ("palette-7x4.png", .png, 7, 4), ("baseline-exif-6x4.jpg", .jpeg, 6, 4),
        ("progressive-9x5.jpg", .jpeg, 9, 5), ("lossy-10x6.webp", .webp, 10, 6), ("lossless-11x7.webp", .webp, 11, 7),
        ("alpha-12x8.webp", .webp, 12, 8),
    ])
    func uploadFormats(name: String, format: ImageFormat, width: Int, height: Int) async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "self.admin", role: .merchantAdmin, scope: .merchant(SelfOperatedMerchant.id))
            let bytes = try FixtureFiles.image(name)
            let response = try await app.uploadImage(bytes, merchant: Self.selfMerchant, token: token, filename: name,
                                                     contentType: "application/octet-stream")
            #expect(response.status == .created, "\(response.text)")
            let file = try response.decode(MediaFile.self)
            let sha = FixtureFiles.sha256(bytes)
            #expect(file == MediaFile(id: file.id, url: "/files/img/\(sha).\(format.fileExtension)", format: format, width: width,
                                      height: height, byteCount: bytes.count, sha256: sha))

            let served = try await app.send(.GET, file.url)
            #expect(served.status == .ok)
            #expect(Array(served.body.readableBytesView) == bytes)
            #expect(served.headers.first(name: .contentType) == format.mimeType)
        }
    }

    @Test("the bytes decide the format, not the file name or the declared type")
    func formatFromBytes() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let notes = Array("Shopping list: rice, eggs, 酱油\n".utf8)
            let renamed = try await app.uploadImage(notes, merchant: Self.selfMerchant, token: token, filename: "photo.png", contentType: "image/png")
            #expect(renamed.status == .unprocessableEntity)
            #expect(renamed.problem?.errors == [FieldError(field: "file", message: "is not a JPEG, PNG or WebP image")])

            let jpeg = try FixtureFiles.image("baseline-exif-6x4.jpg")
            let misnamed = try await app.uploadImage(jpeg, merchant: Self.selfMerchant, token: token, filename: "photo.png", contentType: "image/png")
            #expect(try misnamed.decode(MediaFile.self).format == .jpeg)
            #expect(try misnamed.decode(MediaFile.self).url.hasSuffix(".jpg"))

            var cut = try FixtureFiles.image("rgb-5x3.png")
            cut.removeLast(cut.count - 30)
            let truncated = try await app.uploadImage(cut, merchant: Self.selfMerchant, token: token)
            #expect(truncated.problem?.errors?.first?.message == "is a PNG image that is cut off (truncated)")

            // A few bytes declaring a 20 000 × 20 000 canvas: refused before any browser has to allocate it.
            var bomb = try FixtureFiles.image("rgb-5x3.png")
            bomb.replaceSubrange(16..<24, with: [0, 0, 0x4E, 0x20, 0, 0, 0x4E, 0x20])
            bomb.replaceSubrange(29..<33, with: Self.crc32(Array(bomb[12..<29])))
            let huge = try await app.uploadImage(bomb, merchant: Self.selfMerchant, token: token)
            #expect(huge.status == .unprocessableEntity)
            #expect(huge.problem?.errors?.first?.message.contains("20000×20000") == true)

            #expect(try await MediaFileModel.query(on: app.db).count() == 1)
            let stored = try FileManager.default.contentsOfDirectory(atPath: app.config.dataDirectory + "/files/img")
            #expect(stored == ["\(FixtureFiles.sha256(jpeg)).jpg"], "refused uploads leave nothing in storage")
        }
    }

    @Test("SVG is never accepted from outside, not even the bytes of a picture the server drew")
    func svgRefused() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let drawn = try await DemoCatalog(app: app).illustration(of: ProductIllustration.Subject(
                category: "饮料", name: "饮用天然水", brand: "农夫山泉", spec: "550ml", seed: "农夫山泉"), merchantId: Self.selfMerchant)
            let bytes = try #require(try await app.fileStorage.get(key: String(drawn.dropFirst("/files/".count))))
            let script = Array(#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.utf8)
            let shopper = try await Fixtures.member(app).tokens.accessToken
            for svg in [Array(bytes), script] {
                let staff = try await app.uploadImage(svg, merchant: Self.selfMerchant, token: token, filename: "pack.svg", contentType: "image/svg+xml")
                #expect(staff.status == .unprocessableEntity)
                #expect(staff.problem?.errors == [FieldError(field: "file", message: "is not a JPEG, PNG or WebP image")])
                let member = try await ReviewTests.uploadPhoto(app, svg, token: shopper, filename: "pack.svg")
                #expect(member.status == .unprocessableEntity)
            }
            #expect(try await MemberImageModel.query(on: app.db).count() == 0)
            #expect(try await MediaFileModel.query(on: app.db).count() == 1, "only the server's own drawing")
        }
    }

    @Test("the form must be multipart with a file and a merchant id")
    func formErrors() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            var noFile = MultipartForm()
            noFile.field("merchantId", Self.selfMerchant.uuidString)
            #expect(try await app.upload(noFile, token: token).problem?.errors == [FieldError(field: "file", message: "is required")])

            var textFile = MultipartForm()
            textFile.field("merchantId", Self.selfMerchant.uuidString)
            textFile.field("file", "not a file part")
            #expect(try await app.upload(textFile, token: token).problem?.errors?.first?.field == "file")

            let png = try FixtureFiles.image("rgb-5x3.png")
            var badMerchant = MultipartForm()
            badMerchant.field("merchantId", "SELF")
            badMerchant.file("file", filename: "a.png", contentType: "image/png", bytes: png)
            #expect(try await app.upload(badMerchant, token: token).problem?.errors == [FieldError(field: "merchantId", message: "must be a merchant id")])

            let unknown = try await app.uploadImage(png, merchant: UUID(), token: token)
            #expect(unknown.problem?.errors == [FieldError(field: "merchantId", message: "is not a merchant")])

            let json = try await app.send(.POST, Application.imageUploadPath, token: token, raw: "{\"merchantId\":\"\(Self.selfMerchant)\"}")
            #expect(json.status == .unsupportedMediaType)
            #expect(json.problem?.detail?.contains("multipart/form-data") == true)
            #expect(try await MediaFileModel.query(on: app.db).count() == 0)
        }
    }

    @Test("only staff with catalog.edit on the merchant may upload for it")
    func access() async throws {
        try await withTestApp { app in
            let fruit = try await Fixtures.merchant(app, code: "XFRUIT")
            let store = try await Fixtures.store(app, code: "SH-JA01")
            let (_, fruitAdmin) = try await Fixtures.staff(app, "fruit.admin", role: .merchantAdmin, scope: .merchant(fruit.merchantID))
            let (_, clerk) = try await Fixtures.staff(app, "ja.clerk", role: .storeClerk, scope: .store(store.storeID))
            let (_, manager) = try await Fixtures.staff(app, "ja.manager", role: .storeManager, scope: .store(store.storeID))
            let member = try await Fixtures.member(app)
            let png = try FixtureFiles.image("rgb-5x3.png")

            let anonymous = try await app.uploadImage(png, merchant: Self.selfMerchant, token: nil)
            #expect(anonymous.status == .unauthorized)
            #expect(try await app.uploadImage(png, merchant: Self.selfMerchant, token: member.tokens.accessToken).status == .forbidden)
            let otherMerchant = try await app.uploadImage(png, merchant: Self.selfMerchant, token: fruitAdmin)
            #expect(otherMerchant.status == .forbidden)
            #expect(otherMerchant.problem?.detail == "You need the catalog.edit permission for merchant \(Self.selfMerchant.uuidString).")
            #expect(try await app.uploadImage(png, merchant: Self.selfMerchant, token: clerk).status == .forbidden)
            #expect(try await app.uploadImage(png, merchant: Self.selfMerchant, token: manager).status == .forbidden)
            #expect(try await MediaFileModel.query(on: app.db).count() == 0)

            #expect(try await app.uploadImage(png, merchant: fruit.id!, token: fruitAdmin).status == .created)
        }
    }

    @Test("the same bytes twice give the same file; every new file is audited once")
    func deduplication() async throws {
        try await withTestApp { app in
            let (admin, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let fruit = try await Fixtures.merchant(app, code: "XFRUIT")
            let webp = try FixtureFiles.image("lossy-10x6.webp")

            let first = try await app.uploadImage(webp, merchant: Self.selfMerchant, token: token, filename: "one.webp")
            let again = try await app.uploadImage(webp, merchant: Self.selfMerchant, token: token, filename: "two.webp")
            #expect(first.status == .created)
            #expect(again.status == .ok)
            #expect(try again.decode(MediaFile.self) == first.decode(MediaFile.self))

            let otherMerchant = try await app.uploadImage(webp, merchant: fruit.id!, token: token)
            #expect(otherMerchant.status == .created, "each merchant owns its own media row")
            #expect(try otherMerchant.decode(MediaFile.self).id != first.decode(MediaFile.self).id)
            #expect(try otherMerchant.decode(MediaFile.self).url == first.decode(MediaFile.self).url, "one stored object per content")

            let rows = try await MediaFileModel.query(on: app.db).all()
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.uploadedBy == admin.id && $0.createdAt == testEpoch })
            let audit = try await app.send(.GET, "/api/v1/admin/audit-logs?targetType=media_file", token: token).decode(ListPage<AuditEntry>.self)
            #expect(audit.items.map(\.action) == ["media.upload", "media.upload"])
            #expect(Set(audit.items.map(\.scope)) == ["merchant:\(Self.selfMerchant.uuidString)", "merchant:\(fruit.id!.uuidString)"])
            #expect(audit.items.allSatisfy { $0.actorName == "root" && $0.after?.contains("\"format\":\"webp\"") == true })
        }
    }

    @Test("files are served with a year of immutable caching, an ETag and 304 on revalidation")
    func serving() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let png = try FixtureFiles.image("palette-7x4.png")
            let file = try await app.uploadImage(png, merchant: Self.selfMerchant, token: token).decode(MediaFile.self)

            let served = try await app.send(.GET, file.url)
            #expect(served.headers.first(name: .cacheControl) == "public, max-age=31536000, immutable")
            #expect(served.headers.first(name: .eTag) == "\"\(file.sha256)\"")
            #expect(served.headers.first(name: .contentType) == "image/png")
            #expect(served.headers.first(name: "X-Content-Type-Options") == "nosniff")

            let revalidated = try await app.send(.GET, file.url, headers: ["If-None-Match": "\"other\", W/\"\(file.sha256)\""])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.body.readableBytes == 0)
            #expect(revalidated.headers.first(name: .eTag) == "\"\(file.sha256)\"")
            #expect(try await app.send(.GET, file.url, headers: ["If-None-Match": "\"other\""]).status == .ok)

            let missing = try await app.send(.GET, "/files/img/\(String(repeating: "0", count: 64)).png")
            #expect(missing.status == .notFound)
            #expect(missing.problem?.status == 404)
            #expect(missing.headers.first(name: .cacheControl) == nil)
            #expect(try await app.send(.GET, "/files/img/..%2F..%2Fchainmall.sqlite").status == .notFound)

            // Storage also holds exports and backups; only files a media row names are public.
            try await app.fileStorage.put(key: "exports/orders.csv", data: Data("id,total\n".utf8), contentType: "text/csv")
            #expect(try await app.send(.GET, "/files/exports/orders.csv").status == .notFound)
        }
    }

    @Test("uploads over 5 MB are refused with 413")
    func tooLarge() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            // Bytes after IEND are ignored by decoders, so this is still a displayable PNG.
            let png = try FixtureFiles.image("rgb-5x3.png")
            let justOver = png + [UInt8](repeating: 0, count: ImageUploadPolicy.maxByteCount - png.count + 1)
            let response = try await app.uploadImage(justOver, merchant: Self.selfMerchant, token: token)
            #expect(response.status == .payloadTooLarge)
            #expect(response.problem?.detail == "Images may be at most 5 MB.")

            let exactly = png + [UInt8](repeating: 0, count: ImageUploadPolicy.maxByteCount - png.count)
            #expect(try await app.uploadImage(exactly, merchant: Self.selfMerchant, token: token).status == .created)
        }
    }

    @Test("over real HTTP, images above the JSON body limit are accepted and bodies above 5 MB are stopped")
    func bodyLimitsOverHTTP() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let tester = try app.testing(method: .running(hostname: "127.0.0.1", port: try await freeLocalPort()))
            let png = try FixtureFiles.image("rgb-5x3.png")

            let threeMegabytes = png + [UInt8](repeating: 0, count: 3 * 1024 * 1024)
            let accepted = try await app.upload(.image(threeMegabytes, merchant: Self.selfMerchant), token: token, tester: tester)
            #expect(accepted.status == .created, "MAX_BODY_SIZE (1 MB) is for JSON; the image route has its own limit")
            #expect(try accepted.decode(MediaFile.self).byteCount == threeMegabytes.count)

            let sixMegabytes = png + [UInt8](repeating: 0, count: 6 * 1024 * 1024)
            let refused = try await app.upload(.image(sixMegabytes, merchant: Self.selfMerchant), token: token, tester: tester)
            #expect(refused.status == .payloadTooLarge)
            #expect(refused.problem?.status == 413)
            #expect(refused.problem?.detail == "Images may be at most 5 MB.")
            #expect(try await MediaFileModel.query(on: app.db).count() == 1)
        }
    }

    static func crc32(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
        }
        crc = ~crc
        return [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
    }
}
