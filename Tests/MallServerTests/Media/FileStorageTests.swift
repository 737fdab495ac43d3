import Foundation
import MallAPI
import MallCore
import NIOPosix
import Testing
import Vapor
@testable import MallServer

// Serialized: every case starts an app, and on PostgreSQL each holds connections of its own.
@Suite("File storage", .serialized)
struct FileStorageTests {
    @Test("local storage keeps files under DATA_DIR/files: put, get, overwrite, delete")
    func localRoundTrip() async throws {
        try await withTestApp { app in
            let storage = app.fileStorage
            #expect(storage is LocalFileStorage)
            let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try await storage.put(key: "img/abc.png", data: bytes, contentType: "image/png")
            #expect(FileManager.default.fileExists(atPath: app.config.dataDirectory + "/files/img/abc.png"))
            #expect(try await storage.get(key: "img/abc.png") == bytes)

            try await storage.put(key: "img/abc.png", data: Data("second".utf8), contentType: "image/png")
            #expect(try await storage.get(key: "img/abc.png") == Data("second".utf8))

            try await storage.delete(key: "img/abc.png")
            #expect(try await storage.get(key: "img/abc.png") == nil)
            try await storage.delete(key: "img/abc.png") // already gone: still fine
            #expect(try await storage.get(key: "never/written.bin") == nil)
        }
    }

    @Test("keys that could leave the folder, hide a file or alias another key are refused", arguments: [
        "", "../secret.txt", "img/../../secret.txt", "/etc/passwd", "img//x.png", "img/./x.png", "img/x.png/", ".hidden",
        "img/.tmp-42", "a\\b.png", "img/x.png\u{0}.txt", "%2e%2e/x", "图片.png", "img/ x.png", String(repeating: "a", count: 513),
    ])
    func keyRules(key: String) async throws {
        let root = FileManager.default.temporaryDirectory.path + "/chainmall-tests/keys-\(UInt32.random(in: .min ... .max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let storage = LocalFileStorage(directory: root + "/files", threadPool: .singleton)
        await #expect(throws: FileStorageError.self) { try await storage.put(key: key, data: Data("x".utf8), contentType: "text/plain") }
        await #expect(throws: FileStorageError.self) { _ = try await storage.get(key: key) }
        await #expect(throws: FileStorageError.self) { try await storage.delete(key: key) }
        #expect(!FileManager.default.fileExists(atPath: root + "/secret.txt"))
        #expect(!FileManager.default.fileExists(atPath: root + "/files"), "nothing was written anywhere")
    }

    @Test("writes are atomic: concurrent readers see one whole version, and no temporary file is left")
    func atomicWrites() async throws {
        try await withTestApp { app in
            let storage = app.fileStorage
            let versions = (0..<8).map { version in Data(repeating: UInt8(version), count: 256 * 1024) }
            try await storage.put(key: "img/busy.bin", data: versions[0], contentType: "application/octet-stream")
            let torn = try await withThrowingTaskGroup(of: Int.self) { group in
                for version in versions {
                    group.addTask {
                        try await storage.put(key: "img/busy.bin", data: version, contentType: "application/octet-stream")
                        return 0
                    }
                    group.addTask {
                        guard let seen = try await storage.get(key: "img/busy.bin") else { return 1 }
                        return versions.contains(seen) ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(torn == 0)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: app.config.dataDirectory + "/files/img")
            #expect(leftovers == ["busy.bin"])
        }
    }

    @Test("an unreachable bucket is a 503 for the uploader, and nothing is recorded")
    func unreachableBucket() async throws {
        let location = try S3Location(parsing: "s3://key:secret@127.0.0.1:1/chainmall-test")
        try await withTestApp(adjust: { $0.storage = .s3(location) }) { app in
            #expect(app.fileStorage is S3FileStorage)
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let response = try await app.uploadImage(try FixtureFiles.image("rgb-5x3.png"), merchant: SelfOperatedMerchant.id.rawValue, token: token)
            #expect(response.status == .serviceUnavailable)
            #expect(response.problem?.detail == "File storage is not available right now; try again in a moment.")
            #expect(!response.text.contains("secret"))
            #expect(try await MediaFileModel.query(on: app.db).count() == 0)
        }
    }

    @Test("S3 storage round-trips bytes through a real S3 server (set S3_TEST_URL)",
          .enabled(if: s3TestURL != nil, "S3_TEST_URL is not set; .ci/run starts moto and sets it"))
    func s3RoundTrip() async throws {
        let location = try S3Location(parsing: try #require(s3TestURL))
        try await withTestApp(adjust: { $0.storage = .s3(location) }) { app in
            let storage = try #require(app.fileStorage as? S3FileStorage)
            try await storage.createBucket()
            try await storage.createBucket() // already ours: fine

            let key = "tests/\(UUID().uuidString.lowercased())/blob.bin"
            let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try await storage.put(key: key, data: bytes, contentType: "application/octet-stream")
            #expect(try await storage.get(key: key) == bytes)
            try await storage.put(key: key, data: Data("v2".utf8), contentType: "text/plain")
            #expect(try await storage.get(key: key) == Data("v2".utf8))
            try await storage.delete(key: key)
            #expect(try await storage.get(key: key) == nil)
            try await storage.delete(key: key)

            // The whole feature on the bucket: upload through the API, fetch through /files.
            let (_, token) = try await Fixtures.staff(app, "root", role: .platformAdmin, scope: .platform)
            let jpeg = try FixtureFiles.image("baseline-exif-6x4.jpg")
            let uploaded = try await app.uploadImage(jpeg, merchant: SelfOperatedMerchant.id.rawValue, token: token, filename: "a.jpg")
            #expect(uploaded.status == .created)
            let file = try uploaded.decode(MediaFile.self)
            #expect(try await storage.get(key: "img/\(file.sha256).jpg") == Data(jpeg))
            let served = try await app.send(.GET, file.url)
            #expect(served.status == .ok)
            #expect(Array(served.body.readableBytesView) == jpeg)
            #expect(served.headers.first(name: .contentType) == "image/jpeg")
            try await storage.delete(key: "img/\(file.sha256).jpg")
        }
    }
}

@Suite("Storage configuration")
struct StorageConfigTests {
    @Test("files go to DATA_DIR/files unless STORAGE_URL names a bucket")
    func defaults() throws {
        #expect(try AppConfig.load(from: [:]).storage == .local(directory: "data/files"))
        #expect(try AppConfig.load(from: ["DATA_DIR": "/srv/mall"]).storage == .local(directory: "/srv/mall/files"))
    }

    @Test("a loopback server speaks plain HTTP by default; every other host HTTPS")
    func parsing() throws {
        let moto = try S3Location(parsing: "s3://test:test@127.0.0.1:5000/chainmall-test")
        #expect(moto == S3Location(host: "127.0.0.1", port: 5000, usesTLS: false, bucket: "chainmall-test", region: "us-east-1",
                                   accessKeyId: "test", secretAccessKey: "test"))
        #expect(moto.baseURL == "http://127.0.0.1:5000")

        let config = try AppConfig.load(from: ["STORAGE_URL": "s3://AKIAEXAMPLE:abc%2Fdef%2Bghi@minio.internal:9000/mall-files?region=cn-east-1"])
        guard case .s3(let minio) = config.storage else { Issue.record("expected S3 storage"); return }
        #expect(minio.secretAccessKey == "abc/def+ghi", "percent-encoded secrets are decoded")
        #expect(minio.usesTLS)
        #expect(minio.region == "cn-east-1")
        #expect(minio.baseURL == "https://minio.internal:9000")
        #expect(!minio.description.contains("abc"), "the secret never appears in logs")

        let aws = try S3Location(parsing: "s3://k:s@s3.cn-north-1.amazonaws.com.cn:443/mall?region=cn-north-1")
        #expect(aws.hostHeader == "s3.cn-north-1.amazonaws.com.cn", "the default port is left out, as signers expect")
        #expect(try S3Location(parsing: "s3://k:s@localhost:9000/mall/?tls=true").baseURL == "https://localhost:9000")
    }

    @Test("a bad STORAGE_URL stops start-up with a message naming the variable and not the secret", arguments: [
        "https://minio.internal/mall", "s3://minio.internal:9000/mall", "s3://k:topsecret@minio.internal:9000/",
        "s3://k:topsecret@minio.internal:9000/mall/extra", "s3://k:topsecret@minio.internal/Bad_Bucket",
        "s3://k:topsecret@minio.internal/mall?tls=false", "s3://k:topsecret@minio.internal/mall?regoin=x",
        "s3://k:topsecret@minio.internal/mall?region=", "s3://k:topsecret@/mall",
    ])
    func rejects(url: String) {
        do {
            _ = try AppConfig.load(from: ["STORAGE_URL": url])
            Issue.record("\(url) was accepted")
        } catch let error as AppConfigError {
            #expect(error.variable == "STORAGE_URL")
            #expect(error.description.contains("STORAGE_URL"))
            #expect(!error.description.contains("topsecret"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
