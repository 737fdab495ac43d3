import Foundation
import MallAPI
import MallCore
import Testing
import Vapor
@testable import MallServer

/// Serves `Range` requests on /files for whichever storage `adjust` configures.
func expectRangesServed(_ app: Application, path: String, bytes: [UInt8]) async throws {
    let length = bytes.count
    let whole = try await app.send(.GET, path)
    #expect(whole.status == .ok)
    #expect(whole.headers.first(name: .acceptRanges) == "bytes")
    #expect(Array(whole.body.readableBytesView) == bytes)

    for (header, range) in [("bytes=0-9", 0...9), ("bytes=\(length - 5)-", (length - 5)...(length - 1)), ("bytes=-7", (length - 7)...(length - 1)),
                            ("bytes=3-999999", 3...(length - 1))] {
        let part = try await app.send(.GET, path, headers: ["Range": header])
        #expect(part.status == .partialContent, "\(header)")
        #expect(part.headers.first(name: .contentRange) == "bytes \(range.lowerBound)-\(range.upperBound)/\(length)", "\(header)")
        #expect(Array(part.body.readableBytesView) == Array(bytes[range]), "\(header)")
    }
    let outside = try await app.send(.GET, path, headers: ["Range": "bytes=\(length)-"])
    #expect(outside.status == .rangeNotSatisfiable)
    #expect(outside.headers.first(name: .contentRange) == "bytes */\(length)")
    #expect(outside.problem?.detail == "The requested range lies outside the file.")

    // A stale If-Range gets the whole (new) file, never a piece of it.
    let stale = try await app.send(.GET, path, headers: ["Range": "bytes=0-9", "If-Range": "\"0000\""])
    #expect(stale.status == .ok)
    #expect(stale.body.readableBytes == length)
}

@Suite("Range requests on /files", .serialized)
struct FileRangeTests {
    @Test("local storage: 206 with Content-Range for a-b, a- and -n; 416 past the end")
    func local() async throws {
        try await withTestApp { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            // Not the image FileStorageTests uploads: the bucket is shared and content-addressed, and
            // each test deletes its image at the end, so the same bytes would race.
            let jpeg = try FixtureFiles.image("progressive-9x5.jpg")
            let file = try await app.uploadImage(jpeg, merchant: SelfOperatedMerchant.id.rawValue, token: token, filename: "a.jpg").decode(MediaFile.self)
            try await expectRangesServed(app, path: file.url, bytes: jpeg)
        }
    }

    @Test("FastDFS storage: ranges become offset and length downloads")
    func fastDFS() async throws {
        let fake = try FakeFastDFS()
        defer { fake.stop() }
        let config = try fake.config
        try await withTestApp(adjust: { $0.storage = .fastDFS(config) }) { app in
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            // Not the image FileStorageTests uploads: the bucket is shared and content-addressed, and
            // each test deletes its image at the end, so the same bytes would race.
            let jpeg = try FixtureFiles.image("progressive-9x5.jpg")
            let file = try await app.uploadImage(jpeg, merchant: SelfOperatedMerchant.id.rawValue, token: token, filename: "a.jpg").decode(MediaFile.self)
            try await expectRangesServed(app, path: file.url, bytes: jpeg)
            let downloads = try fake.recorded().filter { $0.command == 14 }.map(\.hex)
            // The tail of "bytes=-7": offset length-7, 7 bytes.
            let offsetAndLength = hex(FastDFSProtocol.bigEndian(UInt64(jpeg.count - 7)) + FastDFSProtocol.bigEndian(7))
            #expect(downloads.contains { $0.dropFirst(20).hasPrefix(offsetAndLength) })
        }
    }

    @Test("S3 storage: ranges become ranged GETs (set S3_TEST_URL)",
          .enabled(if: s3TestURL != nil, "S3_TEST_URL is not set; .ci/run starts moto and sets it"))
    func s3() async throws {
        let location = try S3Location(parsing: try #require(s3TestURL))
        try await withTestApp(adjust: { $0.storage = .s3(location) }) { app in
            let storage = try #require(app.fileStorage as? S3FileStorage)
            try await storage.createBucket()
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            // Not the image FileStorageTests uploads: the bucket is shared and content-addressed, and
            // each test deletes its image at the end, so the same bytes would race.
            let jpeg = try FixtureFiles.image("progressive-9x5.jpg")
            let file = try await app.uploadImage(jpeg, merchant: SelfOperatedMerchant.id.rawValue, token: token, filename: "a.jpg").decode(MediaFile.self)
            try await expectRangesServed(app, path: file.url, bytes: jpeg)
            #expect(try await storage.get(key: "img/\(file.sha256).jpg", offset: 2, length: 3) == Data(jpeg[2..<5]))
            try await storage.delete(key: "img/\(file.sha256).jpg")
        }
    }
}
